"""The annotation list's query parameters (DESIGN §7 `annotations/` filters), shared by the list,
its removals and the streamed exports: documented once for the schema, parsed once."""

from collections.abc import Mapping
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from annotations.models import Status
from annotations.selectors import AnnotationFilters
from treaty.languages import UnknownLanguage
from treaty.languages import comment_language as canonical_language

LIST_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=description)
    for name, description in [
        ("treaty", "treaty slug"),
        ("version", "draft label"),
        ("language", "BCP 47 tag of the text"),
        ("comment_language", "BCP 47 tag of the comment; fr matches fr and fr-CA (RFC 4647 basic filtering)"),
        ("article", "article number"),
        ("provision", "provision key, e.g. art-6.1.a"),
        ("tag", "concern tag slug"),
        ("organization", "organisation slug"),
        ("status", "pending, approved, rejected, spam (others' items: moderators only)"),
        ("position", "concern, oppose, amend, delete, clarify, support"),
        ("mine", "1: only my annotations"),
        ("updated_after", "ISO 8601 date-time: only annotations changed after it"),
        ("q", "words in the comment or the proposed wording (full text; its own throttle)"),
        ("group", "id of a group of near-identical comments: its members"),
    ]
]


def annotation_filters(params: Mapping[str, str]) -> AnnotationFilters:
    """The filters a request's query string asks for. Raises ValidationError (400) naming a bad one."""
    for name, value in params.items():
        # PostgreSQL cannot compare text with a NUL in it: a 400 here rather than a 500 there.
        if name != "q" and "\x00" in value:  # q: dropped, as on the search page
            raise ValidationError({name: _("A NUL character (%00) cannot be in a filter.")})
    updated_after: datetime | None = None
    if params.get("updated_after"):
        updated_after = parse_datetime(params["updated_after"])
        if updated_after is None or updated_after.tzinfo is None:
            raise ValidationError(
                {
                    "updated_after": _(
                        "Give an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z."
                    )
                }
            )
    status_filter = params.get("status") or None
    if status_filter and status_filter not in Status.values:
        raise ValidationError(
            {"status": _("Status must be one of: %(choices)s.") % {"choices": ", ".join(Status.values)}}
        )
    comment_language = params.get("comment_language") or None
    if comment_language is not None:
        try:
            comment_language = canonical_language(comment_language)
        except UnknownLanguage as error:
            raise ValidationError({"comment_language": str(error)}) from None
    group: int | None = None
    if params.get("group"):
        if not params["group"].isascii() or not params["group"].isdigit() or len(params["group"]) > 18:
            raise ValidationError({"group": _("Give the number of a group, e.g. group=12.")})
        group = int(params["group"])
    return AnnotationFilters(
        comment_language=comment_language,
        treaty=params.get("treaty") or None,
        version=params.get("version") or None,
        language=params.get("language") or None,
        article=params.get("article") or None,
        provision=params.get("provision") or None,
        tag=params.get("tag") or None,
        organization=params.get("organization") or None,
        status=status_filter,
        position=params.get("position") or None,
        mine=params.get("mine") in ("1", "true"),
        updated_after=updated_after,
        q=" ".join(params.get("q", "").replace("\x00", " ").split())[:200] or None,
        group=group,
    )
