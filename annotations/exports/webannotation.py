"""Annotations as W3C Web Annotations (JSON-LD): one annotation, a collection and its pages, and
Marginalia's own JSON-LD context (DESIGN §4 "Export as W3C Web Annotation")."""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from accounts.models import Attribution
from annotations.comment_language import UNDETERMINED
from annotations.exports.rows import SEVERITY_WORDS, iso_time, public_organization, text_source

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSONLD_CONTENT_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def marginalia_context() -> str:
    return f"{settings.SITE_URL}/ns/marginalia.jsonld"


def annotation_iri(annotation_id: int) -> str:
    return f"{settings.SITE_URL}/api/v1/annotations/{annotation_id}/?format=jsonld"


def _agent(row: dict[str, Any]) -> dict[str, Any]:
    organization = public_organization(row)
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
    source = text_source(row)
    language = row["language"]
    bodies: list[dict[str, Any]] = []
    if row["body"]:
        comment: dict[str, Any] = {
            "type": "TextualBody",
            "purpose": "commenting",
            "value": row["body"],
            "format": "text/markdown",
        }
        # The comment's own language (issue 16 §3); none for one written before it was recorded.
        if row["comment_language"] != UNDETERMINED:
            comment["language"] = row["comment_language"]
        bodies.append(comment)
    bodies += [{"type": "TextualBody", "purpose": "tagging", "value": slug} for slug in row["tags"]]
    # Severity and position share words ("concern"): each is named, so "concern; concern" cannot be
    # read as one thing said twice.
    assessment = f"severity: {SEVERITY_WORDS[row['severity']]}; position: {row['position']}"
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
        "created": iso_time(row["created_at"]),
        "modified": iso_time(row["updated_at"]),
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
    # Near-identical comments (rows.flat_record counts the group the same way). Left out when in
    # none: JSON-LD drops a null silently.
    size = row["group_size_all"] if with_status else row["group_size_public"]
    if size >= 2:
        document["marginalia:groupId"], document["marginalia:groupSize"] = row["group_id"], size
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
        collection["modified"] = iso_time(info.modified)
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
        | ({"modified": iso_time(info.modified)} if info.modified else {}),
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
            "marginalia:groupId": {"@type": "http://www.w3.org/2001/XMLSchema#integer"},
            "marginalia:groupSize": {"@type": "http://www.w3.org/2001/XMLSchema#integer"},
        }
    }
