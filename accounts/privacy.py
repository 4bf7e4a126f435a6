"""What a given viewer may learn about the author of a contribution. The one place that decides.

Commenters on a surveillance treaty may face hostile governments: every page, API response,
export and notification that names an author goes through `author_visible_to`.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from accounts.models import Attribution, Organization, User

ANONYMOUS_LABEL = "Anonymous"
FORMER_MEMBER_LABEL = "Former member"


@dataclass(frozen=True)
class AuthorView:
    label: str  # what to print
    name: str | None = None  # the person's display name, when the viewer may see it
    organization: Organization | None = None  # when the viewer may see it
    user_id: int | None = None  # only for the author themself and moderators
    hidden_from_public: bool = False  # true when others see less than this viewer does


def author_visible_to(
    viewer: User | AnonymousUser | None,
    *,
    author: User | None,
    organization: Organization | None,
    attribution: str,
) -> AuthorView:
    if author is None:
        # The account was deleted and its contributions kept without any trace of who wrote them.
        return AuthorView(label=FORMER_MEMBER_LABEL)
    public = _public_view(author, organization, attribution)
    is_self = viewer is not None and viewer.is_authenticated and viewer.pk == author.pk
    is_moderator = viewer is not None and viewer.is_authenticated and getattr(viewer, "is_moderator", False)
    if not (is_self or is_moderator):
        return public
    name = author.display_name or author.email
    full_label = f"{name} ({organization.name})" if organization else name
    hidden = attribution != Attribution.PERSON
    if hidden:
        full_label += f" — shown to others as “{public.label}”"
    return AuthorView(
        label=full_label, name=name, organization=organization, user_id=author.pk, hidden_from_public=hidden
    )


def _public_view(author: User, organization: Organization | None, attribution: str) -> AuthorView:
    if attribution == Attribution.PERSON:
        name = author.display_name or ANONYMOUS_LABEL
        label = f"{name} ({organization.name})" if organization else name
        return AuthorView(label=label, name=author.display_name or None, organization=organization)
    if attribution == Attribution.ORGANIZATION and organization is not None:
        return AuthorView(label=organization.name, organization=organization)
    # Anonymous, or "organisation only" without an organisation: nothing about the author.
    return AuthorView(label=ANONYMOUS_LABEL)
