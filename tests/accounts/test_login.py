"""Logging in and out, and the lockout after repeated failures (HTML form and API)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.login_throttle import WINDOW_SECONDS
from accounts.models import ApiToken, User
from tests.conftest import PERSONA_PASSWORD
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
TOKEN = "/api/v1/auth/token/"
WRONG = "not the password at all"
BAD_CREDENTIALS = "That email and password do not match an account (the password is case-sensitive)."
LOCKED = (
    "Too many failed login attempts. For your safety, logging in is paused for 15 minutes. "
    "You can reset your password meanwhile."
)


def log_in(client: Client, email: str, password: str, **extra: str) -> object:
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def logged_in_as(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def test_the_login_page_renders(anon: Client) -> None:
    response = anon.get(LOGIN)

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_the_right_password_logs_in(alice: User, anon: Client) -> None:
    response = log_in(anon, "alice@example.org", PERSONA_PASSWORD)

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == reverse("treaty:home")  # type: ignore[index]
    assert logged_in_as(anon) == alice.pk
    alice.refresh_from_db()
    assert alice.last_login is not None


@pytest.mark.parametrize(
    "spelling", ["ALICE@EXAMPLE.ORG", "Alice@Example.org", " alice@example.org ", "alice@ＥＸＡＭＰＬＥ.org"]
)
def test_the_address_may_be_typed_in_any_case(alice: User, anon: Client, spelling: str) -> None:
    # Addresses are unique case-insensitively, so any spelling names the one account.
    response = log_in(anon, spelling, PERSONA_PASSWORD)

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert logged_in_as(anon) == alice.pk


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("alice@example.org", WRONG),
        ("alice@example.org", PERSONA_PASSWORD.upper()),
        ("nobody@example.org", WRONG),
    ],
    ids=["wrong-password", "password-in-another-case", "unknown-address"],
)
def test_bad_credentials_get_400_and_the_same_message(
    alice: User, anon: Client, email: str, password: str
) -> None:
    response = log_in(anon, email, password)

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert BAD_CREDENTIALS in response.content.decode()  # type: ignore[attr-defined]
    assert logged_in_as(anon) is None


def test_a_deactivated_account_cannot_log_in(alice: User, anon: Client) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)

    response = log_in(anon, "alice@example.org", PERSONA_PASSWORD)

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert logged_in_as(anon) is None


def test_an_unsafe_next_address_is_ignored(alice: User, anon: Client) -> None:
    response = anon.post(
        LOGIN,
        {"username": "alice@example.org", "password": PERSONA_PASSWORD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("treaty:home")


def test_a_safe_next_address_is_followed(alice: User, anon: Client) -> None:
    target = reverse("accounts:organization-list")
    response = anon.post(
        LOGIN, {"username": "alice@example.org", "password": PERSONA_PASSWORD, "next": target}
    )

    assert response["Location"] == target


def test_a_logged_in_user_visiting_the_login_page_is_sent_on(alice_client: Client) -> None:
    assert alice_client.get(LOGIN)["Location"] == reverse("treaty:home")


def test_a_moderator_lands_on_the_moderation_queue(mod: User, anon: Client) -> None:
    response = log_in(anon, "mod@example.org", PERSONA_PASSWORD)

    assert response["Location"] == reverse("moderation:queue")  # type: ignore[index]


def test_a_moderator_with_somewhere_to_go_goes_there(mod: User, anon: Client) -> None:
    target = "/treaties/sample/articles/2/?tag=privacy"
    response = anon.post(LOGIN, {"username": "mod@example.org", "password": PERSONA_PASSWORD, "next": target})

    assert response["Location"] == target


def test_the_log_in_link_brings_the_reader_back(anon: Client) -> None:
    html = anon.get("/accounts/organisations/?page=2").content.decode()

    assert 'href="/accounts/login/?next=/accounts/organisations/%3Fpage%3D2"' in html
    # ... but never back to the login or sign-up page itself.
    assert 'href="/accounts/login/"' in anon.get(LOGIN).content.decode()
    assert 'href="/accounts/login/"' in anon.get("/accounts/signup/").content.decode()


def test_logging_out_ends_the_session(alice: User, alice_client: Client) -> None:
    assert alice_client.get(reverse("accounts:profile")).status_code == 200

    response = alice_client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("treaty:home")
    assert logged_in_as(alice_client) is None
    assert alice_client.get(reverse("accounts:profile")).status_code == 302


def test_logging_out_needs_a_post(alice_client: Client) -> None:
    # A link (or an <img> on another site) must not be able to log anybody out.
    assert alice_client.get(reverse("accounts:logout")).status_code == 405
    assert logged_in_as(alice_client) is not None


def test_the_login_form_refuses_a_post_without_its_csrf_token(alice: User) -> None:
    browser = Client(enforce_csrf_checks=True)

    response = log_in(browser, "alice@example.org", PERSONA_PASSWORD)

    assert response.status_code == 403  # type: ignore[attr-defined]
    assert logged_in_as(browser) is None


# --- Lockout -------------------------------------------------------------------------------------


def fail(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        response = log_in(client, email, WRONG)
        assert response.status_code == 400, response.content  # type: ignore[attr-defined]


def assert_locked(response: object) -> None:
    assert response.status_code == 429  # type: ignore[attr-defined]
    retry_after = int(response["Retry-After"])  # type: ignore[index]
    assert 0 < retry_after <= WINDOW_SECONDS + 1
    assert LOCKED in response.content.decode()  # type: ignore[attr-defined]


def test_five_failures_lock_the_account_even_for_the_right_password(alice: User, anon: Client) -> None:
    assert settings.LOGIN_FAILURES_PER_ACCOUNT == 5
    fail(anon, "alice@example.org", 5)

    response = log_in(anon, "alice@example.org", PERSONA_PASSWORD)

    assert_locked(response)
    assert logged_in_as(anon) is None
    # From another browser (same address) too: the account is locked, not the session.
    assert_locked(log_in(Client(), "alice@example.org", PERSONA_PASSWORD))


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(alice: User, anon: Client) -> None:
    fail(anon, "alice@example.org", 4)
    assert log_in(anon, "alice@example.org", PERSONA_PASSWORD).status_code == 302  # type: ignore[attr-defined]
    anon.post(reverse("accounts:logout"))

    fail(anon, "alice@example.org", 4)

    assert log_in(anon, "alice@example.org", PERSONA_PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_failures_in_any_spelling_of_the_address_count_for_the_same_account(
    alice: User, anon: Client
) -> None:
    for spelling in [
        "ALICE@example.org",
        "alice@EXAMPLE.ORG",
        "Alice@Example.Org",
        "alice@example.org",
        "ALICE@EXAMPLE.ORG",
    ]:
        log_in(anon, spelling, WRONG)

    assert_locked(log_in(anon, "alice@example.org", PERSONA_PASSWORD))


def test_an_unknown_address_is_locked_exactly_like_a_registered_one(anon: Client) -> None:
    # Otherwise the lockout itself would tell who is registered.
    fail(anon, "nobody@example.org", 5)

    assert_locked(log_in(anon, "nobody@example.org", WRONG))


def test_the_lockout_of_one_account_does_not_lock_another(alice: User, mallory: User, anon: Client) -> None:
    fail(anon, "alice@example.org", 5)

    response = log_in(anon, "mallory@example.net", PERSONA_PASSWORD)

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert logged_in_as(anon) == mallory.pk


def test_too_many_failures_from_one_client_address_lock_every_account_from_it(mallory: User) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    # Spread over many addresses, so that no single account reaches its own limit.
    for n in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        assert log_in(attacker, f"guess{n}@example.org", WRONG).status_code == 400  # type: ignore[attr-defined]

    assert_locked(log_in(attacker, "mallory@example.net", PERSONA_PASSWORD))
    # Another client address is not affected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert log_in(elsewhere, "mallory@example.net", PERSONA_PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_the_lockout_ends_when_its_time_is_up(
    alice: User, anon: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import accounts.login_throttle as login_throttle

    fail(anon, "alice@example.org", 5)
    assert_locked(log_in(anon, "alice@example.org", PERSONA_PASSWORD))

    later = login_throttle.time.time() + WINDOW_SECONDS + 5
    monkeypatch.setattr(login_throttle.time, "time", lambda: later)

    assert log_in(anon, "alice@example.org", PERSONA_PASSWORD).status_code == 302  # type: ignore[attr-defined]


# --- The API's login: POST /api/v1/auth/token/ ------------------------------------------------------


def test_the_token_endpoint_is_locked_with_429_and_retry_after(alice: User, api_client: APIClient) -> None:
    for _ in range(5):
        refused = api_client.post(TOKEN, {"email": "alice@example.org", "password": WRONG}, format="json")
        assert refused.status_code == 403
        assert refused.json() == {"detail": "That email and password do not match an account."}

    response = api_client.post(
        TOKEN, {"email": "alice@example.org", "password": PERSONA_PASSWORD}, format="json"
    )

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= WINDOW_SECONDS + 1
    assert response.json()["detail"].startswith(LOCKED)
    assert not ApiToken.objects.exists()


def test_failures_on_the_form_and_on_the_api_add_up(alice: User, anon: Client, api_client: APIClient) -> None:
    fail(anon, "alice@example.org", 3)
    for _ in range(2):
        api_client.post(TOKEN, {"email": "alice@example.org", "password": WRONG}, format="json")

    assert_locked(log_in(anon, "alice@example.org", PERSONA_PASSWORD))
    locked = api_client.post(
        TOKEN, {"email": "alice@example.org", "password": PERSONA_PASSWORD}, format="json"
    )
    assert locked.status_code == 429


def test_the_token_endpoint_is_locked_per_client_address_too(mallory: User) -> None:
    attacker = APIClient(REMOTE_ADDR="203.0.113.9")
    for n in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        attacker.post(TOKEN, {"email": f"guess{n}@example.org", "password": WRONG}, format="json")

    response = attacker.post(
        TOKEN, {"email": "mallory@example.net", "password": PERSONA_PASSWORD}, format="json"
    )

    assert response.status_code == 429
    assert "Retry-After" in response
    assert not ApiToken.objects.exists()


def test_the_client_address_comes_from_the_proxy_header_only_behind_a_proxy(
    settings: object, mallory: User
) -> None:
    from accounts.login_throttle import client_ip

    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "spoofed, 203.0.113.5"}
    settings.NUM_PROXIES = 0  # type: ignore[attr-defined]
    assert client_ip(meta) == "10.0.0.1"  # a client cannot choose its own address by sending the header
    settings.NUM_PROXIES = 1  # type: ignore[attr-defined]
    assert client_ip(meta) == "203.0.113.5"


def test_a_user_made_by_the_factory_can_log_in(anon: Client) -> None:
    # Guards the personas: their password must really be stored.
    VerifiedUserFactory(email="someone@example.org")

    assert log_in(anon, "someone@example.org", PERSONA_PASSWORD).status_code == 302  # type: ignore[attr-defined]
