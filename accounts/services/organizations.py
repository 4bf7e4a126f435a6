"""Organisations and memberships: create, verify, join, decide, leave, roles.

Invariants:
- an organisation with active members always keeps at least one active admin;
- nobody decides their own membership request or changes their own role;
- moderators act on an organisation only through the logged verification actions (verify,
  unverify) and the two-person change below; they do not accept members or give roles, so a
  moderator cannot join an organisation and post as it;
- the last founder-era admin (an admin appointed before the organisation was verified: its
  founders, trusted when it was verified) is removed or demoted by somebody else only with two
  people: one proposes, a different admin of the organisation or a different moderator confirms.
  Both steps are logged. Leaving of one's own accord needs nobody.
"""

import enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.lookalike_names import name_skeleton, organization_name_clean
from accounts.models import Membership, Organization, OrganizationEvent, User
from accounts.services.suspensions import require_not_suspended

Role, Status = Membership.Role, Membership.Status
Action = OrganizationEvent.Action


def _log(organization: Organization, actor: User | None, action: str, note: str = "") -> None:
    OrganizationEvent.objects.create(organization=organization, actor=actor, action=action, note=note)


# Paths under /accounts/organisations/ that a slug must not shadow.
RESERVED_SLUGS = frozenset({"new", "verification"})


def unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "organisation"
    if base in RESERVED_SLUGS:
        base = f"{base}-organisation"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(
    *, creator: User, name: str, type: str, country: str = "", website: str = "", description: str = ""
) -> Organization:
    """Create an unverified organisation with its creator as first admin."""
    require_not_suspended(creator)
    name = organization_name_clean(name)
    skeleton = name_skeleton(name)
    existing = Organization.objects.filter(Q(name__iexact=name) | Q(name_skeleton=skeleton)).first()
    if existing is None:
        # Rows made outside this service (demo seeding, benchmarks) may have no skeleton stored.
        existing = next(
            (
                o
                for o in Organization.objects.filter(name_skeleton__isnull=True)
                if name_skeleton(o.name) == skeleton
            ),
            None,
        )
    if existing is not None and existing.name.casefold() == name.casefold():
        raise ValidationError(
            {
                "name": _("An organisation named “%(name)s” already exists: ask to join it instead.")
                % {"name": name}
            }
        )
    if existing is not None:
        raise ValidationError(
            {
                "name": _(
                    "“%(name)s” looks like the name of an existing organisation, “%(existing)s”: "
                    "choose a name that cannot be mistaken for it, or ask to join it."
                )
                % {"name": name, "existing": existing.name}
            }
        )
    organization = Organization(
        name=name,
        name_skeleton=skeleton,
        slug=unique_slug(name),
        type=type,
        country=country,
        website=website,
        description=description.strip(),
        created_by=creator,
    )
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        # A concurrent creation of the same (or a look-alike) name won the race.
        raise ValidationError(
            {"name": _("An organisation named “%(name)s” already exists.") % {"name": name}}
        ) from None
    now = timezone.now()
    Membership.objects.create(
        user=creator,
        organization=organization,
        role=Role.ADMIN,
        status=Status.ACTIVE,
        decided_at=now,
        admin_since=now,
    )
    _log(organization, creator, Action.CREATED)
    return organization


def _require_moderator(actor: User) -> None:
    if not actor.is_moderator:
        raise PermissionDenied(_("Only moderators can verify organisations."))


@transaction.atomic
def organization_verify(*, organization: Organization, moderator: User, note: str) -> Organization:
    _require_moderator(moderator)
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say how the organisation was verified (the note is logged).")})
    organization.verified_at, organization.verified_by, organization.verification_note = (
        timezone.now(),
        moderator,
        note,
    )
    organization.save(update_fields=["verified_at", "verified_by", "verification_note"])
    _log(organization, moderator, Action.VERIFIED, note)
    return organization


@transaction.atomic
def organization_unverify(*, organization: Organization, moderator: User, note: str) -> Organization:
    _require_moderator(moderator)
    if not note.strip():
        raise ValidationError({"note": _("Say why the verification is withdrawn (the note is logged).")})
    organization.verified_at = None
    organization.save(update_fields=["verified_at"])
    _log(organization, moderator, Action.UNVERIFIED, note.strip())
    return organization


