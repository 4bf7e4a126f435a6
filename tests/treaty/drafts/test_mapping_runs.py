"""Mapping runs: computed once per pair, idempotent, recomputed when asked again."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.treaty.drafts.drafts import FIRST, SECOND, write_draft
from treaty.drafts.mapping_runs import mapping_run_compute, mapping_run_ensure
from treaty.models import DraftVersion, MappingRun, ProvisionMapping

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(tmp_path: Path, django_capture_on_commit_callbacks) -> MappingRun:  # type: ignore[no-untyped-def]
    first, second = write_draft(tmp_path, "1.md", FIRST), write_draft(tmp_path, "2.md", SECOND)
    call_command("import_treaty", str(first), "--slug", "s", "--version", "D/1")
    with django_capture_on_commit_callbacks(execute=True):  # the mapping task runs after commit
        call_command("import_treaty", str(second), "--slug", "s", "--version", "D/2", "--follows", "D/1")
    return MappingRun.objects.get(to_version__label="D/2")


def _rows(run: MappingRun) -> list[tuple[object, ...]]:
    return list(
        ProvisionMapping.objects.filter(run=run)
        .order_by("order")
        .values_list("from_key", "to_key", "relation", "similarity", "diff", "from_provision", "to_provision")
    )


def test_a_run_computed_twice_changes_nothing(run: MappingRun, django_assert_max_num_queries) -> None:
    assert run.status == "done" and run.summary["relations"]["added"] == 1
    first = _rows(run)
    # Fresh: nothing recomputed (a duplicate task is a few reads).
    with django_assert_max_num_queries(3):
        mapping_run_compute(run_id=run.pk)
    assert _rows(run) == first
    # Forced (as after a worker died mid-run): the same rows again, no duplicates.
    MappingRun.objects.filter(pk=run.pk).update(status="running", to_sha256="")
    mapping_run_compute(run_id=run.pk)
    assert _rows(run) == first
    old, new = DraftVersion.objects.get(label="D/1"), DraftVersion.objects.get(label="D/2")
    assert mapping_run_ensure(from_version=old, to_version=new).pk == run.pk
    assert MappingRun.objects.count() == 1


def test_every_provision_of_both_drafts_appears(run: MappingRun) -> None:
    rows = ProvisionMapping.objects.filter(run=run)
    old_ids = set(DraftVersion.objects.get(label="D/1").provisions.values_list("id", flat=True))
    new_ids = set(DraftVersion.objects.get(label="D/2").provisions.values_list("id", flat=True))
    assert set(rows.exclude(from_provision=None).values_list("from_provision", flat=True)) == old_ids
    assert set(rows.exclude(to_provision=None).values_list("to_provision", flat=True)) == new_ids
