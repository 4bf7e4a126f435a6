"""Turn the exceptions services raise into the API's error answers (DESIGN §7)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions


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
