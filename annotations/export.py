"""Annotation exports: CSV, NDJSON and W3C Web Annotation JSON-LD, streamed in constant memory.

Rows are read in keyset chunks (id order) with `values()`, never as model instances: each chunk
costs four queries (the rows, then the tags, endorsement and reply counts of the chunk's id range),
and memory holds one chunk.

`stream()` is the way in for CSV and NDJSON: on PostgreSQL the database formats the very same bytes
(annotations.export_copy, faster); elsewhere the writers here do. These writers are the reference
the PostgreSQL path is tested against, byte for byte.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import connections
from django.db.models import Count, F, QuerySet
from django.urls import reverse

from accounts.models import Attribution
from annotations.csv_cells import FORMULA_STARTS, csv_safe
from annotations.models import Annotation, Endorsement, Reply, Status

CHUNK_SIZE = 5_000

CSV_COLUMNS = [
    "id",
    "permalink",
    "treaty",
    "version",
    "language",
    "provision",
    "provision_label",
    "quote",
    "tags",
    "severity",
    "position",
    "body",
    "proposed_text",
    "organization",
    "attribution",
    "status",
    "featured",
    "endorsements",
    "replies",
    "created",
    "modified",
]
# Columns only moderators get (the public export has approved annotations only).
PUBLIC_COLUMNS = [c for c in CSV_COLUMNS if c != "status"]

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSONLD_CONTENT_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


ROW_FIELDS = {
    "id": "id",
    "treaty": "version__treaty__slug",
    "version": "version__label",
    "language": "version__language",
    "article_number": "article__number",
    "article_kind": "article__kind",
    "provision": "target__provision_key",
    "provision_label": "provision__label",
    "exact": "target__exact",
    "prefix": "target__prefix",
    "suffix": "target__suffix",
    "start": "target__start",
    "end": "target__end",
    "severity": "severity",
    "position": "position",
    "body": "body",
    "proposed_text": "proposed_text",
    "organization_name": "organization__name",
    "organization_slug": "organization__slug",
    "attribution": "attribution",
    "status": "status",
    "featured": "featured",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
# values() names a column by its row name directly (no per-row renaming), except where the row name
# is also a field of Annotation ("version", "provision"): those two are renamed per row.
_SAME_NAME = [name for name, field in ROW_FIELDS.items() if name == field]
_ALIASED = {
    name: F(field)
    for name, field in ROW_FIELDS.items()
    if name != field and name not in ("version", "provision")
}
_RENAMED = {"version": "version__label", "provision": "target__provision_key"}


def export_rows(annotations: QuerySet[Annotation]) -> Iterator[dict[str, Any]]:
    """Rows of the given annotations (already scoped to the viewer), in id order, one chunk in memory."""
    base = annotations.order_by()
    last_id = 0
    while True:
        chunk = list(
            base.filter(pk__gt=last_id)
            .order_by("pk")
            .values(*_SAME_NAME, *_RENAMED.values(), **_ALIASED)[:CHUNK_SIZE]
        )
        if not chunk:
            return
        # Tags and counts for the chunk's id range, one query each: consecutive chunks' ranges do not
        # overlap, so each tag, endorsement or reply row is read once in the whole export, however
        # sparse the filters leave the ids (cheaper than an IN list of ids or a subquery per row).
        first, last = chunk[0]["id"], chunk[-1]["id"]
        tags = _tags_between(first, last)
        endorsements = _counts_between(Endorsement.objects.all(), first, last)
        replies = _counts_between(
            Reply.objects.filter(deleted_at__isnull=True, status=Status.APPROVED), first, last
        )
        for row in chunk:
            pk = row["id"]
            for name, field in _RENAMED.items():
                row[name] = row.pop(field)
            row["tags"] = tags.get(pk) or []
            row["endorsements"] = endorsements.get(pk, 0)
            row["replies"] = replies.get(pk, 0)
        yield from chunk
        last_id = last


def _tags_between(first: int, last: int) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    for annotation_id, slug in (
        Annotation.tags.through.objects.filter(annotation_id__gte=first, annotation_id__lte=last)
        # The id breaks ties between tags of one order (export_copy orders them the same way).
        .order_by("annotation_id", "concerntag__order", "concerntag_id")
        .values_list("annotation_id", "concerntag__slug")
    ):
        tags.setdefault(annotation_id, []).append(slug)
    return tags


def _counts_between(items: QuerySet[Any], first: int, last: int) -> dict[int, int]:
    return dict(
        items.filter(annotation_id__gte=first, annotation_id__lte=last)
        .order_by()
        .values_list("annotation_id")
        .annotate(n=Count("pk"))
        .values_list("annotation_id", "n")
    )


def _public_organization(row: dict[str, Any]) -> str:
    # An anonymous annotation's organisation would say who wrote it.
    return "" if row["attribution"] == Attribution.ANONYMOUS else (row["organization_name"] or "")


def permalink(row: dict[str, Any]) -> str:
    return _Permalinks()(row)


class _Permalinks:
    """`permalink(row)` for a stream of rows: reverse() once per article, not once per row."""

    def __init__(self) -> None:
        self._prefixes: dict[tuple[str, str | None], str] = {}

    def __call__(self, row: dict[str, Any]) -> str:
        is_article = row["article_kind"] == "article"
        key = (row["treaty"], row["article_number"] if is_article else None)
        prefix = self._prefixes.get(key)
        if prefix is None:
            prefix = self._prefixes[key] = permalink_prefix(
                row["treaty"], row["article_kind"], row["article_number"]
            )
        return f"{prefix}{row['id']}"


def permalink_prefix(treaty: str, article_kind: str, article_number: str) -> str:
    """An annotation's permalink without its id: the page of its article (the treaty's page for the
    preamble and other units that are not articles)."""
    if article_kind == "article":
        path = reverse("treaty:article", args=[treaty, article_number])
    else:
        path = reverse("treaty:detail", args=[treaty])
    return f"{settings.SITE_URL}{path}#annotation-"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def flat_record(
    row: dict[str, Any], *, with_status: bool, link: Callable[[dict[str, Any]], str] = permalink
) -> dict[str, Any]:
    # Keys in CSV_COLUMNS order: stream_csv writes the values as they come.
    record = {
        "id": row["id"],
        "permalink": link(row),
        "treaty": row["treaty"],
        "version": row["version"],
        "language": row["language"],
        "provision": row["provision"],
        "provision_label": row["provision_label"],
        "quote": row["exact"],
        "tags": row["tags"],
        "severity": row["severity"],
        "position": row["position"],
        "body": row["body"],
        "proposed_text": row["proposed_text"],
        "organization": _public_organization(row),
        "attribution": row["attribution"],
        "status": row["status"],
        "featured": row["featured"],
        "endorsements": row["endorsements"],
        "replies": row["replies"],
        "created": _iso(row["created_at"]),
        "modified": _iso(row["updated_at"]),
    }
    if not with_status:
        del record["status"]
    return record


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: a list (tags) joined by spaces, a formula neutralised."""
    return csv_safe(" ".join(value) if isinstance(value, list) else value)


