"""Confirmation links (signed, single use, expiring) and changing one's address through them."""

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts import email_links
from accounts.models import User
from accounts.services.users import user_sign_up
from tests.accounts.links import confirmation_path_from
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "gentle-orchid-lantern-42"


@pytest.fixture
def newcomer_link(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> tuple[User, str]:
    """A freshly signed-up user and the path of the link in their confirmation email."""
    with django_capture_on_commit_callbacks(execute=True):
        result = user_sign_up(email="newcomer@example.org", password=PASSWORD, display_name="Nadia")
    assert result.user is not None
    (message,) = mail.outbox
    return result.user, confirmation_path_from(message)


def token_signed_at(user: User, email: str, seconds_ago: float) -> str:
    """A genuine confirmation token, as the site would have signed it `seconds_ago`."""

    class EarlierSigner(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time() - seconds_ago))

    payload = {"u": user.pk, "e": email, "s": email_links._state(user, email)}
    return EarlierSigner(salt=email_links.SALT).sign_object(payload, compress=True)


def confirm_path(token: str) -> str:
    return reverse("accounts:confirm-email", args=[token])


def test_opening_the_link_shows_a_button_and_does_not_use_it_up(
    anon: Client, newcomer_link: tuple[User, str]
) -> None:
    user, path = newcomer_link

    # Mail scanners prefetch links: a GET must change nothing.
    for _ in range(2):
        page = anon.get(path)
        assert page.status_code == 200
        assert "Confirm my address" in page.content.decode()
    user.refresh_from_db()
    assert not user.is_verified

    response = anon.post(path)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_verified


def test_the_link_verifies_the_account_once(anon: Client, newcomer_link: tuple[User, str]) -> None:
    user, path = newcomer_link

    response = anon.post(path, follow=True)

    assert response.redirect_chain == [(reverse("accounts:login"), 302)]
    assert "Thank you: newcomer@example.org is confirmed." in response.content.decode()
    user.refresh_from_db()
    verified_at = user.email_verified_at
    assert verified_at is not None

    again = anon.post(path)
    assert again.status_code == 400
    assert "This confirmation link has already been used." in again.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at == verified_at


def test_a_logged_in_user_lands_on_the_profile_after_confirming(newcomer_link: tuple[User, str]) -> None:
    user, path = newcomer_link
    browser = Client()
    browser.force_login(user)

    response = browser.post(path)

    assert response["Location"] == reverse("accounts:profile")


def test_an_expired_link_is_refused_and_changes_nothing(
    anon: Client, newcomer_link: tuple[User, str]
) -> None:
    user, _path = newcomer_link
    expired = token_signed_at(user, user.email, email_links.MAX_AGE.total_seconds() + 60)

    response = anon.post(confirm_path(expired))

    assert response.status_code == 400
    assert "This confirmation link has expired. Log in and ask for a new one." in response.content.decode()
    user.refresh_from_db()
    assert not user.is_verified


def test_a_link_just_inside_its_lifetime_still_works(anon: Client, newcomer_link: tuple[User, str]) -> None:
    # The counterpart of the expiry test: the age, not the way the token was made, decides.
    user, _path = newcomer_link
    nearly_expired = token_signed_at(user, user.email, email_links.MAX_AGE.total_seconds() - 60)

    response = anon.post(confirm_path(nearly_expired))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_verified


def test_a_shorter_lifetime_expires_links_already_sent(
    anon: Client, newcomer_link: tuple[User, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, path = newcomer_link
    monkeypatch.setattr(email_links, "MAX_AGE", timedelta(seconds=-1))

    response = anon.post(path)

    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_verified


def tamper(token: str) -> str:
    # Change one character of the signature (the last part), keeping it valid base64.
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(tamper, id="signature-changed"),
        pytest.param(lambda token: token[:-6], id="truncated"),
        pytest.param(lambda token: "garbage", id="garbage"),
        pytest.param(
            lambda token: signing.dumps(
                {"u": 1, "e": "x@example.org", "s": ""}, salt=email_links.SALT, key="k" * 50
            ),
            id="signed-with-another-key",
        ),
        pytest.param(
            lambda token: signing.dumps(signing.loads(token, salt=email_links.SALT), salt="another.salt"),
            id="signed-for-another-purpose",
        ),
    ],
)
def test_a_forged_link_is_refused_and_changes_nothing(
    anon: Client, newcomer_link: tuple[User, str], forge: object
) -> None:
    user, path = newcomer_link
    token = path.rstrip("/").rsplit("/", 1)[1]

    response = anon.post(confirm_path(forge(token)))  # type: ignore[operator]

    assert response.status_code == 400
    assert "This confirmation link is not valid." in response.content.decode()
    user.refresh_from_db()
    assert not user.is_verified


