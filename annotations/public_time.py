"""Times as the public sees them: to the minute (issue 17; docs/privacy.md).

Seconds would order an anonymous annotation among attributed ones written about the same time,
and could say who wrote it. Every time of an annotation, a reply, a heat computation or a
generated document that leaves the site for outsiders (pages, API answers, exports, headers)
goes through here; moderators' own pages keep the stored precision.
"""

from datetime import UTC, datetime

from django.db.models import OrderBy
from django.db.models.functions import TruncMinute


def public_moment(moment: datetime) -> datetime:
    # Every time zone in use is a whole number of minutes from UTC: the same instant anywhere.
    return moment.replace(second=0, microsecond=0)


def public_moment_or_none(moment: datetime | None) -> datetime | None:
    return None if moment is None else public_moment(moment)


def public_iso(moment: datetime) -> str:
    """ISO 8601 in UTC to the minute, seconds written as 00 for parsers that expect them."""
    return public_moment(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")


def written_minute(field: str = "created_at") -> TruncMinute:
    return TruncMinute(field, tzinfo=UTC)


def in_public_order(field: str = "created_at", *, newest_first: bool = False) -> list[OrderBy | str]:
    """Oldest (or newest) minute first, and within a minute by id, which is random
    (annotations.public_ids): the order of writing inside a minute is never shown."""
    minute = written_minute(field)
    return [minute.desc() if newest_first else minute.asc(), "-id" if newest_first else "id"]
