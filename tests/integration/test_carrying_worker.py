"""Carrying end to end on the EU AI Act drafts: a real worker on the "drafts" queue maps the
general approach to the French Presidency text and carries the annotations written on the latter
(DESIGN §4); running the task again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from annotations.carrying.tasks import anchors_carry_task
from annotations.models import AnchorResolution, CarryingRun
from annotations.services import QuoteInput, annotation_create
from tests.integration.conftest import WorkerProcess
from treaty.models import DraftVersion, Provision

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

AI_ACT = Path(__file__).resolve().parents[3] / "shared" / "data" / "eu_ai_act"


def _resolutions() -> list[tuple]:
    return sorted(
        AnchorResolution.objects.values_list(
            "target_id", "provision_id", "start", "end", "state", "confidence"
        )
    )


def test_the_worker_carries_annotations_across_the_ai_act_drafts(
    celery_worker_process: WorkerProcess, alice: User
) -> None:
    french = next(AI_ACT.glob("03_*.md"))
    general = next(AI_ACT.glob("04_*.md"))
    call_command("import_treaty", str(french), "--slug", "ai-act", "--version", "FR", "--allow-gaps")
    earlier = DraftVersion.objects.get(label="FR")
    # Quotes taken from the imported text (never typed by hand): the first words of some paragraphs.
    provisions = list(
        Provision.objects.filter(version=earlier, article__kind="article").exclude(text="").order_by("order")
    )[:200:20]
    for n, provision in enumerate(provisions):
        words = provision.text.split()[:4]
        annotation_create(
            author=alice, version=earlier, provision_key=provision.key, tags=["privacy"], severity=2,
            position="concern", body=f"Placeholder comment {n}.",
            quote=QuoteInput(exact=" ".join(words)) if n % 2 and " ".join(words) in provision.text else None,
        )  # fmt: skip
    call_command("import_treaty", str(general), "--slug", "ai-act", "--version", "GA", "--follows", "FR")
    celery_worker_process.wait_until(
        lambda: CarryingRun.objects.filter(status=CarryingRun.Status.DONE).exists(),
        "the carrying is done",
        240,
    )
    run = CarryingRun.objects.get()
    assert (run.total, run.done) == (len(provisions), len(provisions))
    carried = _resolutions()
    assert len(carried) == len(provisions)
    assert {state for *_, state, _ in carried} <= {"exact", "moved", "fuzzy", "needs_review", "orphaned"}

    anchors_carry_task.delay(run.mapping_run_id)
    celery_worker_process.wait_until(
        lambda: CarryingRun.objects.get(pk=run.pk).finished_at != run.finished_at,
        "the carrying ran again",
        120,
    )
    assert _resolutions() == carried
    assert CarryingRun.objects.get(pk=run.pk).changed == 0
