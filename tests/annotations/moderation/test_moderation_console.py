"""The moderation console (issue 5, browser side) and "My annotations", as each persona sees them.

Decisions go through the HTML forms exactly as a moderator's browser sends them; what the service
does with them (and the API) is tested in test_moderation.py.
"""

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Attribution
from annotations.models import (
    Annotation,
    AnnotationRevision,
    Flag,
    ModerationEvent,
    Reply,
    Status,
    Target,
)
from annotations.moderation.services import moderate
from annotations.services import QuoteInput, annotation_create, annotation_update, flag_create, reply_create
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/moderation/"
LOG = "/moderation/log/"
LOG_CSV = "/moderation/log.csv"
MINE = "/accounts/profile/annotations/"


def annotate(version, author, *, body="Needs judicial authorisation.", key="art-2.1", quote=None, **extra):
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


@pytest.fixture
def pre(version):
    """The sample version under pre-moderation, with no shortcut for verified organisations."""
    version.moderation = "pre"
    version.verified_skip_queue = False
    version.save()
    return version


@pytest.fixture
def pending(pre, alice) -> Annotation:
    return annotate(pre, alice, quote="interception", body="Interception **without** a judge.")


@pytest.fixture
def pending_reply(pre, pending, mallory, mod) -> Reply:
    approved = moderate(item=pending, moderator=mod, action="approve", expected_status="pending").item
    return reply_create(annotation=approved, author=mallory, body="A reply waiting for a moderator.")


def decide(client: Client, item, action: str, *, expected: str | None = None, reason: str = "", next_=""):
    kind = "annotation" if isinstance(item, Annotation) else "reply"
    data = {"action": action, "expected_status": expected or item.status, "reason": reason}
    if next_:
        data["next"] = next_
    return client.post(
        f"/moderation/{'annotations' if kind == 'annotation' else 'replies'}/{item.pk}/decide/", data
    )


