"""The home page and a treaty's contents show activity (issue 14 §5): what the site is for, the
drafts open for comment with their numbers and days left, the most discussed articles; per article
in the contents, organisations, annotations and a small heat mark."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from annotations.heat.aggregation import heat_rebuild
from annotations.services import annotation_create
from tests.factories import import_small_treaty
from treaty.models import DraftVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussed(alice, mallory) -> DraftVersion:  # type: ignore[no-untyped-def]
    import_small_treaty()
    version = DraftVersion.objects.get(treaty__slug="sample")
    for author, key in ((alice, "art-2.1"), (mallory, "art-2.2.a"), (alice, "art-3")):
        annotation_create(
            author=author,
            version=version,
            provision_key=key,
            tags=["privacy"],
            severity=2,
            position="concern",
            body=f"Activity test on {key}.",
        )
    heat_rebuild(versions=[version])
    return version


def test_home_says_what_it_is_for_and_lists_the_open_drafts_with_their_numbers(
    discussed, client: Client
) -> None:
    discussed.comment_deadline = timezone.localdate() + timedelta(days=10)
    discussed.save(update_fields=["comment_deadline"])
    html = client.get("/").content.decode()
    assert "clause-by-clause commentary on draft treaties" in html
    block = html.split('id="open-title"')[1].split("</section>")[0]
    assert "Sample Convention" in block and "S/1 (en)" in block
    assert "2 organisations · 3 published annotations" in block
    assert "10 days left" in block
    # The most discussed first: Article 2 (two organisations) before Article 3 (one).
    discussed_block = html.split('id="discussed-title"')[1].split("</section>")[0]
    assert discussed_block.index("Article 2") < discussed_block.index("Article 3")
    assert 'href="/treaties/sample/articles/2/?version=S/1&amp;lang=en"' in discussed_block
    assert "2 organisations · 2 annotations" in discussed_block


def test_a_past_deadline_and_a_closed_draft(discussed, client: Client) -> None:
    discussed.comment_deadline = timezone.localdate() - timedelta(days=1)
    discussed.save(update_fields=["comment_deadline"])
    assert "the announced comment period ended on" in client.get("/").content.decode()
    discussed.open_for_comment = False
    discussed.save(update_fields=["open_for_comment"])
    html = client.get("/").content.decode()
    assert 'id="open-title"' not in html and 'id="discussed-title"' not in html
    assert "Sample Convention" in html  # still listed among all treaties


def test_contents_show_activity_per_article(discussed, client: Client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(12):
        html = client.get("/treaties/sample/").content.decode()
    contents = html.split('id="toc-title"')[1].split("</nav>")[0]
    article_2 = contents.split("/treaties/sample/articles/2/")[1].split("</li>")[0]
    assert "2 organisations · 2 annotations" in article_2 and 'class="toc-heat heat-' in article_2
    article_1 = contents.split("/treaties/sample/articles/1/")[1].split("</li>")[0]
    assert "toc-activity" not in article_1  # nothing said where nothing was written
