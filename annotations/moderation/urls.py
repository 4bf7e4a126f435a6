"""The moderation console, under /moderation/ (config.urls), and the author's "My annotations" page."""

from django.urls import path

from annotations.moderation import author_views, bulk_views, policy_views, views

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
    # For any logged-in author, not only moderators. It belongs at /my/annotations/, which needs a
    # line of its own in config.urls; until then it lives here.
    path("my-annotations/", author_views.my_annotations, name="my-annotations"),
]
