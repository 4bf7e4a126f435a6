"""Sign-up: an unverified account and a confirmation email, without revealing who is registered."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import User
from tests.accounts.links import confirmation_path_from

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
STRONG_PASSWORD = "gentle-orchid-lantern-42"


def sign_up(client: Client, capture: DjangoCaptureOnCommitCallbacks, **fields: str) -> Any:
    data = {"email": "newcomer@example.org", "display_name": "Nadia Newcomer", "password": STRONG_PASSWORD}
    data.update(fields)
    with capture(execute=True):
        return client.post(SIGNUP, data)


def test_sign_up_creates_an_unverified_account_and_sends_the_confirmation_link(
    anon: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    response = sign_up(anon, django_capture_on_commit_callbacks, email="  Newcomer@Example.ORG ")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup-done")
    user = User.objects.get()
    assert user.email == "newcomer@example.org"  # stored in its normalised form
    assert user.display_name == "Nadia Newcomer"
    assert not user.is_verified
    assert user.check_password(STRONG_PASSWORD)
    assert user.attribution_preference == "person"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.org"]
    assert message.subject == "Confirm your email address for Marginalia"
    assert "Welcome to Marginalia" in message.body
    assert "expires in 48 hours" in message.body
    assert confirmation_path_from(message).startswith("/accounts/confirm-email/")
    # Signing up does not log anybody in: the address is not confirmed yet.
    assert "_auth_user_id" not in anon.session


def test_the_answer_is_the_same_whether_or_not_the_address_is_registered(
    alice: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    alice_password_hash = alice.password
    fresh, taken = Client(), Client()

    fresh_response = sign_up(fresh, django_capture_on_commit_callbacks, email="someone-new@example.org")
    taken_response = sign_up(taken, django_capture_on_commit_callbacks, email="alice@example.org")

    assert fresh_response.status_code == taken_response.status_code == 302
    assert fresh_response["Location"] == taken_response["Location"]
    fresh_page, taken_page = fresh.get(fresh_response["Location"]), taken.get(taken_response["Location"])
    assert fresh_page.status_code == taken_page.status_code == 200
    # Each browser gets its own CSRF token (the language switcher on every page posts one).
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", fresh_page.content) == token.sub(b"", taken_page.content)
    assert b"Check your inbox" in taken_page.content

    # The owner of the existing address is told by email instead, and nothing about the account changed.
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "someone-new@example.org"]
    notice = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    assert notice.subject == "Someone tried to sign up to Marginalia with your address"
    assert "/accounts/confirm-email/" not in notice.body
    assert "/accounts/password/reset/" in notice.body
    alice.refresh_from_db()
    assert alice.password == alice_password_hash
    assert alice.display_name == "Alice Activist"
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1


@pytest.mark.parametrize(
    "spelling",
    [
        "ALICE@EXAMPLE.ORG",
        "Alice@Example.Org",
        " alice@example.org ",
        "alice@ＥＸＡＭＰＬＥ.org",  # fullwidth letters: the same address after NFKC normalisation
        "alice@EXAMPLE.ｏｒｇ",
    ],
)
def test_another_spelling_of_a_registered_address_creates_no_second_account(
    alice: User,
    anon: Client,
    spelling: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    users_before = User.objects.count()

    response = sign_up(anon, django_capture_on_commit_callbacks, email=spelling)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup-done")
    assert User.objects.count() == users_before
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert mail.outbox[0].subject == "Someone tried to sign up to Marginalia with your address"


@pytest.mark.parametrize(
    "email",
    ["not-an-email", "alice@", "@example.org", "alice@@example.org", "alice example@example.org", ""],
)
def test_a_malformed_address_is_refused_with_a_message_and_nothing_is_written(
    anon: Client, email: str, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    response = sign_up(anon, django_capture_on_commit_callbacks, email=email)

    assert response.status_code == 400
    expected = "This field is required." if not email else "Enter a valid email address."
    assert expected in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_the_service_names_a_malformed_address_after_normalising_it() -> None:
    from django.core.exceptions import ValidationError

    from accounts.services.users import user_sign_up

    with pytest.raises(ValidationError) as caught:
        user_sign_up(email="no-at-sign.example.org", password=STRONG_PASSWORD, display_name="N")
    assert caught.value.message_dict == {"email": ["“no-at-sign.example.org” is not a valid email address."]}
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Sh0rt!pw", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("qwertyuiop", "This password is too common."),
        ("20242025202620", "This password is entirely numeric."),
        ("newcomer@example.org", "The password is too similar to the email."),
        ("", "This field is required."),
    ],
)
def test_a_weak_password_is_refused_with_a_clear_message_and_nothing_is_written(
    anon: Client,
    password: str,
    message: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    response = sign_up(anon, django_capture_on_commit_callbacks, password=password)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_weak_password_answers_the_same_for_a_registered_address(
    alice: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # The password is judged before the address is looked up, so this answer reveals nothing either.
    fresh = sign_up(
        Client(), django_capture_on_commit_callbacks, email="fresh@example.org", password="password1"
    )
    taken = sign_up(
        Client(), django_capture_on_commit_callbacks, email="alice@example.org", password="password1"
    )

    assert fresh.status_code == taken.status_code == 400
    assert "This password is too common." in taken.content.decode()
    assert mail.outbox == []  # not even the notice to alice


def test_a_blank_display_name_is_refused(
    anon: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    response = sign_up(anon, django_capture_on_commit_callbacks, display_name="   ")

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_logged_in_user_is_sent_to_the_profile_instead(alice_client: Client) -> None:
    response = alice_client.get(SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_the_sign_up_form_refuses_a_post_without_its_csrf_token(db: None) -> None:
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        SIGNUP, {"email": "newcomer@example.org", "display_name": "N", "password": STRONG_PASSWORD}
    )

    assert response.status_code == 403
    assert not User.objects.exists()


def test_the_sign_up_form_accepts_a_post_with_its_csrf_token(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # The counterpart of the test above: the refusal is CSRF, not something else about the request.
    browser = Client(enforce_csrf_checks=True)
    browser.get(SIGNUP)
    token = browser.cookies["csrftoken"].value

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            SIGNUP,
            {"email": "newcomer@example.org", "display_name": "N", "password": STRONG_PASSWORD},
            headers={"X-CSRFToken": token},
        )

    assert response.status_code == 302
    assert User.objects.filter(email="newcomer@example.org").exists()
