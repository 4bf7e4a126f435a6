"""The API's error answers (DESIGN §7): services' exceptions mapped for DRF, and Django's error
views answering JSON under /api/."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions

from config.request_guards import is_api_path


def as_drf_validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as a 400: field errors when it names fields, else {"detail": …}."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {field: [m for e in errors for m in e.messages] for field, errors in error.error_dict.items()}
        )
    return exceptions.ValidationError({"detail": " ".join(error.messages)})


@contextmanager
def service_errors(*not_found: type[Exception]) -> Iterator[None]:
    """Map ValidationError → 400, PermissionDenied → 403, and the given not-found types → 404."""
    try:
        yield
    except DjangoValidationError as error:
        raise as_drf_validation_error(error) from None
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from None
    except not_found as error:
        raise exceptions.NotFound(str(error)) from None


# --- Django's error views, in JSON under /api/ ----------------------------------------------
# DRF answers the errors it knows ({"detail": …}); the rest (an unknown /api/ path, a request
# Django refuses before any view, an unexpected exception) fell through to Django's HTML pages,
# which an API client cannot read. config.urls names these as handler400/403/404/500.


def _api_or_page(
    request: HttpRequest, status: int, detail: str, page: Callable[..., HttpResponse], *args: object
) -> HttpResponse:
    if is_api_path(request.path_info):
        return JsonResponse({"detail": detail}, status=status)
    return page(request, *args)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_or_page(request, 400, "Bad request.", defaults.bad_request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = str(exception) or "You do not have permission to perform this action."
    return _api_or_page(request, 403, message, defaults.permission_denied, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_or_page(request, 404, "Not found.", defaults.page_not_found, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Never "nothing was lost": the request that failed may well have been a write that was not
    # stored (the transaction was rolled back), and the client must send it again.
    return _api_or_page(
        request,
        500,
        "Server error: the request was not completed. Send it again later.",
        defaults.server_error,
    )
