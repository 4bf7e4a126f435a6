"""Delete my account (personal data erased, organisations keep an admin) and download my data."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, Membership, Organization, OrganizationEvent, User
from accounts.services import users as user_services
from accounts.services.api_tokens import api_token_create
from tests.conftest import PERSONA_PASSWORD
from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

DELETE = reverse("accounts:account-delete")
EXPORT = reverse("accounts:account-export")


@pytest.fixture
def handler_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, bool]]:
    """Stands in for the annotations app: records what it was asked to do with the contributions."""
    calls: list[tuple[int, str, bool]] = []

    def handler(user: User, keep: bool) -> None:
        # Called before the user row goes: the handler can still find what the user wrote.
        assert User.objects.filter(pk=user.pk).exists()
        calls.append((user.pk, user.email, keep))

    monkeypatch.setattr(user_services, "CONTRIBUTION_HANDLERS", [handler])
    return calls


def delete_account(client: Client, contributions: str = "delete", password: str = PERSONA_PASSWORD) -> Any:
    return client.post(DELETE, {"contributions": contributions, "password": password}, follow=True)


def test_the_delete_page_asks_for_the_password(alice_client: Client) -> None:
    page = alice_client.get(DELETE)

    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"contributions": "delete", "password": "not my password"}, "That is not your password."),
        ({"contributions": "delete"}, "This field is required."),
        ({"password": PERSONA_PASSWORD}, "This field is required."),
        ({"contributions": "shred", "password": PERSONA_PASSWORD}, "Select a valid choice."),
    ],
)
def test_deleting_needs_the_password_and_a_choice(
    alice: User,
    alice_client: Client,
    handler_calls: list[tuple[int, str, bool]],
    data: dict[str, str],
    message: str,
) -> None:
    response = alice_client.post(DELETE, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    assert Membership.objects.filter(user=alice).exists()
    assert handler_calls == []


@pytest.mark.parametrize(("choice", "keep"), [("keep", True), ("delete", False)])
def test_deleting_erases_the_account_its_memberships_and_tokens(
    alice: User, alice_client: Client, handler_calls: list[tuple[int, str, bool]], choice: str, keep: bool
) -> None:
    alice_pk = alice.pk
    api_token_create(user=alice, name="script")
    drw = Organization.objects.get(name="Digital Rights Watch")

    response = delete_account(alice_client, choice)

    assert response.redirect_chain == [(reverse("treaty:home"), 302)]
    assert "Your account and personal data were deleted." in response.content.decode()
    assert not User.objects.filter(pk=alice_pk).exists()
    assert not User.objects.filter(email="alice@example.org").exists()
    assert not Membership.objects.filter(user_id=alice_pk).exists()
    assert not ApiToken.objects.filter(user_id=alice_pk).exists()
    assert handler_calls == [(alice_pk, "alice@example.org", keep)]
    # Logged out, and the organisation itself (not personal data) stays.
    assert "_auth_user_id" not in alice_client.session
    assert Organization.objects.filter(pk=drw.pk).exists()


def test_nothing_in_the_log_points_at_the_deleted_person(
    alice: User, alice_client: Client, handler_calls: list[tuple[int, str, bool]], mod: User
) -> None:
    from accounts.services.organizations import organization_create

    created = organization_create(creator=alice, name="Alice's Second NGO", type="ngo")

    delete_account(alice_client)

    created.refresh_from_db()
    assert created.created_by is None
    assert set(OrganizationEvent.objects.filter(organization=created).values_list("actor", flat=True)) == {
        None
    }


def test_the_last_admin_leaving_hands_the_organisation_to_the_longest_standing_member(
    alice: User, alice_client: Client, drw: Organization, handler_calls: list[tuple[int, str, bool]]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    newer = MembershipFactory(organization=drw, decided_at=timezone.now())
    older = MembershipFactory(organization=drw, decided_at=timezone.now() - timedelta(days=30))
    requested = MembershipFactory(organization=drw, status=Membership.Status.REQUESTED)

    delete_account(alice_client)

    older.refresh_from_db()
    newer.refresh_from_db()
    requested.refresh_from_db()
    assert older.role == Membership.Role.ADMIN
    assert newer.role == Membership.Role.MEMBER
    assert requested.role == Membership.Role.MEMBER
    event = OrganizationEvent.objects.filter(organization=drw, action="role_changed").get()
    assert event.actor is None
    assert event.note == "admin (the previous admin deleted their account)"


def test_an_admin_who_is_not_the_last_promotes_nobody(
    alice: User, alice_client: Client, drw: Organization, handler_calls: list[tuple[int, str, bool]]
) -> None:
    MembershipFactory(organization=drw, role=Membership.Role.ADMIN)
    member = MembershipFactory(organization=drw)

    delete_account(alice_client)

    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER
    assert drw.memberships.filter(role=Membership.Role.ADMIN).count() == 1  # the other admin, alone


def test_a_sole_admin_without_members_leaves_the_organisation_to_the_moderators(
    alice: User, alice_client: Client, drw: Organization, handler_calls: list[tuple[int, str, bool]]
) -> None:
    delete_account(alice_client)

    assert Organization.objects.filter(pk=drw.pk).exists()
    assert not drw.memberships.exists()


def test_a_failing_contribution_handler_leaves_everything_in_place(
    alice: User, monkeypatch: pytest.MonkeyPatch, drw: Organization
) -> None:
    member = MembershipFactory(organization=drw)

    def broken(user: User, keep: bool) -> None:
        raise RuntimeError("annotations store unavailable")

    monkeypatch.setattr(user_services, "CONTRIBUTION_HANDLERS", [broken])

    with pytest.raises(RuntimeError):
        user_services.account_delete(user=alice, keep_contributions=True)

    assert User.objects.filter(pk=alice.pk).exists()
    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER  # the succession was rolled back too


def test_deleting_needs_a_login(anon: Client) -> None:
    response = anon.post(DELETE, {"contributions": "delete", "password": PERSONA_PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Download my data ---------------------------------------------------------------------------


def test_my_data_holds_the_account_memberships_and_tokens_but_no_secret(
    alice: User, alice_client: Client
) -> None:
    token, key = api_token_create(user=alice, name="my script")

    response = alice_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="marginalia-my-data-')
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    data = json.loads(body)
    assert data["account"]["email"] == "alice@example.org"
    assert data["account"]["display_name"] == "Alice Activist"
    assert data["account"]["attribution_preference"] == "person"
    assert data["account"]["email_verified_at"] is not None
    assert data["account"]["moderator"] is False
    assert data["memberships"] == [
        {
            "organization": "Digital Rights Watch",
            "role": "admin",
            "status": "active",
            "listed_publicly": False,
            "requested_at": alice.memberships.get().requested_at.isoformat(),
        }
    ]
    assert data["api_tokens"] == [
        {"name": "my script", "prefix": key[:8], "created_at": token.created_at.isoformat(), "revoked": False}
    ]
    # Never the secrets: not the token, not its hash, not the password hash.
    alice.refresh_from_db()
    assert key not in body
    assert token.key_hash not in body
    assert alice.password not in body
    assert "password" not in data["account"]


def test_my_data_is_only_mine(alice: User, mallory_client: Client) -> None:
    body = mallory_client.get(EXPORT).content.decode()

    assert json.loads(body)["account"]["email"] == "mallory@example.net"
    assert "alice" not in body.lower()
    assert "Digital Rights Watch" not in body


def test_a_moderator_s_data_says_so(mod_client: Client) -> None:
    assert json.loads(mod_client.get(EXPORT).content)["account"]["moderator"] is True


def test_my_data_needs_a_login(anon: Client) -> None:
    assert anon.get(EXPORT).status_code == 302


def test_a_user_without_memberships_exports_empty_lists(db: None) -> None:
    user = VerifiedUserFactory()
    client = Client()
    client.force_login(user)

    data = json.loads(client.get(EXPORT).content)

    assert data["memberships"] == []
    assert data["api_tokens"] == []
