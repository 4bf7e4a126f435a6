"""/favicon.ico: browsers ask for it whatever a page links to (the API's JSON, a PDF of a page)."""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: the hashed file name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("favicon.svg"))
