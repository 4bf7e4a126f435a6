"""EMAIL_URL → Django 6.1's MAILERS["default"], refusing at start-up what could never send.

django-environ parses the URL, but it silently accepted settings that only failed when the first
email was sent, in a worker, long after start-up: `filemail://` (no folder: every email task
failed), `filemail:///var/mail` (it dropped the leading slash and wrote under the working
directory), `smtp://` without a host. A site that cannot send confirmation or reset emails
must not start looking healthy (issue 18).
"""

from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

SCHEMES = ("smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail")
_EXAMPLES = (
    "smtp://user:password@host:587?tls=True, smtp+ssl://host:465, filemail:///absolute/folder, consolemail://"
)


def mailer_from_email_url(url: str) -> dict[str, object]:
    """The MAILERS entry for an EMAIL_URL, or ImproperlyConfigured saying what to change."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unknown scheme {scheme + '://' if scheme else url!r}; use one of "
            f"{', '.join(s + '://' for s in SCHEMES)} (for example {_EXAMPLES})."
        )
    config = environ.Env.email_url_config(url)
    backend: str = config["EMAIL_BACKEND"]
    options: dict[str, object] = {}
    if scheme == "filemail":
        parts = urlsplit(url)
        folder = unquote(parts.path)
        if parts.netloc or not folder.startswith("/") or folder == "/":
            raise ImproperlyConfigured(
                "EMAIL_URL: filemail:// needs the absolute folder the emails are written to, "
                "e.g. filemail:///srv/marginalia/mail (three slashes)."
            )
        options["file_path"] = folder
    elif backend.endswith("smtp.EmailBackend"):
        if not config.get("EMAIL_HOST"):
            raise ImproperlyConfigured(
                f"EMAIL_URL: {scheme}:// needs a host, e.g. {scheme}://mail.example.org:587."
            )
        smtp = {
            "host": config.get("EMAIL_HOST"),
            "port": config.get("EMAIL_PORT"),
            "username": config.get("EMAIL_HOST_USER"),
            "password": config.get("EMAIL_HOST_PASSWORD"),
            "use_tls": config.get("EMAIL_USE_TLS"),
            "use_ssl": config.get("EMAIL_USE_SSL"),
            "timeout": 10,
        }
        options = {k: v for k, v in smtp.items() if v not in (None, "")}
    return {"BACKEND": backend, "OPTIONS": options}
