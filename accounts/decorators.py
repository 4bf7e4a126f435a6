"""Access rules for HTML views, matching the API's permission classes."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse]


def verified_required(view: View) -> View:
    """Logged in with a confirmed email address: the condition for every write."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_verified:  # type: ignore[union-attr]
            raise PermissionDenied(
                _("Confirm your email address first: we sent you a link when you signed up.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def moderator_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_moderator:  # type: ignore[union-attr]
            raise PermissionDenied(_("Only moderators can open this page."))
        return view(request, *args, **kwargs)

    return wrapper
