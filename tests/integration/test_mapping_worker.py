"""The provision mapping end to end: an import queues it, a real worker on the "drafts" queue
computes it (DESIGN §3), and running it again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.integration.conftest import WorkerProcess
from tests.treaty.drafts.drafts import FIRST, SECOND, write_draft
from treaty.models import MappingRun, ProvisionMapping
from treaty.tasks import provision_mapping_task

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _rows(run: MappingRun) -> list[tuple[str, str, str, float]]:
    return list(
        ProvisionMapping.objects.filter(run=run)
        .order_by("order")
        .values_list("from_key", "to_key", "relation", "similarity")
    )


def _finished(worker: WorkerProcess) -> int:
    return sum(
        "provision_mapping_task" in line and "succeeded" in line for line in worker.output(5000).splitlines()
    )


def test_the_worker_maps_a_new_draft(celery_worker_process: WorkerProcess, tmp_path: Path) -> None:
    call_command(
        "import_treaty", str(write_draft(tmp_path, "1.md", FIRST)), "--slug", "sample", "--version", "D/1"
    )
    call_command(
        "import_treaty", str(write_draft(tmp_path, "2.md", SECOND)), "--slug", "sample", "--version", "D/2",
        "--follows", "D/1",
    )  # fmt: skip
    run = MappingRun.objects.get(to_version__label="D/2")
    celery_worker_process.wait_until(
        lambda: MappingRun.objects.get(pk=run.pk).status == MappingRun.Status.DONE, "the mapping is done"
    )
    first = _rows(run)
    assert ("art-1.2", "art-1.2", "modified") in [row[:3] for row in first]

    # A worker that died mid-run left the run "running": the task runs again from scratch, and a
    # second run of a finished mapping changes nothing.
    MappingRun.objects.filter(pk=run.pk).update(status=MappingRun.Status.RUNNING, from_sha256="")
    provision_mapping_task.delay(run.pk)
    celery_worker_process.wait_until(
        lambda: MappingRun.objects.get(pk=run.pk).status == MappingRun.Status.DONE, "the mapping is redone"
    )
    assert _rows(run) == first
    done_before = _finished(celery_worker_process)
    provision_mapping_task.delay(run.pk)
    provision_mapping_task.delay(run.pk)
    celery_worker_process.wait_until(
        lambda: _finished(celery_worker_process) >= done_before + 2, "two more runs of the task"
    )
    assert _rows(run) == first
    assert ProvisionMapping.objects.filter(run=run).count() == len(first)
