"""Powers that cannot be turned against users (issue 17 §2): nobody decides their own membership
request or changes their own role; moderators act on organisations only through verification; the
last founder-era admin leaves only by their own choice or by two people's decision."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Organization, OrganizationEvent, User
from accounts.services import organizations as services
from tests.factories import MembershipFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

Role, Status, Action = Membership.Role, Membership.Status, OrganizationEvent.Action


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def events(organization: Organization) -> list[str]:
    return list(organization.events.order_by("id").values_list("action", flat=True))


def later_admin(organization: Organization, name: str) -> User:
    """An admin appointed after the organisation was verified (not founder-era)."""
    founder = organization.memberships.filter(role=Role.ADMIN).order_by("pk").first()
    assert founder is not None
    membership = MembershipFactory(organization=organization, user__display_name=name)
    services.membership_set_role(actor=founder.user, membership=membership, role=Role.ADMIN)
    return membership.user


# --- Self-decisions ------------------------------------------------------------------------------


def test_a_moderator_cannot_accept_their_own_request_to_join(
    alice: User, mod: User, mod_client: Client, drw: Organization
) -> None:
    request = services.membership_request(user=mod, organization=drw)
    events_before = events(drw)

    response = mod_client.post(
        reverse("accounts:membership-decide", args=[request.pk]), {"decision": "accept"}
    )

    assert response.status_code == 403
    assert (
        "You cannot decide your own request: another admin of the organisation will."
        in response.content.decode()
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (Status.REQUESTED, None)
    assert events(drw) == events_before


def test_nobody_decides_their_own_request_even_through_the_service(alice: User, drw: Organization) -> None:
    newcomer = VerifiedUserFactory()
    request = services.membership_request(user=newcomer, organization=drw)

    with pytest.raises(PermissionDenied, match="You cannot decide your own request"):
        services.membership_decide(actor=newcomer, membership=request, accept=True)

    request.refresh_from_db()
    assert request.status == Status.REQUESTED


def test_a_member_who_is_a_moderator_cannot_make_themselves_admin(
    alice: User, mod: User, mod_client: Client, drw: Organization
) -> None:
    membership = MembershipFactory(user=mod, organization=drw)

    response = mod_client.post(reverse("accounts:membership-role", args=[membership.pk]), {"role": "admin"})

    assert response.status_code == 403
    assert "You cannot change your own role" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


@pytest.mark.parametrize("action", ["role", "remove"])
def test_a_moderator_does_not_manage_members(
    action: str, alice: User, mod_client: Client, drw: Organization
) -> None:
    bob = MembershipFactory(organization=drw).user
    membership = bob.memberships.get()
    events_before = events(drw)

    if action == "role":
        response = mod_client.post(
            reverse("accounts:membership-role", args=[membership.pk]), {"role": "admin"}
        )
    else:
        response = mod_client.post(reverse("accounts:membership-remove", args=[membership.pk]))

    assert response.status_code == 403
    assert "Moderators do not manage the members of Digital Rights Watch" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER
    assert events(drw) == events_before


def test_the_moderators_takeover_of_issue_17_fails_at_every_step(
    alice: User, mod: User, mod_client: Client, drw: Organization
) -> None:
    """Join, accept oneself, make oneself admin, remove the founder: none of it works."""
    request = services.membership_request(user=mod, organization=drw)
    mod_client.post(reverse("accounts:membership-decide", args=[request.pk]), {"decision": "accept"})
    mod_client.post(reverse("accounts:membership-role", args=[request.pk]), {"role": "admin"})
    mod_client.post(reverse("accounts:membership-remove", args=[alice.memberships.get().pk]))

    request.refresh_from_db()
    assert (request.status, request.role) == (Status.REQUESTED, Role.MEMBER)
    assert alice.memberships.get().is_active_admin
    assert not drw.events.filter(action=Action.FOUNDER_CHANGE_CONFIRMED).exists()


# --- The last founder-era admin: two people ---------------------------------------------------------


def test_one_later_admin_only_proposes_to_remove_the_founder(alice: User, drw: Organization) -> None:
    rogue = later_admin(drw, "Rogue Admin")
    founder = alice.memberships.get()

    response = client_of(rogue).post(reverse("accounts:membership-remove", args=[founder.pk]), follow=True)

    assert "another admin of the organisation or a second moderator must confirm" in response.content.decode()
    founder.refresh_from_db()
    assert founder.is_active_admin
    assert (founder.change_proposed, founder.change_proposed_by) == ("remove", rogue)
    assert events(drw)[-1] == Action.FOUNDER_CHANGE_PROPOSED

    # Asking again alone does not make it two people.
    with pytest.raises(ValidationError, match="another admin of the organisation or a second moderator"):
        services.membership_remove(actor=rogue, membership=founder)
    assert Membership.objects.filter(pk=founder.pk).exists()


def test_a_second_admin_confirms_and_both_steps_are_logged(alice: User, drw: Organization) -> None:
    first, second = later_admin(drw, "First Admin"), later_admin(drw, "Second Admin")
    founder = alice.memberships.get()

    assert services.membership_remove(actor=first, membership=founder) is services.ChangeOutcome.PROPOSED
    founder.refresh_from_db()
    assert services.membership_remove(actor=second, membership=founder) is services.ChangeOutcome.DONE

    assert not Membership.objects.filter(pk=founder.pk).exists()
    assert events(drw)[-3:] == [
        Action.FOUNDER_CHANGE_PROPOSED,
        Action.FOUNDER_CHANGE_CONFIRMED,
        Action.MEMBER_REMOVED,
    ]
    confirmed = drw.events.get(action=Action.FOUNDER_CHANGE_CONFIRMED)
    assert confirmed.actor == second
    assert f"proposed by user {first.pk}" in confirmed.note


def test_two_moderators_may_remove_a_founder_one_may_not(alice: User, mod: User, drw: Organization) -> None:
    later_admin(drw, "Successor Admin")  # the organisation keeps an admin
    second_mod = VerifiedUserFactory()
    second_mod.groups.set(mod.groups.all())
    founder = alice.memberships.get()

    assert services.membership_remove(actor=mod, membership=founder) is services.ChangeOutcome.PROPOSED
    founder.refresh_from_db()
    with pytest.raises(ValidationError):
        services.membership_remove(actor=mod, membership=founder)
    assert Membership.objects.filter(pk=founder.pk).exists()

    assert services.membership_remove(actor=second_mod, membership=founder) is services.ChangeOutcome.DONE
    assert not Membership.objects.filter(pk=founder.pk).exists()


def test_demoting_the_last_founder_era_admin_takes_two_people_too(alice: User, drw: Organization) -> None:
    first, second = later_admin(drw, "First Admin"), later_admin(drw, "Second Admin")
    founder = alice.memberships.get()

    assert (
        services.membership_set_role(actor=first, membership=founder, role="member")
        is services.ChangeOutcome.PROPOSED
    )
    founder.refresh_from_db()
    assert founder.role == Role.ADMIN
    # A proposal to remove is not a confirmation of a demotion.
    assert services.membership_remove(actor=second, membership=founder) is services.ChangeOutcome.PROPOSED
    founder.refresh_from_db()
    assert founder.change_proposed == "remove"


def test_with_two_founder_era_admins_one_admin_may_remove_the_other(alice: User, drw: Organization) -> None:
    co_founder = MembershipFactory(organization=drw, role=Role.ADMIN).user  # appointed before these rules

    outcome = services.membership_remove(actor=co_founder, membership=alice.memberships.get())

    assert outcome is services.ChangeOutcome.DONE
    assert not alice.memberships.exists()


def test_the_founder_may_still_leave_of_their_own_accord(
    alice: User, alice_client: Client, drw: Organization
) -> None:
    later_admin(drw, "Successor Admin")

    response = alice_client.post(
        reverse("accounts:membership-remove", args=[alice.memberships.get().pk]), follow=True
    )

    assert "You left Digital Rights Watch." in response.content.decode()
    assert not alice.memberships.exists()


def test_an_admin_appointed_after_verification_is_not_founder_era(alice: User, drw: Organization) -> None:
    later = later_admin(drw, "Later Admin")

    assert services.is_founder_era_admin(alice.memberships.get())
    assert not services.is_founder_era_admin(later.memberships.get())
