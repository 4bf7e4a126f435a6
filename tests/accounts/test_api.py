"""The accounts API (DESIGN §7): me, tokens, organisations, joining; as every persona."""

from collections.abc import Callable

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership, Organization, User
from tests.conftest import PERSONA_PASSWORD
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"
ORGANIZATIONS = "/api/v1/organizations/"
NOT_LOGGED_IN = {"detail": "Authentication credentials were not provided."}
CONFIRM_FIRST = {
    "detail": "Confirm your email address before contributing: we sent you a link when you signed up."
}

ClientFor = Callable[[User | None], APIClient]


def join_url(slug: str) -> str:
    return f"/api/v1/organizations/{slug}/join/"


@pytest.fixture
def newcomer() -> User:
    """Signed up, address not confirmed yet."""
    return UserFactory(email="newcomer@example.org", display_name="Nadia Newcomer")


# --- GET/PATCH me -------------------------------------------------------------------------------


def test_me_needs_a_login(api_client: APIClient) -> None:
    response = api_client.get(ME)

    assert response.status_code == 403
    assert response.json() == NOT_LOGGED_IN


def test_me_as_alice(alice: User, api_client_as: ClientFor) -> None:
    response = api_client_as(alice).get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "email": "alice@example.org",
        "display_name": "Alice Activist",
        "attribution_preference": "person",
        "verified": True,
        "moderator": False,
        "memberships": [
            {
                "organization": {
                    "slug": "digital-rights-watch",
                    "name": "Digital Rights Watch",
                    "type": "ngo",
                    "country": "DE",
                    "website": "https://example.org/",
                    "description": "",
                    "verified": True,
                },
                "role": "admin",
                "status": "active",
                "listed_publicly": False,
            }
        ],
    }


def test_me_as_mod(mod: User, api_client_as: ClientFor) -> None:
    data = api_client_as(mod).get(ME).json()

    assert (data["email"], data["moderator"], data["verified"], data["memberships"]) == (
        "mod@example.org",
        True,
        True,
        [],
    )


def test_me_as_mallory_shows_only_her_own_organisation(
    alice: User, mallory: User, api_client_as: ClientFor
) -> None:
    data = api_client_as(mallory).get(ME).json()

    assert data["email"] == "mallory@example.net"
    assert [(m["organization"]["name"], m["organization"]["verified"]) for m in data["memberships"]] == [
        ("Mallory Monitoring", False)
    ]


def test_me_as_an_unverified_user(newcomer: User, api_client_as: ClientFor) -> None:
    data = api_client_as(newcomer).get(ME).json()

    assert data["verified"] is False


