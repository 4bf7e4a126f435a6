"""Organisations: creation, moderator verification, the public page and what it never shows."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import Membership, Organization, OrganizationEvent, User
from accounts.services.organizations import organization_create, organization_unverify, organization_verify
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("accounts:organization-create")
LIST = reverse("accounts:organization-list")
CONSOLE = reverse("accounts:organization-verification")

NEW_ORG = {
    "name": "  Open  Net   Collective ",
    "type": "ngo",
    "country": "KE",
    "website": "https://opennet.example/",
    "description": "Digital rights in East Africa.",
}


def detail(slug: str) -> str:
    return reverse("accounts:organization-detail", args=[slug])


def verify_url(organization: Organization) -> str:
    return reverse("accounts:organization-verify", args=[organization.slug])


# --- Creating ------------------------------------------------------------------------------------


def test_a_verified_user_creates_an_unverified_organisation_and_becomes_its_admin(
    mallory: User, mallory_client: Client
) -> None:
    response = mallory_client.post(CREATE, NEW_ORG, follow=True)

    organization = Organization.objects.get(name="Open Net Collective")
    assert response.redirect_chain == [(detail("open-net-collective"), 302)]
    page = response.content.decode()
    assert "Open Net Collective was created. A moderator will verify it." in page
    assert "Not verified yet" in page
    assert not organization.is_verified
    assert (organization.type, organization.country.code, organization.website) == (
        "ngo",
        "KE",
        "https://opennet.example/",
    )
    assert organization.created_by == mallory
    membership = Membership.objects.get(organization=organization)
    assert (membership.user, membership.role, membership.status) == (mallory, "admin", "active")
    assert list(organization.events.values_list("action", "actor")) == [("created", mallory.pk)]


@pytest.mark.parametrize("name", ["digital rights watch", "DIGITAL RIGHTS WATCH", " Digital   Rights Watch "])
def test_a_duplicate_name_in_another_case_is_refused_with_a_message(
    drw: Organization, mallory: User, mallory_client: Client, name: str
) -> None:
    before = Organization.objects.count()

    response = mallory_client.post(CREATE, {**NEW_ORG, "name": name})

    assert response.status_code == 400
    page = response.content.decode()
    assert "already exists" in page, page
    assert "ask to join it instead" in page
    assert "Constraint" not in page
    assert Organization.objects.count() == before
    assert not Membership.objects.filter(user=mallory, organization=drw).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        (
            "type",
            "secret_service",
            "Select a valid choice. secret_service is not one of the available choices.",
        ),
        ("country", "XX", "Select a valid choice. XX is not one of the available choices."),
        ("website", "not a url", "Enter a valid URL."),
    ],
)
def test_bad_organisation_fields_are_refused_with_a_message(
    mallory_client: Client, field: str, value: str, message: str
) -> None:
    before = Organization.objects.count()

    response = mallory_client.post(CREATE, {**NEW_ORG, field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Organization.objects.count() == before


def test_an_unverified_user_cannot_create_an_organisation(db: None) -> None:
    newcomer = UserFactory()
    client = Client()
    client.force_login(newcomer)

    response = client.post(CREATE, NEW_ORG)

    assert response.status_code == 403
    assert not Organization.objects.exists()


def test_creating_needs_a_login(anon: Client) -> None:
    response = anon.post(CREATE, NEW_ORG)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Organization.objects.exists()


@pytest.mark.parametrize(
    ("name", "slug"), [("New", "new-organisation"), ("Verification", "verification-organisation")]
)
def test_a_name_that_would_shadow_a_page_gets_another_slug(mallory: User, name: str, slug: str) -> None:
    organization = organization_create(creator=mallory, name=name, type="ngo")

    assert organization.slug == slug


def test_names_that_slugify_alike_get_distinct_slugs(mallory: User, mod: User) -> None:
    first = organization_create(creator=mallory, name="Privacy First!", type="ngo")
    second = organization_create(creator=mod, name="Privacy: First", type="ngo")

    assert (first.slug, second.slug) == ("privacy-first", "privacy-first-2")


def test_a_name_in_arabic_script_gets_a_working_page(mallory: User, anon: Client) -> None:
    organization = organization_create(creator=mallory, name="منظمة الحقوق الرقمية", type="ngo")

    response = anon.get(detail(organization.slug))

    assert response.status_code == 200
    assert "منظمة الحقوق الرقمية" in response.content.decode()


# --- Verifying ----------------------------------------------------------------------------------


@pytest.fixture
def open_net(mallory: User) -> Organization:
    return organization_create(creator=mallory, name="Open Net Collective", type="ngo")


def test_a_moderator_verifies_with_a_note_that_is_logged(
    mod: User, mod_client: Client, open_net: Organization
) -> None:
    response = mod_client.post(
        verify_url(open_net), {"note": "Checked the Kenyan NGO registry."}, follow=True
    )

    assert response.redirect_chain == [(CONSOLE, 302)]
    assert "Open Net Collective is now verified." in response.content.decode()
    open_net.refresh_from_db()
    assert open_net.is_verified
    assert open_net.verified_by == mod
    assert open_net.verification_note == "Checked the Kenyan NGO registry."
    event = open_net.events.get(action=OrganizationEvent.Action.VERIFIED)
    assert (event.actor, event.note) == (mod, "Checked the Kenyan NGO registry.")


def test_verifying_from_the_public_page_returns_to_it(mod_client: Client, open_net: Organization) -> None:
    response = mod_client.post(verify_url(open_net), {"note": "Phoned them.", "back": "detail"})

    assert response["Location"] == detail(open_net.slug)


@pytest.mark.parametrize("note", ["", "   "])
def test_verifying_without_a_note_is_refused_and_changes_nothing(
    mod_client: Client, open_net: Organization, note: str
) -> None:
    response = mod_client.post(verify_url(open_net), {"note": note}, follow=True)

    assert "Say how the organisation was verified: the note is required." in response.content.decode()
    open_net.refresh_from_db()
    assert not open_net.is_verified
    assert not open_net.events.filter(action=OrganizationEvent.Action.VERIFIED).exists()


@pytest.mark.parametrize("persona", ["alice_client", "mallory_client"])
def test_only_moderators_verify(persona: str, request: pytest.FixtureRequest, open_net: Organization) -> None:
    client: Client = request.getfixturevalue(persona)

    response = client.post(verify_url(open_net), {"note": "I say so."})

    assert response.status_code == 403
    open_net.refresh_from_db()
    assert not open_net.is_verified
    assert not open_net.events.filter(action=OrganizationEvent.Action.VERIFIED).exists()


def test_anonymous_verification_is_sent_to_the_login(anon: Client, open_net: Organization) -> None:
    response = anon.post(verify_url(open_net), {"note": "x"})

    assert response.status_code == 302
    open_net.refresh_from_db()
    assert not open_net.is_verified


def test_the_services_refuse_non_moderators_with_a_message(mallory: User, open_net: Organization) -> None:
    with pytest.raises(PermissionDenied, match=r"^Only moderators can verify organisations\.$"):
        organization_verify(organization=open_net, moderator=mallory, note="mine")
    with pytest.raises(PermissionDenied):
        organization_unverify(organization=open_net, moderator=mallory, note="mine")
    open_net.refresh_from_db()
    assert not open_net.is_verified


def test_withdrawing_a_verification_needs_a_note_and_is_logged(mod: User, drw: Organization) -> None:
    with pytest.raises(ValidationError) as caught:
        organization_unverify(organization=drw, moderator=mod, note=" ")
    assert caught.value.message_dict == {
        "note": ["Say why the verification is withdrawn (the note is logged)."]
    }
    drw.refresh_from_db()
    assert drw.is_verified

    organization_unverify(organization=drw, moderator=mod, note="Registry lapsed.")

    drw.refresh_from_db()
    assert not drw.is_verified
    assert drw.events.get(action="unverified").note == "Registry lapsed."


def test_the_console_lists_what_waits_and_what_was_recently_verified(
    mod_client: Client, open_net: Organization, drw: Organization
) -> None:
    page = mod_client.get(CONSOLE).content.decode()

    waiting, _sep, recent = page.partition("Recently verified")
    assert "Open Net Collective" in waiting
    assert "Mallory Monitoring" in waiting
    assert "Digital Rights Watch" not in waiting
    assert "Digital Rights Watch" in recent


# --- The public page ----------------------------------------------------------------------------


def test_the_public_page_shows_the_verified_badge(anon: Client, drw: Organization) -> None:
    page = anon.get(detail(drw.slug)).content.decode()

    assert '<span class="badge badge-verified">Verified' in page
    assert "Not verified yet" not in page
    assert "Germany" in page
    assert "https://example.org/" in page


def test_the_public_page_of_an_unverified_organisation_says_so(anon: Client, open_net: Organization) -> None:
    page = anon.get(detail(open_net.slug)).content.decode()

    assert "Not verified yet" in page
    assert "badge-verified" not in page


def test_the_badge_appears_once_a_moderator_verifies(
    alice_client: Client, mod: User, mallory: User, open_net: Organization
) -> None:
    assert "Not verified yet" in alice_client.get(detail(open_net.slug)).content.decode()

    organization_verify(organization=open_net, moderator=mod, note="Registry.")

    assert "badge-verified" in alice_client.get(detail(open_net.slug)).content.decode()


@pytest.mark.parametrize("viewer", ["anon", "mallory_client"])
def test_the_public_page_never_lists_members_who_did_not_opt_in(
    alice: User, drw: Organization, viewer: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(viewer)
    MembershipFactory(organization=drw, user__display_name="Quiet Quentin")

    page = client.get(detail(drw.slug)).content.decode()

    assert "Alice Activist" not in page
    assert "Quiet Quentin" not in page
    assert "alice@example.org" not in page
    assert "Members who chose to be listed" not in page


def test_a_member_who_opted_in_is_listed_and_nobody_else(
    alice: User, alice_client: Client, drw: Organization
) -> None:
    MembershipFactory(organization=drw, user__display_name="Quiet Quentin")
    MembershipFactory(
        organization=drw,
        user__display_name="Pending Pat",
        status=Membership.Status.REQUESTED,
        listed_publicly=True,
    )
    membership = alice.memberships.get()

    response = alice_client.post(
        reverse("accounts:membership-listing", args=[membership.pk]), {"listed": "1"}, follow=True
    )

    assert "Your choice was saved." in response.content.decode()
    page = Client().get(detail(drw.slug)).content.decode()
    assert "Members who chose to be listed" in page
    assert "<li>Alice Activist</li>" in page
    assert "Quiet Quentin" not in page
    assert "Pending Pat" not in page  # not a member yet
    assert "alice@example.org" not in page

    # And she can take it back.
    alice_client.post(reverse("accounts:membership-listing", args=[membership.pk]), {"listed": "0"})
    assert "Alice Activist" not in Client().get(detail(drw.slug)).content.decode()


def test_mallory_cannot_list_alice(alice: User, mallory_client: Client, drw: Organization) -> None:
    membership = alice.memberships.get()

    response = mallory_client.post(
        reverse("accounts:membership-listing", args=[membership.pk]), {"listed": "1"}
    )

    assert response.status_code == 403
    membership.refresh_from_db()
    assert not membership.listed_publicly


def test_an_unknown_organisation_is_a_404(anon: Client) -> None:
    assert anon.get(detail("no-such-organisation")).status_code == 404


def test_the_list_shows_badges_and_finds_by_name(anon: Client, drw: Organization, mallory: User) -> None:
    page = anon.get(LIST).content.decode()
    assert "Digital Rights Watch" in page
    assert "Mallory Monitoring" in page

    found = anon.get(LIST, {"q": "rights"}).content.decode()
    assert "Digital Rights Watch" in found
    assert "Mallory Monitoring" not in found
    assert (
        "No organisation matches “nothing-like-it”."
        in anon.get(LIST, {"q": "nothing-like-it"}).content.decode()
    )


# --- Query budgets ------------------------------------------------------------------------------


def many_organisations(count: int) -> None:
    for n in range(count):
        organization = OrganizationFactory(name=f"Budget Org {n}", verified=n % 2 == 1)
        MembershipFactory.create_batch(2, organization=organization)


@pytest.mark.parametrize("count", [1, 12])
def test_the_organisation_list_has_a_query_budget(
    anon: Client, django_assert_max_num_queries: DjangoAssertNumQueries, count: int
) -> None:
    many_organisations(count)

    with django_assert_max_num_queries(3):
        response = anon.get(LIST)

    assert response.content.decode().count("Budget Org") == count


@pytest.mark.parametrize("count", [1, 12])
def test_the_verification_console_has_a_query_budget(
    mod_client: Client, django_assert_max_num_queries: DjangoAssertNumQueries, count: int
) -> None:
    many_organisations(count)

    with django_assert_max_num_queries(6):
        response = mod_client.get(CONSOLE)

    assert response.status_code == 200
    waiting = (count + 1) // 2  # the even-numbered ones are unverified
    assert response.content.decode().count("· 2 members ·") == waiting


def test_the_public_page_has_a_query_budget(
    alice_client: Client, drw: Organization, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    MembershipFactory.create_batch(10, organization=drw, listed_publicly=True)

    with django_assert_max_num_queries(8):
        response = alice_client.get(detail(drw.slug))

    assert response.content.decode().count("<li>") >= 10
