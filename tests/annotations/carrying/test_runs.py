"""Carrying the annotations of a draft to the draft that follows it, on the database (DESIGN §4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import User
from annotations.carrying.runs import carrying_run_execute
from annotations.models import AnchorResolution, CarryingRun, Target
from tests.annotations.carrying.drafts import LATER, QUOTES, import_draft
from treaty.models import MappingRun

pytestmark = pytest.mark.django_db


def _state(rows: list[AnchorResolution]) -> list[tuple]:
    return sorted((r.target_id, r.provision_id, r.start, r.end, r.state, r.confidence, r.exact) for r in rows)


def test_every_target_is_carried_with_its_state_and_the_target_is_untouched(carried: dict) -> None:
    second = carried["second"]
    for key, exact, state in QUOTES:
        annotation = carried["annotations"][(key, exact)]
        resolution = AnchorResolution.objects.get(target=annotation.target, version=second)
        assert resolution.state == state, (key, exact, resolution)
        assert resolution.annotation_id == annotation.pk
        assert resolution.from_version_id == carried["first"].pk
        if state == "orphaned":
            assert resolution.provision_id is None and resolution.confidence == 0
        else:
            assert resolution.provision.version_id == second.pk
            assert resolution.article_id == resolution.provision.article_id
        if state in ("exact", "moved") and exact:
            assert resolution.provision.text[resolution.start : resolution.end] == exact
    moved = AnchorResolution.objects.get(
        target=carried["annotations"][("art-2.1", "duties of each party")].target
    )
    assert moved.provision_key == "art-5.1"
    review = AnchorResolution.objects.get(target=carried["annotations"][("art-1.2", "about terms")].target)
    assert review.candidates and 0.6 <= review.confidence < 0.85
    # The targets (what the commenters read) are never rewritten.
    assert list(Target.objects.order_by("pk").values()) == carried["targets"]
    run = CarryingRun.objects.get(mapping_run__to_version=second)
    assert (run.status, run.total, run.done, run.percent) == ("done", len(QUOTES), len(QUOTES), 100)


def test_carrying_the_same_pair_twice_changes_nothing(carried: dict) -> None:
    mapping_run = MappingRun.objects.get(to_version=carried["second"])
    before = _state(list(AnchorResolution.objects.all()))
    count = AnchorResolution.objects.count()
    stamps = list(AnchorResolution.objects.order_by("pk").values_list("pk", "resolved_at"))
    run = carrying_run_execute(mapping_run_id=mapping_run.pk)
    assert (run.status, run.changed, run.total) == ("done", 0, 0)  # nothing new to carry
    # Even a full carry again (as after a change of the rules) writes no row.
    CarryingRun.objects.filter(pk=run.pk).update(fingerprint="")
    run = carrying_run_execute(mapping_run_id=mapping_run.pk, batch_size=2)
    assert (run.status, run.changed, run.total) == ("done", 0, len(QUOTES))
    assert AnchorResolution.objects.count() == count
    assert _state(list(AnchorResolution.objects.all())) == before
    assert list(AnchorResolution.objects.order_by("pk").values_list("pk", "resolved_at")) == stamps


def test_a_run_that_died_mid_way_resumes_after_its_last_batch(carried: dict) -> None:
    mapping_run = MappingRun.objects.get(to_version=carried["second"])
    before = _state(list(AnchorResolution.objects.all()))
    # The worker died after the first two targets: their resolutions were written, the rest lost.
    targets = sorted(r.target_id for r in AnchorResolution.objects.all())
    AnchorResolution.objects.filter(target_id__in=targets[2:]).delete()
    CarryingRun.objects.filter(mapping_run=mapping_run).update(
        status="running", cursor=targets[1], done=2, total=len(targets), carries_all=True, changed=0
    )
    run = carrying_run_execute(mapping_run_id=mapping_run.pk, batch_size=2)
    assert (run.status, run.done, run.changed) == ("done", len(targets), len(targets) - 2)
    assert _state(list(AnchorResolution.objects.all())) == before


def test_a_persons_decision_is_never_overwritten(carried: dict, mod: User) -> None:
    mapping_run = MappingRun.objects.get(to_version=carried["second"])
    review = AnchorResolution.objects.get(state="needs_review")
    AnchorResolution.objects.filter(pk=review.pk).update(state="confirmed", confidence=1.0, resolved_by=mod)
    CarryingRun.objects.filter(mapping_run=mapping_run).update(fingerprint="")
    carrying_run_execute(mapping_run_id=mapping_run.pk)
    review.refresh_from_db()
    assert (review.state, review.resolved_by_id) == ("confirmed", mod.pk)


def test_a_third_draft_carries_what_was_carried_to_the_second(
    carried: dict, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    third_text = dict(LATER)
    third_text["5"] = [
        "Gamma placeholder sentence about the duties of each party.",
        "Delta placeholder sentence on records.",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        third = import_draft(tmp_path, "D/3", third_text, "--follows", "D/2", "--allow-gaps")
    annotation = carried["annotations"][("art-2.1", "duties of each party")]
    resolution = AnchorResolution.objects.get(target=annotation.target, version=third)
    assert (resolution.state, resolution.provision_key, resolution.from_version_id) == (
        "moved",
        "art-5.1",
        carried["second"].pk,
    )
    orphan = carried["annotations"][("art-4", "deletes outright")]
    assert not AnchorResolution.objects.filter(target=orphan.target, version=third).exists()


def test_moderators_see_the_progress_of_carrying_on_the_drafts_page(
    carried: dict, mod_client, alice_client
) -> None:
    page = mod_client.get("/moderation/drafts/")
    assert page.status_code == 200
    html = page.content.decode()
    second = carried["second"]
    assert f'id="carrying-{second.pk}"' in html
    assert f"Annotations carried from D/1</label>: {len(QUOTES)} of {len(QUOTES)} (100 %), done" in html
    assert "needs_review: 1" in html and "orphaned: 1" in html
    assert alice_client.get("/moderation/drafts/").status_code in (302, 403)
