"""The preamble, the closing formula and annexes are read and annotated exactly like articles:
their own pages with the annotation panel, permalinks that resolve to the version an annotation
was written on, and links from the contents."""

import pytest
from django.core import mail
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import User
from annotations.models import Annotation
from annotations.services import annotation_create, reply_create
from tests.factories import import_small_treaty, small_document
from treaty import links
from treaty.importers.tree import Node, finalize
from treaty.models import DraftVersion, Provision
from treaty.services import version_import

pytestmark = pytest.mark.django_db

Kind = Provision.Kind


@pytest.fixture
def sample() -> DraftVersion:
    return import_small_treaty().version


def annotate(author: User, version: DraftVersion, key: str, body: str = "Placeholder comment.") -> Annotation:
    annotation = annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=["privacy"],
        severity=2,
        position="concern",
        body=body,
    )
    Annotation.objects.filter(pk=annotation.pk).update(status="approved")  # published, whatever the policy
    annotation.refresh_from_db()
    return annotation


@pytest.mark.parametrize(("key", "title"), [("pre", "Preamble"), ("final", "Final clause")])
def test_a_part_has_its_own_page_with_the_panel(
    anon: Client, sample: DraftVersion, key: str, title: str, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(20):
        response = anon.get(f"/treaties/sample/parts/{key}/")

    assert response.status_code == 200
    html = response.text
    assert f'<h1 id="article-title"><span class="label">{title}</span></h1>' in html
    assert 'id="annotations"' in html  # the panel
    assert "Log in to annotate" in html
    assert 'rel="next"' not in html  # no article pager


def test_the_preamble_page_shows_its_recitals_and_annotations(
    alice: User, anon: Client, alice_client: Client, sample: DraftVersion
) -> None:
    annotation = annotate(alice, sample, "pre.1", "Placeholder comment on a recital.")

    html = alice_client.get("/treaties/sample/parts/pre/").text

    assert 'id="pre.1"' in html and "Sample recital one;" in html
    assert f'id="annotation-{annotation.pk}"' in html
    assert "Placeholder comment on a recital." in html
    assert 'class="annotate-button annotate-article" data-provision="pre"' in html  # the Annotate route
    assert "(whole preamble)" in html


@pytest.mark.parametrize("key", ["art-1", "ch-1", "pre.1", "nothing", "final~1"])
def test_anything_but_a_part_is_not_found(anon: Client, sample: DraftVersion, key: str) -> None:
    assert anon.get(f"/treaties/sample/parts/{key}/").status_code == 404


def test_an_annex_has_its_own_page() -> None:
    document = small_document()
    document.nodes.append(
        Node(
            Kind.ANNEX,
            30,
            "",
            "Annex",
            "Sample annex",
            children=[Node(Kind.PARAGRAPH, 31, "1", "1.", text="Annex placeholder.")],
        )
    )
    version_import(treaty_slug="annexed", label="S/1", document=finalize(document), source_format="test")

    contents = Client().get("/treaties/annexed/").text
    response = Client().get("/treaties/annexed/parts/annex/")

    assert 'href="/treaties/annexed/parts/annex/"' in contents
    assert response.status_code == 200
    assert 'id="annex.1"' in response.text and "Annex placeholder." in response.text


def test_the_contents_link_to_the_preamble_and_the_closing_formula(
    anon: Client, sample: DraftVersion
) -> None:
    html = anon.get("/treaties/sample/").text

    assert html.count('href="/treaties/sample/parts/pre/"') >= 2  # contents entry and the section
    assert html.count('href="/treaties/sample/parts/final/"') >= 2
    assert "js/permalink.js" in html  # forwards old /treaties/sample/#annotation-N links


def test_a_permalink_names_the_version_it_was_written_on(
    alice: User, anon: Client, sample: DraftVersion
) -> None:
    on_preamble = annotate(alice, sample, "pre.1")
    on_article = annotate(alice, sample, "art-2.1")
    # A later draft becomes current: the earlier annotations must keep pointing at their text.
    later = import_small_treaty(label="S/2").version
    DraftVersion.objects.filter(pk=sample.pk).update(is_current=False)
    DraftVersion.objects.filter(pk=later.pk).update(is_current=True)

    for annotation, page in [
        (on_preamble, "/treaties/sample/parts/pre/"),
        (on_article, "/treaties/sample/articles/2/"),
    ]:
        response = anon.get(f"/annotations/{annotation.pk}/")
        assert response.status_code == 302
        assert response["Location"] == (
            f"{page}?version=S%2F1&lang=en&show={annotation.pk}#annotation-{annotation.pk}"
        )
        followed = anon.get(response["Location"].split("#")[0])
        assert f'id="annotation-{annotation.pk}"' in followed.text


def test_a_permalink_to_what_the_viewer_may_not_see_is_not_found(
    alice: User, anon: Client, mallory_client: Client, sample: DraftVersion
) -> None:
    annotation = annotate(alice, sample, "pre.1")
    Annotation.objects.filter(pk=annotation.pk).update(status="pending")

    assert anon.get(f"/annotations/{annotation.pk}/").status_code == 404
    assert mallory_client.get(f"/annotations/{annotation.pk}/").status_code == 404
    assert anon.get("/annotations/999999/").status_code == 404


def test_an_email_links_to_the_part_in_its_version(
    alice: User,
    mallory: User,
    sample: DraftVersion,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    annotation = annotate(alice, sample, "final")
    with django_capture_on_commit_callbacks(execute=True):
        reply_create(annotation=annotation, author=mallory, body="Placeholder reply.")

    [message] = [m for m in mail.outbox if m.to == [alice.email]]
    path = links.annotation_permalink_path(
        treaty_slug="sample", unit=annotation.article, version=sample, pk=annotation.pk
    )
    assert path.startswith("/treaties/sample/parts/final/?version=S%2F1&lang=en")
    assert f"http://127.0.0.1:8000{path}" in message.body
