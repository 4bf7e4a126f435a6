"""The annotation panel of an article (or part) page: its filters, groups and pages, and the
annotate form that works without script (the dialog posts to the page itself)."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, QueryDict
from django_stubs_ext import StrOrPromise

from accounts.models import Attribution, Organization, User
from accounts.privacy import author_visible_to
from annotations import selectors, services
from annotations.campaigns.selectors import annotation_groups_of
from annotations.carrying.display import carried_view
from annotations.models import (
    BODY_MAX_LENGTH,
    PROPOSED_TEXT_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    AnchorResolution,
    Annotation,
    ConcernTag,
    Endorsement,
    Flag,
    Reply,
    Status,
)
from annotations.rendering import comment_html
from treaty.models import DraftVersion, Provision

# --- The panel ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelFilters:
    tag: str = ""
    position: str = ""
    organization: str = ""
    mine: bool = False
    # "here": written on this draft; "carried": carried to it from an earlier draft.
    origin: str = ""

    @property
    def active(self) -> bool:
        return bool(self.tag or self.position or self.organization or self.mine or self.origin)


# An article with thousands of annotations must stay quick to serve and usable to read.
PANEL_PAGE_SIZE = 50


@dataclass
class PanelGroup:
    provision: Provision
    annotations: list[Annotation]


@dataclass
class ArticlePanel:
    groups: list[PanelGroup]  # this page of the annotations that match the filters
    total: int  # live annotations the viewer may see on the article
    carried: int  # of those, how many were carried from earlier drafts
    outcomes: list[tuple[str, StrOrPromise, int]]  # (outcome, label, count) among the carried ones
    outcome_choices: list[tuple[str, StrOrPromise]]
    matching: int  # of those, how many match the filters
    first: int  # 1-based position of the first one on this page (0 when none)
    last: int
    previous_url: str
    next_url: str
    filters: PanelFilters
    tags: list[ConcernTag]  # active tags, for the filter and the form
    positions: list[tuple[str, StrOrPromise]]
    severities: list[tuple[int, StrOrPromise]]
    organizations: list[tuple[str, str]]  # (slug, name) of those named publicly on this article
    targets: list[Provision]  # what the form's provision picker offers, the article first
    can_annotate: bool
    cannot_annotate_reason: str
    attribution_choices: list[tuple[str, StrOrPromise]]
    attribution_default: str
    my_organizations: list[Organization] = field(default_factory=list)
    body_max_length: int = BODY_MAX_LENGTH
    proposed_text_max_length: int = PROPOSED_TEXT_MAX_LENGTH
    reply_max_length: int = REPLY_MAX_LENGTH
    flag_reasons: list[tuple[str, StrOrPromise]] = field(default_factory=list)


def panel_filters(params: QueryDict) -> PanelFilters:
    position = params.get("position", "")
    return PanelFilters(
        tag=params.get("tag", "")[:60],
        position=position if position in Annotation.Position.values else "",
        organization=params.get("organization", "")[:220],
        mine=params.get("mine") in ("1", "on", "true"),
        origin=params.get("origin", "") if params.get("origin") in ("here", "carried") else "",
    )


def _is_verified(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_verified)  # type: ignore[union-attr]


def _matches(row: selectors.ArticleAnnotationRow, filters: PanelFilters, user: User | AnonymousUser) -> bool:
    if row.deleted:
        # Tombstones keep threads readable; a filtered list has no thread to keep.
        return not filters.active
    if not row.has_tag:
        return False
    if filters.position and row.position != filters.position:
        return False
    if filters.organization and row.organization_slug != filters.organization:
        return False
    if filters.origin and row.carried != (filters.origin == "carried"):
        return False
    return not (filters.mine and (not user.is_authenticated or row.author_id != user.pk))


def _page_number(params: QueryDict, matching: list[selectors.ArticleAnnotationRow]) -> int:
    # ?show=N opens the page holding annotation N (links to #annotation-N from elsewhere).
    show = params.get("show", "")
    if show.isdigit():
        for index, row in enumerate(matching):
            if row.id == int(show):
                return index // PANEL_PAGE_SIZE + 1
    page = params.get("page", "")
    return int(page) if page.isdigit() and int(page) > 0 else 1


def _page_url(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params.pop("show", None)
    params["page"] = str(page)
    return f"?{params.urlencode()}#annotations"


def _prepare_replies(
    replies: Iterable[Reply], viewer: User | AnonymousUser, *, verified: bool = False
) -> None:
    for reply in replies:
        if not reply.is_tombstone:  # type: ignore[attr-defined]
            reply.author_view = author_visible_to(  # type: ignore[attr-defined]
                viewer, author=reply.author, organization=reply.organization, attribution=reply.attribution
            )
            reply.body_html = comment_html(reply.body)  # type: ignore[attr-defined]
            is_author = viewer.is_authenticated and reply.author_id == viewer.pk
            reply.can_delete = is_author  # type: ignore[attr-defined]
            reply.can_flag = verified and not is_author  # type: ignore[attr-defined]
        _prepare_replies(reply.answers, viewer, verified=verified)  # type: ignore[attr-defined]


def _prepare_annotation(
    annotation: Annotation,
    viewer: User | AnonymousUser,
    *,
    verified: bool,
    my_organizations: list[Organization],
    endorsed: set[tuple[int, int]],
) -> None:
    """What the panel shows of one annotation, and which buttons this viewer gets."""
    live = annotation.deleted_at is None
    if live:
        annotation.author_view = author_visible_to(  # type: ignore[attr-defined]
            viewer,
            author=annotation.author,
            organization=annotation.organization,
            attribution=annotation.attribution,
        )
        annotation.body_html = comment_html(annotation.body)  # type: ignore[attr-defined]
        annotation.tag_list = list(annotation.tags.all())  # type: ignore[attr-defined]
    is_author = viewer.is_authenticated and annotation.author_id == viewer.pk
    annotation.can_edit = bool(live and verified and is_author)  # type: ignore[attr-defined]
    annotation.can_reply = bool(live and verified)  # type: ignore[attr-defined]
    annotation.can_flag = bool(live and verified and not is_author)  # type: ignore[attr-defined]
    # Anonymous annotations take no endorsements: no organisation gets the button (only a
    # withdrawal of one made before the author chose anonymity), so its own members cannot tell
    # it is theirs by the missing button.
    anonymous = annotation.attribution == Attribution.ANONYMOUS
    annotation.endorse_options = [  # type: ignore[attr-defined]
        (organization, (annotation.pk, organization.pk) in endorsed)
        for organization in my_organizations
        if live
        and annotation.status == Status.APPROVED
        and (
            (annotation.pk, organization.pk) in endorsed
            if anonymous
            else organization.pk != annotation.organization_id
        )
    ]
    _prepare_replies(annotation.thread, viewer, verified=verified)  # type: ignore[attr-defined]


def article_panel(
    request: HttpRequest, version: DraftVersion, article: Provision, provisions: list[Provision]
) -> ArticlePanel:
    """Everything the annotation panel and the margin counts show, in a constant number of queries.

    Sets `annotation_count` on `article` and on each of `provisions` (live annotations only).
    The panel shows one page of PANEL_PAGE_SIZE annotations; counts and filters cover them all.
    """
    viewer = request.user
    filters = panel_filters(request.GET)
    rows = selectors.article_annotation_rows(article, viewer, tag=filters.tag or None)

    # By provision key: annotations written on a sibling language version count here too.
    counts: dict[str, int] = {}
    organizations: dict[str, str] = {}
    for row in rows:
        if not row.deleted:
            counts[row.provision_key] = counts.get(row.provision_key, 0) + 1
            if row.organization_slug and row.organization_name:
                organizations[row.organization_slug] = row.organization_name
    for provision in [article, *provisions]:
        provision.annotation_count = counts.get(provision.key, 0)  # type: ignore[attr-defined]
    on_page_by_key = {provision.key: provision for provision in [article, *provisions]}

    matching = [row for row in rows if _matches(row, filters, viewer)]
    page_count = max(1, -(-len(matching) // PANEL_PAGE_SIZE))
    page = min(_page_number(request.GET, matching), page_count)
    on_page = matching[(page - 1) * PANEL_PAGE_SIZE : page * PANEL_PAGE_SIZE]
    annotations = selectors.article_annotations_visible_to(article, viewer, ids=[row.id for row in on_page])

    verified = _is_verified(viewer)
    my_organizations = services.active_organizations(viewer) if verified else []  # type: ignore[arg-type]
    endorsed: set[tuple[int, int]] = set()
    if my_organizations and annotations:
        endorsed = set(
            Endorsement.objects.filter(
                annotation__in=[a.pk for a in annotations], organization__in=my_organizations
            ).values_list("annotation_id", "organization_id")
        )
    # The author reads why their annotations were flagged (never who flagged): one query.
    own = [a.pk for a in annotations if viewer.is_authenticated and a.author_id == viewer.pk]
    flags_by_annotation: dict[int, list[Flag]] = {}
    if own:
        for flag in Flag.objects.filter(annotation_id__in=own).only("annotation_id", "reason", "note"):
            flags_by_annotation.setdefault(flag.annotation_id, []).append(flag)  # type: ignore[arg-type]
    shown_in = {row.id: row.provision_key for row in on_page}
    my_organization_ids = {organization.pk for organization in my_organizations}
    # "One of N similar comments": no query unless one of them is in a group (the annotations
    # carry their group id).
    campaign_groups = annotation_groups_of(
        {a.pk: a.campaign_group_id for a in annotations if a.deleted_at is None},  # type: ignore[attr-defined]
        viewer,
    )
    groups: list[PanelGroup] = []
    for annotation in annotations:
        annotation.campaign_group = campaign_groups.get(annotation.pk)  # type: ignore[attr-defined]
        resolution = getattr(annotation, "resolution", None)
        annotation.carried = carried_view(annotation, resolution) if resolution else None  # type: ignore[attr-defined]
        # Its organisation's members (its author, without one) and moderators mark the outcome.
        annotation.can_mark_outcome = bool(  # type: ignore[attr-defined]
            resolution
            and verified
            and (
                getattr(viewer, "is_moderator", False)
                or (annotation.organization_id and annotation.organization_id in my_organization_ids)
                or (annotation.organization_id is None and annotation.author_id == viewer.pk)
            )
        )
        # Grouped under this page's provision of its key (carried: where it was carried to), in
        # whichever language version of the draft it was written.
        shown = on_page_by_key.get(
            shown_in.get(annotation.pk, annotation.provision.key), annotation.provision
        )
        annotation.flags_received = flags_by_annotation.get(annotation.pk, [])  # type: ignore[attr-defined]
        _prepare_annotation(
            annotation, viewer, verified=verified, my_organizations=my_organizations, endorsed=endorsed
        )
        annotation.other_language = annotation.version_id != version.pk and not resolution  # type: ignore[attr-defined]
        if groups and groups[-1].provision.key == shown.key:
            groups[-1].annotations.append(annotation)
        else:
            groups.append(PanelGroup(shown, [annotation]))

    if not viewer.is_authenticated:
        reason = "login"
    elif not verified:
        reason = "unverified"
    elif not version.accepts_annotations:
        reason = "closed"
    else:
        reason = ""
    first = (page - 1) * PANEL_PAGE_SIZE + 1 if on_page else 0
    return ArticlePanel(
        groups=groups,
        total=sum(counts.values()),
        carried=sum(row.carried and not row.deleted for row in rows),
        outcomes=_outcome_counts(rows),
        outcome_choices=list(AnchorResolution.Outcome.choices),
        matching=sum(not row.deleted for row in matching),
        first=first,
        last=first + len(on_page) - 1 if on_page else 0,
        previous_url=_page_url(request, page - 1) if page > 1 else "",
        next_url=_page_url(request, page + 1) if page < page_count else "",
        filters=filters,
        tags=list(ConcernTag.objects.filter(is_active=True)),
        positions=list(Annotation.Position.choices),
        severities=list(Annotation.Severity.choices),
        organizations=sorted(organizations.items(), key=lambda item: item[1].casefold()),
        targets=[article, *(p for p in provisions if p.text)],
        can_annotate=not reason,
        cannot_annotate_reason=reason,
        attribution_choices=list(Attribution.choices),
        attribution_default=_attribution_default(viewer, my_organizations),
        my_organizations=my_organizations,
        flag_reasons=[c for c in Flag.Reason.choices if c[0] != Flag.Reason.DUPLICATE],
    )


def _outcome_counts(rows: list[selectors.ArticleAnnotationRow]) -> list[tuple[str, StrOrPromise, int]]:
    counted: dict[str, int] = {}
    for row in rows:
        if row.outcome and not row.deleted:
            counted[row.outcome] = counted.get(row.outcome, 0) + 1
    return [
        (value, label, counted[value])
        for value, label in AnchorResolution.Outcome.choices
        if value in counted
    ]


def _attribution_default(viewer: User | AnonymousUser, organizations: list[Organization]) -> str:
    preference = getattr(viewer, "attribution_preference", Attribution.PERSON)
    if preference == Attribution.ORGANIZATION and not organizations:
        # "My organisation only" without one would be refused: start from the name instead.
        return Attribution.PERSON
    return preference


# --- The annotate form without script --------------------------------------------------------


@dataclass
class AnnotateForm:
    """The annotate dialog's state when the server renders it: closed (the script opens it), opened
    by an "Annotate" link (?annotate=KEY), or posted without script and shown again with its errors."""

    is_open: bool = False
    provision: str = ""
    quote: str = ""
    tags: list[str] = field(default_factory=list)
    severity: int = Annotation.Severity.CONCERN
    position: str = ""
    body: str = ""
    proposed_text: str = ""
    attribution: str = ""
    organization: str = ""
    comment_language: str = ""  # empty: the interface language
    errors: dict[str, str] = field(default_factory=dict)


def annotate_form_initial(request: HttpRequest, panel: ArticlePanel) -> AnnotateForm:
    """?annotate=KEY opens the dialog on KEY (one of the unit's targets): the "Annotate" links
    that stand in for the script's buttons."""
    key = request.GET.get("annotate", "")
    targets = {target.key for target in panel.targets}
    if not panel.can_annotate or key not in targets:
        return AnnotateForm(attribution=panel.attribution_default)
    return AnnotateForm(is_open=True, provision=key, attribution=panel.attribution_default)


def annotate_form_post(request: HttpRequest, version: DraftVersion) -> tuple[Annotation | None, AnnotateForm]:
    """Creates the annotation posted by the dialog's form (no script: the script uses the API).
    Returns it, or None and the form to show again with what went wrong."""
    data = request.POST
    severity = data.get("severity", "")
    form = AnnotateForm(
        is_open=True,
        provision=data.get("provision", ""),
        quote=data.get("quote", "").strip(),
        tags=data.getlist("tags"),
        severity=int(severity) if severity.isdigit() else 0,
        position=data.get("position", ""),
        body=data.get("body", ""),
        proposed_text=data.get("proposed_text", ""),
        attribution=data.get("attribution", ""),
        organization=data.get("organization", ""),
        comment_language=data.get("comment_language", "").strip(),
    )
    try:
        annotation = services.annotation_create(
            author=request.user,  # type: ignore[arg-type]
            version=version,
            provision_key=form.provision,
            quote=services.QuoteInput(exact=form.quote) if form.quote else None,
            tags=form.tags,
            severity=form.severity,
            position=form.position,
            body=form.body,
            proposed_text=form.proposed_text,
            attribution=form.attribution or None,
            organization_slug=form.organization or None,
            comment_language=form.comment_language or None,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form.errors = {name: " ".join(messages) for name, messages in error.message_dict.items()}
        else:
            form.errors = {"detail": " ".join(error.messages)}
        return None, form
    except (PermissionDenied, services.NotFound) as error:
        form.errors = {"detail": str(error) or "You cannot annotate here."}
        return None, form
    return annotation, form
