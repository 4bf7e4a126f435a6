"""The annotation panel of an article page, and the small forms behind it, as each persona sees them."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Attribution
from annotations.models import Annotation, ConcernTag, Endorsement, Flag, Reply, Status, Target
from annotations.services import QuoteInput, annotation_create, reply_create

pytestmark = pytest.mark.django_db

ARTICLE = "/treaties/sample/articles/2/"


def annotate(version, author, *, key="art-2.1", quote=None, body="Needs judicial authorisation.", **extra):
    return annotation_create(
        author=author,
        version=version,
        provision_key=key,
        quote=QuoteInput(quote) if quote else None,
        tags=extra.pop("tags", ["privacy"]),
        severity=extra.pop("severity", 3),
        position=extra.pop("position", "oppose"),
        body=body,
        **extra,
    )


def annotation_block(html: str, pk: int) -> str:
    """The <article id="annotation-N"> element of the panel, up to the next one."""
    match = re.search(
        rf'<article class="annotation[^"]*" id="annotation-{pk}".*?(?=<article class="annotation|</aside>)',
        html,
        re.S,
    )
    assert match, f"annotation {pk} is not on the page"
    return match.group(0)


def test_panel_lists_approved_annotations_by_provision_with_margin_counts(version, alice, anon) -> None:
    on_words = annotate(version, alice, quote="interception", body="This power has **no** safeguard.")
    whole = annotate(version, alice, key="art-2", body="The article as a whole.", tags=["gender", "privacy"])
    html = anon.get(ARTICLE).text

    panel = html[html.index('<aside class="annotation-panel"') :]
    assert 'aria-labelledby="annotations-heading"' in panel and ">Annotations <" in panel
    # Grouped by provision in document order: the article itself before its paragraph 1.
    assert panel.index('id="annotations-for-art-2"') < panel.index('id="annotations-for-art-2.1"')
    block = annotation_block(html, on_words.pk)
    assert "<strong>no</strong>" in block
    assert 'class="tag tag-privacy"><span class="tag-swatch" aria-hidden="true"></span>Privacy' in block
    assert "Severity: <strong>Serious</strong>" in block and ">Oppose<" in block
    assert "“interception”" in block and 'href="#annotation-' in block
    assert f'data-start="{on_words.target.start}" data-end="{on_words.target.end}"' in block
    assert "Alice Activist (Digital Rights Watch)" in block
    assert "0 endorsements" in block
    assert "On Article 2 as a whole" in annotation_block(html, whole.pk)
    # Counts in the margin, with words for screen readers.
    assert re.search(
        r'href="#annotations-for-art-2\.1">1<span class="visually-hidden"> annotation on Article 2\(1\)', html
    )
    assert "2 annotations on this article" in html
    # Nobody logged in: no buttons to change anything, a way to log in instead.
    assert "data-edit=" not in html and "/delete/" not in html and "Endorse as" not in html
    assert "Log in to annotate" in html and 'id="annotate-dialog"' not in html


def test_rejected_and_pending_annotations_of_others_are_absent(version, alice, mallory, mod, anon) -> None:
    published = annotate(version, alice, body="Published comment.")
    rejected = annotate(version, mallory, body="Rejected comment.")
    pending = annotate(version, mallory, body="Pending comment.")
    Annotation.objects.filter(pk=rejected.pk).update(status=Status.REJECTED, rejection_reason="Off topic.")
    Annotation.objects.filter(pk=pending.pk).update(status=Status.PENDING)

    for viewer in (anon, _client(alice)):
        html = viewer.get(ARTICLE).text
        assert f'id="annotation-{published.pk}"' in html
        for hidden in (rejected, pending):
            assert f'id="annotation-{hidden.pk}"' not in html
        assert "Rejected comment." not in html and "Pending comment." not in html

    # Mallory sees her own, with the reason; moderators see everything.
    html = _client(mallory).get(ARTICLE).text
    assert "Off topic." in annotation_block(html, rejected.pk)
    assert "Waiting for a moderator" in annotation_block(html, pending.pk)
    html = _client(mod).get(ARTICLE).text
    assert f'id="annotation-{rejected.pk}"' in html and f'id="annotation-{pending.pk}"' in html


def test_anonymous_attribution_hides_the_author_everywhere_in_the_page(version, alice, mallory, anon) -> None:
    annotation = annotate(version, alice, attribution=Attribution.ANONYMOUS, body="Said anonymously.")
    reply_create(annotation=annotation, author=mallory, body="Who said this?")
    for viewer in (anon, _client(mallory)):
        html = viewer.get(ARTICLE).text
        block = annotation_block(html, annotation.pk)
        assert '<span class="author">Anonymous</span>' in block
        for secret in ("Alice", "alice@example.org", "Digital Rights Watch", "digital-rights-watch"):
            assert secret not in html
        # The organisation filter must not name it either.
        assert 'data-organization="' not in block
    # The author sees who others see.
    html = _client(alice).get(ARTICLE).text
    assert "shown to others as “Anonymous”" in annotation_block(html, annotation.pk)


def test_only_the_author_gets_edit_and_delete_buttons(version, alice, mallory) -> None:
    annotation = annotate(version, alice)
    mallorys_view = annotation_block(_client(mallory).get(ARTICLE).text, annotation.pk)
    assert "data-edit=" not in mallorys_view and f"/annotations/{annotation.pk}/delete/" not in mallorys_view
    # Mallory may still reply, flag, and endorse as her own organisation.
    assert "Post reply" in mallorys_view and "Send flag" in mallorys_view
    assert "Endorse as Mallory Monitoring" in mallorys_view

    alices_view = annotation_block(_client(alice).get(ARTICLE).text, annotation.pk)
    assert f'data-edit="{annotation.pk}"' in alices_view
    assert f'action="/annotations/{annotation.pk}/delete/"' in alices_view
    # Not her own flag, nor an endorsement by her own organisation.
    assert "Send flag" not in alices_view and "Endorse as" not in alices_view


def test_the_form_preselects_the_users_attribution_preference(version, alice) -> None:
    alice.attribution_preference = Attribution.ANONYMOUS
    alice.save(update_fields=["attribution_preference"])
    html = _client(alice).get(ARTICLE).text
    assert re.search(r'name="attribution" value="anonymous" checked data-default', html)
    assert (
        'data-provision="art-2.1" hidden>Annotate<span class="visually-hidden"> Article 2(1)</span>' in html
    )
    assert '<option value="art-2" data-label="Article 2">Article 2 (whole article)</option>' in html


def test_html_and_script_in_a_body_are_inert(version, alice, anon) -> None:
    annotation = annotate(
        version,
        alice,
        body='<script>alert("x")</script><img src=x onerror=alert(1)> [link](javascript:alert(1))',
    )
    block = annotation_block(anon.get(ARTICLE).text, annotation.pk)
    assert "&lt;script&gt;" in block
    assert "<script" not in block and "<img" not in block and 'href="javascript:' not in block


def test_the_page_has_no_inline_script_or_style(version, alice) -> None:
    annotate(version, alice, quote="interception")
    html = _client(alice).get(ARTICLE).text
    assert 'style="' not in html and "<style" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    # The translation catalogue (served by the site: issue 16), then the module that uses it.
    assert scripts == ['<script src="/jsi18n/">', '<script type="module" src="/static/js/annotate.js">'], (
        scripts
    )


def test_filters_work_without_script(version, alice, mallory, anon) -> None:
    privacy = annotate(version, alice, tags=["privacy"], position="oppose")
    gender = annotate(version, mallory, tags=["gender"], position="support", body="Other words.")
    html = anon.get(ARTICLE + "?tag=gender").text
    assert f'id="annotation-{privacy.pk}"' not in html and f'id="annotation-{gender.pk}"' in html
    assert "1 of 2 annotations matches the filters." in html and "Clear filters" in html
    # The margin still counts everything.
    assert "2 annotations on this article" in html

    html = anon.get(ARTICLE + "?organization=digital-rights-watch").text
    assert f'id="annotation-{privacy.pk}"' in html and f'id="annotation-{gender.pk}"' not in html

    html = _client(mallory).get(ARTICLE + "?mine=1&position=support").text
    assert f'id="annotation-{gender.pk}"' in html and f'id="annotation-{privacy.pk}"' not in html
    html = _client(mallory).get(ARTICLE + "?mine=1&position=oppose").text
    assert "No annotation matches these filters." in html


def test_the_organisation_filter_never_reveals_an_anonymous_author(version, alice, anon) -> None:
    annotate(version, alice, attribution=Attribution.ANONYMOUS)
    html = anon.get(ARTICLE + "?organization=digital-rights-watch").text
    assert "No annotation matches these filters." in html
    assert 'value="digital-rights-watch"' not in html


def test_the_panel_pages_long_lists_and_opens_the_page_of_a_linked_annotation(
    version, alice, mallory, anon
) -> None:
    _bulk_annotations(version, [alice, mallory], 120)
    html = anon.get(ARTICLE).text
    assert html.count('<article class="annotation') == 50
    assert "120 annotations on this article" in html and "Showing 1–50." in html
    assert 'href="?page=2#annotations" rel="next">More annotations' in html
    last = Annotation.objects.order_by("provision__order", "created_at", "id").last()
    html = anon.get(ARTICLE + f"?show={last.pk}").text
    assert f'id="annotation-{last.pk}"' in html and "Showing 101–120." in html
    assert 'href="?page=2#annotations" rel="prev"' in html


def test_deleted_annotations_stay_as_tombstones_only_where_a_thread_needs_them(
    version, alice, mallory, anon
) -> None:
    answered = annotate(version, alice, body="Answered, then deleted.")
    reply_create(annotation=answered, author=mallory, body="An answer that stays.")
    lonely = annotate(version, alice, body="Deleted without replies.")
    now = timezone.now()
    Annotation.objects.filter(pk__in=[answered.pk, lonely.pk]).update(deleted_at=now)

    html = anon.get(ARTICLE).text
    block = annotation_block(html, answered.pk)
    assert "Deleted annotation" in block and "An answer that stays." in block
    assert "Answered, then deleted." not in html and "Alice" not in block
    assert f'id="annotation-{lonely.pk}"' not in html
    assert "0 annotations on this article" in html


def test_replies_are_threaded_with_tombstones(version, alice, mallory, anon) -> None:
    annotation = annotate(version, alice)
    first = reply_create(annotation=annotation, author=mallory, body="First reply.")
    answer = reply_create(annotation=annotation, author=alice, body="An answer to it.", parent_id=first.pk)
    Reply.objects.filter(pk=first.pk).update(deleted_at=timezone.now())
    block = annotation_block(anon.get(ARTICLE).text, annotation.pk)
    assert "This reply was deleted." in block and "First reply." not in block
    # The answer is nested inside the tombstone's list item.
    tombstone = block.index(f'id="reply-{first.pk}"')
    assert block.index("This reply was deleted.") < block.index(f'id="reply-{answer.pk}"')
    assert '<ol class="replies">' in block[tombstone:]


# --- The forms that work without script ------------------------------------------------------


def test_reply_form_posts_a_reply_and_returns_to_it(version, alice, mallory) -> None:
    annotation = annotate(version, alice)
    response = _client(mallory).post(f"/annotations/{annotation.pk}/replies/", {"body": "Agreed."})
    reply = Reply.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"{ARTICLE}#reply-{reply.pk}"
    assert reply.author == mallory and reply.body == "Agreed."
    empty = _client(mallory).post(f"/annotations/{annotation.pk}/replies/", {"body": "  "}, follow=True)
    assert "Write a reply: it cannot be empty." in empty.text
    assert Reply.objects.count() == 1


def test_mallory_cannot_delete_alices_annotation_through_the_form(version, alice, mallory) -> None:
    annotation = annotate(version, alice)
    response = _client(mallory).post(f"/annotations/{annotation.pk}/delete/", follow=True)
    assert "Only the author can delete this annotation." in response.text
    annotation.refresh_from_db()
    assert annotation.deleted_at is None
    response = _client(alice).post(f"/annotations/{annotation.pk}/delete/")
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert annotation.deleted_at is not None


def test_endorse_and_withdraw_as_my_organisation(version, alice, mallory) -> None:
    annotation = annotate(version, alice)
    client = _client(mallory)
    response = client.post(
        f"/annotations/{annotation.pk}/endorsement/", {"organization": "mallory-monitoring"}
    )
    assert response.status_code == 302
    assert Endorsement.objects.get().organization.slug == "mallory-monitoring"
    block = annotation_block(client.get(ARTICLE).text, annotation.pk)
    assert "1 endorsement " in block and "Withdraw Mallory Monitoring's endorsement" in block
    twice = client.post(
        f"/annotations/{annotation.pk}/endorsement/", {"organization": "mallory-monitoring"}, follow=True
    )
    assert "has already endorsed this annotation" in twice.text
    client.post(
        f"/annotations/{annotation.pk}/endorsement/", {"organization": "mallory-monitoring", "withdraw": "1"}
    )
    assert not Endorsement.objects.exists()
    # Alice cannot endorse as an organisation she does not belong to.
    refused = _client(alice).post(
        f"/annotations/{annotation.pk}/endorsement/", {"organization": "mallory-monitoring"}, follow=True
    )
    assert "You are not a member of the organisation “mallory-monitoring”." in refused.text
    assert not Endorsement.objects.exists()


def test_flag_form(version, alice, mallory) -> None:
    annotation = annotate(version, alice)
    response = _client(mallory).post(
        f"/annotations/{annotation.pk}/flag/", {"reason": "other", "note": ""}, follow=True
    )
    assert "Write what is wrong: it cannot be empty." in response.text
    assert not Flag.objects.exists()
    _client(mallory).post(f"/annotations/{annotation.pk}/flag/", {"reason": "misleading"})
    assert Flag.objects.get().reason == "misleading"


def test_forms_need_a_verified_login_and_a_visible_annotation(version, alice, mallory, anon) -> None:
    annotation = annotate(version, alice)
    response = anon.post(f"/annotations/{annotation.pk}/replies/", {"body": "Hi"})
    assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]
    Annotation.objects.filter(pk=annotation.pk).update(status=Status.REJECTED)
    assert _client(mallory).post(f"/annotations/{annotation.pk}/replies/", {"body": "Hi"}).status_code == 404
    assert _client(mallory).get(f"/annotations/{annotation.pk}/delete/").status_code == 405
    assert not Reply.objects.exists()


def test_tag_stylesheet_gives_every_tag_its_colour(anon) -> None:
    # Seven characters, as the column allows, that would end the rule and start another.
    ConcernTag.objects.create(slug="evil", name="Evil", description="x", color="red;}*{")
    response = anon.get("/annotations/tags.css")
    assert response["Content-Type"].startswith("text/css")
    assert ".tag-privacy { --tag-color: #332288; }" in response.text
    assert "evil" not in response.text  # not a #rrggbb colour: left out


# --- Query budget ---------------------------------------------------------------------------


def _bulk_annotations(version, authors, count: int, article: str = "2") -> None:
    """`count` approved annotations spread over an article, with tags, replies and endorsements."""
    provisions = list(version.provisions.filter(article__number=article).exclude(text=""))
    privacy, gender = ConcernTag.objects.filter(slug__in=["privacy", "gender"]).order_by("slug")
    now = timezone.now()
    targets = []
    for i in range(count):
        provision = provisions[i % len(provisions)]
        quoted = i % 2 == 0
        targets.append(
            Target(
                version=version,
                provision=provision,
                provision_key=provision.key,
                exact=provision.text[:5] if quoted else "",
                start=0 if quoted else None,
                end=5 if quoted else None,
            )
        )
    Target.objects.bulk_create(targets)
    targets = list(Target.objects.filter(version=version, annotation__isnull=True).order_by("id"))
    annotations = []
    for i, target in enumerate(targets):
        author = authors[i % len(authors)]
        annotations.append(
            Annotation(
                author=author,
                organization=author.memberships.first().organization,
                target=target,
                version=version,
                provision=target.provision,
                article=target.provision.article,
                severity=1 + i % 3,
                position="concern",
                body=f"Bulk comment {i} with *emphasis*.",
                attribution=[Attribution.PERSON, Attribution.ORGANIZATION, Attribution.ANONYMOUS][i % 3],
                status=Status.APPROVED,
                created_at=now,
                updated_at=now,
            )
        )
    # Ids are random (annotations.public_ids): the new rows are the ones bulk_create returns.
    created = Annotation.objects.bulk_create(annotations)
    Through = Annotation.tags.through
    Through.objects.bulk_create(
        [Through(annotation_id=a.pk, concerntag_id=privacy.pk) for a in created]
        + [Through(annotation_id=a.pk, concerntag_id=gender.pk) for a in created[::2]]
    )
    Reply.objects.bulk_create(
        [
            Reply(annotation=a, author=authors[0], attribution=Attribution.PERSON, body="A reply.")
            for a in created[::3]
        ]
    )
    organization = authors[-1].memberships.first().organization
    Endorsement.objects.bulk_create(
        [
            Endorsement(annotation=a, organization=organization)
            for a in created
            if a.organization != organization
        ]
    )


@pytest.mark.parametrize("persona", ["anon", "alice", "mod"])
def test_article_page_needs_the_same_queries_for_2_or_200_annotations(
    version, alice, mallory, mod, anon, persona, django_assert_max_num_queries
) -> None:
    client = {"anon": anon, "alice": _client(alice), "mod": _client(mod)}[persona]
    _bulk_annotations(version, [alice, mallory], 2)
    with CaptureQueriesContext(connection) as small:
        response = client.get(ARTICLE)
    assert response.text.count('<article class="annotation') == 2
    _bulk_annotations(version, [alice, mallory], 198)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(ARTICLE)
    assert "200 annotations on this article" in response.text
    assert response.text.count('<article class="annotation') == 50  # one page of the panel
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(ARTICLE + "?page=4&tag=gender")
    assert response.text.count('<article class="annotation') == 50
    # A fixed ceiling too, so that a regression in the small case is caught as well. Alice has
    # one more: the flags on her own annotations, which she alone reads (issue 17 §3).
    assert len(small.captured_queries) <= {"anon": 10, "alice": 16, "mod": 15}[persona]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
