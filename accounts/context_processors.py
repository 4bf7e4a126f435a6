"""Template context every page needs from the accounts app."""

from django.http import HttpRequest

# Pages not worth coming back to after logging in (or that would loop).
_NO_RETURN = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/signup/",
    "/accounts/password/",
    "/accounts/confirm",
)


def login_next(request: HttpRequest) -> dict[str, str]:
    """`login_next`: the page the "Log in" link brings the reader back to (empty: the default)."""
    if request.method != "GET" or request.path.startswith(_NO_RETURN):
        return {"login_next": ""}
    return {"login_next": request.get_full_path()}
