from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from accounts.views import outbox
from annotations.api import resolutions as resolutions_api
from annotations.api import views as annotations_api
from annotations.campaigns import api as campaigns_api
from annotations.exports.api import feedback as feedback_api
from annotations.exports.api import jobs as export_jobs_api
from annotations.exports.api import streams as exports_api
from annotations.heat import api as heatmap_api
from annotations.moderation import api as moderation_api
from config.favicon import favicon
from config.health import healthz
from treaty import api as treaty_api
from treaty.drafts import api as drafts_api

api_v1 = [
    path("auth/token/", accounts_api.TokenObtainView.as_view(), name="auth-token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("organizations/", accounts_api.OrganizationListView.as_view(), name="organization-list"),
    path(
        "organizations/<slug:slug>/join/",
        accounts_api.OrganizationJoinView.as_view(),
        name="organization-join",
    ),
    path("tags/", annotations_api.ConcernTagListView.as_view(), name="tag-list"),
    path("annotations/", annotations_api.AnnotationListView.as_view(), name="annotation-list"),
    path("annotations/removed/", annotations_api.AnnotationRemovedView.as_view(), name="annotation-removed"),
    path("annotations/<int:pk>/", annotations_api.AnnotationDetailView.as_view(), name="annotation-detail"),
    path("annotations/groups/<int:pk>/", campaigns_api.GroupDetailView.as_view(), name="annotation-group"),
    path("annotations/<int:pk>/replies/", annotations_api.ReplyListView.as_view(), name="annotation-replies"),
    path("annotations/<int:pk>/flags/", annotations_api.FlagView.as_view(), name="annotation-flags"),
    path("replies/<int:pk>/flags/", annotations_api.ReplyFlagView.as_view(), name="reply-flags"),
    path(
        "annotations/<int:pk>/endorsements/",
        annotations_api.EndorsementView.as_view(),
        name="annotation-endorsements",
    ),
    path(
        "annotations/<int:pk>/moderation/",
        moderation_api.AnnotationModerationView.as_view(),
        name="annotation-moderation",
    ),
    path(
        "replies/<int:pk>/moderation/", moderation_api.ReplyModerationView.as_view(), name="reply-moderation"
    ),
    path("moderation/queue/", moderation_api.ModerationQueueView.as_view(), name="moderation-queue"),
    path("moderation/reanchor/", resolutions_api.ReanchorQueueView.as_view(), name="moderation-reanchor"),
    path(
        "annotations/<int:pk>/resolutions/",
        resolutions_api.ResolutionDecisionView.as_view(),
        name="annotation-resolutions",
    ),
    path("annotations/<int:pk>/outcome/", resolutions_api.OutcomeView.as_view(), name="annotation-outcome"),
    path("moderation/bulk/", moderation_api.ModerationBulkView.as_view(), name="moderation-bulk"),
    path("exports/", export_jobs_api.ExportJobCreateView.as_view(), name="export-job-create"),
    path("exports/<int:pk>/", export_jobs_api.ExportJobDetailView.as_view(), name="export-job-detail"),
    path(
        "exports/<int:pk>/download/",
        export_jobs_api.ExportJobDownloadView.as_view(),
        name="export-job-download",
    ),
    path("treaties/", treaty_api.TreatyListView.as_view(), name="treaty-list"),
    path("treaties/<slug:slug>/heatmap/", heatmap_api.TreatyHeatmapView.as_view(), name="treaty-heatmap"),
    path("treaties/<slug:slug>/feedback/", feedback_api.TreatyFeedbackView.as_view(), name="treaty-feedback"),
    path(
        "treaties/<slug:slug>/annotations/export/",
        exports_api.AnnotationExportView.as_view(),
        name="annotation-export",
    ),
    path(
        "treaties/<slug:slug>/articles/<str:number>/heatmap/",
        heatmap_api.ArticleHeatmapView.as_view(),
        name="article-heatmap",
    ),
    path("treaties/<slug:slug>/versions/", drafts_api.VersionListView.as_view(), name="treaty-versions"),
    path("treaties/<slug:slug>/compare/", drafts_api.CompareView.as_view(), name="treaty-compare"),
    path("treaties/<slug:slug>/", treaty_api.TreatyDetailView.as_view(), name="treaty-detail"),
    path(
        "treaties/<slug:slug>/articles/<str:number>/",
        treaty_api.ArticleDetailView.as_view(),
        name="treaty-article",
    ),
]

# JSON under /api/, the site's pages elsewhere (config.api_errors).
handler400 = "config.api_errors.bad_request"
handler403 = "config.api_errors.permission_denied"
handler404 = "config.api_errors.page_not_found"
handler500 = "config.api_errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says (feed readers, the API's JSON pages).
    path("favicon.ico", favicon, name="favicon"),
    path("ns/marginalia.jsonld", exports_api.marginalia_context_view, name="jsonld-context"),
    # The annotate route's words in the interface language: served by the site (script-src 'self').
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's script as a file, so the page works under our strict CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("accounts/", include("accounts.urls")),
    # The local outbox: 404 unless DEBUG is on and mail goes into it (accounts.outbox).
    path("dev/outbox/", outbox.outbox_list, name="outbox"),
    path("dev/outbox/<str:message_id>/", outbox.outbox_detail, name="outbox-message"),
    path("", include("annotations.urls")),
    path("moderation/", include("annotations.moderation.urls")),
    path("", include("annotations.heat.urls")),
    path("", include("annotations.exports.urls")),
    path("", include("treaty.urls")),
]