@transaction.atomic
def membership_request(*, user: User, organization: Organization) -> Membership:
    require_not_suspended(user)
    existing = Membership.objects.filter(user=user, organization=organization).first()
    if existing is not None and existing.status == Status.ACTIVE:
        raise ValidationError(
            _("You are already a member of %(organization)s.") % {"organization": organization.name}
        )
    if existing is not None and existing.status == Status.REQUESTED:
        raise ValidationError(
            _("You have already asked to join %(organization)s; its admins will decide.")
            % {"organization": organization.name}
        )
    if existing is not None:  # declined before: asking again is allowed
        existing.status, existing.role, existing.requested_at = Status.REQUESTED, Role.MEMBER, timezone.now()
        existing.decided_at = existing.decided_by = None
        existing.save(update_fields=["status", "role", "requested_at", "decided_at", "decided_by"])
        return existing
    try:
        with transaction.atomic():
            return Membership.objects.create(user=user, organization=organization)
    except IntegrityError:
        raise ValidationError(
            _("You have already asked to join %(organization)s.") % {"organization": organization.name}
        ) from None


def is_admin_of(actor: User, organization: Organization) -> bool:
    return Membership.objects.filter(
        user=actor, organization=organization, status=Status.ACTIVE, role=Role.ADMIN
    ).exists()


def can_manage(actor: User, organization: Organization) -> bool:
    """Who may open the members page: the organisation's admins, and moderators (who only see it
    and take part in the two-person change of a founder-era admin)."""
    return actor.is_moderator or is_admin_of(actor, organization)


def _require_admin(actor: User, organization: Organization) -> None:
    if not is_admin_of(actor, organization):
        if actor.is_moderator:
            raise PermissionDenied(
                _(
                    "Moderators do not manage the members of %(organization)s: "
                    "only its admins do (moderators verify organisations)."
                )
                % {"organization": organization.name}
            )
        raise PermissionDenied(
            _("Only an admin of %(organization)s can do that.") % {"organization": organization.name}
        )


def _lock(membership: Membership) -> Membership:
    # Lock every membership row of the organisation: the last-admin rule spans rows.
    rows = list(Membership.objects.select_for_update().filter(organization_id=membership.organization_id))
    return next(m for m in rows if m.pk == membership.pk)


@transaction.atomic
def membership_decide(*, actor: User, membership: Membership, accept: bool) -> Membership:
    if membership.user_id == actor.pk:
        raise PermissionDenied(
            _("You cannot decide your own request: another admin of the organisation will.")
        )
    _require_admin(actor, membership.organization)
    membership = _lock(membership)
    if membership.status != Status.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    membership.status = Status.ACTIVE if accept else Status.DECLINED
    membership.decided_at, membership.decided_by = timezone.now(), actor
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    _log(membership.organization, actor, Action.MEMBER_ACCEPTED if accept else Action.MEMBER_DECLINED)
    return membership


