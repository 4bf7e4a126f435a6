"""Authors hear how their annotations were carried to a later draft (issue 15 §3)."""

from __future__ import annotations

import pytest
from django.core import mail

from annotations.carrying.tasks import anchors_carry_task
from annotations.models import CarryingRun

pytestmark = pytest.mark.django_db


def test_the_author_is_emailed_once_with_counts_per_state(carried: dict, alice) -> None:
    notices = [m for m in mail.outbox if "how your annotations were carried" in m.subject]
    assert len(notices) == 1 and notices[0].to == [alice.email]
    body = notices[0].body
    assert notices[0].subject == "D/2 follows D/1: how your annotations were carried"
    for line in ("- 2 carried over exactly", "- 2 moved", "- 1 need review", "- 1 orphaned"):
        assert line in body
    assert "/treaties/sample/?version=D%2F2&lang=en" in body and "/accounts/profile/annotations/" in body
    # Carrying the same pair again tells nobody again.
    anchors_carry_task(CarryingRun.objects.get().mapping_run_id)
    assert len([m for m in mail.outbox if "how your annotations were carried" in m.subject]) == 1


def test_my_annotations_shows_the_summary(carried: dict, alice_client, mallory_client) -> None:
    html = alice_client.get("/accounts/profile/annotations/").content.decode()
    assert "Carried to later drafts" in html
    assert "follows D/1: of your 6 annotations there, 2 carried over exactly, 2 moved, 1 need review" in html
    assert (
        "Carried to later drafts" not in mallory_client.get("/accounts/profile/annotations/").content.decode()
    )
