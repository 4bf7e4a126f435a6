"""The article page of a later draft shows the annotations carried to it (issue 15 §3)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from annotations.carrying.runs import carrying_run_execute
from annotations.models import AnchorResolution, Annotation
from tests.annotations.carrying.drafts import annotate
from treaty.models import MappingRun

pytestmark = pytest.mark.django_db

ARTICLE_1 = "/treaties/sample/articles/1/?version=D/2&lang=en"
ARTICLE_5 = "/treaties/sample/articles/5/?version=D/2&lang=en"


def _annotations(html: str) -> list[str]:
    return re.findall(r'<article class="annotation[^"]*" id="annotation-(\d+)"', html)


def test_carried_annotations_show_where_they_were_written_and_what_changed(carried: dict, client) -> None:
    html = client.get(ARTICLE_1).content.decode()
    review = carried["annotations"][("art-1.2", "about terms")]
    moved = carried["annotations"][("art-1.2", "placeholder sentence")]
    assert str(review.pk) in _annotations(html) and str(moved.pk) in _annotations(html)
    assert "Written on D/1" in html
    # The words as the commenter read them, and the redline of the passage that changed.
    assert "As the commenter read it in D/1 (Article 1(2)):</p>“about terms”" in html
    assert '<ins><span class="visually-hidden">[added: </span>' in html
    assert "Needs review, confidence" in html
    # Highlighted where it lies now, in this draft's text.
    resolution = AnchorResolution.objects.get(target=review.target, version=carried["second"])
    assert f'data-provision="art-1.2" data-carried="needs_review" data-start="{resolution.start}"' in html
    # Grouped under the provision of this draft it sits in.
    assert 'id="annotations-for-art-1.2"' in html


def test_an_annotation_on_a_renumbered_article_appears_on_its_new_number(carried: dict, client) -> None:
    moved = carried["annotations"][("art-2.1", "duties of each party")]
    html = client.get(ARTICLE_5).content.decode()
    assert _annotations(html) == [str(moved.pk)]
    assert "Moved: the same words, elsewhere" in html
    assert "What changed in this passage" not in html  # the same words: no redline
    assert 'id="annotations-for-art-5.1"' in html


def test_readers_filter_written_here_or_carried(
    carried: dict, client, alice: User, django_capture_on_commit_callbacks
) -> None:
    second = carried["second"]
    second.open_for_comment = True
    second.save(update_fields=["open_for_comment"])
    here = annotate(alice, second, "art-1.1", "Alpha placeholder")
    everything = _annotations(client.get(ARTICLE_1).content.decode())
    assert str(here.pk) in everything and len(everything) == 4
    written_here = _annotations(client.get(ARTICLE_1 + "&origin=here").content.decode())
    assert written_here == [str(here.pk)]
    carried_ids = _annotations(client.get(ARTICLE_1 + "&origin=carried").content.decode())
    assert str(here.pk) not in carried_ids and len(carried_ids) == 3
    html = client.get(ARTICLE_1).content.decode()
    assert '<option value="carried">Carried from earlier drafts (3)</option>' in html


def test_orphaned_and_unpublished_annotations_are_not_carried_onto_the_page(carried: dict, client) -> None:
    orphan = carried["annotations"][("art-4", "deletes outright")]
    assert AnchorResolution.objects.get(target=orphan.target).state == "orphaned"
    pending = carried["annotations"][("art-1.2", "about terms")]
    Annotation.objects.filter(pk=pending.pk).update(status="pending")
    html = client.get(ARTICLE_1).content.decode()
    assert str(pending.pk) not in _annotations(html)


def test_the_page_needs_the_same_queries_for_few_or_many_carried_annotations(
    carried: dict, client, alice: User, django_assert_max_num_queries
) -> None:
    with CaptureQueriesContext(connection) as few:
        client.get(ARTICLE_1)
    # 60 more annotations on the earlier draft, carried to the later one.
    for n in range(60):
        quote = "placeholder sentence" if n % 2 else "about terms"
        annotate(alice, carried["first"], "art-1.2", quote, body=f"Placeholder remark number {n} on {quote}.")
    run = carrying_run_execute(mapping_run_id=MappingRun.objects.get(to_version=carried["second"]).pk)
    assert run.changed == 60
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(ARTICLE_1).content.decode()
    assert len(_annotations(html)) == 50  # one page of the panel
    assert "63 annotations on this article" in html
