"""Readers see the line of drafts: the timeline, the superseded notice, and the compare page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_treaty_page_lists_drafts_with_dates_status_and_counts(anon: Client, drafts: None) -> None:
    html = anon.get("/treaties/sample/").content.decode()
    timeline = html[html.index('id="drafts-title"') :]
    for label, date, status in (("D/1", "2024-01-10", "superseded"), ("D/2", "2024-03-01", "draft, current")):
        row = timeline[timeline.index(f">{label}</a>") :]
        assert f'datetime="{date}"' in row[:400] and status in row[:400]
    assert "/treaties/sample/compare/?from=D/1&amp;to=D/2" in timeline
    assert "superseded-notice" not in html  # the current draft


def test_a_superseded_draft_says_so_and_links_to_the_current_one(anon: Client, drafts: None) -> None:
    for url in ("/treaties/sample/?version=D/1", "/treaties/sample/articles/1/?version=D/1"):
        html = anon.get(url).content.decode()
        notice = html[html.index("superseded-notice") :][:700]
        assert "This draft (D/1) has been superseded." in notice
        assert 'href="/treaties/sample/"' in notice  # the current draft, D/2
        assert "/treaties/sample/compare/?from=D%2F1&amp;to=D%2F2&amp;language=en" in notice


def test_compare_page_redline(anon: Client, drafts: None, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(8):
        response = anon.get("/treaties/sample/compare/?from=D/1&to=D/2")
    html = response.content.decode()
    assert response.status_code == 200
    # Changed articles first, with a count; the redline says "added" in words, not colour alone.
    changed = html[html.index("Articles that changed") :]
    assert changed.index(">Article 1</a> – modified: 1 provision changed") < changed.index(
        ">Article 2a</a> – added"
    )
    assert (
        '<ins><span class="visually-hidden">[added: </span>defined '
        '<span class="visually-hidden">]</span></ins>' in html
    )
    inline = anon.get("/treaties/sample/compare/?from=D/1&to=D/2&view=inline").content.decode()
    assert 'class="redline" lang="en" dir="ltr"' in inline and "redline-sides" not in inline


def test_compare_page_says_where_moved_and_merged_provisions_went(anon: Client, drafts: None) -> None:
    html = anon.get("/treaties/sample/compare/?from=D/2&to=D/3").content.decode()
    assert "Moved: art-1.2 is now art-4.1" in html
    assert "Merged: art-2.2 is now part of art-2.1" in html
    assert '<del><span class="visually-hidden">[removed: </span>' in html or "Merged" in html


def test_compare_page_bad_labels(anon: Client, drafts: None) -> None:
    assert anon.get("/treaties/sample/compare/?from=D/1&to=D/9").status_code == 404
    response = anon.get("/treaties/sample/compare/?from=D/1&to=D/2&article=99")
    assert response.status_code == 404 and "No article 99" in response.content.decode()


def test_an_inserted_article_has_its_page_and_neighbours(
    anon: Client, drafts: None, django_assert_max_num_queries
) -> None:
    html = anon.get("/treaties/sample/articles/2a/").content.decode()
    assert "Article 2a" in html
    pager = html[html.index('aria-label="Previous and next article"') :]
    assert 'href="/treaties/sample/articles/2/"' in pager and 'href="/treaties/sample/articles/3/"' in pager


def test_the_redline_of_a_right_to_left_text_is_marked_rtl(
    anon: Client, tmp_path, django_capture_on_commit_callbacks
) -> None:
    from django.core.management import call_command

    from tests.treaty.drafts.drafts import FIRST, SECOND, write_draft

    for label, articles, extra in (("A/1", FIRST, []), ("A/2", SECOND, ["--follows", "A/1"])):
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                "import_treaty", str(write_draft(tmp_path, f"{label[-1]}.md", articles)),
                "--slug", "rtl", "--version", label, "--language", "ar", *extra,
            )  # fmt: skip
    html = anon.get("/treaties/rtl/compare/?from=A/1&to=A/2").content.decode()
    assert 'class="redline" lang="ar" dir="rtl"' in html
    assert '<div class="compare" lang="en" dir="ltr">' in html  # the interface around it stays as it is
