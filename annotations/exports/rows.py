"""Annotation exports, the rows: read in keyset chunks (id order) with `values()`, never as model
instances. Each chunk costs four queries (the rows, then the tags, endorsement and reply counts of
the chunk's id range), and memory holds one chunk. The formats built on them: CSV and NDJSON
(annotations/exports/writers.py, or on PostgreSQL annotations/exports/pg_copy.py, chosen by
annotations/exports/streams.py) and W3C Web Annotation JSON-LD (annotations/exports/webannotation.py).
"""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse

from accounts.models import Attribution
from annotations.csv_cells import csv_safe
from annotations.models import Annotation, Endorsement, Reply, Status
from annotations.public_time import public_iso
from treaty import links

CHUNK_SIZE = 5_000

CSV_COLUMNS = [
    "id",
    "permalink",
    "treaty",
    "version",
    "language",
    "article",
    "provision",
    "provision_label",
    "quote",
    "tags",
    "tag_names",
    "severity",
    "severity_label",
    "position",
    "body",
    "comment_language",
    "proposed_text",
    "organization",
    "attribution",
    "status",
    "featured",
    "endorsements",
    "replies",
    "created",
    "modified",
    # Near-identical comments (annotations.campaigns): the group and its size as the export's
    # reader counts it (approved members in the public export, every live one for moderators);
    # empty when the annotation is in no group of two or more.
    "group_id",
    "group_size",
]
# Severity codes in words, beside the codes (1 note, 2 concern, 3 serious).
SEVERITY_WORDS = {value: label.lower() for value, label in Annotation.Severity.choices}
# In a CSV cell: tag slugs never hold a space; tag names may, so they are joined by "; ".
TAG_NAMES_SEPARATOR = "; "
# Columns only moderators get (the public export has approved annotations only).
PUBLIC_COLUMNS = [c for c in CSV_COLUMNS if c != "status"]


ROW_FIELDS = {
    "id": "id",
    "treaty": "version__treaty__slug",
    "version": "version__label",
    "language": "version__language",
    "article_number": "article__number",
    "article_kind": "article__kind",
    "article_key": "article__key",
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
    "comment_language": "comment_language",
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
        groups = _groups_between(first, last)
        for row in chunk:
            pk = row["id"]
            for name, field in _RENAMED.items():
                row[name] = row.pop(field)
            row["tags"], row["tag_names"] = tags.get(pk) or ([], [])
            row["endorsements"] = endorsements.get(pk, 0)
            row["replies"] = replies.get(pk, 0)
            row["group_id"], row["group_size_public"], row["group_size_all"] = groups.get(pk, (None, 0, 0))
        yield from chunk
        last_id = last


def _tags_between(first: int, last: int) -> dict[int, tuple[list[str], list[str]]]:
    """Per annotation, its concern tags' slugs and names, in the same order."""
    tags: dict[int, tuple[list[str], list[str]]] = {}
    for annotation_id, slug, name in (
        Annotation.tags.through.objects.filter(annotation_id__gte=first, annotation_id__lte=last)
        # The id breaks ties between tags of one order (pg_copy orders them the same way).
        .order_by("annotation_id", "concerntag__order", "concerntag_id")
        .values_list("annotation_id", "concerntag__slug", "concerntag__name")
    ):
        slugs, names = tags.setdefault(annotation_id, ([], []))
        slugs.append(slug)
        names.append(name)
    return tags


def _groups_between(first: int, last: int) -> dict[int, tuple[int, int, int]]:
    """Per annotation in a group: the group, its approved live members, its live members."""
    # By name, not by import: the campaign models live in a capability above this module.
    members = apps.get_model("annotations", "CampaignMember").objects
    group_of = dict(
        members.filter(annotation_id__gte=first, annotation_id__lte=last).values_list(
            "annotation_id", "group_id"
        )
    )
    if not group_of:
        return {}
    live = Q(annotation__deleted_at__isnull=True)
    sizes = {
        group_id: (public, every)
        for group_id, public, every in members.filter(group_id__in=set(group_of.values()))
        .values("group_id")
        .annotate(
            public=Count("pk", filter=live & Q(annotation__status=Status.APPROVED)),
            every=Count("pk", filter=live),
        )
        .values_list("group_id", "public", "every")
    }
    return {annotation: (group, *sizes[group]) for annotation, group in group_of.items()}


def _counts_between(items: QuerySet[Any], first: int, last: int) -> dict[int, int]:
    return dict(
        items.filter(annotation_id__gte=first, annotation_id__lte=last)
        .order_by()
        .values_list("annotation_id")
        .annotate(n=Count("pk"))
        .values_list("annotation_id", "n")
    )


def public_organization(row: dict[str, Any]) -> str:
    # An anonymous annotation's organisation would say who wrote it.
    return "" if row["attribution"] == Attribution.ANONYMOUS else (row["organization_name"] or "")


def permalink(row: dict[str, Any]) -> str:
    return f"{permalink_prefix()}{row['id']}/"


class Permalinks:
    """`permalink(row)` for a stream of rows: reverse() once, not once per row."""

    def __init__(self) -> None:
        self._prefix = permalink_prefix()

    def __call__(self, row: dict[str, Any]) -> str:
        return f"{self._prefix}{row['id']}/"


def permalink_prefix() -> str:
    """An annotation's permalink without its id: /annotations/<id>/ opens the annotation on its
    unit's page in the draft and language it was written on, whatever draft is current since
    (issue 14 §2)."""
    return settings.SITE_URL + reverse("annotations:permalink", args=[0]).removesuffix("0/")


def text_source(row: dict[str, Any]) -> str:
    """The page of the text the annotation was written on: its unit, in its draft and language."""
    path = links.unit_path_for(
        row["treaty"], kind=row["article_kind"], number=row["article_number"], key=row["article_key"]
    )
    return f"{settings.SITE_URL}{path}?{urlencode({'version': row['version'], 'lang': row['language']})}"


def iso_time(moment: datetime) -> str:
    """An export's time: to the minute, in UTC (annotations.public_time; pg_copy writes the same)."""
    return public_iso(moment)


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
        # The article's number as printed; empty for the preamble, the final clauses and annexes.
        "article": row["article_number"] if row["article_kind"] == "article" else "",
        "provision": row["provision"],
        "provision_label": row["provision_label"],
        "quote": row["exact"],
        "tags": row["tags"],
        "tag_names": row["tag_names"],
        "severity": row["severity"],
        "severity_label": SEVERITY_WORDS[row["severity"]],
        "position": row["position"],
        "body": row["body"],
        "comment_language": row["comment_language"],
        "proposed_text": row["proposed_text"],
        "organization": public_organization(row),
        "attribution": row["attribution"],
        "status": row["status"],
        "featured": row["featured"],
        "endorsements": row["endorsements"],
        "replies": row["replies"],
        "created": iso_time(row["created_at"]),
        "modified": iso_time(row["updated_at"]),
    }
    size = row["group_size_all"] if with_status else row["group_size_public"]
    record["group_id"], record["group_size"] = (row["group_id"], size) if size >= 2 else (None, None)
    if not with_status:
        del record["status"]
    return record


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: a list (tags) joined by spaces, a formula neutralised."""
    return csv_safe(" ".join(value) if isinstance(value, list) else value)