# Rows per piece of streamed text: each piece is encoded and sent as one, so a piece per row would
# spend more time in the response machinery than in writing the row (memory: a few hundred kB).
ROWS_PER_PIECE = 500
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(…, ensure_ascii=False) builds one per call


def csv_head(*, with_status: bool) -> str:
    """What a CSV export starts with, rows or none: the BOM, then the header line."""
    out = io.StringIO()
    csv.writer(out).writerow(CSV_COLUMNS if with_status else PUBLIC_COLUMNS)
    return "\ufeff" + out.getvalue()  # the BOM makes spreadsheets read UTF-8


def stream_csv(rows: Iterable[dict[str, Any]], *, with_status: bool) -> Iterator[str]:
    yield csv_head(with_status=with_status)
    out = io.StringIO()
    writer = csv.writer(out)
    link = _Permalinks()
    for count, row in enumerate(rows, 1):
        record = flat_record(row, with_status=with_status, link=link)
        record["tags"] = " ".join(record["tags"])
        # flat_record's keys are the columns, in order; csv_safe inlined (the hottest line here).
        writer.writerow(
            [
                "'" + value if isinstance(value, str) and value[:1] in FORMULA_STARTS else value
                for value in record.values()
            ]
        )
        if count % ROWS_PER_PIECE == 0:
            yield _drain(out)
    if out.tell():
        yield _drain(out)


