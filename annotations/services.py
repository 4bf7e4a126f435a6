"""Writes to annotations, replies, endorsements and flags (DESIGN §3-§5).

Every function takes the acting user and checks what that user may do; views only parse input
and call these. A refused write raises before anything is stored.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Attribution, Organization, User
from accounts.services.suspensions import require_not_suspended
from annotations.anchoring import AnchorError, quote_anchor
from annotations.campaigns.services import campaign_mark_pending
from annotations.comment_language import comment_language_choose
from annotations.heat.services import heat_mark_dirty
from annotations.models import (
    BODY_MAX_LENGTH,
    PROPOSED_TEXT_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    Annotation,
    AnnotationRevision,
    Endorsement,
    Flag,
    ModerationEvent,
    Reply,
    Status,
    Target,
)
from annotations.moderation import services as moderation
from annotations.public_ids import insert_with_public_id
from annotations.tasks import reply_email_task
from annotations.text_input import clean_text

# Re-exported: callers import these from here.
from annotations.write_rules import (
    NotFound,
    QuoteInput,
    _check_choices,
    _initial_status,
    _organization_for,
    _require_verified,
    _tags,
    active_organizations,
    provision_get,
)
from config.db_retry import retry_on_conflict
from config.enqueue import enqueue_after_commit
from treaty.generations import public_generation_bump_on_commit
from treaty.models import DraftVersion


@retry_on_conflict
@transaction.atomic
def annotation_create(
    *,
    author: User,
    version: DraftVersion,
    provision_key: str,
    tags: list[str],
    severity: int,
    position: str,
    body: str,
    quote: QuoteInput | None = None,
    proposed_text: str = "",
    attribution: str | None = None,
    organization_slug: str | None = None,
    comment_language: str | None = None,
) -> Annotation:
    _require_verified(author)
    if not version.accepts_annotations:
        superseded = version.status == DraftVersion.Status.SUPERSEDED
        state = _("superseded") if superseded else _("closed for comment")
        raise PermissionDenied(
            _("%(version)s (%(language)s) is %(state)s: annotate the current draft.")
            % {"version": version.label, "language": version.language, "state": state}
        )
    provision = provision_get(version, provision_key)
    attribution = attribution or author.attribution_preference
    _check_choices(severity=severity, position=position, attribution=attribution)
    tag_rows = _tags(tags)
    language = comment_language_choose(comment_language)
    body = clean_text(body, field="body", limit=BODY_MAX_LENGTH, required=True, what="a comment")
    proposed_text = clean_text(
        proposed_text,
        field="proposed_text",
        limit=PROPOSED_TEXT_MAX_LENGTH,
        required=position == Annotation.Position.AMEND,
        what="the wording you propose",
    )
    organization = _organization_for(author, organization_slug)
    if organization is not None:
        require_not_suspended(author, organization)
    if attribution == Attribution.ORGANIZATION and organization is None:
        raise ValidationError(
            {"attribution": _("You chose to appear as your organisation, but you are not acting for one.")}
        )

    target = Target(version=version, provision=provision, provision_key=provision.key)
    if quote is not None:
        try:
            selector = quote_anchor(
                provision.text,
                quote.exact,
                prefix=quote.prefix,
                suffix=quote.suffix,
                start=quote.start,
                end=quote.end,
                label=provision.label,
            )
        except AnchorError as error:
            raise ValidationError({"quote": str(error)}) from None
        target.exact, target.prefix, target.suffix = selector.exact, selector.prefix, selector.suffix
        target.start, target.end = selector.start, selector.end
    target.save()

    now = timezone.now()
    annotation = Annotation(
        author=author,
        organization=organization,
        target=target,
        version=version,
        provision=provision,
        article=provision.article,
        severity=severity,
        position=position,
        body=body,
        comment_language=language,
        proposed_text=proposed_text,
        attribution=attribution,
        status=_initial_status(version, organization),
        created_at=now,
        updated_at=now,
    )
    duplicate = _recent_duplicate(author, body)
    if duplicate is not None:
        annotation.status = Status.PENDING
    annotation.full_clean(exclude=["tags", "id"])
    insert_with_public_id(annotation)
    annotation.tags.set(tag_rows)
    campaign_mark_pending(annotation_id=annotation.pk)
    if annotation.status == Status.APPROVED:
        heat_mark_dirty(version_id=version.pk, article_id=annotation.article_id)
    if duplicate is not None:
        # Repeated identical bodies look like flooding: held for a moderator, with an automatic flag.
        Flag.objects.create(
            annotation=annotation,
            user=None,
            reason=Flag.Reason.DUPLICATE,
            note=f"Same text as annotation {duplicate} by the same author",
        )
        moderation.log_automatic(
            item=annotation,
            action=ModerationEvent.Action.DUPLICATE,
            from_status=Status.PENDING,
            to_status=Status.PENDING,
            reason=f"duplicate of annotation {duplicate}",
        )
    return annotation


def _recent_duplicate(author: User, body: str) -> int | None:
    since = timezone.now() - timedelta(seconds=settings.DUPLICATE_WINDOW_SECONDS)
    return (
        Annotation.objects.filter(author=author, body=body, created_at__gte=since, deleted_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )


def _require_author(annotation: Annotation, user: User, action: str) -> None:
    if annotation.author_id is None or annotation.author_id != user.pk:
        raise PermissionDenied(_("Only the author can %(action)s this annotation.") % {"action": action})
    if annotation.deleted_at is not None:
        raise PermissionDenied(_("This annotation was deleted: it can no longer be changed."))


@transaction.atomic
def annotation_update(
    *,
    annotation: Annotation,
    editor: User,
    body: str | None = None,
    tags: list[str] | None = None,
    severity: int | None = None,
    position: str | None = None,
    attribution: str | None = None,
    proposed_text: str | None = None,
    comment_language: str | None = None,
) -> Annotation:
    _require_verified(editor)
    annotation = Annotation.objects.select_for_update().get(pk=annotation.pk)
    _require_author(annotation, editor, "edit")
    if annotation.organization is not None:
        require_not_suspended(editor, annotation.organization)
    was_approved = annotation.status == Status.APPROVED
    previous_tags = list(annotation.tags.values_list("slug", flat=True))
    revision = AnnotationRevision(
        annotation=annotation,
        body=annotation.body,
        proposed_text=annotation.proposed_text,
        severity=annotation.severity,
        position=annotation.position,
        attribution=annotation.attribution,
        tag_slugs=previous_tags,
    )
    new_severity = annotation.severity if severity is None else severity
    new_position = annotation.position if position is None else position
    new_attribution = annotation.attribution if attribution is None else attribution
    _check_choices(severity=new_severity, position=new_position, attribution=new_attribution)
    if new_attribution == Attribution.ORGANIZATION and annotation.organization_id is None:
        raise ValidationError({"attribution": _("This annotation was not written for an organisation.")})
    # Retired tags already on the annotation may stay; new ones must be active.
    tag_rows = _tags(tags, allow_inactive=frozenset(previous_tags)) if tags is not None else None
    if body is not None:
        annotation.body = clean_text(
            body, field="body", limit=BODY_MAX_LENGTH, required=True, what="a comment"
        )
    if proposed_text is not None:
        annotation.proposed_text = clean_text(
            proposed_text,
            field="proposed_text",
            limit=PROPOSED_TEXT_MAX_LENGTH,
            required=new_position == Annotation.Position.AMEND,
            what="the wording you propose",
        )
    elif new_position == Annotation.Position.AMEND and not annotation.proposed_text:
        raise ValidationError({"proposed_text": _("Write the wording you propose: it cannot be empty.")})
    annotation.severity, annotation.position, annotation.attribution = (
        new_severity,
        new_position,
        new_attribution,
    )
    now = timezone.now()
    annotation.edited_at = annotation.updated_at = now
    if comment_language is not None:
        annotation.comment_language = comment_language_choose(comment_language)
    fields = ["body", "proposed_text", "severity", "position", "attribution", "edited_at", "updated_at"]
    fields.append("comment_language")
    version = annotation.version
    needs_review = _initial_status(version, annotation.organization) == Status.PENDING
    if annotation.status == Status.APPROVED and needs_review:
        # Under pre-moderation an edited text is a new text: it waits for a moderator again.
        annotation.status = Status.PENDING
        fields.append("status")
        moderation.log_automatic(
            item=annotation,
            action=ModerationEvent.Action.EDITED,
            from_status=Status.APPROVED,
            to_status=Status.PENDING,
            reason="edited under pre-moderation",
        )
    annotation.save(update_fields=fields)
    if tag_rows is not None:
        annotation.tags.set(tag_rows)
    revision.save()
    if annotation.body != revision.body:
        campaign_mark_pending(annotation_id=annotation.pk)
    if was_approved:  # it counted before; whatever changed, its article is recounted
        heat_mark_dirty(version_id=annotation.version_id, article_id=annotation.article_id)
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation, actor: User) -> Annotation:
    annotation = Annotation.objects.select_for_update().get(pk=annotation.pk)
    _require_author(annotation, actor, "delete")
    annotation.deleted_at = annotation.updated_at = timezone.now()
    annotation.save(update_fields=["deleted_at", "updated_at"])
    campaign_mark_pending(annotation_id=annotation.pk)
    if annotation.status == Status.APPROVED:
        heat_mark_dirty(version_id=annotation.version_id, article_id=annotation.article_id)
    return annotation


def _require_readable(annotation: Annotation, user: User) -> None:
    from annotations.selectors import annotation_visible_to

    if not annotation_visible_to(annotation, user):
        raise NotFound(_("There is no annotation %(annotation_pk)s.") % {"annotation_pk": annotation.pk})


@retry_on_conflict
@transaction.atomic
def reply_create(
    *,
    annotation: Annotation,
    author: User,
    body: str,
    parent_id: int | None = None,
    comment_language: str | None = None,
) -> Reply:
    _require_verified(author)
    _require_readable(annotation, author)
    if annotation.deleted_at is not None:
        raise PermissionDenied(_("This annotation was deleted: it takes no new replies."))
    parent = None
    if parent_id is not None:
        parent = Reply.objects.filter(pk=parent_id, annotation=annotation, deleted_at__isnull=True).first()
        if parent is None:
            message = _("There is no reply %(parent_id)s under this annotation.")
            raise ValidationError({"parent": message % {"parent_id": parent_id}})
    body = clean_text(body, field="body", limit=REPLY_MAX_LENGTH, required=True, what="a reply")
    language = comment_language_choose(comment_language)
    organization = _organization_for(author, None)
    if organization is not None:
        require_not_suspended(author, organization)
    attribution = author.attribution_preference
    if attribution == Attribution.ORGANIZATION and organization is None:
        attribution = Attribution.ANONYMOUS
    status = _initial_status(annotation.version, organization)
    now = timezone.now()
    reply = Reply(
        annotation=annotation,
        parent=parent,
        author=author,
        organization=organization,
        attribution=attribution,
        body=body,
        comment_language=language,
        status=status,
        created_at=now,
        updated_at=now,
    )
    insert_with_public_id(reply)
    if status == Status.APPROVED and annotation.author_id not in (None, author.pk):
        enqueue_after_commit(reply_email_task, reply.pk)
    if status == Status.APPROVED:
        public_generation_bump_on_commit(version_id=annotation.version_id)
    return reply


@transaction.atomic
def reply_delete(*, reply: Reply, actor: User) -> Reply:
    if reply.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can delete this reply."))
    reply.deleted_at = reply.updated_at = timezone.now()
    reply.save(update_fields=["deleted_at", "updated_at"])
    public_generation_bump_on_commit(version_id=reply.annotation.version_id)
    return reply


def _endorsing_organization(user: User, organization_slug: str | None) -> Organization:
    organizations = active_organizations(user)
    if not organizations:
        raise PermissionDenied(_("Only members of an organisation can endorse, on its behalf."))
    if organization_slug is None:
        if len(organizations) > 1:
            raise ValidationError(
                {"organization": _("You belong to several organisations: say which one endorses.")}
            )
        return organizations[0]
    chosen = next((o for o in organizations if o.slug == organization_slug), None)
    if chosen is None:
        message = _("You are not a member of the organisation “%(organization_slug)s”.")
        raise PermissionDenied(message % {"organization_slug": organization_slug})
    return chosen


@retry_on_conflict
@transaction.atomic
def endorsement_create(
    *, annotation: Annotation, user: User, organization_slug: str | None = None
) -> Endorsement:
    _require_verified(user)
    _require_readable(annotation, user)
    if annotation.deleted_at is not None or annotation.status != Status.APPROVED:
        raise PermissionDenied(_("Only published annotations can be endorsed."))
    if annotation.attribution == Attribution.ANONYMOUS:
        # Checked before anything about the endorser: every organisation gets this same answer,
        # so it cannot tell whether the anonymous annotation is its own (issue 17 §1).
        raise PermissionDenied(
            _("Anonymous annotations cannot be endorsed: an endorsement would tie them to an organisation.")
        )
    organization = _endorsing_organization(user, organization_slug)
    require_not_suspended(user, organization)
    if annotation.organization_id == organization.pk:
        message = _("This annotation is already %(organization)s's own.")
        raise ValidationError({"organization": message % {"organization": organization.name}})
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                annotation=annotation, organization=organization, endorsed_by=user
            )
    except IntegrityError:
        message = _("%(organization)s has already endorsed this annotation.")
        raise ValidationError({"organization": message % {"organization": organization.name}}) from None
    heat_mark_dirty(version_id=annotation.version_id, article_id=annotation.article_id)
    return endorsement


@retry_on_conflict
@transaction.atomic
def endorsement_delete(*, annotation: Annotation, user: User, organization_slug: str | None = None) -> None:
    _require_verified(user)
    organization = _endorsing_organization(user, organization_slug)
    deleted, _deleted_by_kind = Endorsement.objects.filter(
        annotation=annotation, organization=organization
    ).delete()
    if not deleted:
        raise NotFound(
            _("%(organization)s has not endorsed this annotation.") % {"organization": organization.name}
        )
    if annotation.status == Status.APPROVED:
        heat_mark_dirty(version_id=annotation.version_id, article_id=annotation.article_id)


@retry_on_conflict
@transaction.atomic
def flag_create(
    *,
    user: User,
    reason: str,
    note: str = "",
    annotation: Annotation | None = None,
    reply: Reply | None = None,
) -> Flag:
    _require_verified(user)
    item = annotation or (reply.annotation if reply else None)
    if item is None:
        raise ValidationError(_("Flag an annotation or a reply."))
    _require_readable(item, user)
    if reply is not None:
        from annotations.selectors import reply_visible_to

        if reply.deleted_at is not None or not reply_visible_to(reply, user):
            raise NotFound(_("There is no reply %(reply_pk)s.") % {"reply_pk": reply.pk})
    if reason not in Flag.Reason.values or reason == Flag.Reason.DUPLICATE:
        choices = ", ".join(r for r in Flag.Reason.values if r != Flag.Reason.DUPLICATE)
        raise ValidationError({"reason": _("Reason must be one of: %(choices)s.") % {"choices": choices}})
    note = clean_text(
        note, field="note", limit=1000, required=reason == Flag.Reason.OTHER, what="what is wrong"
    )
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                user=user, annotation=annotation, reply=reply, reason=reason, note=note
            )
    except IntegrityError:
        raise ValidationError({"reason": _("You have already flagged this item.")}) from None
    moderation.flag_threshold_apply(annotation or reply)  # type: ignore[arg-type]
    return flag