def text_of(response) -> str:
    """The page as a reader gets it: tags removed, entities decoded, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def item_block(html: str, dom_id: str) -> str:
    match = re.search(rf'<article class="mod-item[^"]*" id="{dom_id}".*?</article>', html, re.S)
    assert match, f"{dom_id} is not on the page"
    return match.group(0)


# --- Who may open what ---------------------------------------------------------------------------


def console_routes(annotation: Annotation, reply: Reply) -> list[tuple[str, str, dict[str, object]]]:
    return [
        ("get", QUEUE, {}),
        ("get", f"{QUEUE}?treaty=sample&flag_reason=spam", {}),
        ("get", f"/moderation/annotations/{annotation.pk}/", {}),
        ("get", f"/moderation/replies/{reply.pk}/", {}),
        ("get", LOG, {}),
        ("get", LOG_CSV, {}),
        (
            "post",
            f"/moderation/annotations/{annotation.pk}/decide/",
            {"action": "spam", "expected_status": "approved"},
        ),
        ("post", f"/moderation/replies/{reply.pk}/decide/", {"action": "spam", "expected_status": "pending"}),
        ("post", "/moderation/bulk/", {"action": "approve", "items": [f"reply:{reply.pk}:pending"]}),
    ]


def test_anonymous_visitors_are_sent_to_log_in_on_every_console_route(pending, pending_reply, anon) -> None:
    for method, url, data in console_routes(pending, pending_reply):
        response = getattr(anon, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url
    response = anon.get(MINE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Annotation.objects.get(pk=pending.pk).status == "approved"
    assert Reply.objects.get(pk=pending_reply.pk).status == "pending"
    assert ModerationEvent.objects.count() == 1  # only the fixture's own approval


@pytest.mark.parametrize("persona", ["alice_client", "mallory_client"])
def test_non_moderators_get_403_on_every_console_route(request, persona, pending, pending_reply) -> None:
    client = request.getfixturevalue(persona)
    for method, url, data in console_routes(pending, pending_reply):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (persona, url, response.status_code)
    assert Annotation.objects.get(pk=pending.pk).status == "approved"
    assert Reply.objects.get(pk=pending_reply.pk).status == "pending"
    assert ModerationEvent.objects.count() == 1


def test_moderators_open_every_console_page(pending, pending_reply, mod_client) -> None:
    for method, url, _data in console_routes(pending, pending_reply):
        if method == "get":
            response = mod_client.get(url)
            assert response.status_code == 200, (url, response.status_code)


def test_header_links_moderators_to_the_queue_and_everyone_to_their_annotations(
    pre, mod_client, alice_client, anon
) -> None:
    # "My annotations" now lives with the account pages (issue 14).
    mine = "/accounts/profile/annotations/"
    moderator_page = mod_client.get("/").content.decode()
    assert '<a href="/moderation/">Moderation</a>' in moderator_page
    assert f'<a href="{mine}">My annotations</a>' in moderator_page
    alice_page = alice_client.get("/").content.decode()
    assert ">Moderation<" not in alice_page and f'<a href="{mine}">My annotations</a>' in alice_page
    assert "My annotations" not in anon.get("/").content.decode()


def test_console_navigation_links_the_organisations_awaiting_verification_with_their_count(
    pre, mod_client, mallory
) -> None:
    # Mallory Monitoring (the mallory fixture) is not verified; Digital Rights Watch is not in play.
    html = mod_client.get(QUEUE).content.decode()
    nav = re.search(r'<nav class="console-nav" aria-label="Moderation console">.*?</nav>', html, re.S).group(
        0
    )
    assert '<a href="/moderation/" aria-current="page">Queue</a>' in nav
    assert '<a href="/moderation/log/">Audit log</a>' in nav
    assert (
        '<a href="/accounts/organisations/verification/">Organisations awaiting verification '
        '<span class="count">(1)</span></a>'
    ) in nav


# --- The queue -----------------------------------------------------------------------------------


def test_queue_shows_each_item_in_context_with_everything_a_moderator_needs(
    pre, alice, mallory, mod_client
) -> None:
    quoted = annotate(
        pre, alice, quote="interception", body="No *judge* is involved.", tags=["privacy", "gender"]
    )
    whole = annotate(
        pre, mallory, key="art-2", body="About the whole article.", attribution=Attribution.ANONYMOUS
    )
    annotation_update(annotation=quoted, editor=alice, body="No *judge* is involved at all.")
    # Flags on a pending item: say, enough of them sent it back to the queue.
    Flag.objects.create(user=mallory, annotation=quoted, reason="misleading", note="Overstated")

    response = mod_client.get(QUEUE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>2</strong> pending annotations" in html
    assert "<strong>0</strong> pending replies" in html and "<strong>1</strong> flagged item" in html

    block = item_block(html, f"annotation-{quoted.pk}")
    # The quoted words highlighted inside their paragraph, offsets in code points.
    assert "First sample paragraph about <mark>interception</mark>:" in block
    assert "Privacy, Gender" in block and "<dd>Serious</dd>" in block and "<dd>Oppose</dd>" in block
    assert "<em>judge</em> is involved at all." in block
    assert "Alice Activist (Digital Rights Watch)" in block
    assert "<strong>Misleading</strong>: Overstated" in block and "by Mallory Meddler" in block
    assert "Edit history: 1 earlier version" in block and "No *judge* is involved." in block
    assert f'value="annotation:{quoted.pk}:pending"' in block
    assert 'name="expected_status" value="pending"' in block
    # Every button says which item it acts on.
    assert f'Approve<span class="visually-hidden"> annotation {quoted.pk}</span></button>' in block
    assert f'Reject<span class="visually-hidden"> annotation {quoted.pk}</span></button>' in block
    assert (
        f'<label for="reject-annotation-{quoted.pk}">Reason for rejecting annotation {quoted.pk}</label>'
        in block
    )

    anonymous = item_block(html, f"annotation-{whole.pk}")
    # Moderators see who wrote an anonymous annotation, and that others do not.
    assert "Mallory Meddler (Mallory Monitoring) — shown to others as “Anonymous”" in anonymous
    assert "<mark>" not in anonymous and "Article 2, as a whole" in anonymous
    # Oldest first.
    assert html.index(f'id="annotation-{quoted.pk}"') < html.index(f'id="annotation-{whole.pk}"')


def test_queue_and_my_annotations_link_a_preamble_annotation_to_the_treaty_page(
    pre, alice, mod_client, alice_client
) -> None:
    recital = annotate(pre, alice, key="pre.1", quote="recital", body="On the preamble.")
    block = item_block(mod_client.get(QUEUE).content.decode(), f"annotation-{recital.pk}")
    assert "Sample <mark>recital</mark> one;" in block
    assert 'href="/treaties/sample/?version=S%2F1&amp;lang=en#pre.1"' in block
    # "My annotations" (with the account pages) opens it on the preamble's own page, in its version.
    assert (
        f'href="/treaties/sample/parts/pre/?version=S%2F1&amp;lang=en&amp;show={recital.pk}#annotation-{recital.pk}"'
        in alice_client.get(MINE).content.decode()
    )


def test_queue_lists_pending_replies_and_flagged_approved_items_but_not_decided_ones(
    pre, alice, mallory, mod, mod_client, settings
) -> None:
    settings.FLAG_THRESHOLD = 5  # one flag keeps the item approved but puts it in the queue
    flagged = annotate(pre, alice, body="Flagged but still published.")
    flagged = moderate(item=flagged, moderator=mod, action="approve", expected_status="pending").item
    flag_create(user=mallory, annotation=flagged, reason="abusive")
    reply = reply_create(annotation=flagged, author=mallory, body="My reply, pending.")
    rejected = annotate(pre, alice, body="Rejected one.")
    moderate(item=rejected, moderator=mod, action="reject", reason="Off topic", expected_status="pending")
    html = mod_client.get(QUEUE).content.decode()
    assert f'id="annotation-{flagged.pk}"' in html and f'id="reply-{reply.pk}"' in html
    assert f'id="annotation-{rejected.pk}"' not in html
    reply_block = item_block(html, f"reply-{reply.pk}")
    assert (
        f'In reply to <a href="/moderation/annotations/{flagged.pk}/">annotation {flagged.pk}</a>'
        in reply_block
    )
    assert "<strong>1</strong> pending reply" in html
    flagged_block = item_block(html, f"annotation-{flagged.pk}")
    assert "1 open flag" in flagged_block and 'value="approve"' in flagged_block


def test_queue_filters(pre, alice, mallory, mod_client, drw) -> None:
    on_words = annotate(pre, alice, body="Tagged privacy, by DRW.", tags=["privacy"])
    other_tag = annotate(
        pre, mallory, body="Tagged gender, by Mallory Monitoring.", tags=["gender"], key="art-3"
    )
    Flag.objects.create(user=alice, annotation=other_tag, reason="spam")

    def shown(query: str) -> set[int]:
        response = mod_client.get(f"{QUEUE}?{query}")
        assert response.status_code == 200, (query, response.status_code)
        return {
            int(pk)
            for pk in re.findall(
                r'<article class="mod-item[^"]*" id="annotation-(\d+)"', response.content.decode()
            )
        }

    assert shown("") == {on_words.pk, other_tag.pk}
    assert shown("tag=privacy") == {on_words.pk}
    assert shown("organization=digital-rights-watch") == {on_words.pk}
    assert shown("verified=yes") == {on_words.pk}
    assert shown("verified=no") == {other_tag.pk}
    assert shown("flag_reason=spam") == {other_tag.pk}
    assert shown("article=3") == {other_tag.pk}
    assert shown("treaty=sample&article=2") == {on_words.pk}
    # The chosen filters stay selected in the form.
    html = mod_client.get(f"{QUEUE}?tag=gender").content.decode()
    assert '<option value="gender" selected>' in html and "Clear filters" in html


def test_an_unknown_filter_value_is_reported_not_obeyed(pre, alice, mod_client) -> None:
    annotate(pre, alice)
    response = mod_client.get(f"{QUEUE}?flag_reason=boredom")
    assert response.status_code == 400
    assert "Select a valid choice. boredom is not one of the available choices." in text_of(response)
    assert 'id="annotation-' in response.content.decode()  # the rest of the queue still shows


def test_queue_pages_with_a_keyset_next_link(pre, alice, mod_client) -> None:
    created = [annotate(pre, alice, body=f"Comment number {n}.") for n in range(30)]
    first = mod_client.get(QUEUE).content.decode()
    on_first = re.findall(r'id="annotation-(\d+)"', first)
    assert [int(pk) for pk in on_first] == [a.pk for a in created[:25]]
    next_href = unescape(re.search(r'<a href="([^"]+)" rel="next">Next page</a>', first).group(1))
    second = mod_client.get(next_href).content.decode()
    assert [int(pk) for pk in re.findall(r'id="annotation-(\d+)"', second)] == [a.pk for a in created[25:]]
    assert 'rel="next"' not in second and ">First page</a>" in second
    bad = mod_client.get(f"{QUEUE}?cursor=nonsense")
    assert bad.status_code == 400 and "That page cursor is not valid" in text_of(bad)


QUEUE_QUERY_BUDGET = 17  # session, user, moderator group, filter choices, the queue, counts, flags, history


def test_queue_page_costs_the_same_queries_for_10_or_200_pending_items(
    pre, alice, mallory, mod_client, django_assert_max_num_queries
) -> None:
    # Each item with tags, a quote, a flag and an edit, and a reply: every join and prefetch is used.
    first = annotate(pre, alice, quote="interception", tags=["privacy", "gender"])
    annotation_update(annotation=first, editor=alice, body="Edited once.")
    Flag.objects.create(user=mallory, annotation=first, reason="other", note="Check")
    Reply.objects.create(annotation=first, author=mallory, attribution="person", body="r", status="pending")
    _bulk_pending(first, 9)
    with CaptureQueriesContext(connection) as with_10:
        response = mod_client.get(QUEUE)
    assert response.content.decode().count('<article class="mod-item') == 11  # 10 annotations, 1 reply
    _bulk_pending(first, 190)
    with django_assert_max_num_queries(QUEUE_QUERY_BUDGET), CaptureQueriesContext(connection) as with_200:
        response = mod_client.get(QUEUE)
    assert response.content.decode().count('<article class="mod-item') == 25  # one page
    assert "<strong>200</strong> pending annotations" in response.content.decode()
    assert len(with_10) == len(with_200)


def _bulk_pending(template: Annotation, n: int) -> None:
    """n more pending annotations like `template` (with its quote, tags, a flag and a revision)."""
    now = timezone.now()
    target = template.target
    targets = Target.objects.bulk_create(
        Target(
            version=target.version,
            provision=target.provision,
            provision_key=target.provision_key,
            exact=target.exact,
            start=target.start,
            end=target.end,
        )
        for _ in range(n)
    )
    annotations = Annotation.objects.bulk_create(
        Annotation(
            author=template.author,
            organization=template.organization,
            target=t,
            version=template.version,
            provision=template.provision,
            article=template.article,
            severity=2,
            position="concern",
            body=f"Bulk comment {i}.",
            attribution="person",
            status=Status.PENDING,
            created_at=now + timedelta(seconds=i + 1),
        )
        for i, t in enumerate(targets)
    )
    through = Annotation.tags.through
    tags = list(template.tags.all())
    through.objects.bulk_create(through(annotation=a, concerntag=tag) for a in annotations for tag in tags)
    Flag.objects.bulk_create(Flag(annotation=a, reason="other", note="bulk") for a in annotations)
    AnnotationRevision.objects.bulk_create(
        AnnotationRevision(annotation=a, body="before", severity=1, position="concern", attribution="person")
        for a in annotations
    )


# --- Decisions through the forms -------------------------------------------------------------------


def test_approve_through_the_form(pending_reply, pre, alice, mod, mod_client) -> None:
    item = annotate(pre, alice, body="Approve me.")
    response = decide(mod_client, item, "approve", next_=f"{QUEUE}?tag=privacy")
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?tag=privacy"
    item.refresh_from_db()
    assert item.status == "approved"
    event = ModerationEvent.objects.filter(annotation=item).get()
    assert (event.actor, event.action, event.from_status, event.to_status) == (
        mod,
        "approve",
        "pending",
        "approved",
    )
    page = mod_client.get(response["Location"])
    assert f"Approved annotation {item.pk}." in text_of(page)


def test_a_foreign_next_url_is_ignored(pending_reply, pre, alice, mod_client) -> None:
    item = annotate(pre, alice, body="Approve me.")
    response = decide(mod_client, item, "approve", next_="https://evil.example/phish")
    assert response["Location"] == QUEUE


def test_reject_with_a_reason_the_author_then_sees(
    pre, pending_reply, alice, alice_client, mod_client
) -> None:
    item = annotate(pre, alice, body="Reject me.")
    response = decide(mod_client, item, "reject", reason="Not about this article.")
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.rejection_reason) == ("rejected", "Not about this article.")
    event = ModerationEvent.objects.get(annotation=item)
    assert (event.action, event.to_status, event.reason) == ("reject", "rejected", "Not about this article.")
    mine = text_of(alice_client.get(MINE))
    assert f"Annotation {item.pk} on Article 2(1)" in mine
    assert f"Annotation {item.pk} on Article 2(1) Not published" in mine
    assert "Why it was not published: Not about this article." in mine


def test_reject_without_a_reason_shows_the_error_and_changes_nothing(pending, pre, alice, mod_client) -> None:
    item = annotate(pre, alice, body="Reject me without saying why.")
    response = decide(mod_client, item, "reject", reason="   ")
    assert response.status_code == 400
    page = text_of(response)
    assert "Not done Give the reason for rejecting it: the author will see it." in page
    assert "Nothing was changed by your request" in page
    item.refresh_from_db()
    assert item.status == "pending" and item.rejection_reason == ""
    assert not ModerationEvent.objects.filter(annotation=item).exists()


def test_spam_feature_unfeature_and_note_through_the_forms(pre, alice, mallory, mod, mod_client) -> None:
    item = annotate(pre, alice, body="Feature me.")
    spam = annotate(pre, mallory, body="Buy things.", key="art-3")
    assert decide(mod_client, spam, "spam").status_code == 302
    assert Annotation.objects.get(pk=spam.pk).status == "spam"

    decide(mod_client, item, "approve")
    item.refresh_from_db()
    html = mod_client.get(f"/moderation/annotations/{item.pk}/").content.decode()
    assert f'Feature<span class="visually-hidden"> annotation {item.pk}</span>' in html
    assert decide(mod_client, item, "feature").status_code == 302
    assert Annotation.objects.get(pk=item.pk).featured
    html = mod_client.get(f"/moderation/annotations/{item.pk}/").content.decode()
    assert f'Unfeature<span class="visually-hidden"> annotation {item.pk}</span>' in html
    assert decide(mod_client, item, "unfeature", expected="approved").status_code == 302
    assert not Annotation.objects.get(pk=item.pk).featured
    assert (
        decide(mod_client, item, "note", expected="approved", reason="Context: see Article 15.").status_code
        == 302
    )
    assert Annotation.objects.get(pk=item.pk).moderator_note == "Context: see Article 15."
    actions = list(ModerationEvent.objects.filter(actor=mod).order_by("id").values_list("action", flat=True))
    assert actions == ["spam", "approve", "feature", "unfeature", "note"]
    history = text_of(mod_client.get(f"/moderation/annotations/{item.pk}/"))
    assert "Moe Moderator Note approved → approved Context: see Article 15." in history


def test_replies_are_decided_through_the_same_forms(pending_reply, mod_client) -> None:
    response = decide(mod_client, pending_reply, "reject", reason="Personal attack.")
    assert response.status_code == 302
    pending_reply.refresh_from_db()
    assert (pending_reply.status, pending_reply.rejection_reason) == ("rejected", "Personal attack.")
    assert ModerationEvent.objects.filter(reply=pending_reply, action="reject").exists()


def test_a_stale_page_shows_who_decided_first_and_the_current_state(
    pending, pre, alice, mod, mod_client
) -> None:
    other = VerifiedUserFactory(display_name="Olga Othermod")
    other.groups.add(*mod.groups.all())
    item = annotate(pre, alice, body="Two moderators at once.")
    moderate(item=item, moderator=other, action="approve", expected_status="pending")
    # Our moderator's page still showed "pending"; they reject it.
    response = decide(mod_client, item, "reject", expected="pending", reason="Too vague.")
    assert response.status_code == 409
    page = text_of(response)
    assert "Not changed: another decision came first" in page
    assert "Someone decided first: it is now approved, not pending. Olga Othermod chose “approve”" in page
    block = item_block(response.content.decode(), f"annotation-{item.pk}")
    assert '<span class="status-badge status-approved">Approved</span>' in block
    # What they typed is kept, and the new form carries the status as it is now.
    assert ">Too vague.</textarea>" in block and 'name="expected_status" value="approved"' in block
    item.refresh_from_db()
    assert item.status == "approved" and item.rejection_reason == ""
    assert list(
        ModerationEvent.objects.filter(annotation=item).values_list("actor__display_name", flat=True)
    ) == ["Olga Othermod"]


def test_a_decision_without_the_status_seen_is_refused(pending, pre, alice, mod_client) -> None:
    item = annotate(pre, alice, body="No expected status.")
    response = mod_client.post(f"/moderation/annotations/{item.pk}/decide/", {"action": "approve"})
    assert response.status_code == 400
    assert "The form did not say which status you saw" in text_of(response)
    assert Annotation.objects.get(pk=item.pk).status == "pending"


def test_an_unknown_action_is_refused(pending, pre, alice, mod_client) -> None:
    item = annotate(pre, alice, body="Unknown action.")
    response = decide(mod_client, item, "obliterate")
    assert response.status_code == 400 and "Unknown action “obliterate”" in text_of(response)
    assert not ModerationEvent.objects.filter(annotation=item).exists()


def test_a_moderator_cannot_approve_their_own_item(pre, mod, mod_client) -> None:
    own = annotate(pre, mod, body="My own comment.")
    block = item_block(mod_client.get(QUEUE).content.decode(), f"annotation-{own.pk}")
    assert "You wrote this: another moderator must approve it." in block
    response = decide(mod_client, own, "approve")
    assert response.status_code == 403
    assert "You cannot approve your own contribution: another moderator must decide." in text_of(response)
    assert Annotation.objects.get(pk=own.pk).status == "pending"
    assert not ModerationEvent.objects.filter(annotation=own).exists()


def test_acting_on_a_deleted_item_says_so(pre, alice, alice_client, mod_client) -> None:
    item = annotate(pre, alice, body="Deleted before the decision.")
    alice_client.post(f"/annotations/{item.pk}/delete/")
    assert Annotation.objects.get(pk=item.pk).deleted_at is not None
    response = decide(mod_client, item, "approve", expected="pending")
    assert response.status_code == 409 and "Its author deleted this item" in text_of(response)


# --- Bulk ------------------------------------------------------------------------------------------


def test_bulk_approve_reports_each_item(pre, alice, mallory, mod, mod_client) -> None:
    first, second = annotate(pre, alice, body="One."), annotate(pre, mallory, body="Two.", key="art-3")
    own = annotate(pre, mod, body="Mine.", key="art-1")
    stale = annotate(pre, alice, body="Three.", key="art-2")
    moderate(item=stale, moderator=mod, action="spam", expected_status="pending")
    response = mod_client.post(
        "/moderation/bulk/",
        {
            "action": "approve",
            "items": [
                f"annotation:{first.pk}:pending",
                f"annotation:{second.pk}:pending",
                f"annotation:{own.pk}:pending",
                f"annotation:{stale.pk}:pending",
                "annotation:999999:pending",
            ],
        },
    )
    assert response.status_code == 200
    rows = re.findall(r'<tr class="bulk-(\w+)">(.*?)</tr>', response.content.decode(), re.S)
    results = {re.search(r"Annotation (\d+)", row).group(1): (result, unescape(row)) for result, row in rows}
    assert results[str(first.pk)][0] == "ok" and results[str(second.pk)][0] == "ok"
    assert results[str(own.pk)][0] == "refused" and "cannot approve your own" in results[str(own.pk)][1]
    assert (
        results[str(stale.pk)][0] == "conflict" and "Moe Moderator chose “spam”" in results[str(stale.pk)][1]
    )
    assert results["999999"][0] == "not_found"
    assert "2 of 5 items approved." in text_of(response)
    statuses = dict(Annotation.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[own.pk], statuses[stale.pk]) == (
        "approved",
        "approved",
        "pending",
        "spam",
    )


def test_bulk_reject_needs_a_reason_and_then_rejects_each(pre, alice, mallory, mod_client) -> None:
    first, second = annotate(pre, alice, body="One."), annotate(pre, mallory, body="Two.", key="art-3")
    items = [f"annotation:{first.pk}:pending", f"annotation:{second.pk}:pending"]
    refused = mod_client.post("/moderation/bulk/", {"action": "reject", "reason": " ", "items": items})
    assert refused.status_code == 400
    assert "Give the reason for rejecting them: their authors will see it. Nothing was changed." in text_of(
        refused
    )
    assert set(Annotation.objects.values_list("status", flat=True)) == {"pending"}
    assert not ModerationEvent.objects.exists()

    done = mod_client.post("/moderation/bulk/", {"action": "reject", "reason": "Duplicates.", "items": items})
    assert done.status_code == 200 and "2 of 2 items rejected." in text_of(done)
    assert set(Annotation.objects.values_list("rejection_reason", flat=True)) == {"Duplicates."}
    assert ModerationEvent.objects.filter(action="reject").count() == 2


def test_bulk_without_a_selection_or_with_junk_is_refused(pre, alice, mod_client) -> None:
    item = annotate(pre, alice)
    empty = mod_client.post("/moderation/bulk/", {"action": "approve"})
    assert empty.status_code == 400 and "Select at least one item" in text_of(empty)
    junk = mod_client.post("/moderation/bulk/", {"action": "approve", "items": ["annotation:x:pending"]})
    assert junk.status_code == 400 and "is not an item of the queue" in text_of(junk)
    spam = mod_client.post(
        "/moderation/bulk/", {"action": "spam", "items": [f"annotation:{item.pk}:pending"]}
    )
    assert spam.status_code == 400 and "approve or to reject" in text_of(spam)
    assert Annotation.objects.get(pk=item.pk).status == "pending"


# --- The audit log ---------------------------------------------------------------------------------


@pytest.fixture
def logged(pre, alice, mallory, mod):
    """Three decisions by two moderators on two days, and one automatic event."""
    other = VerifiedUserFactory(display_name="Olga Othermod")
    other.groups.add(*mod.groups.all())
    first, second = annotate(pre, alice, body="One."), annotate(pre, mallory, body="Two.", key="art-3")
    moderate(item=first, moderator=mod, action="approve", expected_status="pending")
    moderate(
        item=second,
        moderator=other,
        action="reject",
        reason='=HYPERLINK("http://x")',
        expected_status="pending",
    )
    moderate(item=first, moderator=other, action="note", reason="+1 context", expected_status="approved")
    yesterday = timezone.now() - timedelta(days=1)
    # The log is append-only (a trigger on PostgreSQL): date the first decision by creating it so.
    ModerationEvent.objects.create(
        annotation=second,
        actor=mod,
        action="spam",
        from_status="rejected",
        to_status="spam",
        created_at=yesterday,
    )
    return {"mod": mod, "other": other, "first": first, "second": second, "yesterday": yesterday}


def test_audit_log_lists_every_event_with_links(logged, mod_client) -> None:
    response = mod_client.get(LOG)
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 events, newest first" in text_of(response)
    assert (
        f'<a href="/moderation/annotations/{logged["first"].pk}/">annotation {logged["first"].pk}</a>' in html
    )
    assert "Olga Othermod" in html and "pending → rejected" in html and "Download as CSV" in html


def test_audit_log_filters(logged, mod_client) -> None:
    def count(query: str) -> int:
        response = mod_client.get(f"{LOG}?{query}")
        assert response.status_code == 200, query
        return response.content.decode().count("<tr><td><time")

    assert count("") == 4
    assert count(f"moderator={logged['other'].pk}") == 2
    assert count("action=reject") == 1
    assert count(f"moderator={logged['mod'].pk}&action=spam") == 1
    today = timezone.localdate()
    assert count(f"since={today.isoformat()}") == 3
    assert count(f"until={(today - timedelta(days=1)).isoformat()}") == 1
    bad = mod_client.get(f"{LOG}?since={today.isoformat()}&until={(today - timedelta(days=2)).isoformat()}")
    assert bad.status_code == 400 and "The start date is after the end date." in text_of(bad)
    assert mod_client.get(f"{LOG}?since=yesterday").status_code == 400


def test_audit_log_paginates(logged, mod_client, mod) -> None:
    first = logged["first"]
    ModerationEvent.objects.bulk_create(
        ModerationEvent(
            annotation=first, actor=mod, action="note", from_status="approved", to_status="approved"
        )
        for _ in range(60)
    )
    page_one = mod_client.get(LOG).content.decode()
    assert page_one.count("<tr><td><time") == 50 and "Page 1 of 2" in page_one
    page_two = mod_client.get(f"{LOG}?action=note&page=2").content.decode()
    assert page_two.count("<tr><td><time") == 11 and 'href="?action=note&amp;page=1"' in page_two


def test_audit_log_csv_streams_the_filtered_log_with_formulas_neutralised(logged, mod_client) -> None:
    response = mod_client.get(f"{LOG_CSV}?moderator={logged['other'].pk}")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="moderation-log-\d{4}-\d\d-\d\d\.csv"', response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["time", "moderator", "action", "item", "from_status", "to_status", "reason"]
    assert len(rows) == 3  # the header and Olga's two decisions
    by_action = {row[2]: row for row in rows[1:]}
    assert by_action["reject"][1] == "Olga Othermod"
    assert by_action["reject"][3] == f"annotation {logged['second'].pk}"
    assert by_action["reject"][6] == '\'=HYPERLINK("http://x")'
    assert by_action["note"][6] == "'+1 context"
    everything = mod_client.get(LOG_CSV)
    assert len(list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))) == 5


def test_audit_log_csv_neutralises_a_moderators_display_name(logged, mod_client) -> None:
    # A display name is the user's own text: a formula there must not run in a spreadsheet either.
    logged["other"].display_name = '=HYPERLINK("http://x")'
    logged["other"].save()
    response = mod_client.get(f"{LOG_CSV}?moderator={logged['other'].pk}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row[1] for row in rows[1:]} == {'\'=HYPERLINK("http://x")'}


def test_the_page_links_the_csv_with_the_filters_applied(logged, mod_client) -> None:
    html = mod_client.get(f"{LOG}?action=reject&page=1").content.decode()
    assert 'href="/moderation/log.csv?action=reject"' in html


# --- My annotations --------------------------------------------------------------------------------


def test_my_annotations_lists_only_my_own_items_with_status_and_reason(
    pre, alice, mallory, mod, alice_client
) -> None:
    approved = annotate(pre, alice, body="Approved one.")
    approved = moderate(item=approved, moderator=mod, action="approve", expected_status="pending").item
    moderate(
        item=approved, moderator=mod, action="note", reason="See also Art. 15.", expected_status="approved"
    )
    waiting = annotate(pre, alice, body="Waiting one.", key="art-3")
    rejected = annotate(pre, alice, body="Rejected one.", key="art-1")
    moderate(
        item=rejected, moderator=mod, action="reject", reason="Please be specific.", expected_status="pending"
    )
    someone_elses = annotate(pre, mallory, body="Mallory's.", key="art-2")
    reply = reply_create(annotation=approved, author=alice, body="My reply.")
    moderate(item=reply, moderator=mod, action="reject", reason="Reply off topic.", expected_status="pending")

    response = alice_client.get(MINE)
    html = response.content.decode()
    assert response.status_code == 200
    page = text_of(response)
    assert "Annotations (3)" in page and "Replies (1)" in page
    assert "Mallory's." not in html and f"Annotation {someone_elses.pk} " not in page
    assert f"Annotation {approved.pk} on Article 2(1) Published" in page and "See also Art. 15." in page
    assert f"Annotation {waiting.pk} on Article 3 Waiting for a moderator" in page
    assert f"Annotation {rejected.pk} on Article 1 Not published" in page
    assert "Why it was not published: Please be specific." in page
    assert "Why it was not published: Reply off topic." in page
    assert (
        f'href="/treaties/sample/articles/3/?version=S%2F1&amp;lang=en&amp;show={waiting.pk}#annotation-{waiting.pk}"'
        in html
    )
    assert re.search(
        rf'href="/treaties/sample/articles/2/\?version=S%2F1&amp;lang=en&amp;show=\d+#reply-{reply.pk}"', html
    )
    # A moderator's rejection reason is for the author alone.
    assert "Please be specific." not in Client().get("/treaties/sample/articles/1/").content.decode()


def test_the_old_address_of_my_annotations_leads_to_the_account_pages(alice_client) -> None:
    response = alice_client.get("/moderation/my-annotations/")
    assert response.status_code == 301 and response["Location"] == MINE


def test_my_annotations_for_someone_with_nothing(mallory_client) -> None:
    page = text_of(mallory_client.get(MINE))
    assert "You have not written an annotation yet." in page and "You have not written a reply yet." in page


# --- Nothing unapproved in public ------------------------------------------------------------------


@pytest.fixture
def one_of_each(pre, alice, mallory, mod):
    items = {}
    for status, body in [
        ("approved", "PUBLIC-APPROVED comment"),
        ("pending", "HIDDEN-PENDING comment"),
        ("rejected", "HIDDEN-REJECTED comment"),
        ("spam", "HIDDEN-SPAM comment"),
    ]:
        item = annotate(pre, mallory, body=body)
        if status == "rejected":
            moderate(item=item, moderator=mod, action="reject", reason="No.", expected_status="pending")
        elif status != "pending":
            moderate(
                item=item,
                moderator=mod,
                action=status if status == "spam" else "approve",
                expected_status="pending",
            )
        items[status] = item
    return items


def test_public_annotation_list_api_shows_only_approved_items(one_of_each, api_client_as, alice) -> None:
    for viewer in (None, alice):
        bodies = {
            r["body"]
            for r in api_client_as(viewer).get("/api/v1/annotations/?treaty=sample").json()["results"]
        }
        assert bodies == {"PUBLIC-APPROVED comment"}, viewer
        for status in ("pending", "rejected", "spam"):
            asked = api_client_as(viewer).get(f"/api/v1/annotations/?treaty=sample&status={status}").json()
            assert asked["results"] == [], (viewer, status)


def test_public_article_page_shows_only_approved_items(one_of_each, anon, alice_client) -> None:
    for client in (anon, alice_client):
        html = client.get("/treaties/sample/articles/2/").content.decode()
        assert "PUBLIC-APPROVED comment" in html
        for hidden in ("HIDDEN-PENDING", "HIDDEN-REJECTED", "HIDDEN-SPAM"):
            assert hidden not in html


def _streamed(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def test_public_exports_show_only_approved_items(one_of_each, anon, api_client_as, alice) -> None:
    export = "/api/v1/treaties/sample/annotations/export/"
    for viewer in (None, alice):  # alice is neither the author nor a moderator
        client = api_client_as(viewer)
        for kind in ("csv", "ndjson"):
            body = _streamed(client.get(f"{export}?format={kind}"))
            assert "PUBLIC-APPROVED comment" in body and "HIDDEN-" not in body, (viewer, kind)
        collection = client.get(f"{export}?format=jsonld").json()
        assert collection["total"] == 1
        page = _streamed(client.get(collection["first"]))
        assert "PUBLIC-APPROVED comment" in page and "HIDDEN-" not in page


def test_heat_and_feedback_count_only_approved_items(one_of_each, anon) -> None:
    from annotations.heat.aggregation import heat_rebuild

    heat_rebuild(versions=[one_of_each["approved"].version])
    heat = anon.get("/api/v1/treaties/sample/heatmap/").json()
    article_2 = next(a for a in heat["articles"] if a["number"] == "2")
    assert article_2["total"]["annotations"] == 1
    feedback = anon.get("/api/v1/treaties/sample/feedback/")
    assert feedback.status_code == 200 and "HIDDEN-" not in feedback.content.decode()
