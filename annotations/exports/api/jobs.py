"""Export jobs (DESIGN §7): POST a job, GET its status, download its file once it is done.

Only the requester (or a moderator) sees a job: to anyone else it does not exist (404).
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsVerified
from annotations.exports import jobs as export_jobs
from annotations.models import ExportJob
from config.api_errors import service_errors
from config.api_schema import error_responses
from config.throttles import WRITE_AND_GENERAL_THROTTLES


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This export has expired."
    default_code = "gone"


class NotReady(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This export is not ready."
    default_code = "not_ready"


class ExportJobCreateSerializer(serializers.Serializer):
    treaty = serializers.CharField(help_text=gettext_lazy("treaty slug"))
    format = serializers.ChoiceField(
        choices=ExportJob.Format.choices,
        error_messages={"invalid_choice": f"Use one of: {', '.join(ExportJob.Format.values)}."},
    )
    filters = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text=gettext_lazy("any of: %(choices)s (as on the annotation list)")
        % {"choices": ", ".join(export_jobs.FILTER_NAMES)},
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A filter sent beside `treaty` and `format` would silently export everything.
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            hint = (
                ' Filters go inside "filters", e.g. {"filters": {"tag": "privacy"}}.'
                if set(unknown) & set(export_jobs.FILTER_NAMES)
                else ""
            )
            raise serializers.ValidationError({name: [f"Unknown field “{name}”.{hint}"] for name in unknown})
        return attrs


class ExportJobSerializer(serializers.ModelSerializer):
    treaty = serializers.CharField(source="treaty.slug", read_only=True)
    download = serializers.SerializerMethodField(
        help_text=gettext_lazy("the file's URL, once the job is done")
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "treaty",
            "format",
            "filters",
            "status",
            "includes_unpublished",
            "row_count",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.State.DONE or export_jobs.export_job_is_expired(job):
            return None
        return self.context["request"].build_absolute_uri(reverse("api:export-job-download", args=[job.pk]))


def _user(request: Request) -> User:
    # Every view here requires an authenticated user (permission_classes).
    assert isinstance(request.user, User)
    return request.user


def _job_for(request: Request, pk: int) -> ExportJob:
    job = export_jobs.export_job_visible_to(pk, _user(request))
    if job is None:
        raise NotFound(_("There is no export job %(pk)s.") % {"pk": pk})
    return job


class ExportJobCreateView(APIView):
    permission_classes = [IsVerified]
    # Counted on creation only: polling a job and downloading it are not.
    throttle_classes = WRITE_AND_GENERAL_THROTTLES
    throttle_scope = "exports"

    @extend_schema(
        request=ExportJobCreateSerializer,
        responses={202: ExportJobSerializer, **error_responses(400, 403, 415, 429)},
        summary="Ask for a large annotation export (written in the background)",
    )
    def post(self, request: Request) -> Response:
        serializer = ExportJobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            job = export_jobs.export_job_create(
                requester=_user(request),
                treaty_slug=serializer.validated_data["treaty"],
                export_format=serializer.validated_data["format"],
                filters=serializer.validated_data["filters"],
            )
        response = Response(
            ExportJobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )
        response["Location"] = request.build_absolute_uri(reverse("api:export-job-detail", args=[job.pk]))
        return response


class ExportJobDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: ExportJobSerializer, **error_responses(403, 404)},
        summary="An export job: status, row count, download link",
    )
    def get(self, request: Request, pk: int) -> Response:
        response = Response(ExportJobSerializer(_job_for(request, pk), context={"request": request}).data)
        response["Cache-Control"] = "private, no-store"
        return response


class ExportJobDownloadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            409: OpenApiResponse(description="not done yet, or failed"),
            410: OpenApiResponse(description="expired: the file was deleted"),
            **error_responses(403, 404),
        },
        summary="Download an export job's file",
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        job = _job_for(request, pk)
        try:
            path = export_jobs.export_job_file(job, _user(request))
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except export_jobs.ExportGone as error:
            raise Gone(str(error)) from None
        except export_jobs.ExportNotReady as error:
            raise NotReady(str(error)) from None
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=export_jobs.download_name(job),
            content_type=export_jobs.CONTENT_TYPES[ExportJob.Format(job.format)],
        )
        # Moderators' files hold unpublished text; nobody's export is for a shared cache.
        response["Cache-Control"] = "private, no-store"
        return response
