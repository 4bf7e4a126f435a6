"""Every accounts page and API route as each persona: who gets the page, who is sent to log in,
who is refused. One table per kind of route, so a new route without a row stands out."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Organization, User

pytestmark = pytest.mark.django_db

PERSONAS = ["anon", "alice", "mallory", "mod"]
LOGIN = "login"  # expected outcome: 302 to the login page


@pytest.fixture
def clients(
    anon: Client, alice_client: Client, mallory_client: Client, mod_client: Client
) -> dict[str, Client]:
    return {"anon": anon, "alice": alice_client, "mallory": mallory_client, "mod": mod_client}


def check(response: object, expected: int | str) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, response  # type: ignore[attr-defined]
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), response["Location"]  # type: ignore[index]
    else:
        assert response.status_code == expected, response  # type: ignore[attr-defined]


# url name, args, and the expected status per persona (anon, alice, mallory, mod)
GET_PAGES = [
    ("accounts:signup", [], (200, 302, 302, 302)),
    ("accounts:signup-done", [], (200, 200, 200, 200)),
    ("accounts:confirm-email", ["any-token"], (200, 200, 200, 200)),
    ("accounts:login", [], (200, 302, 302, 302)),
    ("accounts:password-reset", [], (200, 200, 200, 200)),
    ("accounts:password-reset-done", [], (200, 200, 200, 200)),
    ("accounts:password-reset-complete", [], (200, 200, 200, 200)),
    ("accounts:password-change", [], (LOGIN, 200, 200, 200)),
    ("accounts:profile", [], (LOGIN, 200, 200, 200)),
    ("accounts:account-export", [], (LOGIN, 200, 200, 200)),
    ("accounts:account-delete", [], (LOGIN, 200, 200, 200)),
    ("accounts:organization-list", [], (200, 200, 200, 200)),
    ("accounts:organization-create", [], (LOGIN, 200, 200, 200)),
    ("accounts:organization-verification", [], (LOGIN, 403, 403, 200)),
    ("accounts:organization-detail", ["digital-rights-watch"], (200, 200, 200, 200)),
    ("accounts:organization-members", ["digital-rights-watch"], (LOGIN, 200, 403, 200)),
]


@pytest.mark.parametrize(("name", "args", "expected"), GET_PAGES, ids=[row[0] for row in GET_PAGES])
@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_as_each_persona(
    clients: dict[str, Client], persona: str, name: str, args: list[str], expected: tuple[int | str, ...]
) -> None:
    response = clients[persona].get(reverse(name, args=args))

    check(response, expected[PERSONAS.index(persona)])


# Routes that only take POST: a GET never acts. Anonymous visitors are sent to log in first where
# the route needs a login; logged-in users get 405.
POST_ONLY = [
    ("accounts:logout", [], (405, 405, 405, 405)),
    ("accounts:resend-confirmation", [], (LOGIN, 405, 405, 405)),
    ("accounts:email-change", [], (LOGIN, 405, 405, 405)),
    ("accounts:token-create", [], (LOGIN, 405, 405, 405)),
    ("accounts:token-revoke", [1], (LOGIN, 405, 405, 405)),
    ("accounts:organization-join", ["digital-rights-watch"], (LOGIN, 405, 405, 405)),
    ("accounts:organization-verify", ["digital-rights-watch"], (LOGIN, 403, 403, 405)),
    ("accounts:membership-decide", [1], (LOGIN, 405, 405, 405)),
    ("accounts:membership-role", [1], (LOGIN, 405, 405, 405)),
    ("accounts:membership-remove", [1], (LOGIN, 405, 405, 405)),
    ("accounts:membership-listing", [1], (LOGIN, 405, 405, 405)),
]


@pytest.mark.parametrize(("name", "args", "expected"), POST_ONLY, ids=[row[0] for row in POST_ONLY])
@pytest.mark.parametrize("persona", PERSONAS)
def test_post_only_routes_refuse_a_get(
    clients: dict[str, Client], persona: str, name: str, args: list[object], expected: tuple[int | str, ...]
) -> None:
    response = clients[persona].get(reverse(name, args=args))

    check(response, expected[PERSONAS.index(persona)])


@pytest.fixture
def open_net(mallory: User) -> Organization:
    from accounts.services.organizations import organization_create

    return organization_create(creator=mallory, name="Open Net Collective", type="ngo")


@pytest.mark.parametrize(
    ("persona", "expected", "verified"),
    [("anon", LOGIN, False), ("alice", 403, False), ("mallory", 403, False), ("mod", 302, True)],
)
def test_verifying_as_each_persona(
    clients: dict[str, Client], open_net: Organization, persona: str, expected: int | str, verified: bool
) -> None:
    response = clients[persona].post(
        reverse("accounts:organization-verify", args=[open_net.slug]), {"note": "ok"}
    )

    check(response, expected)
    open_net.refresh_from_db()
    assert open_net.is_verified is verified


@pytest.mark.parametrize(
    ("persona", "expected", "accepted"),
    # Moderators verify organisations; they do not accept members (issue 17 §2).
    [("anon", LOGIN, False), ("alice", 302, True), ("mallory", 403, False), ("mod", 403, False)],
)
def test_accepting_a_request_to_drw_as_each_persona(
    clients: dict[str, Client],
    alice: User,
    drw: Organization,
    persona: str,
    expected: int | str,
    accepted: bool,
) -> None:
    from tests.factories import MembershipFactory

    request = MembershipFactory(organization=drw, status="requested")

    response = clients[persona].post(
        reverse("accounts:membership-decide", args=[request.pk]), {"decision": "accept"}
    )

    check(response, expected)
    request.refresh_from_db()
    assert (request.status == "active") is accepted


# --- API ------------------------------------------------------------------------------------------


@pytest.fixture
def api_clients(api_client_as: object, alice: User, mallory: User, mod: User) -> dict[str, APIClient]:
    make = api_client_as  # type: ignore[assignment]
    return {"anon": make(None), "alice": make(alice), "mallory": make(mallory), "mod": make(mod)}  # type: ignore[operator]


API_ROUTES = [
    ("get", "/api/v1/me/", None, (403, 200, 200, 200)),
    ("patch", "/api/v1/me/", {"display_name": "Renamed"}, (403, 200, 200, 200)),
    ("get", "/api/v1/organizations/", None, (200, 200, 200, 200)),
    ("post", "/api/v1/organizations/", {"name": "New Org", "type": "ngo"}, (403, 201, 201, 201)),
    ("post", "/api/v1/organizations/digital-rights-watch/join/", None, (403, 400, 201, 201)),
    ("get", "/api/v1/organizations/digital-rights-watch/join/", None, (403, 405, 405, 405)),
    ("post", "/api/v1/auth/token/", {"email": "x@example.org", "password": "nope"}, (403, 403, 403, 403)),
    ("get", "/api/v1/auth/token/", None, (405, 405, 405, 405)),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), API_ROUTES, ids=[f"{row[0]} {row[1]}" for row in API_ROUTES]
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_api_routes_as_each_persona(
    api_clients: dict[str, APIClient],
    persona: str,
    method: str,
    path: str,
    body: dict[str, str] | None,
    expected: tuple[int, ...],
) -> None:
    response = getattr(api_clients[persona], method)(path, body, format="json")

    assert response.status_code == expected[PERSONAS.index(persona)], response.content
