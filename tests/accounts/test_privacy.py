"""`author_visible_to`: exactly what each viewer may learn about an author, for every attribution.

The table below is the whole rule; every cell is checked. "public" is what anybody but the author
and moderators sees (an anonymous visitor, mallory, a colleague from the same organisation).
"""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Attribution, Organization, User
from accounts.privacy import ANONYMOUS_LABEL, FORMER_MEMBER_LABEL, AuthorView, author_visible_to
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PUBLIC_VIEWERS = ["nobody", "anonymous_visitor", "mallory", "colleague", "former_moderator"]
PRIVILEGED_VIEWERS = ["alice", "mod"]

# (attribution, with organisation) → what the public sees: (label, name, organisation?)
PUBLIC = {
    (Attribution.PERSON, True): ("Alice Activist (Digital Rights Watch)", "Alice Activist", True),
    (Attribution.PERSON, False): ("Alice Activist", "Alice Activist", False),
    (Attribution.ORGANIZATION, True): ("Digital Rights Watch", None, True),
    # "Organisation only" without an organisation must not fall back to the name.
    (Attribution.ORGANIZATION, False): (ANONYMOUS_LABEL, None, False),
    # Anonymous hides the organisation too: a small organisation would name its author.
    (Attribution.ANONYMOUS, True): (ANONYMOUS_LABEL, None, False),
    (Attribution.ANONYMOUS, False): (ANONYMOUS_LABEL, None, False),
}
CASES = [
    pytest.param(attribution, with_org, id=f"{attribution}-{'org' if with_org else 'no-org'}")
    for attribution, with_org in PUBLIC
]


@pytest.fixture
def viewers(alice: User, mod: User, mallory: User, drw: Organization) -> dict[str, Any]:
    from django.contrib.auth.models import Group

    colleague = MembershipFactory(organization=drw, user__display_name="Colleague Carla").user
    former_moderator = MembershipFactory(user__is_active=False).user
    former_moderator.groups.add(Group.objects.get(name="moderators"))
    return {
        "nobody": None,
        "anonymous_visitor": AnonymousUser(),
        "mallory": mallory,
        "colleague": colleague,
        "former_moderator": former_moderator,
        "alice": User.objects.get(pk=alice.pk),  # a fresh instance, as a request would load it
        "mod": User.objects.get(pk=mod.pk),
    }


def seen_by(viewer: Any, alice: User, drw: Organization, attribution: str, with_org: bool) -> AuthorView:
    return author_visible_to(
        viewer, author=alice, organization=drw if with_org else None, attribution=attribution
    )


@pytest.mark.parametrize("viewer", PUBLIC_VIEWERS)
@pytest.mark.parametrize(("attribution", "with_org"), CASES)
def test_what_the_public_sees(
    viewers: dict[str, Any], viewer: str, alice: User, drw: Organization, attribution: str, with_org: bool
) -> None:
    label, name, shows_org = PUBLIC[(attribution, with_org)]

    view = seen_by(viewers[viewer], alice, drw, attribution, with_org)

    assert view == AuthorView(label=label, name=name, organization=drw if shows_org else None)
    assert view.user_id is None
    assert "alice@example.org" not in repr(view)


@pytest.mark.parametrize("viewer", PRIVILEGED_VIEWERS)
@pytest.mark.parametrize(("attribution", "with_org"), CASES)
def test_what_the_author_and_moderators_see(
    viewers: dict[str, Any], viewer: str, alice: User, drw: Organization, attribution: str, with_org: bool
) -> None:
    public_label = PUBLIC[(attribution, with_org)][0]
    full = "Alice Activist (Digital Rights Watch)" if with_org else "Alice Activist"
    hidden = attribution != Attribution.PERSON

    view = seen_by(viewers[viewer], alice, drw, attribution, with_org)

    assert view.name == "Alice Activist"
    assert view.organization == (drw if with_org else None)
    assert view.user_id == alice.pk
    assert view.hidden_from_public is hidden
    # They are told what the others see, so that nobody is surprised by their own attribution.
    assert view.label == (f"{full} — shown to others as “{public_label}”" if hidden else full)


@pytest.mark.parametrize("viewer", PUBLIC_VIEWERS + PRIVILEGED_VIEWERS)
@pytest.mark.parametrize("attribution", list(Attribution))
@pytest.mark.parametrize("with_org", [True, False], ids=["org", "no-org"])
def test_a_deleted_author_is_a_former_member_to_everybody(
    viewers: dict[str, Any], viewer: str, drw: Organization, attribution: str, with_org: bool
) -> None:
    view = author_visible_to(
        viewers[viewer], author=None, organization=drw if with_org else None, attribution=attribution
    )

    assert view == AuthorView(label=FORMER_MEMBER_LABEL)


def test_a_person_without_a_display_name_is_not_named_by_their_address(
    alice: User, drw: Organization
) -> None:
    alice.display_name = ""

    view = author_visible_to(AnonymousUser(), author=alice, organization=drw, attribution=Attribution.PERSON)

    assert view == AuthorView(label=f"{ANONYMOUS_LABEL} (Digital Rights Watch)", name=None, organization=drw)


def test_mallory_sees_herself_but_not_alice(alice: User, mallory: User, drw: Organization) -> None:
    own = author_visible_to(mallory, author=mallory, organization=None, attribution=Attribution.ANONYMOUS)
    others = author_visible_to(mallory, author=alice, organization=drw, attribution=Attribution.ANONYMOUS)

    assert own.user_id == mallory.pk
    assert others.user_id is None
    assert others.name is None
