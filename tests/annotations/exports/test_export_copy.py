"""The PostgreSQL export (annotations.exports.pg_copy) writes the very bytes the Python writers write.

Every comparison goes through `_exported`: on PostgreSQL it checks that streams.stream() chose COPY
and that its bytes equal the Python writers' for the same annotations; on SQLite (no COPY) it checks
that stream() chose the Python writers. So the suite asserts something real on both databases.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, Organization, User
from annotations.exports import job_runs, streams, writers
from annotations.exports.rows import export_rows
from annotations.models import Annotation, ConcernTag, Endorsement, ExportJob, Reply, Target
from annotations.selectors import AnnotationFilters, annotations_matching
from annotations.services import endorsement_create, reply_create
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory, import_small_treaty
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"

# Text that has broken CSV and JSON writers somewhere: quoting, line breaks, formula starts,
# escapes, scripts and controls. "\\." alone is COPY's end-of-data marker.
NASTY = [
    'He said "no", then "yes"',
    "line one\r\nline two",
    "lone\rcarriage return",
    "lone\nnewline",
    "=SUM(A1:A9)",
    "+1 plus",
    "-1 minus",
    "@cmd",
    "\tleading tab",
    "\rleading carriage return",
    "\nleading newline",
    "",
    "emoji 😀 and a flag 🏳️‍🌈",
    "عربي: نص تجريبي، مع فاصلة",
    "controls \x01\x02\x08\x0c\x1b\x1f\x7f end",
    "back\\slash, \\n is not a newline \\",
    "\\.",
    "comma, only",
    "'already quoted",
    '"',
    " spaces around ",
    "\u2028line separator\u2029 and \ufeffBOM",
]
# Every key of the sample treaty: the preamble and closing text are not articles.
KEYS = ["pre", "pre.1", "art-1", "art-2", "art-2.1", "art-2.2.a", "art-2.2.b~1", "art-3", "final"]


def _exported(annotations, kind: str, *, with_status: bool) -> bytes:  # type: ignore[no-untyped-def]
    """The export's bytes through streams.stream(), held to the Python writers' bytes."""
    reference = writers.WrittenExport(
        export_rows(annotations), writers.WRITERS[kind], with_status=with_status
    )
    expected = b"".join(reference)
    chosen = streams.stream(annotations, kind, with_status=with_status)
    with CaptureQueriesContext(connection) as queries:
        got = b"".join(chosen)
    copied = [q["sql"] for q in queries if q["sql"].startswith("COPY")]
    if ON_POSTGRESQL:
        from annotations.exports.pg_copy import CopyExport

        assert isinstance(chosen, CopyExport) and len(copied) == 1
    else:
        assert isinstance(chosen, writers.WrittenExport) and copied == []
    # Line by line first, for a readable difference; then the bytes themselves.
    assert got.split(b"\n") == expected.split(b"\n")
    assert got == expected
    assert chosen.row_count == reference.row_count
    return got


def _annotate(
    version: DraftVersion,
    key: str,
    *,
    author: User,
    body: str,
    organization: Organization | None = None,
    attribution: str = "person",
    proposed_text: str = "",
    exact: str = "",
    tags: list[ConcernTag] | tuple[ConcernTag, ...] = (),
    status: str = "approved",
    featured: bool = False,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
) -> Annotation:
    """An annotation written as stored, bypassing the services' cleaning: the export must cope with
    whatever the table holds."""
    provision = version.provisions.get(key=key)
    target = Target.objects.create(
        version=version, provision=provision, provision_key=key, exact=exact, prefix=exact[:5]
    )
    moment = created_at or datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC)
    annotation = Annotation.objects.create(
        author=author,
        organization=organization,
        target=target,
        version=version,
        provision=provision,
        article=provision.article,
        severity=1 + len(body) % 3,
        position=Annotation.Position.values[len(body) % len(Annotation.Position.values)],
        body=body,
        proposed_text=proposed_text,
        attribution=attribution,
        status=status,
        featured=featured,
        created_at=moment,
        updated_at=updated_at or moment,
    )
    annotation.tags.set(tags)
    return annotation


@pytest.fixture
def nasty(version, alice, mallory, mod, drw) -> list[Annotation]:  # type: ignore[no-untyped-def]
    """Annotations holding every kind of awkward value, on two treaties, in every status."""
    other = import_small_treaty(slug="-nasty-treaty", label='=S/2, "draft"', language="ar").version
    formula_org = OrganizationFactory(name='=cmd|"/c calc"!A1, and more', slug="formula-org")
    lonely = VerifiedUserFactory(display_name="No Organisation")
    MembershipFactory(user=VerifiedUserFactory(), organization=formula_org, role=Membership.Role.ADMIN)
    privacy = ConcernTag.objects.get(slug="privacy")
    gender = ConcernTag.objects.get(slug="gender")
    dash = ConcernTag.objects.create(slug="-dash", name="Dash", description="-", order=privacy.order - 5)
    # The order of privacy, a later id: after privacy (by slug it would come first).
    tie = ConcernTag.objects.create(slug="a-tie", name="Tie", description="tie", order=privacy.order)
    tag_sets: list[tuple[ConcernTag, ...]] = [
        (),
        (privacy,),
        (gender, privacy),
        (gender, privacy, dash),
        (tie, privacy),
        (dash,),
    ]
    organizations = [drw, formula_org, None]
    attributions = ["person", "organization", "anonymous"]
    statuses = ["approved", "approved", "approved", "pending", "rejected", "spam"]
    made = []
    for n, body in enumerate(NASTY):
        organization = organizations[n % 3]
        created = datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC) + timedelta(minutes=n)
        made.append(
            _annotate(
                other if n % 4 == 3 else version,
                KEYS[n % len(KEYS)],
                author=alice if organization is drw else (mallory if organization else lonely),
                organization=organization,
                attribution=attributions[n % 3] if organization else ("person", "anonymous")[n % 2],
                body=body,
                proposed_text=NASTY[-n - 1],
                exact=NASTY[(n + 5) % len(NASTY)],
                tags=tag_sets[n % len(tag_sets)],
                status=statuses[n % len(statuses)],
                featured=n % 4 == 1,
                # With and without microseconds (isoformat leaves out ".000000").
                created_at=created + timedelta(microseconds=n * 7919 if n % 2 else 0),
                updated_at=created + timedelta(days=1, microseconds=5 if n % 3 == 0 else 0),
            )
        )
    old = made[0]
    old.updated_at = datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC)  # a year of three digits
    old.save(update_fields=["updated_at"])
    deleted = _annotate(version, "art-1", author=alice, organization=drw, body="Deleted, never exported")
    deleted.deleted_at = datetime(2026, 3, 2, tzinfo=UTC)
    deleted.save(update_fields=["deleted_at"])

    featured, plain = made[1], made[2]
    endorsement_create(annotation=featured, user=alice)
    endorsement_create(annotation=featured, user=mallory)
    Endorsement.objects.create(annotation=plain, organization=formula_org)
    reply_create(annotation=featured, author=mallory, body="An approved reply")
    reply_create(annotation=featured, author=alice, body="Another approved reply")
    for status, deleted_at in [
        ("pending", None),
        ("rejected", None),
        ("approved", datetime(2026, 3, 3, tzinfo=UTC)),
    ]:
        Reply.objects.create(
            annotation=plain,
            author=mod,
            attribution="person",
            body="Not counted",
            status=status,
            deleted_at=deleted_at,
        )
    Reply.objects.create(
        annotation=plain, author=mod, attribution="person", body="Counted", status="approved"
    )
    return made


def _selection(viewer: User | None, **filters: object) -> QuerySet[Annotation]:
    return annotations_matching(viewer, AnnotationFilters(**filters))  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
@pytest.mark.parametrize("moderator", [False, True], ids=["public", "moderator"])
def test_nasty_rows_export_to_the_same_bytes(nasty, mod, kind: str, moderator: bool) -> None:
    viewer = mod if moderator else None
    exported = _exported(_selection(viewer), kind, with_status=moderator)
    approved = [a for a in nasty if a.status == "approved"]
    rows = len(nasty) if moderator else len(approved)
    assert exported.count(b'"id": ' if kind == "ndjson" else b"/annotations/") == rows
    assert b"Deleted, never exported" not in exported
    assert (b'"status": ' in exported if kind == "ndjson" else b",status," in exported) is moderator
    if not moderator:
        return
    # The fixture does hold what it says (every row is in the moderators' export).
    if kind == "csv":
        assert exported.startswith("\ufeffid,permalink,".encode())
        assert b'"line one\r\nline two"' in exported and b"'=SUM(A1:A9)" in exported
        assert b"'-nasty-treaty," in exported and b",'-dash privacy gender," in exported
        assert b",privacy a-tie," in exported
    else:
        assert b'"controls \\u0001\\u0002\\b\\f\\u001b\\u001f\x7f end"' in exported
        assert b'"tags": ["-dash", "privacy", "gender"]' in exported and b'"tags": []' in exported
        assert b'"tags": ["privacy", "a-tie"]' in exported


@pytest.mark.parametrize(
    "filters",
    [
        {"treaty": "sample"},
        {"treaty": "-nasty-treaty", "language": "ar"},
        {"tag": "-dash"},
        {"article": "2"},
        {"organization": "formula-org"},
        {"position": "oppose", "updated_after": "2026-03-02T12:40:00Z"},
        # Parameters with quotes and percent signs reach the COPY bound, not spliced.
        {"provision": "art-1'; DROP TABLE annotations_annotation; --%s %%"},
    ],
)
def test_filtered_exports_are_the_same_bytes(nasty, mod, filters: dict[str, str]) -> None:
    parsed: dict[str, object] = dict(filters)
    if "updated_after" in filters:
        parsed["updated_after"] = datetime.fromisoformat(filters["updated_after"])
    selection = _selection(mod, **parsed)
    for kind in ("csv", "ndjson"):
        _exported(selection, kind, with_status=True)
    # A part of the annotations (none for the made-up provision); the table is still whole.
    assert 0 < selection.count() < len(nasty) or "provision" in filters
    assert Annotation.objects.count() == len(nasty) + 1


def test_an_empty_export(version, anon) -> None:
    assert (
        _exported(_selection(None), "csv", with_status=False) == writers.csv_head(with_status=False).encode()
    )
    assert _exported(_selection(None), "ndjson", with_status=False) == b""


def test_a_site_url_that_looks_like_a_formula(nasty, settings) -> None:
    settings.SITE_URL = "=https://example.org/it's"
    exported = _exported(_selection(None), "csv", with_status=False)
    assert b"'=https://example.org/it's/annotations/" in exported
    _exported(_selection(None), "ndjson", with_status=False)


TEXT = st.one_of(
    st.sampled_from(NASTY),
    # PostgreSQL text holds neither NUL nor lone surrogates.
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(TEXT, TEXT, TEXT, TEXT, st.booleans(), st.integers(0, 999_999), st.sampled_from(KEYS)),
        min_size=1,
        max_size=6,
    )
)
def test_any_text_exports_to_the_same_bytes(version, alice, drw, mod, rows) -> None:  # type: ignore[no-untyped-def]
    privacy, gender = ConcernTag.objects.get(slug="privacy"), ConcernTag.objects.get(slug="gender")
    with transaction.atomic():
        for n, (body, proposed, quote, name, featured, micro, key) in enumerate(rows):
            organization = Organization.objects.create(name=f"{name[:190]} #{n}", slug=f"hypothesis-{n}")
            _annotate(
                version,
                key,
                author=alice,
                organization=organization,
                attribution=("person", "organization", "anonymous")[micro % 3],
                body=body,
                proposed_text=proposed,
                exact=quote,
                tags=[(privacy,), (gender, privacy), ()][n % 3],
                featured=featured,
                created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n, microseconds=micro),
            )
        for kind in ("csv", "ndjson"):
            for moderator in (False, True):
                _exported(_selection(mod if moderator else None), kind, with_status=moderator)
        transaction.set_rollback(True)


# --- The view and the export job take the same way ---------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
def test_the_streamed_view_exports_through_stream(nasty, anon, mod, mod_client, kind: str) -> None:
    for client, viewer in ((anon, None), (mod_client, mod)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/treaties/sample/annotations/export/?format={kind}")
            body = b"".join(response.streaming_content)
        assert response.status_code == 200
        assert any(q["sql"].startswith("COPY") for q in queries) is ON_POSTGRESQL
        moderator = viewer is not None
        selection = _selection(viewer, treaty="sample")
        reference = writers.WrittenExport(
            export_rows(selection), writers.WRITERS[kind], with_status=moderator
        )
        assert body == b"".join(reference) and reference.row_count > 0


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
def test_an_export_job_writes_the_same_bytes(nasty, mod, settings, tmp_path: Path, kind: str) -> None:
    settings.EXPORT_DIR = tmp_path
    job = ExportJob.objects.create(
        requester=mod, treaty=nasty[0].version.treaty, format=kind, filters={}, file_name=f"job.{kind}"
    )
    with CaptureQueriesContext(connection) as queries:
        job_runs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE
    assert any(q["sql"].startswith("COPY") for q in queries) is ON_POSTGRESQL
    selection = _selection(mod, treaty="sample")
    reference = writers.WrittenExport(export_rows(selection), writers.WRITERS[kind], with_status=True)
    assert (tmp_path / job.file_name).read_bytes() == b"".join(reference)
    assert job.row_count == reference.row_count == selection.count()  # type: ignore[attr-defined]


# --- Pieces, and a reader that stops early -------------------------------------------------------


def _many(version: DraftVersion, author: User, organization: Organization, *, words: int) -> int:
    """400 annotations whose bodies hold `words` words each."""
    article = version.provisions.get(key="art-1")
    targets = Target.objects.bulk_create(
        Target(version=version, provision=article, provision_key="art-1") for _ in range(400)
    )
    Annotation.objects.bulk_create(
        Annotation(
            author=author,
            organization=organization,
            target=target,
            version=version,
            provision=article,
            article=article,
            severity=2,
            position="concern",
            body=f"Comment {n}: " + "words, " * words,
            attribution="organization",
        )
        for n, target in enumerate(targets)
    )
    return len(targets)


def test_pieces_hold_many_rows(version, alice, drw) -> None:
    many = _many(version, alice, drw, words=80)  # some 250 kB of CSV
    pieces = list(streams.stream(_selection(None), "csv", with_status=False))
    assert 2 <= len(pieces) <= many // 50
    if ON_POSTGRESQL:
        from annotations.exports.pg_copy import PIECE_BYTES

        assert all(len(piece) >= PIECE_BYTES for piece in pieces[1:-1])  # the first is the header
    assert b"".join(pieces) == _exported(_selection(None), "csv", with_status=False)


def test_a_reader_that_stops_early_leaves_the_connection_usable(version, alice, drw) -> None:
    # Some 4 MB of CSV: more than the socket buffers hold, so the COPY is still running.
    many = _many(version, alice, drw, words=1_400)
    with transaction.atomic():
        pieces = iter(streams.stream(_selection(None), "csv", with_status=False))
        assert next(pieces).startswith("\ufeffid,".encode())
        assert b"/annotations/" in next(pieces)  # the first rows
        pieces.close()  # the client went away
    assert Annotation.objects.count() == many
    assert _exported(_selection(None), "ndjson", with_status=False).count(b"\n") == many
