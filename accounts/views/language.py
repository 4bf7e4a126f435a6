"""The language switcher on every page, and the profile's language applied at login."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.models import User
from accounts.services.users import user_language_set
from config.interface_language import is_interface_language


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """The CSRF middleware's own check, run here by hand (None when the token is right)."""
    return CsrfViewMiddleware(lambda _: HttpResponse()).process_view(
        request, lambda _: HttpResponse(), (), {}
    )


@csrf_exempt
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's `set_language`, but an unknown code is a 400 that says so (Django would ignore it).

    CSRF is checked for signed-in people only (it also saves their preference). For visitors the
    switch only sets a language cookie, and pages carry no token for it: a token would set a
    cookie on every anonymous page and keep it out of the page cache (treaty.page_cache). The
    worst a forged switch can do is change a visitor's display language."""
    if request.user.is_authenticated and (refused := _csrf_refusal(request)) is not None:
        return refused
    code = request.POST.get("language", "")
    if not is_interface_language(code):
        return render(request, "accounts/language_unknown.html", {"code": code[:20]}, status=400)
    response = set_language(request)
    if request.user.is_authenticated:
        # The switcher is the quickest way to set the preference: the next login keeps it.
        user_language_set(user=request.user, language=code)  # type: ignore[arg-type]
    return response


def language_cookie_apply(response: HttpResponse, user: User) -> None:
    """At login (and on saving the profile): the person's own language wins over the browser's."""
    if not is_interface_language(user.language):
        return
    translation.activate(user.language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )
