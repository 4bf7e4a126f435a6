"""The moderation console, under /moderation/ (config.urls)."""

from django.urls import path
from django.views.generic.base import RedirectView

from annotations.moderation import bulk_views, policy_views, reanchor_views, views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("annotations/<int:pk>/", views.annotation_detail, name="annotation"),
    path("annotations/<int:pk>/decide/", views.annotation_decide, name="annotation-decide"),
    path("replies/<int:pk>/", views.reply_detail, name="reply"),
    path("replies/<int:pk>/decide/", views.reply_decide, name="reply-decide"),
    path("bulk/", bulk_views.bulk, name="bulk"),
    path("log/", views.log, name="log"),
    path("log.csv", views.log_csv, name="log-csv"),
    path("drafts/", policy_views.drafts, name="drafts"),
    path("drafts/<int:pk>/policy/", policy_views.draft_policy, name="draft-policy"),
    path("reanchor/", reanchor_views.reanchor_queue, name="reanchor"),
    path("reanchor/<int:pk>/", reanchor_views.reanchor_decide, name="reanchor-decide"),
    # "My annotations" moved to the account pages (accounts:my-annotations); old links follow it.
    path(
        "my-annotations/",
        RedirectView.as_view(pattern_name="accounts:my-annotations", permanent=True),
        name="my-annotations",
    ),
]
