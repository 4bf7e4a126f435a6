"""Joining, deciding, roles, leaving: who may do what, and an organisation always keeps an admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Membership, Organization, OrganizationEvent, User
from accounts.services import organizations as services
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Role, Status = Membership.Role, Membership.Status


@pytest.fixture
def bob(drw: Organization) -> User:
    """A plain (non-admin) member of Digital Rights Watch."""
    return MembershipFactory(organization=drw, user__display_name="Bob Member").user


@pytest.fixture
def bob_client(bob: User) -> Client:
    client = Client()
    client.force_login(bob)
    return client


@pytest.fixture
def mallory_request(alice: User, mallory: User, drw: Organization) -> Membership:
    """Mallory has asked to join Digital Rights Watch."""
    return services.membership_request(user=mallory, organization=drw)


def join(client: Client, organization: Organization) -> object:
    return client.post(reverse("accounts:organization-join", args=[organization.slug]), follow=True)


def decide(client: Client, membership: Membership, decision: str) -> object:
    return client.post(
        reverse("accounts:membership-decide", args=[membership.pk]), {"decision": decision}, follow=True
    )


def set_role(client: Client, membership: Membership, role: str) -> object:
    return client.post(reverse("accounts:membership-role", args=[membership.pk]), {"role": role}, follow=True)


def remove(client: Client, membership: Membership) -> object:
    return client.post(reverse("accounts:membership-remove", args=[membership.pk]), follow=True)


def events(organization: Organization) -> list[str]:
    return list(organization.events.order_by("id").values_list("action", flat=True))


# --- Asking to join ------------------------------------------------------------------------------


def test_a_verified_user_asks_to_join(
    alice: User, mallory: User, mallory_client: Client, drw: Organization
) -> None:
    response = join(mallory_client, drw)

    assert "You asked to join Digital Rights Watch. Its admins will decide." in response.content.decode()  # type: ignore[attr-defined]
    membership = Membership.objects.get(user=mallory, organization=drw)
    assert (membership.status, membership.role, membership.decided_at) == (
        Status.REQUESTED,
        Role.MEMBER,
        None,
    )
    assert (
        "You asked to join; its admins will decide."
        in mallory_client.get(reverse("accounts:organization-detail", args=[drw.slug])).content.decode()
    )


def test_asking_twice_is_refused_with_a_message(mallory_client: Client, mallory_request: Membership) -> None:
    response = join(mallory_client, mallory_request.organization)

    assert (
        "You have already asked to join Digital Rights Watch; its admins will decide."
        in response.content.decode()  # type: ignore[attr-defined]
    )
    assert (
        Membership.objects.filter(
            organization=mallory_request.organization, user=mallory_request.user
        ).count()
        == 1
    )
    mallory_request.refresh_from_db()
    assert mallory_request.status == Status.REQUESTED


def test_a_member_asking_to_join_is_told_they_already_are(
    alice: User, alice_client: Client, drw: Organization
) -> None:
    response = join(alice_client, drw)

    assert "You are already a member of Digital Rights Watch." in response.content.decode()  # type: ignore[attr-defined]
    membership = alice.memberships.get()
    assert (membership.status, membership.role) == (Status.ACTIVE, Role.ADMIN)  # not downgraded to a request


def test_after_a_decline_one_may_ask_again(
    alice: User, mallory_client: Client, mallory_request: Membership
) -> None:
    services.membership_decide(actor=alice, membership=mallory_request, accept=False)

    join(mallory_client, mallory_request.organization)

    mallory_request.refresh_from_db()
    assert (mallory_request.status, mallory_request.decided_at, mallory_request.decided_by) == (
        Status.REQUESTED,
        None,
        None,
    )


def test_an_unverified_user_cannot_ask_to_join(drw: Organization) -> None:
    newcomer = UserFactory()
    client = Client()
    client.force_login(newcomer)

    response = client.post(reverse("accounts:organization-join", args=[drw.slug]))

    assert response.status_code == 403
    assert not Membership.objects.filter(user=newcomer).exists()


def test_joining_needs_a_login_and_a_post(anon: Client, alice_client: Client, drw: Organization) -> None:
    url = reverse("accounts:organization-join", args=[drw.slug])

    assert anon.post(url).status_code == 302
    assert alice_client.get(url).status_code == 405


# --- Deciding ------------------------------------------------------------------------------------


def test_the_admin_accepts_a_request(alice: User, alice_client: Client, mallory_request: Membership) -> None:
    response = decide(alice_client, mallory_request, "accept")

    assert "Request accepted." in response.content.decode()  # type: ignore[attr-defined]
    mallory_request.refresh_from_db()
    assert (mallory_request.status, mallory_request.decided_by) == (Status.ACTIVE, alice)
    assert mallory_request.decided_at is not None
    assert events(mallory_request.organization)[-1] == OrganizationEvent.Action.MEMBER_ACCEPTED


def test_the_admin_declines_a_request(alice: User, alice_client: Client, mallory_request: Membership) -> None:
    response = decide(alice_client, mallory_request, "decline")

    assert "Request declined." in response.content.decode()  # type: ignore[attr-defined]
    mallory_request.refresh_from_db()
    assert mallory_request.status == Status.DECLINED
    assert events(mallory_request.organization)[-1] == OrganizationEvent.Action.MEMBER_DECLINED


def test_a_moderator_cannot_accept_a_request(
    mod: User, mod_client: Client, mallory_request: Membership
) -> None:
    events_before = events(mallory_request.organization)

    response = mod_client.post(
        reverse("accounts:membership-decide", args=[mallory_request.pk]), {"decision": "accept"}
    )

    assert response.status_code == 403
    assert "Moderators do not manage the members of Digital Rights Watch" in response.content.decode()
    mallory_request.refresh_from_db()
    assert (mallory_request.status, mallory_request.decided_by) == (Status.REQUESTED, None)
    assert events(mallory_request.organization) == events_before


@pytest.mark.parametrize("decider", ["bob_client", "mallory_client"], ids=["plain-member", "the-requester"])
def test_a_non_admin_accepting_is_refused_and_nothing_changes(
    decider: str, request: pytest.FixtureRequest, mallory_request: Membership
) -> None:
    client: Client = request.getfixturevalue(decider)
    events_before = events(mallory_request.organization)

    response = client.post(
        reverse("accounts:membership-decide", args=[mallory_request.pk]), {"decision": "accept"}
    )

    assert response.status_code == 403
    mallory_request.refresh_from_db()
    assert (mallory_request.status, mallory_request.decided_by) == (Status.REQUESTED, None)
    assert events(mallory_request.organization) == events_before


def test_the_admin_of_another_organisation_cannot_accept(mallory_request: Membership) -> None:
    other_admin = MembershipFactory(role=Role.ADMIN).user
    client = Client()
    client.force_login(other_admin)

    response = client.post(
        reverse("accounts:membership-decide", args=[mallory_request.pk]), {"decision": "accept"}
    )

    assert response.status_code == 403
    mallory_request.refresh_from_db()
    assert mallory_request.status == Status.REQUESTED


def test_the_service_names_who_may_decide(bob: User, mallory_request: Membership) -> None:
    with pytest.raises(PermissionDenied) as caught:
        services.membership_decide(actor=bob, membership=mallory_request, accept=True)

    assert str(caught.value) == "Only an admin of Digital Rights Watch can do that."


def test_a_request_is_decided_only_once(alice_client: Client, mallory_request: Membership) -> None:
    decide(alice_client, mallory_request, "decline")

    response = decide(alice_client, mallory_request, "accept")

    assert "This request has already been decided." in response.content.decode()  # type: ignore[attr-defined]
    mallory_request.refresh_from_db()
    assert mallory_request.status == Status.DECLINED


# --- Roles, removing, leaving --------------------------------------------------------------------


def test_the_admin_appoints_another_admin_who_may_then_make_her_a_member(
    alice: User, alice_client: Client, bob: User, bob_client: Client, drw: Organization
) -> None:
    bob_membership = bob.memberships.get()
    alice_membership = alice.memberships.get()

    response = set_role(alice_client, bob_membership, "admin")

    assert "Role changed." in response.content.decode()  # type: ignore[attr-defined]
    bob_membership.refresh_from_db()
    assert bob_membership.role == Role.ADMIN
    assert drw.events.filter(action="role_changed", note="admin").exists()

    # Bob is an admin appointed after verification; Alice is drw's founder-era admin: another
    # founder-era admin would be needed for one person to do it, so Bob only proposes.
    set_role(bob_client, alice_membership, "member")
    alice_membership.refresh_from_db()
    assert alice_membership.role == Role.ADMIN
    assert alice_membership.change_proposed == "member"


def test_nobody_changes_their_own_role(
    alice: User, alice_client: Client, bob: User, drw: Organization
) -> None:
    alice_membership = alice.memberships.get()
    events_before = events(drw)

    response = alice_client.post(
        reverse("accounts:membership-role", args=[alice_membership.pk]), {"role": "member"}
    )

    assert response.status_code == 403
    assert (
        "You cannot change your own role: another admin of the organisation can." in response.content.decode()
    )
    alice_membership.refresh_from_db()
    assert alice_membership.role == Role.ADMIN
    assert events(drw) == events_before


def test_a_moderator_cannot_demote_the_last_admin_either(
    alice: User, mod_client: Client, drw: Organization
) -> None:
    alice_membership = alice.memberships.get()

    response = set_role(mod_client, alice_membership, "member")

    assert "must keep an admin" in response.content.decode()  # type: ignore[attr-defined]
    alice_membership.refresh_from_db()
    assert alice_membership.role == Role.ADMIN


def test_removing_the_last_admin_is_refused_with_a_message(
    alice: User, mod_client: Client, bob: User, drw: Organization
) -> None:
    alice_membership = alice.memberships.get()

    response = remove(mod_client, alice_membership)

    assert (
        "Digital Rights Watch must keep an admin: appoint another admin first." in response.content.decode()  # type: ignore[attr-defined]
    )
    assert Membership.objects.filter(pk=alice_membership.pk).exists()


def test_the_last_admin_cannot_leave_while_members_remain(
    alice: User, alice_client: Client, bob: User, drw: Organization
) -> None:
    alice_membership = alice.memberships.get()

    response = remove(alice_client, alice_membership)

    assert "must keep an admin: appoint another admin first." in response.content.decode()  # type: ignore[attr-defined]
    assert Membership.objects.filter(pk=alice_membership.pk).exists()


@pytest.mark.parametrize(
    ("role", "message"),
    [("owner", "Choose one of: member, admin."), ("", "Choose one of: member, admin.")],
)
def test_an_unknown_role_is_refused(alice_client: Client, bob: User, role: str, message: str) -> None:
    bob_membership = bob.memberships.get()

    response = set_role(alice_client, bob_membership, role)

    assert message in response.content.decode()  # type: ignore[attr-defined]
    bob_membership.refresh_from_db()
    assert bob_membership.role == Role.MEMBER


def test_a_request_cannot_be_given_a_role(alice_client: Client, mallory_request: Membership) -> None:
    response = set_role(alice_client, mallory_request, "admin")

    assert "Only active members can be given a role." in response.content.decode()  # type: ignore[attr-defined]
    mallory_request.refresh_from_db()
    assert (mallory_request.role, mallory_request.status) == (Role.MEMBER, Status.REQUESTED)


@pytest.mark.parametrize("actor", ["bob_client", "mallory_client"])
def test_a_non_admin_cannot_change_roles_or_remove_members(
    actor: str, request: pytest.FixtureRequest, alice: User, bob: User, drw: Organization
) -> None:
    client: Client = request.getfixturevalue(actor)
    alice_membership = alice.memberships.get()
    bob_membership = bob.memberships.get()

    promote = client.post(reverse("accounts:membership-role", args=[bob_membership.pk]), {"role": "admin"})
    demote = client.post(reverse("accounts:membership-role", args=[alice_membership.pk]), {"role": "member"})
    kick = client.post(reverse("accounts:membership-remove", args=[alice_membership.pk]))

    assert promote.status_code == demote.status_code == kick.status_code == 403
    bob_membership.refresh_from_db()
    alice_membership.refresh_from_db()
    assert (bob_membership.role, alice_membership.role) == (Role.MEMBER, Role.ADMIN)


def test_the_admin_removes_a_member(alice_client: Client, bob: User, drw: Organization) -> None:
    bob_membership = bob.memberships.get()

    response = remove(alice_client, bob_membership)

    assert "Member removed." in response.content.decode()  # type: ignore[attr-defined]
    assert not Membership.objects.filter(pk=bob_membership.pk).exists()
    assert events(drw)[-1] == OrganizationEvent.Action.MEMBER_REMOVED


def test_a_member_leaves(bob: User, bob_client: Client, drw: Organization) -> None:
    response = remove(bob_client, bob.memberships.get())

    assert response.redirect_chain == [(reverse("accounts:organization-detail", args=[drw.slug]), 302)]  # type: ignore[attr-defined]
    assert "You left Digital Rights Watch." in response.content.decode()  # type: ignore[attr-defined]
    assert not bob.memberships.exists()
    assert events(drw)[-1] == OrganizationEvent.Action.MEMBER_LEFT


def test_a_sole_admin_without_other_members_may_leave(
    alice: User, alice_client: Client, drw: Organization
) -> None:
    remove(alice_client, alice.memberships.get())

    assert not drw.memberships.exists()


def test_a_requester_may_withdraw_the_request(mallory_client: Client, mallory_request: Membership) -> None:
    remove(mallory_client, mallory_request)

    assert not Membership.objects.filter(pk=mallory_request.pk).exists()


def test_the_last_admin_service_rule_also_holds_without_the_views(alice: User, bob: User, mod: User) -> None:
    alice_membership = alice.memberships.get()

    with pytest.raises(ValidationError):
        services.membership_remove(actor=mod, membership=alice_membership)
    with pytest.raises(ValidationError):
        services.membership_set_role(actor=mod, membership=alice_membership, role="member")

    alice_membership.refresh_from_db()
    assert alice_membership.role == Role.ADMIN


# --- The members page ------------------------------------------------------------------------------


def members_url(organization: Organization) -> str:
    return reverse("accounts:organization-members", args=[organization.slug])


def test_the_members_page_lists_members_and_requests_for_the_admin(
    alice_client: Client, bob: User, mallory_request: Membership, drw: Organization
) -> None:
    MembershipFactory(organization=drw, status=Status.DECLINED, user__display_name="Declined Dora")

    page = alice_client.get(members_url(drw)).content.decode()

    assert "Alice Activist" in page
    assert "Bob Member" in page
    assert "Mallory Meddler" in page
    assert 'Accept<span class="visually-hidden"> Mallory Meddler</span>' in page
    assert "Declined Dora" not in page
    assert "alice@example.org" not in page  # even admins do not see members' addresses


@pytest.mark.parametrize(
    ("persona", "status"), [("bob_client", 403), ("mallory_client", 403), ("mod_client", 200)]
)
def test_who_may_open_the_members_page(
    persona: str, status: int, request: pytest.FixtureRequest, bob: User, drw: Organization
) -> None:
    client: Client = request.getfixturevalue(persona)

    assert client.get(members_url(drw)).status_code == status


def test_the_members_page_has_a_query_budget(
    alice_client: Client, drw: Organization, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    MembershipFactory.create_batch(15, organization=drw)
    MembershipFactory.create_batch(5, organization=drw, status=Status.REQUESTED)

    with django_assert_max_num_queries(7):
        response = alice_client.get(members_url(drw))

    assert response.content.decode().count("<tr>") == 1 + 21
