"""Groups as a viewer may see them: only the members that viewer may see count (DESIGN §5).

Counting organisations follows heat (DESIGN §6): an annotation counts for its organisation,
else for its author; an anonymous one counts as its author's own unit, never under the
organisation, so a group's numbers cannot tell which organisation an anonymous member is from.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import Attribution, User
from accounts.privacy import AuthorView, author_visible_to
from annotations.campaigns.models import CampaignGroup, CampaignMember
from annotations.models import Annotation
from annotations.selectors import visibility_filter

Viewer = User | AnonymousUser | None


@dataclass(frozen=True)
class GroupSummary:
    id: int
    size: int
    accounts: int
    organizations: int
    flagged: bool = False

    def as_json(self) -> dict[str, int]:
        return {"id": self.id, "size": self.size, "organizations": self.organizations}


@dataclass(frozen=True)
class GroupMember:
    annotation: Annotation
    similarity: float
    author: AuthorView


@dataclass(frozen=True)
class GroupDetail:
    summary: GroupSummary
    members: list[GroupMember]


def _unit(attribution: str, organization_id: int | None, author_id: int | None, annotation_id: int) -> str:
    if attribution != Attribution.ANONYMOUS and organization_id is not None:
        return f"o{organization_id}"
    return f"u{author_id}" if author_id is not None else f"a{annotation_id}"


def _visible_members(viewer: Viewer) -> Q:
    return Q(annotation__deleted_at__isnull=True) & visibility_filter(viewer, prefix="annotation__")


def group_summaries(group_ids: Iterable[int], viewer: Viewer) -> dict[int, GroupSummary]:
    """Size and organisations of each group, as the viewer sees it; groups of fewer than two
    visible members are left out (to this viewer they are no group)."""
    group_ids = set(group_ids)
    if not group_ids:
        return {}
    rows = CampaignMember.objects.filter(_visible_members(viewer), group_id__in=group_ids).values_list(
        "group_id",
        "annotation_id",
        "annotation__attribution",
        "annotation__organization_id",
        "annotation__author_id",
        "group__flagged_at",
    )
    members: dict[int, list[tuple[int, str, int | None, int | None]]] = defaultdict(list)
    flagged: set[int] = set()
    for group_id, annotation_id, attribution, organization_id, author_id, flagged_at in rows:
        members[group_id].append((annotation_id, attribution, organization_id, author_id))
        if flagged_at is not None:
            flagged.add(group_id)
    return {
        group_id: GroupSummary(
            id=group_id,
            size=len(rows_of_group),
            accounts=len({author or -annotation for annotation, _, _, author in rows_of_group}),
            organizations=len({_unit(a, o, u, i) for i, a, o, u in rows_of_group}),
            flagged=group_id in flagged,
        )
        for group_id, rows_of_group in members.items()
        if len(rows_of_group) >= 2
    }


def annotation_groups(annotation_ids: Iterable[int], viewer: Viewer) -> dict[int, GroupSummary]:
    """The group of each annotation that has one the viewer can see (for lists and pages)."""
    group_of = dict(
        CampaignMember.objects.filter(annotation_id__in=set(annotation_ids)).values_list(
            "annotation_id", "group_id"
        )
    )
    return annotation_groups_of(group_of, viewer)


def annotation_groups_of(group_of: Mapping[int, int | None], viewer: Viewer) -> dict[int, GroupSummary]:
    """The same, from annotation → group id already read (None: in no group)."""
    summaries = group_summaries((group for group in group_of.values() if group is not None), viewer)
    return {annotation: summaries[group] for annotation, group in group_of.items() if group in summaries}


def group_get_visible(group_id: int, viewer: Viewer) -> GroupDetail | None:
    """A group and its members as the viewer may see them; None if it does not exist for them."""
    if not CampaignGroup.objects.filter(pk=group_id).exists():
        return None
    summary = group_summaries([group_id], viewer).get(group_id)
    if summary is None:
        return None
    members = (
        CampaignMember.objects.filter(_visible_members(viewer), group_id=group_id)
        .select_related(
            "annotation__author",
            "annotation__organization",
            "annotation__version__treaty",
            "annotation__article",
        )
        .order_by("annotation__created_at", "annotation_id")
    )
    return GroupDetail(
        summary=summary,
        members=[
            GroupMember(
                annotation=member.annotation,
                similarity=member.similarity,
                author=author_visible_to(
                    viewer,
                    author=member.annotation.author,
                    organization=member.annotation.organization,
                    attribution=member.annotation.attribution,
                ),
            )
            for member in members
        ],
    )


def group_member_ids(group_id: int) -> list[int]:
    return list(CampaignMember.objects.filter(group_id=group_id).values_list("annotation_id", flat=True))


@dataclass(frozen=True)
class Signatories:
    """Who shares a group's position, as the public may see it (approved members only)."""

    size: int
    organizations: list[str]  # named organisations, each once
    individuals: int  # members named as a person without an organisation
    anonymous: int  # anonymous members: counted, never named nor placed in an organisation

    def as_words(self) -> list[str]:
        words = list(self.organizations)
        if self.individuals:
            words.append(f"{self.individuals} individual{'s' if self.individuals != 1 else ''}")
        if self.anonymous:
            words.append(f"{self.anonymous} anonymous")
        return words


def group_signatories(annotation_ids: Iterable[int]) -> dict[int, tuple[int, Signatories]]:
    """For each given annotation in a public group: (its group id, the group's signatories)."""
    group_of = dict(
        CampaignMember.objects.filter(annotation_id__in=set(annotation_ids)).values_list(
            "annotation_id", "group_id"
        )
    )
    if not group_of:
        return {}
    rows = CampaignMember.objects.filter(
        _visible_members(None), group_id__in=set(group_of.values())
    ).values_list("group_id", "annotation__attribution", "annotation__organization__name")
    members: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
    for group_id, attribution, organization in rows:
        members[group_id].append((attribution, organization))
    signatories: dict[int, Signatories] = {}
    for group_id, of_group in members.items():
        if len(of_group) < 2:
            continue
        named = sorted({o for a, o in of_group if a != Attribution.ANONYMOUS and o}, key=str.casefold)
        signatories[group_id] = Signatories(
            size=len(of_group),
            organizations=named,
            individuals=sum(1 for a, o in of_group if a != Attribution.ANONYMOUS and not o),
            anonymous=sum(1 for a, _ in of_group if a == Attribution.ANONYMOUS),
        )
    return {
        annotation: (group, signatories[group])
        for annotation, group in group_of.items()
        if group in signatories
    }
