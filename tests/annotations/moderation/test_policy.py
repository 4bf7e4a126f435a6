"""A draft's moderation policy, set in the moderation console and logged (issue 14 §3)."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.models import ModerationEvent
from annotations.moderation.policy import draft_policy_set
from annotations.services import annotation_create
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db

DRAFTS = "/moderation/drafts/"


def _policy_url(version: DraftVersion) -> str:
    return f"/moderation/drafts/{version.pk}/policy/"


def _policy(version: DraftVersion) -> tuple[str, bool, bool]:
    version.refresh_from_db()
    return version.moderation, version.verified_skip_queue, version.open_for_comment


def test_a_moderator_sets_pre_moderation_and_it_is_logged_and_applied(
    version, mod, mod_client, alice
) -> None:
    assert _policy(version) == ("post", True, True)
    page = mod_client.get(DRAFTS)
    assert page.status_code == 200 and f'id="draft-{version.pk}"' in page.content.decode()
    response = mod_client.post(_policy_url(version), {"moderation": "pre", "open_for_comment": "on"})
    assert response.status_code == 302 and response["Location"].endswith(f"#draft-{version.pk}")
    assert _policy(version) == ("pre", False, True)
    event = ModerationEvent.objects.get(action="policy")
    assert event.version_id == version.pk and event.actor_id == mod.pk
    assert "was moderation: post" in event.reason and "now moderation: pre" in event.reason
    # What comes next follows it: alice's verified organisation no longer skips the queue.
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Held for a moderator now.",
    )
    assert annotation.status == "pending"
    # The audit log shows it, on the page and in the CSV.
    log = mod_client.get("/moderation/log/?action=policy").content.decode()
    assert "draft policy" in log and f"#draft-{version.pk}" in log
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(mod_client.get("/moderation/log.csv").streaming_content).decode())
        )
    )
    assert rows[0]["action"] == "policy" and rows[0]["item"] == f"draft version {version.pk}"


def test_saving_the_same_policy_logs_nothing(version, mod_client) -> None:
    response = mod_client.post(
        _policy_url(version), {"moderation": "post", "verified_skip_queue": "on", "open_for_comment": "on"}
    )
    assert response.status_code == 302 and not ModerationEvent.objects.exists()


def test_an_unknown_policy_is_refused_and_nothing_changes(version, mod, mod_client) -> None:
    response = mod_client.post(_policy_url(version), {"moderation": "anarchy", "open_for_comment": ""})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert _policy(version) == ("post", True, True) and not ModerationEvent.objects.exists()
    with pytest.raises(ValidationError, match="Unknown moderation policy “anarchy”"):
        draft_policy_set(
            moderator=mod,
            version=version,
            moderation="anarchy",
            verified_skip_queue=True,
            open_for_comment=False,
        )
    assert _policy(version) == ("post", True, True) and not ModerationEvent.objects.exists()


def test_only_moderators_set_a_policy(version, alice, alice_client, mallory_client, client) -> None:
    for persona in (alice_client, mallory_client):
        assert persona.get(DRAFTS).status_code == 403
        assert persona.post(_policy_url(version), {"moderation": "pre"}).status_code == 403
    assert client.get(DRAFTS).status_code == 302  # anonymous: to the log-in page
    assert client.post(_policy_url(version), {"moderation": "pre"}).status_code == 302
    with pytest.raises(PermissionDenied):
        draft_policy_set(
            moderator=alice,
            version=version,
            moderation="pre",
            verified_skip_queue=False,
            open_for_comment=True,
        )
    assert _policy(version) == ("post", True, True) and not ModerationEvent.objects.exists()


def test_unknown_draft_is_404(mod_client) -> None:
    assert mod_client.post("/moderation/drafts/999999/policy/", {"moderation": "pre"}).status_code == 404


def test_a_suspended_moderator_can_neither_decide_nor_set_a_policy(version, mod, alice) -> None:
    """A suspended account cannot write (issue 17 §3): a moderator's decisions are writes too."""
    from django.contrib.auth.models import Group

    from accounts.models import MODERATORS_GROUP
    from accounts.services.suspensions import suspension_create
    from annotations.moderation.services import moderate
    from tests.factories import VerifiedUserFactory

    other = VerifiedUserFactory(display_name="Second moderator")
    other.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    suspension_create(moderator=other, user=mod, reason="Decisions under review.")
    pending = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Waiting.",
    )
    with pytest.raises(PermissionDenied, match="Decisions under review"):
        moderate(item=pending, moderator=mod, action="spam")
    with pytest.raises(PermissionDenied, match="Decisions under review"):
        draft_policy_set(
            moderator=mod, version=version, moderation="pre", verified_skip_queue=False, open_for_comment=True
        )
    pending.refresh_from_db()
    assert pending.status == "approved" and _policy(version) == ("post", True, True)
    assert not ModerationEvent.objects.filter(actor=mod).exists()


def test_a_moderator_announces_the_last_day_for_comments(version, mod_client) -> None:
    response = mod_client.post(
        _policy_url(version),
        {
            "moderation": "post",
            "verified_skip_queue": "on",
            "open_for_comment": "on",
            "comment_deadline": "2027-03-31",
        },
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.comment_deadline.isoformat() == "2027-03-31"
    assert "comments until: 2027-03-31" in ModerationEvent.objects.get(action="policy").reason
    bad = mod_client.post(_policy_url(version), {"moderation": "post", "comment_deadline": "31/03/2027x"})
    assert bad.status_code == 400 and "Enter a valid date" in bad.content.decode()
    version.refresh_from_db()
    assert version.comment_deadline.isoformat() == "2027-03-31"
