"""Readers and analysts: the badge on each annotation, the group page, and feedback and briefings
that quote a coalition's position once with its signatories."""

import pytest

from annotations.campaigns.models import CampaignGroup
from annotations.heat.aggregation import heat_rebuild
from annotations.models import Annotation

pytestmark = pytest.mark.django_db


def test_each_annotation_of_a_group_says_so_and_links_to_the_group(coalition: list[Annotation], anon) -> None:  # type: ignore[no-untyped-def]
    group = CampaignGroup.objects.get()
    page = anon.get("/treaties/sample/articles/2/").content.decode()
    badge = f'<a href="/annotations/groups/{group.pk}/">One of 4 similar comments from 3 organisations</a>'
    assert page.count(badge) == 4


def test_the_group_page_lists_signatories_and_keeps_anonymity(coalition: list[Annotation], anon) -> None:  # type: ignore[no-untyped-def]
    group = CampaignGroup.objects.get()
    page = anon.get(f"/annotations/groups/{group.pk}/").content.decode()
    assert "4 similar comments from 3 organisations" in page
    assert "Digital Rights Watch" in page and "Anonymous" in page
    assert "Hidden Org" not in page
    assert anon.get("/annotations/groups/987654/").status_code == 404


def test_feedback_and_briefing_quote_a_coalition_once_with_its_signatories(
    coalition: list[Annotation], version, anon
) -> None:  # type: ignore[no-untyped-def]
    Annotation.objects.filter(pk__in=[a.pk for a in coalition]).update(featured=True)
    heat_rebuild(versions=[version])
    body = anon.get("/api/v1/treaties/sample/feedback/?format=json").json()
    featured = [c for article in body["articles"] for c in article["featured"]]
    assert len(featured) == 1
    (position,) = featured
    assert position["id"] == coalition[0].pk and position["group_size"] == 4
    assert position["signatories"] == ["Digital Rights Watch", "Second NGO", "1 anonymous"]
    html = anon.get("/treaties/sample/articles/2/briefing/").content.decode()
    assert html.count("One position shared by 4 near-identical comments") == 1
    assert "Signatories: Digital Rights Watch, Second NGO, 1 anonymous" in html
    assert "Hidden Org" not in html
    treaty_html = anon.get("/treaties/sample/briefing/").content.decode()
    assert treaty_html.count("One position shared by 4 near-identical comments") <= 1
    assert "Hidden Org" not in treaty_html
