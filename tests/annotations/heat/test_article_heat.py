import pytest

from annotations.heat.aggregation import heat_rebuild
from annotations.services import annotation_create

pytestmark = pytest.mark.django_db


def test_article_page_shows_tag_breakdown_and_shades_provisions(
    version, alice, mallory, anon, django_assert_max_num_queries
) -> None:
    for author in (alice, mallory):
        annotation_create(
            author=author,
            version=version,
            provision_key="art-2.1",
            tags=["privacy"],
            severity=3,
            position="oppose",
            body=f"{author.pk}",
        )
    heat_rebuild(versions=[version])
    with django_assert_max_num_queries(20):
        html = anon.get("/treaties/sample/articles/2/").text
    assert "Concerns raised here" in html
    assert "2 organisations" in html
    assert 'class="provision-heat heat-' in html and 'href="#annotations-for-art-2.1"' in html
    # Another article without annotations shows neither.
    other = anon.get("/treaties/sample/articles/3/").text
    assert "Concerns raised here" not in other and 'class="provision-heat' not in other
