"""The moderation audit log: filter it, and stream it as CSV."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from annotations.csv_cells import csv_safe
from annotations.models import ModerationEvent

CSV_COLUMNS = ["time", "moderator", "action", "item", "from_status", "to_status", "reason"]


@dataclass(frozen=True)
class LogFilters:
    moderator_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


def moderation_log(filters: LogFilters) -> QuerySet[ModerationEvent]:
    events = ModerationEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if filters.moderator_id:
        events = events.filter(actor_id=filters.moderator_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.since:
        events = events.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        events = events.filter(created_at__lt=_day_start(filters.until + timedelta(days=1)))
    return events


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class _Echo:
    def write(self, value: str) -> str:
        return value


def moderation_log_csv(events: QuerySet[ModerationEvent]) -> Iterator[str]:
    """CSV rows, streamed: the log can be long."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        item = (
            f"annotation {event.annotation_id}"
            if event.annotation_id
            else f"reply {event.reply_id}"
            if event.reply_id
            else f"draft version {event.version_id}"
        )
        moderator = event.actor.display_name if event.actor else "system"
        yield writer.writerow(
            [
                event.created_at.isoformat(),
                csv_safe(moderator),  # a display name is the user's own text
                event.action,
                item,
                event.from_status,
                event.to_status,
                csv_safe(event.reason),
            ]
        )
