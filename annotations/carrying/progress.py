"""How far carrying has got, per later draft version: the figure moderators see (DESIGN §4)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from annotations.models import AnchorResolution, CarryingRun


@dataclass(frozen=True)
class CarryingProgress:
    from_label: str
    status: str
    done: int
    total: int
    percent: int
    error: str
    states: dict[str, int] = field(default_factory=dict)

    @property
    def to_review(self) -> int:
        return self.states.get("needs_review", 0) + self.states.get("orphaned", 0)


def carrying_progress_by_version(version_ids: list[int]) -> dict[int, CarryingProgress]:
    """The carrying run into each of these versions, with its resolutions counted per state
    (two queries, whatever the number of versions)."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        AnchorResolution.objects.filter(version__in=version_ids)
        .values_list("version_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for version_id, state, n in rows:
        counts.setdefault(version_id, {})[state] = n
    progress = {}
    for run in CarryingRun.objects.filter(mapping_run__to_version__in=version_ids).select_related(
        "mapping_run__from_version"
    ):
        version_id = run.mapping_run.to_version_id
        progress[version_id] = CarryingProgress(
            from_label=run.mapping_run.from_version.label,
            status=run.status,
            done=run.done,
            total=run.total,
            percent=run.percent,
            error=run.error,
            states=counts.get(version_id, {}),
        )
    return progress
