import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from treaty.models import DraftVersion, Provision, Treaty
from treaty.statistics import count_words, version_statistics_refresh
from treaty.tasks import version_statistics_refresh_task

Kind = Provision.Kind


def make_version(*, slug: str = "statistics-test", label: str = "L.1") -> DraftVersion:
    treaty = Treaty.objects.get_or_create(slug=slug, defaults={"title": "Statistics test"})[0]
    return DraftVersion.objects.create(treaty=treaty, label=label)


def add_provisions(version: DraftVersion) -> None:
    """A chapter heading, two articles (one with a paragraph and a subparagraph)."""
    chapter = Provision.objects.create(
        version=version, key="ch-1", kind=Kind.CHAPTER, label="Chapter I", heading="Use of terms", order=1
    )
    art1 = Provision.objects.create(
        version=version,
        key="art-1",
        kind=Kind.ARTICLE,
        label="Article 1",
        heading="Definitions",
        text="For the purposes of this Convention:",
        order=2,
        parent=chapter,
    )
    para = Provision.objects.create(
        version=version,
        key="art-1.1",
        kind=Kind.PARAGRAPH,
        label="Article 1(1)",
        text="“computer system” means any device — or a group of inter-connected devices;",
        order=3,
        parent=art1,
        article=art1,
    )
    Provision.objects.create(
        version=version,
        key="art-1.1.a",
        kind=Kind.SUBPARAGRAPH,
        label="Article 1(1)(a)",
        text="cross-border data …",
        order=4,
        parent=para,
        article=art1,
    )
    Provision.objects.create(
        version=version,
        key="art-2",
        kind=Kind.ARTICLE,
        label="Article 2",
        heading="Illegal access",
        text="",
        order=5,
        parent=chapter,
    )


# headings: "Use of terms" 3 + "Definitions" 1 + "Illegal access" 2 = 6
# texts: 6 + 11 ("—" is not a word) + 2 ("…" is not a word) + 0 = 19
EXPECTED_WORDS = 25


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("   \n\t ", 0),
        ("one two  three", 3),
        ("cross-border access — (a) …", 3),
        ("“computer data” means", 3),
        # Arabic with combining vowel marks stays one word per token.
        ("تَعْتَمِدُ الدُّوَلُ الأطراف", 3),
        ("Article 6(1)(a)(ii)", 2),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


@pytest.mark.django_db
def test_refresh_counts_articles_provisions_and_words() -> None:
    version = make_version()
    add_provisions(version)
    before = timezone.now()

    refreshed = version_statistics_refresh(version_id=version.pk)

    version.refresh_from_db()
    assert (version.article_count, version.provision_count, version.word_count) == (2, 5, EXPECTED_WORDS)
    assert version.stats_computed_at is not None
    assert before <= version.stats_computed_at <= timezone.now()
    assert refreshed.pk == version.pk
    assert refreshed.word_count == EXPECTED_WORDS


@pytest.mark.django_db
def test_refresh_counts_only_its_own_version() -> None:
    version = make_version(label="L.1")
    other = make_version(label="L.2")
    add_provisions(other)

    version_statistics_refresh(version_id=version.pk)

    version.refresh_from_db()
    assert (version.article_count, version.provision_count, version.word_count) == (0, 0, 0)
    other.refresh_from_db()
    assert other.stats_computed_at is None


@pytest.mark.django_db
def test_refresh_recounts_rather_than_accumulates() -> None:
    version = make_version()
    add_provisions(version)
    version_statistics_refresh(version_id=version.pk)
    first = DraftVersion.objects.get(pk=version.pk)

    version_statistics_refresh(version_id=version.pk)
    Provision.objects.filter(version=version, key="art-2").delete()
    version_statistics_refresh(version_id=version.pk)

    version.refresh_from_db()
    assert (first.article_count, first.provision_count, first.word_count) == (2, 5, EXPECTED_WORDS)
    assert (version.article_count, version.provision_count, version.word_count) == (1, 4, EXPECTED_WORDS - 2)
    assert first.stats_computed_at is not None and version.stats_computed_at is not None
    assert version.stats_computed_at >= first.stats_computed_at


@pytest.mark.django_db
def test_refresh_reads_once_and_updates_only_the_statistics_columns() -> None:
    version = make_version()
    add_provisions(version)

    with CaptureQueriesContext(connection) as captured:
        version_statistics_refresh(version_id=version.pk)

    # The version, its provisions, one UPDATE: however long the text.
    assert len(captured.captured_queries) == 3
    (update,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    # A concurrent edit of the version's title or status must not be overwritten with what
    # this refresh loaded: update_fields limits the UPDATE to the statistics.
    for column in ("article_count", "provision_count", "word_count", "stats_computed_at"):
        assert f'"{column}"' in update
    for column in ("title", "status", "is_current", "label"):
        assert f'"{column}"' not in update


@pytest.mark.django_db
def test_task_enqueued_on_commit_refreshes(django_capture_on_commit_callbacks) -> None:
    version = make_version()
    add_provisions(version)

    # Unit tests run tasks inline (tests/conftest.py); the real worker is tests/integration/.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        version_statistics_refresh_task.delay_on_commit(version.pk)
        # Nothing is sent before the transaction commits.
        version.refresh_from_db()
        assert version.stats_computed_at is None

    # The task, then (once it ran) the bump of the public pages that show the counts.
    assert len(callbacks) == 2
    version.refresh_from_db()
    assert (version.article_count, version.provision_count, version.word_count) == (2, 5, EXPECTED_WORDS)


@pytest.mark.django_db
def test_task_for_a_deleted_version_is_a_no_op() -> None:
    version = make_version()
    version_id = version.pk
    version.delete()

    # Run in-process, as the worker would; must neither raise nor create anything.
    version_statistics_refresh_task.apply(args=[version_id]).get()

    assert not DraftVersion.objects.filter(pk=version_id).exists()


def test_task_is_idempotent_safe_and_bounded() -> None:
    task = version_statistics_refresh_task
    assert task.acks_late is True
    assert task.time_limit is not None and task.soft_time_limit is not None
    assert task.soft_time_limit < task.time_limit
    route = task.app.amqp.router.route({}, task.name)
    assert route["queue"].name == "default"
