"""import_treaty --follows / --date / --current / --allow-gaps, and the bad input each refuses."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.treaty.drafts.drafts import FIRST, SECOND, write_draft
from treaty.models import DraftVersion, MappingRun, Provision, ProvisionMapping, Treaty

pytestmark = pytest.mark.django_db


def _import(path: Path, label: str, *args: str, slug: str = "sample") -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_treaty", str(path), "--slug", slug, "--version", label, *args, stdout=out)
    return out.getvalue()


def _snapshot() -> tuple[object, ...]:
    """Everything an import may write, to check that a refused one wrote nothing."""
    return (
        sorted(
            DraftVersion.objects.values_list(
                "treaty__slug", "label", "language", "is_current", "status", "follows"
            )
        ),
        Provision.objects.count(),
        sorted(MappingRun.objects.values_list("from_version__label", "to_version__label", "status")),
        ProvisionMapping.objects.count(),
        Treaty.objects.count(),
    )


@pytest.fixture
def first(tmp_path: Path) -> Path:
    path = write_draft(tmp_path, "first.md", FIRST)
    _import(path, "D/1", "--date", "2024-01-10")
    return path


def test_a_draft_follows_another_and_is_mapped(
    first: Path, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    second = write_draft(tmp_path, "second.md", SECOND)
    with django_capture_on_commit_callbacks(execute=True):
        out = _import(second, "D/2", "--follows", "D/1", "--date", "2024-03-01")
    assert "follows D/1" in out
    new = DraftVersion.objects.get(label="D/2")
    assert new.follows == "D/1" and new.date == datetime.date(2024, 3, 1)
    # Not current unless asked: the earlier draft stays open for comment.
    assert not new.is_current and DraftVersion.objects.get(label="D/1").is_current
    run = MappingRun.objects.get(to_version=new)
    assert run.status == MappingRun.Status.DONE
    relations = dict(ProvisionMapping.objects.filter(run=run).values_list("to_key", "relation"))
    assert (
        relations["art-1.2"] == "modified" and relations["art-2a"] == "added" and relations["art-3"] == "same"
    )


def test_current_supersedes_the_draft_it_follows(first: Path, tmp_path: Path) -> None:
    second = write_draft(tmp_path, "second.md", SECOND)
    out = _import(second, "D/2", "--follows", "D/1", "--current")
    assert "now the current draft" in out
    old, new = DraftVersion.objects.get(label="D/1"), DraftVersion.objects.get(label="D/2")
    assert new.is_current and new.status == "draft"
    assert not old.is_current and old.status == "superseded"
    assert MappingRun.objects.get(to_version=new).status == MappingRun.Status.DONE


def test_article_numbers_as_printed(first: Path, tmp_path: Path) -> None:
    second = write_draft(tmp_path, "second.md", SECOND)
    _import(second, "D/2", "--follows", "D/1")
    article = Provision.objects.get(version__label="D/2", key="art-2a")
    assert article.number == "2a" and article.label == "Article 2a"


def test_follows_an_unknown_label_is_refused(first: Path, tmp_path: Path) -> None:
    second = write_draft(tmp_path, "second.md", SECOND)
    before = _snapshot()
    with pytest.raises(
        CommandError, match=r"--follows 'D/9': no draft with that label in 'sample' \(its drafts: D/1\)"
    ):
        _import(second, "D/2", "--follows", "D/9")
    assert _snapshot() == before


def test_follows_a_draft_of_another_treaty_is_refused(first: Path, tmp_path: Path) -> None:
    other = write_draft(tmp_path, "other.md", FIRST)
    _import(other, "O/1", slug="other")
    second = write_draft(tmp_path, "second.md", SECOND)
    before = _snapshot()
    with pytest.raises(
        CommandError, match=r"--follows 'O/1': that draft belongs to treaty other, not to 'sample'"
    ):
        _import(second, "D/2", "--follows", "O/1")
    assert _snapshot() == before


def test_a_lineage_that_would_loop_is_refused(first: Path, tmp_path: Path) -> None:
    second = write_draft(tmp_path, "second.md", SECOND)
    _import(second, "D/2", "--follows", "D/1")
    before = _snapshot()
    # D/1 following D/2 would make D/1 follow D/2 follows D/1.
    with pytest.raises(CommandError, match=r"the lineage would loop: D/1 follows D/2 follows D/1"):
        _import(first, "D/1", "--follows", "D/2")
    with pytest.raises(CommandError, match=r"draft 'D/2' cannot follow itself: the lineage would loop"):
        _import(second, "D/2", "--follows", "D/2")
    assert _snapshot() == before


def test_current_on_a_draft_whose_mapping_failed_is_refused(first: Path, tmp_path: Path) -> None:
    second = write_draft(tmp_path, "second.md", SECOND)
    _import(second, "D/2", "--follows", "D/1")
    MappingRun.objects.filter(to_version__label="D/2").update(
        status=MappingRun.Status.FAILED, error="TimeLimitExceeded: the worker stopped it"
    )
    before = _snapshot()
    with pytest.raises(
        CommandError,
        match=r"draft 'D/2' \(en\) cannot be made current: its mapping from 'D/1' failed"
        r" \(TimeLimitExceeded: the worker stopped it\)",
    ):
        _import(second, "D/2", "--follows", "D/1", "--current")
    assert _snapshot() == before
    assert DraftVersion.objects.get(label="D/1").is_current


def test_a_numbering_gap_is_refused_unless_allowed(first: Path, tmp_path: Path) -> None:
    gap = write_draft(
        tmp_path, "gap.md", {"1": "One placeholder.", "2": "Two placeholder.", "5": "Five placeholder."}
    )
    before = _snapshot()
    with pytest.raises(
        CommandError,
        match=r"line \d+: gap in the article numbering: Article 5 follows Article 2;"
        r" missing: Article 3, Article 4 \(pass --allow-gaps if the draft is printed so\);"
        r" nothing was imported",
    ):
        _import(gap, "D/2", "--follows", "D/1")
    assert _snapshot() == before
    _import(gap, "D/2", "--follows", "D/1", "--allow-gaps")
    assert list(
        Provision.objects.filter(version__label="D/2", kind="article").values_list("number", flat=True)
    ) == ["1", "2", "5"]


def test_suffix_gaps_name_the_missing_articles(tmp_path: Path) -> None:
    gap = write_draft(
        tmp_path, "gap.md", {"1": "One placeholder.", "1a": "Inserted placeholder.", "1c": "Third."}
    )
    with pytest.raises(CommandError, match=r"missing: Article 1b "):
        _import(gap, "G/1")
    assert not DraftVersion.objects.exists()


def test_a_bad_date_is_refused(first: Path) -> None:
    with pytest.raises(CommandError, match=r"'10/01/2024' is not a date: use YYYY-MM-DD"):
        _import(first, "D/1", "--date", "10/01/2024")


def test_sibling_languages_share_the_lineage(first: Path, tmp_path: Path) -> None:
    second = write_draft(tmp_path, "second.md", SECOND)
    _import(second, "D/2", "--follows", "D/1")
    _import(second, "D/2", "--language", "fr")  # the French text of the same draft
    assert DraftVersion.objects.get(label="D/2", language="fr").follows == "D/1"


def test_current_supersedes_every_earlier_draft_of_the_line(first: Path, tmp_path: Path) -> None:
    second = write_draft(tmp_path, "second.md", SECOND)
    _import(second, "D/2", "--follows", "D/1")
    _import(write_draft(tmp_path, "third.md", FIRST), "D/3", "--follows", "D/2", "--current")
    statuses = dict(DraftVersion.objects.values_list("label", "status"))
    assert statuses == {"D/1": "superseded", "D/2": "superseded", "D/3": "draft"}
    assert list(DraftVersion.objects.filter(is_current=True).values_list("label", flat=True)) == ["D/3"]