def _is_last_admin(membership: Membership) -> bool:
    if not membership.is_active_admin:
        return False
    return (
        not Membership.objects.filter(
            organization_id=membership.organization_id, status=Status.ACTIVE, role=Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _other_active_members(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organization_id=membership.organization_id, status=Status.ACTIVE)
        .exclude(pk=membership.pk)
        .exists()
    )


def is_founder_era_admin(membership: Membership) -> bool:
    """An active admin appointed before the organisation was verified (or before appointments were
    recorded): one of the people a moderator checked when verifying it."""
    if not membership.is_active_admin:
        return False
    verified_at = membership.organization.verified_at
    return membership.admin_since is None or verified_at is None or membership.admin_since <= verified_at


def _is_last_founder_era_admin(membership: Membership) -> bool:
    if not is_founder_era_admin(membership):
        return False
    others = (
        Membership.objects.filter(
            organization_id=membership.organization_id, status=Status.ACTIVE, role=Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .select_related("organization")
    )
    return not any(is_founder_era_admin(other) for other in others)


def _require_admin_or_moderator(actor: User, organization: Organization) -> None:
    if not (actor.is_moderator or is_admin_of(actor, organization)):
        raise PermissionDenied(
            _("Only an admin of %(organization)s or a moderator can do that.")
            % {"organization": organization.name}
        )


class ChangeOutcome(enum.Enum):
    DONE = "done"
    PROPOSED = "proposed"  # waits for a second person (two-person rule)


def _two_person_gate(*, actor: User, membership: Membership, change: str) -> ChangeOutcome:
    """For a change by somebody else to the last founder-era admin: the first person proposes, a
    different admin of the organisation or a different moderator confirms."""
    organization = membership.organization
    proposer = membership.change_proposed_by_id
    if membership.change_proposed == change and proposer is not None and proposer != actor.pk:
        _log(organization, actor, Action.FOUNDER_CHANGE_CONFIRMED, f"{change}: proposed by user {proposer}")
        membership.change_proposed, membership.change_proposed_by, membership.change_proposed_at = (
            "",
            None,
            None,
        )
        return ChangeOutcome.DONE
    if membership.change_proposed == change and proposer == actor.pk:
        raise ValidationError(
            _(
                "You already proposed this change: another admin of the organisation or a second "
                "moderator must confirm it."
            )
        )
    membership.change_proposed, membership.change_proposed_by = change, actor
    membership.change_proposed_at = timezone.now()
    membership.save(update_fields=["change_proposed", "change_proposed_by", "change_proposed_at"])
    _log(organization, actor, Action.FOUNDER_CHANGE_PROPOSED, change)
    return ChangeOutcome.PROPOSED


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> ChangeOutcome:
    if membership.user_id == actor.pk:
        raise PermissionDenied(_("You cannot change your own role: another admin of the organisation can."))
    membership = _lock(membership)
    organization = membership.organization
    founder_change = role == Role.MEMBER and _is_last_founder_era_admin(membership)
    if founder_change:
        _require_admin_or_moderator(actor, organization)
    else:
        _require_admin(actor, organization)
    if role not in Role.values:
        raise ValidationError(
            {"role": _("Choose one of: %(choices)s.") % {"choices": ", ".join(Role.values)}}
        )
    if membership.status != Status.ACTIVE:
        raise ValidationError(_("Only active members can be given a role."))
    if role == Role.MEMBER and _is_last_admin(membership):
        raise ValidationError(
            _("%(organization)s must keep an admin: appoint another admin before stepping down.")
            % {"organization": organization.name}
        )
    if (
        founder_change
        and _two_person_gate(actor=actor, membership=membership, change=role) is ChangeOutcome.PROPOSED
    ):
        return ChangeOutcome.PROPOSED
    membership.role = role
    membership.admin_since = timezone.now() if role == Role.ADMIN else None
    membership.save(
        update_fields=["role", "admin_since", "change_proposed", "change_proposed_by", "change_proposed_at"]
    )
    _log(organization, actor, Action.ROLE_CHANGED, role)
    return ChangeOutcome.DONE


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> ChangeOutcome:
    leaving_self = actor.pk == membership.user_id
    membership = _lock(membership)
    organization = membership.organization
    founder_change = not leaving_self and _is_last_founder_era_admin(membership)
    if founder_change:
        _require_admin_or_moderator(actor, organization)
    elif not leaving_self:
        _require_admin(actor, organization)
    if _is_last_admin(membership) and _other_active_members(membership):
        raise ValidationError(
            _("%(organization)s must keep an admin: appoint another admin first.")
            % {"organization": organization.name}
        )
    if (
        founder_change
        and _two_person_gate(actor=actor, membership=membership, change="remove") is ChangeOutcome.PROPOSED
    ):
        return ChangeOutcome.PROPOSED
    membership.delete()
    _log(organization, actor, Action.MEMBER_LEFT if leaving_self else Action.MEMBER_REMOVED)
    return ChangeOutcome.DONE


def membership_listing_set(*, user: User, membership: Membership, listed: bool) -> Membership:
    if membership.user_id != user.pk:
        raise PermissionDenied(_("Only members decide whether they are listed publicly."))
    membership.listed_publicly = listed
    membership.save(update_fields=["listed_publicly"])
    return membership


def admin_succession_for_departure(membership: Membership) -> None:
    """An admin's account is being deleted: keep the organisation administered.

    The longest-standing active member becomes admin; with no other member, nobody is left to
    administer and moderators manage it.
    """
    if not _is_last_admin(membership):
        return
    successor = (
        Membership.objects.filter(organization_id=membership.organization_id, status=Status.ACTIVE)
        .exclude(pk=membership.pk)
        .order_by("decided_at", "requested_at", "pk")
        .first()
    )
    if successor is not None:
        successor.role = Role.ADMIN
        successor.save(update_fields=["role"])
        _log(
            membership.organization,
            None,
            Action.ROLE_CHANGED,
            "admin (the previous admin deleted their account)",
        )