def test_patch_me_changes_name_and_attribution(alice: User, api_client_as: ClientFor) -> None:
    response = api_client_as(alice).patch(
        ME, {"display_name": "  A.   Activist ", "attribution_preference": "anonymous"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["display_name"], response.json()["attribution_preference"]) == (
        "A. Activist",
        "anonymous",
    )
    alice.refresh_from_db()
    assert (alice.display_name, alice.attribution_preference) == ("A. Activist", "anonymous")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"attribution_preference": "nobody"},
            {"attribution_preference": ['"nobody" is not a valid choice.']},
        ),
        ({"display_name": "   "}, {"display_name": ["The display name cannot be empty."]}),
        (
            {"display_name": "x" * 101},
            {"display_name": ["Ensure this field has no more than 100 characters."]},
        ),
    ],
)
def test_patch_me_refuses_bad_values_and_writes_nothing(
    alice: User, api_client_as: ClientFor, body: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = api_client_as(alice).patch(ME, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    alice.refresh_from_db()
    assert (alice.display_name, alice.attribution_preference) == ("Alice Activist", "person")


def test_patch_me_cannot_change_the_address_or_the_roles(alice: User, api_client_as: ClientFor) -> None:
    response = api_client_as(alice).patch(
        ME, {"email": "mallory@example.net", "verified": False, "moderator": True}, format="json"
    )

    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert alice.is_verified
    assert not alice.is_moderator


def test_patch_me_needs_a_login(api_client: APIClient) -> None:
    assert api_client.patch(ME, {"display_name": "x"}, format="json").status_code == 403


def test_a_session_write_needs_the_csrf_token(alice: User) -> None:
    # The browser's session is a credential the browser sends by itself: writes need the CSRF token.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.patch(ME, {"display_name": "Hijacked"}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    alice.refresh_from_db()
    assert alice.display_name == "Alice Activist"


# --- POST auth/token ----------------------------------------------------------------------------


def test_good_credentials_give_a_token_that_works(alice: User, api_client: APIClient) -> None:
    response = api_client.post(
        TOKEN, {"email": "Alice@Example.org", "password": PERSONA_PASSWORD}, format="json"
    )

    assert response.status_code == 201
    key = response.json()["token"]
    assert list(response.json()) == ["token"]
    token = ApiToken.objects.get(user=alice)
    assert (token.name, token.key_hash) == ("API token", ApiToken.hash_key(key))

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).json()["email"] == "alice@example.org"


def test_a_token_may_be_named(alice: User, api_client: APIClient) -> None:
    api_client.post(
        TOKEN,
        {"email": "alice@example.org", "password": PERSONA_PASSWORD, "name": "heatmap script"},
        format="json",
    )

    assert ApiToken.objects.get(user=alice).name == "heatmap script"


def test_a_token_past_the_limit_is_refused_with_a_400(alice: User, api_client: APIClient) -> None:
    from accounts.services.api_tokens import MAX_LIVE_TOKENS, api_token_create

    for n in range(MAX_LIVE_TOKENS):
        api_token_create(user=alice, name=f"script {n}")
    response = api_client.post(
        TOKEN, {"email": "alice@example.org", "password": PERSONA_PASSWORD}, format="json"
    )

    assert response.status_code == 400
    assert f"You already have {MAX_LIVE_TOKENS} tokens" in str(response.json())
    assert ApiToken.objects.filter(user=alice).count() == MAX_LIVE_TOKENS


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        (
            {"email": "alice@example.org", "password": "wrong password"},
            403,
            {"detail": "That email and password do not match an account."},
        ),
        (
            {"email": "nobody@example.org", "password": PERSONA_PASSWORD},
            403,
            {"detail": "That email and password do not match an account."},
        ),
        ({"email": "alice@example.org"}, 400, {"password": ["This field is required."]}),
        ({"email": "not-an-email", "password": "x"}, 400, {"email": ["Enter a valid email address."]}),
    ],
    ids=["wrong-password", "unknown-address", "no-password", "malformed-address"],
)
def test_bad_credentials_give_no_token(
    alice: User, api_client: APIClient, body: dict[str, str], status: int, errors: dict[str, object]
) -> None:
    response = api_client.post(TOKEN, body, format="json")

    assert response.status_code == status
    assert response.json() == errors
    assert not ApiToken.objects.exists()


def test_the_token_endpoint_ignores_a_session(alice: User, api_client_as: ClientFor) -> None:
    # Credentials are in the body: a logged-in browser gets no token without the password.
    response = api_client_as(alice).post(
        TOKEN, {"email": "alice@example.org", "password": "x"}, format="json"
    )

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


# --- Organisations ------------------------------------------------------------------------------

NEW_ORG = {
    "name": "Open Net Collective",
    "type": "academic",
    "country": "KE",
    "website": "https://opennet.example/",
}


