"""Suspensions of accounts (a user or an organisation) and their appeals (issue 17 §3).

A suspended account cannot write (annotate, edit, reply, endorse, flag, create or join an
organisation). Nothing it already wrote changes: pending items stay pending, approved items stay
approved unless a moderator acts on them in the moderation console. Deleting one's own words stays
possible: nobody is made to keep something published in their name.

The account sees the reason and the end date, and may appeal once per suspension; a moderator
upholds or lifts it with a reason the account sees. Every step is a SuspensionEvent.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Appeal, Membership, Organization, Suspension, SuspensionEvent, User
from config.enqueue import enqueue_after_commit

Action = SuspensionEvent.Action
REASON_MAX_LENGTH = 2000
APPEAL_MAX_LENGTH = 4000


def _log(suspension: Suspension, actor: User | None, action: str, note: str = "") -> None:
    SuspensionEvent.objects.create(suspension=suspension, actor=actor, action=action, note=note)


def _in_force(now: datetime) -> Q:
    return Q(lifted_at__isnull=True, starts_at__lte=now) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def suspensions_in_force(
    *, user: User | None = None, organization: Organization | None = None
) -> QuerySet[Suspension]:
    now = timezone.now()
    accounts = Q()
    if user is not None:
        accounts |= Q(user=user)
    if organization is not None:
        accounts |= Q(organization=organization)
    if not accounts:
        return Suspension.objects.none()
    return Suspension.objects.filter(accounts).filter(_in_force(now)).select_related("organization")


def suspensions_concerning(user: User) -> QuerySet[Suspension]:
    """Suspensions the user may read and appeal: their own, and those of organisations they administer."""
    administered = Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, role=Membership.Role.ADMIN
    ).values("organization_id")
    return (
        Suspension.objects.filter(Q(user=user) | Q(organization_id__in=administered))
        .select_related("organization", "appeal")
        .order_by("-starts_at", "-id")
    )


def _until(suspension: Suspension) -> str:
    if suspension.ends_at is None:
        return "until a moderator lifts it"
    return "until " + date_format(timezone.localtime(suspension.ends_at), "j F Y, H:i") + " UTC"


def suspension_message(suspension: Suspension) -> str:
    """What a refused write says: whose suspension, why, until when, and where to appeal."""
    whose = "Your account is" if suspension.user_id else f"{suspension.organization} is"  # type: ignore[union-attr]
    path = reverse("accounts:suspension-detail", args=[suspension.pk])
    return (
        f"{whose} suspended {_until(suspension)}, so it cannot write here. "
        f"Reason given by the moderators: {suspension.reason} You can read the decision and appeal "
        f"it at {path}"
    )


def require_not_suspended(user: User, organization: Organization | None = None) -> None:
    """Raise PermissionDenied (with the reason and where to appeal) if the user, or the
    organisation they would write as, is suspended."""
    suspension = (
        suspensions_in_force(user=user, organization=organization)
        .order_by("organization_id", "-starts_at")
        .first()
    )
    if suspension is not None:
        raise PermissionDenied(suspension_message(suspension))


def _require_moderator(actor: User) -> None:
    if not actor.is_moderator:
        raise PermissionDenied(_("Only moderators can suspend accounts or decide appeals."))


def _clean(text: str, *, field: str, what: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({field: _("Write %(what)s: the account will read it.") % {"what": what}})
    if len(text) > limit:
        raise ValidationError(
            {
                field: _("%(what)s is %(length)s characters long; the limit is %(limit)s.")
                % {"what": what.capitalize(), "length": len(text), "limit": limit}
            }
        )
    return text


@transaction.atomic
def suspension_create(
    *,
    moderator: User,
    reason: str,
    user: User | None = None,
    organization: Organization | None = None,
    ends_at: datetime | None = None,
) -> Suspension:
    _require_moderator(moderator)
    if (user is None) == (organization is None):
        raise ValidationError({"account": _("Suspend either a user or an organisation.")})
    if user is not None and user.pk == moderator.pk:
        raise ValidationError({"account": _("You cannot suspend your own account.")})
    reason = _clean(reason, field="reason", what="the reason", limit=REASON_MAX_LENGTH)
    now = timezone.now()
    if ends_at is not None and ends_at <= now:
        raise ValidationError(
            {"ends_at": _("The end of the suspension must be in the future (or empty: no end).")}
        )
    suspension = Suspension.objects.create(
        user=user,
        organization=organization,
        reason=reason,
        starts_at=now,
        ends_at=ends_at,
        created_by=moderator,
    )
    _log(suspension, moderator, Action.SUSPENDED, reason)
    _tell(suspension, "suspended")
    return suspension


@transaction.atomic
def suspension_lift(*, moderator: User, suspension: Suspension, reason: str) -> Suspension:
    _require_moderator(moderator)
    reason = _clean(reason, field="reason", what="why the suspension is lifted", limit=REASON_MAX_LENGTH)
    now = timezone.now()
    # Two moderators may lift at once: only the first is recorded.
    won = Suspension.objects.filter(pk=suspension.pk, lifted_at__isnull=True).update(
        lifted_at=now, lifted_by=moderator, lift_reason=reason
    )
    if not won:
        raise ValidationError(_("This suspension was already lifted."))
    suspension.refresh_from_db()
    _log(suspension, moderator, Action.LIFTED, reason)
    _tell(suspension, "lifted")
    return suspension


def may_appeal(user: User, suspension: Suspension) -> bool:
    """The suspended user, or an active admin of the suspended organisation."""
    if suspension.user_id is not None:
        return suspension.user_id == user.pk
    return Membership.objects.filter(
        user=user,
        organization=suspension.organization,
        status=Membership.Status.ACTIVE,
        role=Membership.Role.ADMIN,
    ).exists()


@transaction.atomic
def appeal_create(*, appellant: User, suspension: Suspension, body: str) -> Appeal:
    if not may_appeal(appellant, suspension):
        raise PermissionDenied(
            _("This decision is not about your account: only the suspended account can appeal it.")
        )
    if Appeal.objects.filter(suspension=suspension).exists():
        raise ValidationError(_("This decision was already appealed: each decision can be appealed once."))
    if suspension.lifted_at is not None:
        raise ValidationError(_("This suspension was already lifted: there is nothing to appeal."))
    body = _clean(body, field="body", what="your appeal", limit=APPEAL_MAX_LENGTH)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(suspension=suspension, appellant=appellant, body=body)
    except IntegrityError:  # a second appeal sent at the same moment
        raise ValidationError(
            _("This decision was already appealed: each decision can be appealed once.")
        ) from None
    _log(suspension, appellant, Action.APPEALED, body)
    return appeal


@transaction.atomic
def appeal_decide(*, moderator: User, appeal: Appeal, grant: bool, reason: str) -> Appeal:
    _require_moderator(moderator)
    reason = _clean(reason, field="reason", what="the reason for your decision", limit=REASON_MAX_LENGTH)
    now = timezone.now()
    status = Appeal.Status.GRANTED if grant else Appeal.Status.UPHELD
    won = Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.PENDING).update(
        status=status, decided_at=now, decided_by=moderator, outcome_reason=reason
    )
    if not won:
        raise ValidationError(_("This appeal was already decided."))
    appeal.refresh_from_db()
    suspension = appeal.suspension
    _log(suspension, moderator, Action.APPEAL_GRANTED if grant else Action.APPEAL_UPHELD, reason)
    if grant:
        Suspension.objects.filter(pk=suspension.pk, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by=moderator, lift_reason=f"Appeal granted: {reason}"
        )
    _tell(suspension, "appeal_granted" if grant else "appeal_upheld")
    return appeal


def _tell(suspension: Suspension, what: str) -> None:
    from accounts.tasks import suspension_notice_task

    enqueue_after_commit(suspension_notice_task, suspension.pk, what)
