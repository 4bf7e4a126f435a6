"""Anonymous means anonymous, also in numbers (issue 17 §1; DESIGN §6 "Small cells"): anonymous
annotations count in no organisation, type or country, each anonymous author is a unit of their
own in distinct-organisation totals, and breakdowns by country or type never show a cell with fewer
than HEAT_MIN_ORGANIZATIONS organisations: not in the page, the API, the SVG, the CSV or feedback.
(A threshold below 1 is refused at start-up: tests/test_deploy_settings.py.)"""

import csv
import io

import pytest

from accounts.models import Organization
from annotations.heat.aggregation import heat_rebuild
from annotations.moderation.services import moderate
from annotations.services import annotation_create
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

PAGE = "/treaties/sample/heatmap/"
API = "/api/v1/treaties/sample/heatmap/"


def _member(name: str, country: str, kind: str = Organization.Type.NGO):  # type: ignore[no-untyped-def]
    organization = OrganizationFactory(name=name, country=country, type=kind)
    user = VerifiedUserFactory(display_name=f"Member of {name}")
    MembershipFactory(user=user, organization=organization)
    return user


def _annotate(version, author, key="art-2.1", attribution=None, body=None, **extra):  # type: ignore[no-untyped-def]
    return annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=["privacy"],
        severity=2,
        position="concern",
        body=body or f"A concern by {author.display_name} on {key}.",
        attribution=attribution,
        **extra,
    )


def _article_2(body: dict) -> dict:  # type: ignore[type-arg]
    return next(a for a in body["articles"] if a["number"] == "2")


def test_the_only_organisation_of_a_country_posting_anonymously_leaves_no_trace(version, alice, anon) -> None:
    """The issue's reproduction: the heatmap's country filter offered that country "(1)" and its heat
    pointed at the article it wrote on."""
    hidden = _member("Quiet Voices", "BY")
    _annotate(version, hidden, key="art-3", attribution="anonymous")
    _annotate(version, alice)  # openly, from another country
    heat_rebuild(versions=[version])
    html = anon.get(PAGE).text
    assert 'value="BY"' not in html and "Belarus" not in html
    body = anon.get(API + "?country=BY").json()
    article_3 = next(a for a in body["articles"] if a["number"] == "3")
    assert article_3["total"]["annotations"] == 0 and not article_3["total"].get("suppressed")
    # Counted once, as its own unit, where nothing is broken down.
    everyone = next(a for a in anon.get(API).json()["articles"] if a["number"] == "3")
    assert everyone["total"]["annotations"] == 1 and everyone["total"]["organizations"] == 1


def test_an_anonymous_member_is_a_unit_apart_from_their_organisation(version, alice, anon) -> None:
    """2 annotations, one openly by organisation B, one anonymous by a member of B: "1 organisation"
    would say that the anonymous one is B's."""
    colleague = VerifiedUserFactory(display_name="Colleague")
    MembershipFactory(user=colleague, organization=alice.memberships.get().organization)
    _annotate(version, alice)
    _annotate(version, colleague, attribution="anonymous")
    heat_rebuild(versions=[version])
    total = _article_2(anon.get(API).json())["total"]
    assert (total["annotations"], total["organizations"]) == (2, 2)


def test_small_cells_of_a_breakdown_are_suppressed_everywhere(version, anon, settings) -> None:
    assert settings.HEAT_MIN_ORGANIZATIONS == 3
    kenyans = [_member(f"Kenyan group {n}", "KE") for n in range(3)]
    germans = [_member(f"German group {n}", "DE") for n in range(2)]
    for author in kenyans + germans:
        _annotate(version, author)
    heat_rebuild(versions=[version])

    # Three Kenyan organisations: shown. Two German ones: suppressed, and not offered as a filter.
    html = anon.get(PAGE).text
    assert 'value="KE"' in html and 'value="DE"' not in html
    shown = _article_2(anon.get(API + "?country=KE").json())["total"]
    assert shown["organizations"] == 3 and "suppressed" not in shown
    germany = anon.get(API + "?country=DE").json()
    hidden = _article_2(germany)
    assert hidden["total"] == {
        "annotations": None,
        "organizations": None,
        "endorsements": None,
        "score": None,
        "positions": None,
        "suppressed": True,
    }
    privacy = next(c for c in hidden["cells"] if c["tag"] == "privacy")
    assert privacy["suppressed"] is True and privacy["annotations"] is None
    assert germany["totals"]["total"]["suppressed"] is True
    # Everyone together: all five.
    assert _article_2(anon.get(API).json())["total"]["organizations"] == 5

    # The page: no number, and the reason in words.
    page = anon.get(PAGE + "?country=DE").text
    assert "fewer than 3 organisations: not shown, to protect commenters" in page
    # The CSV: empty numbers, suppressed=true.
    rows = list(
        csv.DictReader(io.StringIO(anon.get("/treaties/sample/heatmap.csv?country=DE").content.decode()))
    )
    article_2 = next(r for r in rows if r["unit_key"] == "art-2" and r["tag"] == "privacy")
    assert (
        article_2["suppressed"] == "true"
        and article_2["annotations"] == ""
        and article_2["organizations"] == ""
    )
    # The SVG: no "2" in that cell, the reason in its title.
    svg = anon.get("/treaties/sample/heatmap.svg?country=DE").content.decode()
    assert "suppressed: too few organisations" in svg


def test_feedback_comments_obey_the_segment_and_its_threshold(version, alice, mod, anon) -> None:
    kenyans = [_member(f"Kenyan group {n}", "KE") for n in range(3)]
    german = _member("German group", "DE")
    for author in kenyans:
        _annotate(version, author)
    anonymous_kenyan = _annotate(version, kenyans[0], attribution="anonymous", body="Anonymous Kenyan view.")
    german_item = _annotate(version, german, body="A German view.")
    for item in (anonymous_kenyan, german_item):
        moderate(item=item, moderator=mod, action="feature")
    heat_rebuild(versions=[version])
    kenya = _article_2(anon.get("/api/v1/treaties/sample/feedback/?country=KE").json())
    # The German comment is not Kenyan; the anonymous one counts in no country.
    assert [c["body"] for c in kenya["featured"]] == []
    germany = _article_2(anon.get("/api/v1/treaties/sample/feedback/?country=DE").json())
    assert germany["featured"] == [] and germany["total"]["suppressed"] is True
    everyone = _article_2(anon.get("/api/v1/treaties/sample/feedback/").json())
    assert {c["body"] for c in everyone["featured"]} == {"Anonymous Kenyan view.", "A German view."}
