"""The carrying tests' drafts: D/1 with annotations (tests.annotations.carrying.drafts), then D/2."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import User
from annotations.models import Target
from tests.annotations.carrying.drafts import EARLIER, LATER, QUOTES, annotate, import_draft


@pytest.fixture
def carried(tmp_path: Path, alice: User, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        first = import_draft(tmp_path, "D/1", EARLIER)
    annotations = {(key, exact): annotate(alice, first, key, exact) for key, exact, _ in QUOTES}
    targets_before = list(Target.objects.order_by("pk").values())
    # Importing the next draft maps it (a task) and the mapping's end carries the annotations.
    with django_capture_on_commit_callbacks(execute=True):
        second = import_draft(tmp_path, "D/2", LATER, "--follows", "D/1", "--allow-gaps")
    return {"first": first, "second": second, "annotations": annotations, "targets": targets_before}
