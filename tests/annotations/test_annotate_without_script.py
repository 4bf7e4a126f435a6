"""Commenting without JavaScript: the annotate dialog is a real form posted to the article (or
part) page; "Annotate" links open it on the whole unit or on one paragraph."""

import pytest
from django.test import Client

from accounts.models import User
from annotations.models import Annotation
from tests.factories import UserFactory, import_small_treaty
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db

ARTICLE = "/treaties/sample/articles/2/"


@pytest.fixture
def sample() -> DraftVersion:
    return import_small_treaty().version


def fields(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "provision": "art-2.1",
        "quote": "",
        "tags": ["privacy"],
        "severity": "3",
        "position": "oppose",
        "body": "Placeholder comment sent without script.",
        "proposed_text": "",
        "attribution": "person",
    }
    data.update(changes)
    return data


def test_an_annotate_link_opens_the_form_on_a_paragraph(alice_client: Client, sample: DraftVersion) -> None:
    html = alice_client.get(ARTICLE).content.decode()
    assert 'href="?annotate=art-2.1#annotate-dialog"' in html  # one per paragraph, in <noscript>
    assert 'href="?annotate=art-2#annotate-dialog"' in html  # and one for the whole article

    html = alice_client.get(ARTICLE + "?annotate=art-2.1").content.decode()

    assert 'id="annotate-dialog" aria-labelledby="annotate-title" lang="en" dir="ltr" open>' in html
    assert '<option value="art-2.1" data-label="Article 2(1)" selected>' in html
    assert '<h2 id="annotate-title">Annotate Article 2(1)</h2>' in html
    assert f'<form id="annotate-form" method="post" action="{ARTICLE}#annotate-dialog" novalidate>' in html


def test_an_unknown_key_leaves_the_form_closed(alice_client: Client, sample: DraftVersion) -> None:
    html = alice_client.get(ARTICLE + "?annotate=art-3").content.decode()

    assert " open>" not in html


@pytest.mark.parametrize("quote", ["", "sample paragraph"])
def test_alice_posts_an_annotation(
    alice: User, alice_client: Client, sample: DraftVersion, quote: str
) -> None:
    response = alice_client.post(ARTICLE, fields(quote=quote))

    annotation = Annotation.objects.get()
    assert response.status_code == 303
    assert response["Location"] == (
        f"{ARTICLE}?version=S%2F1&lang=en&show={annotation.pk}#annotation-{annotation.pk}"
    )
    assert annotation.author == alice
    assert annotation.target.provision_key == "art-2.1"
    assert annotation.target.exact == quote
    assert (annotation.severity, annotation.position) == (3, "oppose")
    assert [t.slug for t in annotation.tags.all()] == ["privacy"]
    page = alice_client.get(response["Location"]).content.decode()
    assert "Your annotation on Article 2(1) was saved." in page
    assert "Placeholder comment sent without script." in page


def test_on_the_preamble_page_too(alice_client: Client, sample: DraftVersion) -> None:
    response = alice_client.post("/treaties/sample/parts/pre/", fields(provision="pre.1"))

    assert response.status_code == 303
    assert Annotation.objects.get().target.provision_key == "pre.1"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tags": []}, "tags", "Choose at least one concern tag."),
        ({"body": "  "}, "body", "Write a comment: it cannot be empty."),
        ({"quote": "words that are not there"}, "quote", "The quoted words are not in Article 2(1)"),
        ({"position": "amend"}, "proposed_text", "Write the wording you propose: it cannot be empty."),
        ({"provision": "art-9"}, "detail", "There is no provision “art-9”"),
    ],
)
def test_a_refused_form_comes_back_with_what_was_typed_and_why(
    alice_client: Client, sample: DraftVersion, changes: dict[str, object], field: str, message: str
) -> None:
    response = alice_client.post(ARTICLE, fields(**changes))

    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-error-for="{field}">{message}' in html
    assert " open>" in html  # the form stays open
    if field != "body":
        assert "Placeholder comment sent without script.</textarea>" in html
    assert not Annotation.objects.exists()


def test_anon_is_sent_to_log_in_and_nothing_is_written(anon: Client, sample: DraftVersion) -> None:
    response = anon.post(ARTICLE, fields())

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Annotation.objects.exists()


def test_an_unverified_user_is_told_and_nothing_is_written(sample: DraftVersion) -> None:
    client = Client()
    client.force_login(UserFactory())

    response = client.post(ARTICLE, fields())

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error-for="detail">Confirm your email address before contributing' in html
    assert not Annotation.objects.exists()


def test_the_form_needs_its_csrf_token(alice: User, sample: DraftVersion) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(ARTICLE, fields()).status_code == 403
    assert not Annotation.objects.exists()


def test_mallory_cannot_act_for_alices_organisation(mallory_client: Client, sample: DraftVersion) -> None:
    response = mallory_client.post(
        ARTICLE, fields(organization="digital-rights-watch", attribution="organization")
    )

    assert response.status_code == 400
    assert "You are not a member of the organisation “digital-rights-watch”." in response.content.decode()
    assert not Annotation.objects.exists()