def test_a_validly_signed_link_for_another_account_state_is_refused(
    anon: Client, newcomer_link: tuple[User, str]
) -> None:
    # Signed by us, but for an address this account never had: the state fingerprint does not match.
    user, _path = newcomer_link
    token = signing.dumps(
        {"u": user.pk, "e": user.email, "s": "0" * 24}, salt=email_links.SALT, compress=True
    )

    response = anon.post(confirm_path(token))

    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_verified


def test_a_link_for_a_deactivated_account_is_refused(anon: Client, newcomer_link: tuple[User, str]) -> None:
    user, path = newcomer_link
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = anon.post(path)

    assert response.status_code == 400
    assert "This confirmation link is not valid." in response.content.decode()
    user.refresh_from_db()
    assert not user.is_verified


def test_an_unverified_user_can_ask_for_a_new_link_which_works(
    newcomer_link: tuple[User, str], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    user, _first = newcomer_link
    browser = Client()
    browser.force_login(user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reverse("accounts:resend-confirmation"), follow=True)

    assert "We sent a new confirmation link. It expires in 48 hours." in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert browser.post(confirmation_path_from(message)).status_code == 302
    user.refresh_from_db()
    assert user.is_verified


def test_a_verified_user_asking_again_gets_no_email(
    alice_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("accounts:resend-confirmation"))

    assert mail.outbox == []


# --- Changing one's address --------------------------------------------------------------------


def request_email_change(
    client: Client, capture: DjangoCaptureOnCommitCallbacks, new_email: str
) -> tuple[object, str | None]:
    with capture(execute=True):
        response = client.post(reverse("accounts:email-change"), {"email": new_email})
    link = confirmation_path_from(mail.outbox[-1]) if mail.outbox else None
    return response, link


def test_a_new_address_is_pending_until_its_link_is_followed(
    alice: User, alice_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    response, link = request_email_change(
        alice_client, django_capture_on_commit_callbacks, "Alice@New.Example"
    )

    assert response.status_code == 302  # type: ignore[attr-defined]
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert alice.pending_email == "alice@new.example"
    (message,) = mail.outbox
    assert message.to == ["alice@new.example"]
    assert "You asked to change the email address" in message.body
    profile = alice_client.get(reverse("accounts:profile")).content.decode()
    assert "Waiting for confirmation of your new address alice@new.example." in profile

    assert link is not None
    assert alice_client.post(link).status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@new.example"
    assert alice.pending_email == ""
    assert alice.is_verified

    # Single use here too.
    again = alice_client.post(link)
    assert again.status_code == 400
    assert "already been used" in again.content.decode()


def test_the_new_address_is_the_one_to_log_in_with(
    alice: User, alice_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    _response, link = request_email_change(
        alice_client, django_capture_on_commit_callbacks, "alice@new.example"
    )
    assert link is not None
    alice_client.post(link)

    browser = Client()
    old = browser.post(
        reverse("accounts:login"),
        {"username": "alice@example.org", "password": "correct horse battery staple"},
    )
    new = browser.post(
        reverse("accounts:login"),
        {"username": "alice@new.example", "password": "correct horse battery staple"},
    )

    assert old.status_code == 400
    assert new.status_code == 302


def test_a_link_to_an_address_taken_meanwhile_is_refused(
    alice: User, alice_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    _response, link = request_email_change(
        alice_client, django_capture_on_commit_callbacks, "shared@example.org"
    )
    UserFactory(email="shared@example.org")

    assert link is not None
    response = alice_client.post(link)

    assert response.status_code == 400
    assert "That address now belongs to another account." in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert User.objects.filter(email="shared@example.org").count() == 1


def test_asking_for_a_taken_address_answers_like_any_other(
    alice: User, alice_client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # Whether an address is registered must not show here either.
    UserFactory(email="taken@example.org")

    taken, _link = request_email_change(alice_client, django_capture_on_commit_callbacks, "taken@example.org")
    free, _link = request_email_change(alice_client, django_capture_on_commit_callbacks, "free@example.org")

    assert taken.status_code == free.status_code == 302  # type: ignore[attr-defined]
    assert taken["Location"] == free["Location"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("new_email", "message"),
    [
        ("ALICE@example.org", "That is already your address."),
        ("not-an-address", "Enter a valid email address."),
        ("", "This field is required."),
    ],
)
def test_a_bad_new_address_is_refused_with_a_message(
    alice: User,
    alice_client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    new_email: str,
    message: str,
) -> None:
    response, _link = request_email_change(alice_client, django_capture_on_commit_callbacks, new_email)

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    alice.refresh_from_db()
    assert alice.pending_email == ""
    assert mail.outbox == []


def test_changing_the_address_needs_a_login(anon: Client) -> None:
    response = anon.post(reverse("accounts:email-change"), {"email": "x@example.org"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
