"""Printable briefings (HTML with a print stylesheet); the data behind them is also at
/api/v1/treaties/<slug>/feedback/ (config.urls)."""

from django.urls import path

from annotations.exports import briefing as briefing_views

app_name = "briefing"

urlpatterns = [
    path("treaties/<slug:slug>/briefing/", briefing_views.treaty_briefing, name="treaty"),
    path(
        "treaties/<slug:slug>/articles/<str:number>/briefing/",
        briefing_views.article_briefing,
        name="article",
    ),
]
