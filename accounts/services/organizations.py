"""Organisations and memberships: create, verify, join, decide, leave, roles.

Invariant: an organisation with active members always keeps at least one active admin.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership, Organization, OrganizationEvent, User

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
    name = " ".join(name.split())
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": f"An organisation named “{name}” already exists: ask to join it instead."}
        )
    organization = Organization(
        name=name,
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
        raise ValidationError({"name": f"An organisation named “{name}” already exists."}) from None
    Membership.objects.create(
        user=creator,
        organization=organization,
        role=Role.ADMIN,
        status=Status.ACTIVE,
        decided_at=timezone.now(),
    )
    _log(organization, creator, Action.CREATED)
    return organization


def _require_moderator(actor: User) -> None:
    if not actor.is_moderator:
        raise PermissionDenied("Only moderators can verify organisations.")


@transaction.atomic
def organization_verify(*, organization: Organization, moderator: User, note: str) -> Organization:
    _require_moderator(moderator)
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say how the organisation was verified (the note is logged)."})
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
        raise ValidationError({"note": "Say why the verification is withdrawn (the note is logged)."})
    organization.verified_at = None
    organization.save(update_fields=["verified_at"])
    _log(organization, moderator, Action.UNVERIFIED, note.strip())
    return organization


@transaction.atomic
def membership_request(*, user: User, organization: Organization) -> Membership:
    existing = Membership.objects.filter(user=user, organization=organization).first()
    if existing is not None and existing.status == Status.ACTIVE:
        raise ValidationError(f"You are already a member of {organization.name}.")
    if existing is not None and existing.status == Status.REQUESTED:
        raise ValidationError(f"You have already asked to join {organization.name}; its admins will decide.")
    if existing is not None:  # declined before: asking again is allowed
        existing.status, existing.role, existing.requested_at = Status.REQUESTED, Role.MEMBER, timezone.now()
        existing.decided_at = existing.decided_by = None
        existing.save(update_fields=["status", "role", "requested_at", "decided_at", "decided_by"])
        return existing
    try:
        with transaction.atomic():
            return Membership.objects.create(user=user, organization=organization)
    except IntegrityError:
        raise ValidationError(f"You have already asked to join {organization.name}.") from None


def can_manage(actor: User, organization: Organization) -> bool:
    """Admins of the organisation and moderators manage its members."""
    if actor.is_moderator:
        return True
    return Membership.objects.filter(
        user=actor, organization=organization, status=Status.ACTIVE, role=Role.ADMIN
    ).exists()


def _require_manager(actor: User, organization: Organization) -> None:
    if not can_manage(actor, organization):
        raise PermissionDenied(f"Only an admin of {organization.name} or a moderator can do that.")


def _lock(membership: Membership) -> Membership:
    # Lock every membership row of the organisation: the last-admin rule spans rows.
    rows = list(Membership.objects.select_for_update().filter(organization_id=membership.organization_id))
    return next(m for m in rows if m.pk == membership.pk)


@transaction.atomic
def membership_decide(*, actor: User, membership: Membership, accept: bool) -> Membership:
    _require_manager(actor, membership.organization)
    membership = _lock(membership)
    if membership.status != Status.REQUESTED:
        raise ValidationError("This request has already been decided.")
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


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _require_manager(actor, membership.organization)
    membership = _lock(membership)
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})
    if membership.status != Status.ACTIVE:
        raise ValidationError("Only active members can be given a role.")
    if role == Role.MEMBER and _is_last_admin(membership):
        raise ValidationError(
            f"{membership.organization.name} must keep an admin: appoint another admin before stepping down."
        )
    membership.role = role
    membership.save(update_fields=["role"])
    _log(membership.organization, actor, Action.ROLE_CHANGED, role)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    leaving_self = actor.pk == membership.user_id
    if not leaving_self:
        _require_manager(actor, membership.organization)
    membership = _lock(membership)
    if _is_last_admin(membership) and _other_active_members(membership):
        raise ValidationError(
            f"{membership.organization.name} must keep an admin: appoint another admin first."
        )
    organization = membership.organization
    membership.delete()
    _log(organization, actor, Action.MEMBER_LEFT if leaving_self else Action.MEMBER_REMOVED)


def membership_listing_set(*, user: User, membership: Membership, listed: bool) -> Membership:
    if membership.user_id != user.pk:
        raise PermissionDenied("Only members decide whether they are listed publicly.")
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
