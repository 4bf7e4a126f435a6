"""Two moderators decide on the same item at the same moment: exactly one wins, the other gets 409."""

import threading

import pytest
from django.db import connection

from annotations.models import Annotation, ModerationEvent
from annotations.moderation.services import ModerationConflict, moderate
from annotations.services import annotation_create
from tests.factories import import_small_treaty


@pytest.mark.django_db(transaction=True)
def test_two_moderators_at_once(alice, mod) -> None:
    from django.contrib.auth.models import Group

    from accounts.models import MODERATORS_GROUP
    from tests.factories import VerifiedUserFactory

    version = import_small_treaty().version
    version.moderation, version.verified_skip_queue = "pre", False
    version.save()
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-3",
        tags=["privacy"],
        severity=2,
        position="concern",
        body="Race me.",
    )
    second_mod = VerifiedUserFactory(display_name="Second Moderator")
    second_mod.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(moderator, action: str) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            moderate(
                item=Annotation.objects.get(pk=annotation.pk),
                moderator=moderator,
                action=action,
                reason="Off topic." if action == "reject" else "",
                expected_status="pending",
            )
            outcomes[action] = "won"
        except ModerationConflict as conflict:
            outcomes[action] = f"conflict: {conflict}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(mod, "approve")),
        threading.Thread(target=act, args=(second_mod, "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["conflict", "won"], outcomes
    winner = next(action for action, outcome in outcomes.items() if outcome == "won")
    final = Annotation.objects.get(pk=annotation.pk)
    assert final.status == {"approve": "approved", "reject": "rejected"}[winner]
    assert ModerationEvent.objects.filter(annotation=annotation).count() == 1
    loser = next(outcome for outcome in outcomes.values() if outcome != "won")
    assert "Someone decided first" in loser
