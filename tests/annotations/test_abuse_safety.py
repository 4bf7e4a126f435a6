"""Issue 17: bodies of invisible characters are empty; endorsing anonymous annotations gives every
organisation the same answer and never a count."""

import pytest
from django.test import Client

from accounts.models import Membership, Organization, User
from annotations.models import Annotation, Endorsement, Reply, Status
from annotations.selectors import annotation_page_path
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_throttle_counts(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """These tests write many items as one persona: a cache of their own keeps their throttle
    counts from reaching the next test module's (the test database reuses user ids)."""
    import uuid

    default = dict(settings.CACHES["default"])
    if "redis" in default["BACKEND"].lower():
        default["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    else:
        default["LOCATION"] = str(tmp_path / "cache")
    settings.CACHES = {**settings.CACHES, "default": default}


INVISIBLE_BODIES = {
    "zero-width spaces": "\u200b\u200b\u200b",
    "zero-width joiners and a word joiner": " \u200d\u2060\u200c ",
    "hangul filler": "\u3164\u3164",
    "blank braille": "\u2800",
    "bidi marks": "\u200e\u200f\u202e",
    "byte order mark and variation selector": "\ufeff\ufe0f",
    "tag characters": "\U000e0041\U000e0042",
    "no-break and ideographic spaces": "\u00a0\u3000\u2003",
}


@pytest.mark.parametrize("body", INVISIBLE_BODIES.values(), ids=INVISIBLE_BODIES.keys())
def test_an_annotation_of_invisible_characters_is_refused_like_an_empty_one(
    version, alice, api_client_as, new_annotation, body: str
) -> None:
    response = api_client_as(alice).post(
        "/api/v1/annotations/", {**new_annotation, "body": body}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"body": ["Write a comment: it cannot be empty."]}
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("body", INVISIBLE_BODIES.values(), ids=INVISIBLE_BODIES.keys())
def test_a_reply_of_invisible_characters_is_refused(
    version, alice, mallory, api_client_as, new_annotation, body: str
) -> None:
    annotation = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json").json()

    response = api_client_as(mallory).post(
        f"/api/v1/annotations/{annotation['id']}/replies/", {"body": body}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"body": ["Write a reply: it cannot be empty."]}
    assert not Reply.objects.exists()


def test_an_edit_to_invisible_characters_is_refused(version, alice, api_client_as, new_annotation) -> None:
    created = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json").json()

    response = api_client_as(alice).patch(
        f"/api/v1/annotations/{created['id']}/", {"body": "\u200b\u2060"}, format="json"
    )

    assert response.status_code == 400
    assert Annotation.objects.get(pk=created["id"]).body == new_annotation["body"]


def test_the_page_form_refuses_an_invisible_reply(
    version, alice, mallory, mallory_client, new_annotation, api_client_as
) -> None:
    created = api_client_as(alice).post("/api/v1/annotations/", new_annotation, format="json").json()
    annotation = Annotation.objects.get(pk=created["id"])

    response = mallory_client.post(
        f"/annotations/{annotation.pk}/replies/", {"body": "\u200b\u3164"}, follow=True
    )

    assert "Write a reply: it cannot be empty." in response.content.decode()
    assert not Reply.objects.exists()


def test_visible_text_around_invisible_characters_is_kept(
    version, alice, api_client_as, new_annotation
) -> None:
    response = api_client_as(alice).post(
        "/api/v1/annotations/", {**new_annotation, "body": "\u200bOK\u200b"}, format="json"
    )

    assert response.status_code == 201


# --- Endorsing anonymous annotations --------------------------------------------------------------


@pytest.fixture
def anonymous_by_drw(version, alice, api_client_as, new_annotation) -> Annotation:
    response = api_client_as(alice).post(
        "/api/v1/annotations/", {**new_annotation, "attribution": "anonymous"}, format="json"
    )
    assert response.status_code == 201
    annotation = Annotation.objects.get(pk=response.json()["id"])
    assert (annotation.status, annotation.organization.slug) == (Status.APPROVED, "digital-rights-watch")  # type: ignore[union-attr]
    return annotation


@pytest.fixture
def bob(drw: Organization) -> User:
    """Another member of Digital Rights Watch, the anonymous author's organisation."""
    return MembershipFactory(organization=drw, user__display_name="Bob Member").user


def test_every_organisation_gets_the_same_answer_when_endorsing_an_anonymous_annotation(
    anonymous_by_drw: Annotation, bob: User, mallory: User, api_client_as
) -> None:
    url = f"/api/v1/annotations/{anonymous_by_drw.pk}/endorsements/"

    own = api_client_as(bob).post(url, {}, format="json")
    other = api_client_as(mallory).post(url, {}, format="json")

    assert (own.status_code, own.json()) == (other.status_code, other.json())
    assert own.status_code == 403
    assert own.json() == {
        "detail": "Anonymous annotations cannot be endorsed: "
        "an endorsement would tie them to an organisation."
    }
    assert not Endorsement.objects.exists()
    assert (
        api_client_as(mallory).get(f"/api/v1/annotations/{anonymous_by_drw.pk}/").json()["endorsements"] == 0
    )


def test_the_article_page_offers_no_endorsement_of_an_anonymous_annotation_to_anyone(
    anonymous_by_drw: Annotation, bob: User, mallory: User
) -> None:
    path = annotation_page_path(anonymous_by_drw)
    pages = {}
    for user in (bob, mallory):
        client = Client()
        client.force_login(user)
        pages[user.pk] = client.get(path).content.decode()

    for page in pages.values():
        assert f"/annotations/{anonymous_by_drw.pk}/endorsement/" not in page
        assert "Endorse as" not in page


def test_the_endorse_form_on_the_page_gives_the_same_answer_too(
    anonymous_by_drw: Annotation, bob: User, mallory: User
) -> None:
    answers = []
    for user in (bob, mallory):
        client = Client()
        client.force_login(user)
        organization = Membership.objects.filter(user=user).get().organization.slug
        response = client.post(
            f"/annotations/{anonymous_by_drw.pk}/endorsement/", {"organization": organization}, follow=True
        )
        answers.append("Anonymous annotations cannot be endorsed" in response.content.decode())

    assert answers == [True, True]
    assert not Endorsement.objects.exists()
