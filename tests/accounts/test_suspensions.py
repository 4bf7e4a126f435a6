"""Suspensions of users and organisations, and appeals (issue 17 §3)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Appeal, Membership, Organization, Suspension, SuspensionEvent, User
from accounts.services import suspensions as services
from annotations.models import Annotation, Endorsement, Flag, Reply, Status
from tests.factories import MembershipFactory, import_small_treaty

pytestmark = pytest.mark.django_db

CONSOLE = reverse("accounts:suspension-console")
APPEALS = reverse("accounts:appeal-console")
NEW_ANNOTATION = {
    "treaty": "sample",
    "provision": "art-2.1",
    "tags": ["privacy"],
    "severity": 2,
    "position": "oppose",
    "body": "A placeholder comment for the tests.",
}


def api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def events(suspension: Suspension) -> list[str]:
    return list(suspension.events.order_by("id").values_list("action", flat=True))


@pytest.fixture
def version():  # type: ignore[no-untyped-def]
    return import_small_treaty().version


@pytest.fixture
def alice_suspended(alice: User, mod: User) -> Suspension:
    return services.suspension_create(moderator=mod, user=alice, reason="Repeated personal attacks.")


# --- Suspending ------------------------------------------------------------------------------------


def test_a_moderator_suspends_a_user_from_the_console_and_the_user_is_told(
    alice: User, mod: User, mod_client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(
            CONSOLE,
            {"user_email": "alice@example.org", "reason": "Repeated personal attacks.", "ends_at": ""},
            follow=True,
        )

    assert "Suspended: Alice Activist. The account was told." in response.content.decode()
    suspension = Suspension.objects.get()
    assert (suspension.user, suspension.organization, suspension.ends_at, suspension.created_by) == (
        alice,
        None,
        None,
        mod,
    )
    assert events(suspension) == [SuspensionEvent.Action.SUSPENDED]
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "Repeated personal attacks." in mail.outbox[0].body


def test_a_suspension_without_a_reason_is_refused_and_nothing_is_written(
    alice: User, mod_client: Client
) -> None:
    response = mod_client.post(CONSOLE, {"user_email": "alice@example.org", "reason": "   "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Suspension.objects.exists()


def test_an_end_in_the_past_is_refused(alice: User, mod: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="must be in the future"):
        services.suspension_create(
            moderator=mod, user=alice, reason="x", ends_at=timezone.now() - timedelta(hours=1)
        )
    assert not Suspension.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("mallory", 403), ("mod", 200)])
@pytest.mark.parametrize("page", [CONSOLE, APPEALS])
def test_who_opens_the_moderators_pages(
    persona: str, status: int, page: str, request: pytest.FixtureRequest
) -> None:
    client: Client = request.getfixturevalue(f"{persona}_client")

    assert client.get(page).status_code == status


def test_anonymous_visitors_are_sent_to_the_login(anon: Client, alice: User) -> None:
    response = anon.post(CONSOLE, {"user_email": "alice@example.org", "reason": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Suspension.objects.exists()


def test_a_non_moderator_cannot_suspend(alice: User, mallory_client: Client) -> None:
    response = mallory_client.post(CONSOLE, {"user_email": "alice@example.org", "reason": "Revenge."})

    assert response.status_code == 403
    assert not Suspension.objects.exists()


# --- A suspended account cannot write -------------------------------------------------------------


def test_a_suspended_user_cannot_annotate_through_the_api(
    version, alice_suspended: Suspension, alice: User
) -> None:
    response = api(alice).post("/api/v1/annotations/", NEW_ANNOTATION, format="json")

    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail.startswith("Your account is suspended until a moderator lifts it, so it cannot write here.")
    assert "Reason given by the moderators: Repeated personal attacks." in detail
    assert f"/accounts/suspensions/{alice_suspended.pk}/" in detail
    assert not Annotation.objects.exists()


def test_a_suspended_user_cannot_reply_flag_or_endorse(
    version, alice: User, mallory: User, mod: User
) -> None:
    published = api(mallory).post("/api/v1/annotations/", NEW_ANNOTATION, format="json").json()
    Annotation.objects.filter(pk=published["id"]).update(status=Status.APPROVED)
    services.suspension_create(moderator=mod, user=alice, reason="Repeated personal attacks.")
    base = f"/api/v1/annotations/{published['id']}"

    answers = [
        api(alice).post(f"{base}/replies/", {"body": "x"}, format="json"),
        api(alice).post(f"{base}/flags/", {"reason": "spam"}, format="json"),
        api(alice).post(f"{base}/endorsements/", {}, format="json"),
        api(alice).patch(f"{base}/", {"body": "x"}, format="json"),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    assert all("Your account is suspended" in a.json()["detail"] for a in answers)
    assert not Reply.objects.exists() and not Flag.objects.exists() and not Endorsement.objects.exists()


def test_a_suspended_user_writing_through_the_page_is_told_why(
    version, alice: User, alice_client: Client, mallory: User, mod: User
) -> None:
    published = api(mallory).post("/api/v1/annotations/", NEW_ANNOTATION, format="json").json()
    Annotation.objects.filter(pk=published["id"]).update(status=Status.APPROVED)
    services.suspension_create(moderator=mod, user=alice, reason="Repeated personal attacks.")

    response = alice_client.post(
        reverse("annotations:reply-create", args=[published["id"]]), {"body": "A reply."}, follow=True
    )

    page = response.content.decode()
    assert "Your account is suspended until a moderator lifts it, so it cannot write here." in page
    assert "Repeated personal attacks." in page
    assert not Reply.objects.exists()


def test_a_suspended_user_cannot_create_or_join_an_organisation(
    alice_suspended: Suspension, alice: User, alice_client: Client, mallory: User
) -> None:
    create = alice_client.post(reverse("accounts:organization-create"), {"name": "New Group", "type": "ngo"})
    join = alice_client.post(reverse("accounts:organization-join", args=["mallory-monitoring"]), follow=True)

    assert create.status_code == 403
    assert "Your account is suspended" in create.content.decode()
    assert "Your account is suspended" in join.content.decode() or join.status_code == 403
    assert not Organization.objects.filter(name="New Group").exists()
    assert not Membership.objects.filter(user=alice, organization__slug="mallory-monitoring").exists()


def test_pending_items_stay_pending_and_approved_items_stay_published(
    version, alice: User, mallory: User, mod: User
) -> None:
    first = api(alice).post("/api/v1/annotations/", NEW_ANNOTATION, format="json").json()
    second = (
        api(alice)
        .post("/api/v1/annotations/", {**NEW_ANNOTATION, "body": "Another placeholder."}, format="json")
        .json()
    )
    Annotation.objects.filter(pk=first["id"]).update(status=Status.APPROVED)
    Annotation.objects.filter(pk=second["id"]).update(status=Status.PENDING)

    services.suspension_create(moderator=mod, user=alice, reason="Repeated personal attacks.")

    statuses = dict(Annotation.objects.values_list("pk", "status"))
    assert statuses == {first["id"]: Status.APPROVED, second["id"]: Status.PENDING}
    assert api(None).get(f"/api/v1/annotations/{first['id']}/").status_code == 200


def test_a_suspended_organisation_writes_through_none_of_its_members(
    version, alice: User, drw: Organization, mallory: User, mod: User
) -> None:
    bob = MembershipFactory(organization=drw, user__display_name="Bob Member").user
    suspension = services.suspension_create(moderator=mod, organization=drw, reason="Coordinated flooding.")

    for member in (alice, bob):
        response = api(member).post("/api/v1/annotations/", NEW_ANNOTATION, format="json")
        assert response.status_code == 403
        assert response.json()["detail"].startswith("Digital Rights Watch is suspended")
    assert not Annotation.objects.exists()
    # Another organisation is not affected.
    assert api(mallory).post("/api/v1/annotations/", NEW_ANNOTATION, format="json").status_code == 201
    assert suspension.is_in_force()


def test_a_suspension_that_has_ended_no_longer_stops_writes(version, alice: User, mod: User) -> None:
    suspension = services.suspension_create(
        moderator=mod, user=alice, reason="A day off.", ends_at=timezone.now() + timedelta(days=1)
    )
    assert api(alice).post("/api/v1/annotations/", NEW_ANNOTATION, format="json").status_code == 403

    Suspension.objects.filter(pk=suspension.pk).update(ends_at=timezone.now() - timedelta(seconds=1))

    assert api(alice).post("/api/v1/annotations/", NEW_ANNOTATION, format="json").status_code == 201


def test_lifting_is_logged_and_told(
    version, alice_suspended: Suspension, alice: User, mod_client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(
            reverse("accounts:suspension-lift", args=[alice_suspended.pk]),
            {"reason": "Apologised."},
            follow=True,
        )

    assert "The suspension was lifted. The account was told." in response.content.decode()
    alice_suspended.refresh_from_db()
    assert alice_suspended.lifted_at is not None and alice_suspended.lift_reason == "Apologised."
    assert events(alice_suspended) == ["suspended", "lifted"]
    assert mail.outbox[-1].subject == "The suspension of your Marginalia account was lifted"
    assert api(alice).post("/api/v1/annotations/", NEW_ANNOTATION, format="json").status_code == 201


# --- Appeals -------------------------------------------------------------------------------------------


def detail(suspension: Suspension) -> str:
    return reverse("accounts:suspension-detail", args=[suspension.pk])


def test_the_account_reads_the_reason_and_appeals_once(
    alice_suspended: Suspension, alice_client: Client
) -> None:
    page = alice_client.get(detail(alice_suspended)).content.decode()
    assert "Repeated personal attacks." in page
    assert "Appeal this decision" in page
    assert detail(alice_suspended) in alice_client.get(reverse("accounts:profile")).content.decode()

    sent = alice_client.post(
        detail(alice_suspended), {"body": "It was a quotation, not an attack."}, follow=True
    )

    assert "Your appeal was sent." in sent.content.decode()
    appeal = Appeal.objects.get()
    assert (appeal.suspension, appeal.status) == (alice_suspended, Appeal.Status.PENDING)
    assert events(alice_suspended) == ["suspended", "appealed"]

    again = alice_client.post(detail(alice_suspended), {"body": "Please look again."})

    assert again.status_code == 400
    assert "This decision was already appealed: each decision can be appealed once." in again.content.decode()
    assert Appeal.objects.count() == 1
    assert Appeal.objects.get().body == "It was a quotation, not an attack."
    assert events(alice_suspended) == ["suspended", "appealed"]


def test_an_appeal_on_a_decision_that_is_not_ones_own_is_refused(
    alice_suspended: Suspension, mallory_client: Client
) -> None:
    response = mallory_client.post(detail(alice_suspended), {"body": "Let me appeal for her."})

    assert response.status_code == 403
    assert "This decision is not about your account." in response.content.decode()
    assert not Appeal.objects.exists()
    # The service says the same to a caller that skips the page.
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="This decision is not about your account"):
        services.appeal_create(
            appellant=User.objects.get(email="mallory@example.net"), suspension=alice_suspended, body="x"
        )
    assert not Appeal.objects.exists()


def test_only_an_admin_appeals_for_a_suspended_organisation(
    alice: User, drw: Organization, mod: User
) -> None:
    from django.core.exceptions import PermissionDenied

    bob = MembershipFactory(organization=drw).user
    suspension = services.suspension_create(moderator=mod, organization=drw, reason="Coordinated flooding.")

    with pytest.raises(PermissionDenied):
        services.appeal_create(appellant=bob, suspension=suspension, body="We did not.")
    appeal = services.appeal_create(appellant=alice, suspension=suspension, body="We did not.")

    assert appeal.appellant == alice


def test_a_moderator_decides_an_appeal_and_the_account_is_told(
    version,
    alice_suspended: Suspension,
    alice: User,
    alice_client: Client,
    mod: User,
    mod_client: Client,
    django_capture_on_commit_callbacks,
) -> None:
    appeal = services.appeal_create(appellant=alice, suspension=alice_suspended, body="It was a quotation.")
    assert f"Appeal {appeal.pk}" in mod_client.get(APPEALS).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(
            reverse("accounts:appeal-decide", args=[appeal.pk]),
            {"decision": "grant", "reason": "The quotation was clear from context."},
            follow=True,
        )

    assert "The appeal was decided. The account was told." in response.content.decode()
    appeal.refresh_from_db()
    alice_suspended.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == (Appeal.Status.GRANTED, mod)
    assert alice_suspended.lifted_at is not None
    assert events(alice_suspended) == ["suspended", "appealed", "appeal_granted"]
    assert mail.outbox[-1].subject == "Your appeal was granted: the suspension is lifted"
    assert (
        "The quotation was clear from context." in alice_client.get(detail(alice_suspended)).content.decode()
    )
    assert api(alice).post("/api/v1/annotations/", NEW_ANNOTATION, format="json").status_code == 201


def test_an_upheld_appeal_keeps_the_suspension(alice_suspended: Suspension, alice: User, mod: User) -> None:
    appeal = services.appeal_create(appellant=alice, suspension=alice_suspended, body="Please.")

    services.appeal_decide(moderator=mod, appeal=appeal, grant=False, reason="The attacks were clear.")

    alice_suspended.refresh_from_db()
    assert alice_suspended.is_in_force()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already decided"):
        services.appeal_decide(moderator=mod, appeal=appeal, grant=True, reason="Changed my mind.")
