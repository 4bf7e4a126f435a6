"""Telling authors how their annotations carried to a later draft (issue 15 §3): an email once
per pair of drafts, after the carrying run, and a summary on "My annotations"."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from accounts.emails import recipient_language
from accounts.models import User
from annotations.models import AnchorResolution, CarryingRun
from treaty import links
from treaty.models import DraftVersion

# The states as an author reads them, in this order.
STATE_WORDS = [
    ("exact", _("carried over exactly")),
    ("moved", _("moved")),
    ("fuzzy", _("found in changed words")),
    ("needs_review", _("need review")),
    ("orphaned", _("orphaned (the words are gone)")),
    ("confirmed", _("confirmed by a reviewer")),
    ("repicked", _("placed by a reviewer")),
]


def draft_contents_path(version: DraftVersion) -> str:
    return (
        f"{reverse('treaty:detail', args=[version.treaty.slug])}?{urlencode(links.version_params(version))}"
    )


@dataclass(frozen=True)
class CarriedSummary:
    version: DraftVersion  # the later draft
    from_label: str
    counts: list[tuple[str, StrOrPromise, int]]  # (state, words, count), states with none left out

    @property
    def total(self) -> int:
        return sum(n for _, _, n in self.counts)

    @property
    def url(self) -> str:
        return draft_contents_path(self.version)


def carried_summaries_for(user: User) -> list[CarriedSummary]:
    """Per later draft, how the user's annotations were carried to it (two queries)."""
    rows = (
        AnchorResolution.objects.filter(annotation__author=user, annotation__deleted_at__isnull=True)
        .values_list("version_id", "from_version__label", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grouped: dict[tuple[int, str], dict[str, int]] = {}
    for version_id, from_label, state, n in rows:
        grouped.setdefault((version_id, from_label), {})[state] = n
    versions = DraftVersion.objects.select_related("treaty").in_bulk([v for v, _ in grouped])
    return [
        CarriedSummary(
            versions[version_id],
            from_label,
            [(state, words, counts[state]) for state, words in STATE_WORDS if counts.get(state)],
        )
        for (version_id, from_label), counts in sorted(grouped.items(), key=lambda item: -item[0][0])
    ]


def carrying_notice_claim(run_id: int) -> list[int]:
    """The authors to tell about this run, or none if they were told already (the conditional
    update lets exactly one execution claim the notice)."""
    claimed = CarryingRun.objects.filter(pk=run_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return []
    run = CarryingRun.objects.select_related("mapping_run").get(pk=run_id)
    return sorted(
        set(
            AnchorResolution.objects.filter(
                version=run.mapping_run.to_version_id,
                from_version=run.mapping_run.from_version_id,
                annotation__author__isnull=False,
                annotation__deleted_at__isnull=True,
            ).values_list("annotation__author_id", flat=True)
        )
    )


def carrying_notice_send(*, run_id: int, user_id: int) -> None:
    run = CarryingRun.objects.select_related(
        "mapping_run__from_version", "mapping_run__to_version__treaty"
    ).get(pk=run_id)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    earlier, later = run.mapping_run.from_version, run.mapping_run.to_version
    counts = dict(
        AnchorResolution.objects.filter(version=later, from_version=earlier, annotation__author=user)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not counts:
        return
    context = {
        "user": user,
        "treaty": later.treaty,
        "earlier": earlier,
        "later": later,
        "counts": [(words, counts[state]) for state, words in STATE_WORDS if counts.get(state)],
        "draft_link": f"{settings.SITE_URL}{draft_contents_path(later)}",
        "mine_link": f"{settings.SITE_URL}{reverse('accounts:my-annotations')}",
    }
    # In the recipient's language, whatever the worker's (accounts.emails).
    with translation.override(recipient_language(user)):
        subject = gettext("%(later)s follows %(earlier)s: how your annotations were carried") % {
            "later": later.label,
            "earlier": earlier.label,
        }
        send_mail(subject, render_to_string("annotations/email/carried.txt", context), None, [user.email])
