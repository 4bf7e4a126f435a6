"""Password reset (which must not reveal who is registered) and password change."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.accounts.links import reset_path_from
from tests.conftest import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password-reset")
NEW_PASSWORD = "violet-harbour-compass-77"


def ask_for_reset(client: Client, email: str) -> object:
    return client.post(RESET, {"email": email})


def test_a_reset_answers_the_same_for_registered_and_unknown_addresses(alice: User) -> None:
    known_client, unknown_client = Client(), Client()

    known = ask_for_reset(known_client, "alice@example.org")
    unknown = ask_for_reset(unknown_client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 302  # type: ignore[attr-defined]
    assert known["Location"] == unknown["Location"] == reverse("accounts:password-reset-done")  # type: ignore[index]
    known_page = known_client.get(known["Location"])  # type: ignore[index]
    unknown_page = unknown_client.get(unknown["Location"])  # type: ignore[index]

    # Each browser gets its own CSRF token (the language switcher on every page posts one).
    def without_token(page: bytes) -> bytes:
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)

    assert without_token(known_page.content) == without_token(unknown_page.content)
    assert "If an account uses that address, we sent it a link" in known_page.content.decode()
    # Only the registered address receives mail.
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert mail.outbox[0].subject == "Reset your Marginalia password"


def test_the_reset_link_sets_a_new_password_once(alice: User, anon: Client) -> None:
    ask_for_reset(anon, "ALICE@example.org")  # any case reaches the account
    path = reset_path_from(mail.outbox[0])

    form_page = anon.get(path, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = anon.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password-reset-complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not alice.check_password(PERSONA_PASSWORD)

    # The same link again: refused, and the password stays the new one.
    again = Client().get(path, follow=True)
    assert "This reset link is not valid: it was already used or it has expired." in again.content.decode()
    assert "new_password1" not in again.content.decode()


def test_a_reset_lifts_the_lockout_of_the_account(alice: User, anon: Client) -> None:
    # The lockout message points to the reset: it must let the owner back in at once.
    login = reverse("accounts:login")
    for _ in range(5):
        anon.post(login, {"username": "alice@example.org", "password": "a wrong guess"})
    assert (
        anon.post(login, {"username": "alice@example.org", "password": PERSONA_PASSWORD}).status_code == 429
    )

    ask_for_reset(anon, "alice@example.org")
    form_page = anon.get(reset_path_from(mail.outbox[0]), follow=True)
    anon.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert anon.post(login, {"username": "alice@example.org", "password": NEW_PASSWORD}).status_code == 302


def test_a_weak_new_password_is_refused_and_the_old_one_kept(alice: User, anon: Client) -> None:
    ask_for_reset(anon, "alice@example.org")
    form_page = anon.get(reset_path_from(mail.outbox[0]), follow=True)

    response = anon.post(
        form_page.redirect_chain[-1][0], {"new_password1": "password1", "new_password2": "password1"}
    )

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PERSONA_PASSWORD)


def test_a_forged_reset_link_is_refused(alice: User, anon: Client) -> None:
    ask_for_reset(anon, "alice@example.org")
    path = reset_path_from(mail.outbox[0])
    forged = path.rstrip("/")[:-3] + "xyz/"

    response = anon.get(forged, follow=True)

    assert "This reset link is not valid" in response.content.decode()


def test_changing_the_password_keeps_the_session(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        reverse("accounts:password-change"),
        {"old_password": PERSONA_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("accounts:profile"), 302)]
    assert "Your password was changed." in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # Still logged in: the session was moved to the new password.
    assert alice_client.get(reverse("accounts:profile")).status_code == 200


def test_changing_the_password_logs_out_other_sessions(alice: User, alice_client: Client) -> None:
    other_browser = Client()
    other_browser.force_login(alice)

    alice_client.post(
        reverse("accounts:password-change"),
        {"old_password": PERSONA_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert other_browser.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        ("wrong old password", NEW_PASSWORD, NEW_PASSWORD, "Your old password was entered incorrectly."),
        (PERSONA_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "The two password fields didn’t match."),
        (PERSONA_PASSWORD, "1234567890", "1234567890", "This password is entirely numeric."),
        (PERSONA_PASSWORD, "short", "short", "This password is too short."),
    ],
)
def test_a_bad_password_change_is_refused_with_a_message(
    alice: User, alice_client: Client, old: str, new1: str, new2: str, message: str
) -> None:
    response = alice_client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PERSONA_PASSWORD)


def test_changing_the_password_needs_a_login(anon: Client) -> None:
    response = anon.get(reverse("accounts:password-change"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
