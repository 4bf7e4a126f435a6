"""EMAIL_URL that could never send is refused at start-up with a message (issue 18).

`manage.py check` runs in a fresh process (like the web and worker processes starting), with the
production settings (tests/test_deploy_settings.py explains why).
"""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from config.email_url import mailer_from_email_url
from tests.test_deploy_settings import manage, production_env


@pytest.mark.parametrize(
    ("email_url", "message"),
    [
        ("filemail://", "EMAIL_URL: filemail:// needs the absolute folder the emails are written to"),
        ("filemail://relative/folder", "EMAIL_URL: filemail:// needs the absolute folder"),
        ("smpt://mail.example.org:587", "EMAIL_URL: unknown scheme 'smpt://'; use one of smtp://"),
        ("mail.example.org", "EMAIL_URL: unknown scheme 'mail.example.org'"),
        ("smtp://", "EMAIL_URL: smtp:// needs a host, e.g. smtp://mail.example.org:587."),
    ],
)
def test_an_email_url_that_cannot_work_stops_the_start(tmp_path: Path, email_url: str, message: str) -> None:
    done = manage("check", env=production_env(EMAIL_URL=email_url), var_dir=tmp_path)
    assert done.returncode != 0
    assert message in done.stderr
    assert "ImproperlyConfigured" in done.stderr


def test_a_working_email_url_starts(tmp_path: Path) -> None:
    url = "smtp+tls://user:secret@mail.example.org:587"
    done = manage("check", env=production_env(EMAIL_URL=url), var_dir=tmp_path)
    assert done.returncode == 0, done.stderr


def test_filemail_with_an_absolute_folder_writes_there(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    mailer = mailer_from_email_url(f"filemail://{folder}")
    assert mailer == {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(folder)},
    }
    backend = import_string(str(mailer["BACKEND"]))(alias="default", **mailer["OPTIONS"])  # type: ignore[arg-type]
    sent = backend.send_messages(
        [EmailMessage("Subject", "Placeholder body.", "a@example.org", ["b@example.org"])]
    )
    assert sent == 1
    assert "Placeholder body." in next(folder.iterdir()).read_text()


def test_smtp_options_are_passed_on() -> None:
    mailer = mailer_from_email_url("smtp+tls://user:secret@mail.example.org:587")
    assert mailer["OPTIONS"] == {
        "host": "mail.example.org",
        "port": 587,
        "username": "user",
        "password": "secret",
        "use_tls": True,
        "timeout": 10,
    }


def test_an_unknown_scheme_names_the_setting() -> None:
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL: unknown scheme 'foo://'"):
        mailer_from_email_url("foo://bar")
