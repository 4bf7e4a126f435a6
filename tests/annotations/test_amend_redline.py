"""A proposed wording (position "amend") is shown as a redline against the clause it amends:
on the article page, in the moderation queue, in briefings and (as `amends`) in the feedback."""

import pytest
from django.test import Client

from accounts.models import User
from annotations.amend import amend_redline, amended_clause
from annotations.heat.aggregation import heat_rebuild
from annotations.models import Annotation
from annotations.moderation.services import moderate
from annotations.services import QuoteInput, annotation_create
from treaty.models import DraftVersion

ARTICLE = "/treaties/sample/articles/2/"


def test_the_redline_is_against_the_quote_or_else_the_provision() -> None:
    assert amend_redline("amend", "prior lawful interception", "interception", "First paragraph") == [
        ["+", "prior lawful "],
        ["=", "interception"],
    ]
    assert amended_clause("amend", "", "First paragraph about interception:") == (
        "First paragraph about interception:"
    )
    assert amend_redline("amend", "First paragraph:", "", "First paragraph about interception:") == [
        ["=", "First paragraph"],
        ["-", " about interception"],
        ["=", ":"],
    ]


@pytest.mark.parametrize(
    ("position", "proposed", "quote", "provision_text"),
    [
        ("concern", "other words", "interception", "First paragraph"),  # not an amendment
        ("amend", "", "interception", "First paragraph"),  # no wording
        ("amend", "new words", "", ""),  # an article heading: no clause text to compare
        ("amend", "new words", "", "   "),
    ],
)
def test_no_redline_without_an_amendment_and_a_clause(
    position: str, proposed: str, quote: str, provision_text: str
) -> None:
    assert amend_redline(position, proposed, quote, provision_text) is None


@pytest.fixture
def amendment(version: DraftVersion, alice: User, mod: User) -> Annotation:
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        quote=QuoteInput(exact="interception"),
        tags=["privacy"],
        severity=3,
        position="amend",
        body="Needs a judge.",
        proposed_text="judicially authorised <b>interception</b>",
    )
    moderate(item=annotation, moderator=mod, action="feature")
    heat_rebuild(versions=[version])
    return annotation


REDLINE = (
    '<ins><span class="visually-hidden">[added: </span>judicially authorised &lt;b&gt;'
    '<span class="visually-hidden">]</span></ins>interception'
    '<ins><span class="visually-hidden">[added: </span>&lt;/b&gt;<span class="visually-hidden">]</span></ins>'
)


def test_the_article_page_shows_the_redline_escaped(anon: Client, amendment: Annotation) -> None:
    html = anon.get(ARTICLE).content.decode()
    assert "Proposed wording, as changes to the quoted words" in html
    assert REDLINE in html
    assert "<b>interception</b>" not in html


def test_an_amendment_of_a_whole_paragraph_strikes_its_words(
    anon: Client, version: DraftVersion, alice: User, mod: User
) -> None:
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="amend",
        body="Shorter.",
        proposed_text="First sample paragraph:",
    )
    moderate(item=annotation, moderator=mod, action="approve")
    html = anon.get(ARTICLE).content.decode()
    assert "Proposed wording, as changes to the provision" in html
    assert '<del><span class="visually-hidden">[removed: </span> about interception' in html


def test_other_positions_show_their_wording_plainly(
    anon: Client, version: DraftVersion, alice: User, mod: User
) -> None:
    annotation = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="clarify",
        body="Say what it means.",
        proposed_text="interception of content data",
    )
    moderate(item=annotation, moderator=mod, action="approve")
    html = anon.get(ARTICLE).content.decode()
    assert "interception of content data" in html
    assert "as changes to" not in html


def test_the_moderation_queue_shows_the_redline(
    mod_client: Client, version: DraftVersion, alice: User
) -> None:
    version.moderation, version.verified_skip_queue = "pre", False
    version.save()
    annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        quote=QuoteInput(exact="interception"),
        tags=["privacy"],
        severity=3,
        position="amend",
        body="Needs a judge.",
        proposed_text="judicially authorised <b>interception</b>",
    )
    html = mod_client.get("/moderation/").content.decode()
    assert REDLINE in html


def test_briefings_show_the_redline(anon: Client, amendment: Annotation) -> None:
    for url in ("/treaties/sample/briefing/", f"{ARTICLE}briefing/"):
        html = anon.get(url).content.decode()
        assert "[added: </span>judicially authorised &lt;b&gt;" in html, url


def test_the_feedback_says_what_a_wording_amends(anon: Client, amendment: Annotation) -> None:
    body = anon.get("/api/v1/treaties/sample/feedback/").json()
    wordings = [c for a in body["articles"] for c in a["proposed_wordings"]]
    assert [(c["amends"], c["proposed_text"]) for c in wordings] == [
        ("interception", "judicially authorised <b>interception</b>")
    ]