def _drain(out: io.StringIO) -> str:
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def stream_ndjson(rows: Iterable[dict[str, Any]], *, with_status: bool) -> Iterator[str]:
    link = _Permalinks()
    lines: list[str] = []
    for row in rows:
        lines.append(_JSON.encode(flat_record(row, with_status=with_status, link=link)))
        if len(lines) == ROWS_PER_PIECE:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


class Writer(Protocol):
    def __call__(self, rows: Iterable[dict[str, Any]], *, with_status: bool) -> Iterator[str]: ...


WRITERS: dict[str, Writer] = {"csv": stream_csv, "ndjson": stream_ndjson}


class ExportStream:
    """An export's bytes, in pieces of tens of kB; once they have all been read, `row_count` is the
    number of rows they held (an export job records it)."""

    row_count = 0

    def __iter__(self) -> Iterator[bytes]:
        raise NotImplementedError


class WrittenExport(ExportStream):
    """Rows written by one of the writers here."""

    def __init__(self, rows: Iterable[dict[str, Any]], writer: Writer, *, with_status: bool) -> None:
        self._rows = rows
        self._writer = writer
        self._with_status = with_status

    def __iter__(self) -> Iterator[bytes]:
        for text in self._writer(self._counted(), with_status=self._with_status):
            yield text.encode()

    def _counted(self) -> Iterator[dict[str, Any]]:
        for row in self._rows:
            self.row_count += 1
            yield row


def stream(annotations: QuerySet[Annotation], kind: str, *, with_status: bool) -> ExportStream:
    """The CSV or NDJSON export of these annotations (already scoped to the viewer), in id order."""
    if connections[annotations.db].vendor == "postgresql":
        from annotations.export_copy import CopyExport  # it builds on this module

        return CopyExport(annotations, kind, with_status=with_status)
    return WrittenExport(export_rows(annotations), WRITERS[kind], with_status=with_status)


# --- W3C Web Annotation (JSON-LD) --------------------------------------------------------------


def marginalia_context() -> str:
    return f"{settings.SITE_URL}/ns/marginalia.jsonld"


def annotation_iri(annotation_id: int) -> str:
    return f"{settings.SITE_URL}/api/v1/annotations/{annotation_id}/?format=jsonld"


def _agent(row: dict[str, Any]) -> dict[str, Any]:
    organization = _public_organization(row)
    if organization:
        page = reverse("accounts:organization-detail", args=[row["organization_slug"]])
        return {
            "id": f"{settings.SITE_URL}{page}",
            "type": "Organization",
            "name": organization,
        }
    # Anonymous, or a person without an organisation: the export never names people.
    return {
        "type": "Person",
        "name": "Anonymous" if row["attribution"] == Attribution.ANONYMOUS else "Member",
    }


