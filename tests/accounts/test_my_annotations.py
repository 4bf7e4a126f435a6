"""My annotations, with the account pages: the author's own items, rendered as on the article page."""

import pytest
from django.test import Client

from accounts.models import User
from annotations.models import Annotation
from annotations.services import annotation_create, reply_create
from tests.factories import import_small_treaty
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db

MINE = "/accounts/profile/annotations/"


@pytest.fixture
def sample() -> DraftVersion:
    return import_small_treaty().version


def annotate(author: User, version: DraftVersion, body: str, **extra: str) -> Annotation:
    return annotation_create(
        author=author,
        version=version,
        provision_key=extra.pop("key", "art-2.1"),
        tags=["privacy"],
        severity=2,
        position=extra.pop("position", "concern"),
        body=body,
        **extra,
    )


def test_anon_is_asked_to_log_in(anon: Client) -> None:
    response = anon.get(MINE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_author_sees_her_items_rendered_as_on_the_article_page(
    alice: User, mallory: User, alice_client: Client, sample: DraftVersion, django_assert_max_num_queries
) -> None:
    mine = annotate(
        alice,
        sample,
        "Placeholder with *emphasis* and a list:\n\n- one\n- two",
        position="amend",
        proposed_text="Placeholder proposed wording.",
    )
    on_preamble = annotate(alice, sample, "Placeholder on a recital.", key="pre.1")
    Annotation.objects.filter(pk=on_preamble.pk).update(
        status="rejected", rejection_reason="Placeholder reason."
    )
    theirs = annotate(mallory, sample, "Placeholder by mallory.")
    reply = reply_create(annotation=theirs, author=alice, body="Placeholder **reply**.")

    with django_assert_max_num_queries(10):
        html = alice_client.get(MINE).content.decode()

    assert "<em>emphasis</em>" in html and "<li>one</li>" in html
    assert "Placeholder proposed wording." in html
    assert "<strong>reply</strong>" in html
    assert "Placeholder reason." in html
    assert "Placeholder by mallory." not in html
    assert (
        f'href="/treaties/sample/articles/2/?version=S%2F1&amp;lang=en&amp;show={mine.pk}#annotation-{mine.pk}"'
        in html
    )
    assert (
        f"/treaties/sample/parts/pre/?version=S%2F1&amp;lang=en&amp;show={on_preamble.pk}#annotation-{on_preamble.pk}"
        in html
    )
    assert f"show={theirs.pk}#reply-{reply.pk}" in html


def test_the_header_links_to_it(alice_client: Client) -> None:
    assert f'href="{MINE}"' in alice_client.get("/").content.decode()
    assert f'href="{MINE}"' in alice_client.get("/accounts/profile/").content.decode()