def test_anybody_lists_organisations_without_members(
    alice: User, mallory: User, api_client: APIClient, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(10):
        MembershipFactory(organization=OrganizationFactory(name=f"Org {n:02d}"))

    with django_assert_max_num_queries(2):
        response = api_client.get(ORGANIZATIONS)

    assert response.status_code == 200
    data = response.json()
    assert len(data) == 12
    drw = next(o for o in data if o["name"] == "Digital Rights Watch")
    assert drw == {
        "slug": "digital-rights-watch",
        "name": "Digital Rights Watch",
        "type": "ngo",
        "country": "DE",
        "website": "https://example.org/",
        "description": "",
        "verified": True,
    }
    assert "Alice" not in response.content.decode()


def test_an_unverified_user_cannot_create_an_organisation(newcomer: User, api_client_as: ClientFor) -> None:
    response = api_client_as(newcomer).post(ORGANIZATIONS, NEW_ORG, format="json")

    assert response.status_code == 403
    assert response.json() == CONFIRM_FIRST
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


def test_an_unverified_user_with_a_token_cannot_create_one_either(newcomer: User) -> None:
    from accounts.services.api_tokens import api_token_create

    _token, key = api_token_create(user=newcomer, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.post(ORGANIZATIONS, NEW_ORG, format="json")

    assert response.status_code == 403
    assert response.json() == CONFIRM_FIRST
    assert not Organization.objects.exists()


def test_anonymous_creation_is_refused(api_client: APIClient) -> None:
    response = api_client.post(ORGANIZATIONS, NEW_ORG, format="json")

    assert response.status_code == 403
    assert response.json() == NOT_LOGGED_IN
    assert not Organization.objects.exists()


def test_a_verified_user_creates_an_unverified_organisation(mod: User, api_client_as: ClientFor) -> None:
    response = api_client_as(mod).post(ORGANIZATIONS, {**NEW_ORG, "verified": True}, format="json")

    assert response.status_code == 201
    assert response.json() == {
        "slug": "open-net-collective",
        "name": "Open Net Collective",
        "type": "academic",
        "country": "KE",
        "website": "https://opennet.example/",
        "description": "",
        "verified": False,  # even for a moderator, and whatever the request said
    }
    organization = Organization.objects.get(slug="open-net-collective")
    assert organization.memberships.get().user == mod
    assert organization.memberships.get().role == Membership.Role.ADMIN


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {**NEW_ORG, "name": "DIGITAL rights WATCH"},
            {
                "name": [
                    "An organisation named “DIGITAL rights WATCH” already exists: ask to join it instead."
                ]
            },
        ),
        ({**NEW_ORG, "type": "spy_agency"}, {"type": ['"spy_agency" is not a valid choice.']}),
        ({**NEW_ORG, "country": "XX"}, {"country": ["Value 'XX' is not a valid choice."]}),
        ({**NEW_ORG, "website": "javascript:alert(1)"}, {"website": ["Enter a valid URL."]}),
        ({"type": "ngo"}, {"name": ["This field is required."]}),
    ],
    ids=["duplicate-name", "type", "country", "website", "no-name"],
)
def test_bad_organisations_are_refused_with_field_errors_and_nothing_written(
    alice: User, mallory: User, api_client_as: ClientFor, body: dict[str, str], errors: dict[str, list[str]]
) -> None:
    before = Organization.objects.count(), Membership.objects.count()

    response = api_client_as(mallory).post(ORGANIZATIONS, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert (Organization.objects.count(), Membership.objects.count()) == before


# --- Joining ------------------------------------------------------------------------------------


def test_joining_through_the_api_and_twice(alice: User, mallory: User, api_client_as: ClientFor) -> None:
    client = api_client_as(mallory)

    first = client.post(join_url("digital-rights-watch"))
    second = client.post(join_url("digital-rights-watch"))

    assert first.status_code == 201
    assert (first.json()["organization"]["slug"], first.json()["status"], first.json()["role"]) == (
        "digital-rights-watch",
        "requested",
        "member",
    )
    assert second.status_code == 400
    assert second.json() == {
        "detail": "You have already asked to join Digital Rights Watch; its admins will decide."
    }
    assert Membership.objects.filter(user=mallory).count() == 2  # her own organisation and this request


def test_a_member_joining_is_told_so(alice: User, api_client_as: ClientFor) -> None:
    response = api_client_as(alice).post(join_url("digital-rights-watch"))

    assert response.status_code == 400
    assert response.json() == {"detail": "You are already a member of Digital Rights Watch."}


def test_joining_needs_a_verified_user(
    alice: User, newcomer: User, api_client: APIClient, api_client_as: ClientFor
) -> None:
    unverified = api_client_as(newcomer).post(join_url("digital-rights-watch"))
    anonymous = api_client.post(join_url("digital-rights-watch"))

    assert unverified.status_code == 403
    assert unverified.json() == CONFIRM_FIRST
    assert anonymous.status_code == 403
    assert anonymous.json() == NOT_LOGGED_IN
    assert not Membership.objects.filter(user=newcomer).exists()


def test_joining_an_unknown_organisation_is_a_404(mallory: User, api_client_as: ClientFor) -> None:
    assert api_client_as(mallory).post(join_url("no-such-organisation")).status_code == 404


def test_the_schema_documents_the_accounts_api(api_client: APIClient) -> None:
    response = api_client.get("/api/schema/")

    assert response.status_code == 200
    body = response.content.decode()
    for path in (ME, TOKEN, ORGANIZATIONS, "/api/v1/organizations/{slug}/join/"):
        assert f"{path}:" in body, path
