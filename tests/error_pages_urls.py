"""The site's URLs plus two views that fail, for tests/test_error_pages.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class FailingApiView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    def post(self, request: Request) -> Response:
        raise RuntimeError("a bug in an API view (test)")


def failing_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a page (test)")


urlpatterns = [
    path("api/v1/test-failure/", FailingApiView.as_view()),
    path("test-failure/", failing_page),
    *urlpatterns,
]
