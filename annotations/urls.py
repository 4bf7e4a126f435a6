"""HTML routes of the annotations app (the API lives under /api/v1/, in config.urls)."""

from django.urls import path

from annotations import views
from annotations.campaigns import views as campaign_views

app_name = "annotations"

urlpatterns = [
    path("annotations/tags.css", views.tag_stylesheet, name="tag-stylesheet"),
    path("annotations/<int:pk>/", views.annotation_permalink, name="permalink"),
    path("annotations/groups/<int:pk>/", campaign_views.group_page, name="group"),
    path("annotations/<int:pk>/replies/", views.reply_create, name="reply-create"),
    path("annotations/<int:pk>/delete/", views.annotation_delete, name="delete"),
    path("annotations/<int:pk>/endorsement/", views.endorsement_toggle, name="endorsement"),
    path("annotations/<int:pk>/flag/", views.flag_create, name="flag"),
    path("annotations/<int:pk>/outcome/", views.outcome_mark, name="outcome"),
    path("replies/<int:pk>/delete/", views.reply_delete, name="reply-delete"),
    path("replies/<int:pk>/flag/", views.reply_flag_create, name="reply-flag"),
]
