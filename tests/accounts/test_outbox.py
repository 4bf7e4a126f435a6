"""The local outbox (DEBUG only): every email the development site sends, readable in the browser."""

from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts.models import User
from accounts.outbox import BACKEND, OutboxEmailBackend, outbox_messages
from tests.accounts.links import confirmation_path_from

pytestmark = pytest.mark.django_db

OUTBOX = reverse("outbox")


@pytest.fixture
def outbox(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """A development site whose mail goes into an outbox under tmp_path."""
    settings.DEBUG = True
    settings.MAILERS = {"default": {"BACKEND": BACKEND, "OPTIONS": {"path": str(tmp_path)}}}
    settings.SITE_URL = "http://127.0.0.1:8101"
    return tmp_path


def send(to: str, subject: str, body: str) -> None:
    mail.send_mail(subject, body, None, [to])


def test_each_message_is_stored_decoded_and_listed_newest_first(outbox: Path, anon: Client) -> None:
    # A long link with an `=` in it: quoted-printable would split and escape it on the console.
    link = "http://127.0.0.1:8101/accounts/confirm-email/" + "x" * 90 + "=:AbC-d_e/"
    send("first@example.org", "First message", "Placeholder body one.")
    send("second@example.org", "Second message", f"Open this link:\n\n{link}\n\nPlaceholder café.")

    assert len(list(outbox.glob("*.eml"))) == 2
    response = anon.get(OUTBOX)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Second message") < page.index("First message")
    assert f'<a href="{link}"' in page  # one clickable link, whole
    assert "Placeholder café." in page
    assert "second@example.org" in page


def test_a_message_has_its_own_page(outbox: Path, anon: Client) -> None:
    send("first@example.org", "Only message", "Placeholder body.")
    [message] = outbox_messages()

    response = anon.get(reverse("outbox-message", args=[message.id]))

    assert response.status_code == 200
    assert "Only message" in response.content.decode()


@pytest.mark.parametrize("message_id", ["1764635112000000000-deadbeef", "nothing", "..%2F..%2Fetc"])
def test_an_unknown_message_is_404(outbox: Path, anon: Client, message_id: str) -> None:
    send("first@example.org", "Only message", "Placeholder body.")

    response = anon.get(f"/dev/outbox/{message_id}/")

    assert response.status_code == 404


def test_no_outbox_with_debug_off(outbox: Path, anon: Client, settings: SettingsWrapper) -> None:
    send("first@example.org", "Only message", "Placeholder body.")
    [message] = outbox_messages()
    settings.DEBUG = False

    assert anon.get(OUTBOX).status_code == 404
    assert anon.get(reverse("outbox-message", args=[message.id])).status_code == 404


def test_no_outbox_when_mail_goes_elsewhere(anon: Client, settings: SettingsWrapper) -> None:
    settings.DEBUG = True  # but the test mailer (locmem), as with EMAIL_URL set

    assert anon.get(OUTBOX).status_code == 404


def test_the_terminal_gets_one_line_per_email(outbox: Path, capfd: pytest.CaptureFixture[str]) -> None:
    OutboxEmailBackend(path=str(outbox)).send_messages(
        [EmailMessage("Placeholder subject", "Placeholder body.", None, ["n@example.org"])]
    )
    [message] = outbox_messages()

    lines = capfd.readouterr().err.splitlines()

    assert lines == [
        "email to n@example.org: “Placeholder subject”, read it at "
        f"http://127.0.0.1:8101/dev/outbox/{message.id}/"
    ]


def test_sign_up_says_where_to_read_the_email_and_the_link_works(
    outbox: Path, anon: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = anon.post(
            reverse("accounts:signup"),
            {"email": "newcomer@example.org", "display_name": "N", "password": "gentle-orchid-lantern-42"},
            follow=True,
        )

    assert 'href="/dev/outbox/"' in response.content.decode()
    [message] = outbox_messages()
    assert message.to == "newcomer@example.org"
    stored = mail.EmailMessage(body=message.body)
    path = confirmation_path_from(stored)
    assert f"http://127.0.0.1:8101{path}" in message.body
    anon.post(path)
    assert User.objects.get().is_verified


def test_sign_up_page_says_nothing_of_an_outbox_in_production(anon: Client) -> None:
    response = anon.get(reverse("accounts:signup-done"))

    assert "outbox" not in response.content.decode()