def web_annotation(row: dict[str, Any], *, with_status: bool, embedded: bool = False) -> dict[str, Any]:
    """One annotation as a W3C Web Annotation: commenting, tagging, assessing and editing bodies;
    a target whose FragmentSelector (the provision key) is refined by quote and position selectors."""
    source = permalink(row).split("#")[0]
    language = row["language"]
    bodies: list[dict[str, Any]] = []
    if row["body"]:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": row["body"],
                "format": "text/markdown",
                "language": "en",
            }
        )
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": slug} for slug in row["tags"]]
    assessment = f"{Annotation.Severity(row['severity']).label.lower()}; {row['position']}"
    bodies.append({"type": "TextualBody", "purpose": "assessing", "value": assessment})
    if row["proposed_text"]:
        bodies.append(
            {"type": "TextualBody", "purpose": "editing", "value": row["proposed_text"], "language": language}
        )
    fragment = {
        "type": "FragmentSelector",
        "conformsTo": "http://tools.ietf.org/rfc/rfc3236",
        "value": row["provision"],
    }
    if row["exact"]:
        # Two ways to the same words; each a fragment (the provision) refined within it.
        selector: Any = [
            {
                **fragment,
                "refinedBy": {
                    "type": "TextQuoteSelector",
                    "exact": row["exact"],
                    "prefix": row["prefix"],
                    "suffix": row["suffix"],
                },
            },
            {
                **fragment,
                "refinedBy": {"type": "TextPositionSelector", "start": row["start"], "end": row["end"]},
            },
        ]
    else:
        selector = fragment
    document: dict[str, Any] = {
        "id": annotation_iri(row["id"]),
        "type": "Annotation",
        "motivation": "commenting",
        "creator": _agent(row),
        "created": _iso(row["created_at"]),
        "modified": _iso(row["updated_at"]),
        "generator": {"id": f"{settings.SITE_URL}/", "type": "Software", "name": "Marginalia"},
        "body": bodies,
        "target": {
            "type": "SpecificResource",
            "source": source,
            "language": language,
            "selector": selector,
        },
        "marginalia:severity": row["severity"],
        "marginalia:position": row["position"],
        "marginalia:featured": row["featured"],
        "marginalia:endorsements": row["endorsements"],
    }
    if with_status:
        document["marginalia:status"] = row["status"]
    if not embedded:
        document = {"@context": [ANNO_CONTEXT, marginalia_context()], **document}
    return document


@dataclass(frozen=True)
class CollectionInfo:
    iri: str  # the collection's own IRI (the export URL without a page)
    total: int
    page_size: int
    modified: datetime | None
    label: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def page_iri(self, number: int) -> str:
        separator = "&" if "?" in self.iri else "?"
        return f"{self.iri}{separator}page={number}"


def web_annotation_collection(info: CollectionInfo) -> dict[str, Any]:
    collection: dict[str, Any] = {
        "@context": [ANNO_CONTEXT, marginalia_context()],
        "id": info.iri,
        "type": "AnnotationCollection",
        "label": info.label,
        "total": info.total,
    }
    if info.total:
        collection["first"] = info.page_iri(0)
        collection["last"] = info.page_iri(info.pages - 1)
    if info.modified:
        collection["modified"] = _iso(info.modified)
    return collection


def web_annotation_page(
    info: CollectionInfo, number: int, rows: Iterable[dict[str, Any]], *, with_status: bool
) -> Iterator[str]:
    """A page of the collection as streamed JSON text: the items are written one by one."""
    head: dict[str, Any] = {
        "@context": [ANNO_CONTEXT, marginalia_context()],
        "id": info.page_iri(number),
        "type": "AnnotationPage",
        "partOf": {"id": info.iri, "total": info.total}
        | ({"modified": _iso(info.modified)} if info.modified else {}),
        "startIndex": number * info.page_size,
    }
    if number + 1 < info.pages:
        head["next"] = info.page_iri(number + 1)
    if number > 0:
        head["prev"] = info.page_iri(number - 1)
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "items": ['
    yield opening
    for index, row in enumerate(rows):
        yield ("," if index else "") + json.dumps(
            web_annotation(row, with_status=with_status, embedded=True), ensure_ascii=False
        )
    yield "]}"


def marginalia_context_document() -> dict[str, Any]:
    """Our extension terms (severity, position, status …), so JSON-LD processors keep them."""
    return {
        "@context": {
            "marginalia": f"{settings.SITE_URL}/ns#",
            "marginalia:severity": {"@type": "http://www.w3.org/2001/XMLSchema#integer"},
            "marginalia:endorsements": {"@type": "http://www.w3.org/2001/XMLSchema#integer"},
            "marginalia:featured": {"@type": "http://www.w3.org/2001/XMLSchema#boolean"},
        }
    }
