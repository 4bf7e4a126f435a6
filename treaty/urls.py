from django.urls import path

from treaty import views
from treaty.drafts import views as drafts_views

app_name = "treaty"

urlpatterns = [
    path("", views.home, name="home"),
    path("treaties/<slug:slug>/", views.treaty_detail, name="detail"),
    path("treaties/<slug:slug>/articles/<str:number>/", views.article_detail, name="article"),
    path("treaties/<slug:slug>/search/", views.search, name="search"),
    path("treaties/<slug:slug>/compare/", drafts_views.compare_page, name="compare"),
    # The preamble (pre), the closing formula (final) and annexes (annex, annex-1, ...).
    path("treaties/<slug:slug>/parts/<str:key>/", views.part_detail, name="part"),
]
