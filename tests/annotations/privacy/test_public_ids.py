"""Issue 17 §1: public identifiers do not reveal posting order. Annotation and reply ids are random
integers (the API contract keeps integer ids), and no public list orders items written in the same
minute by when they were written: otherwise an observer who posts before and after an anonymous
annotation, or reads ids next to an attributed one, could tell who wrote it (docs/privacy.md)."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from annotations.models import Annotation, Reply
from annotations.public_ids import PUBLIC_ID_MAX, PUBLIC_ID_MIN
from annotations.services import annotation_create, reply_create

pytestmark = pytest.mark.django_db

MINUTE = datetime(2026, 11, 20, 10, 31, tzinfo=UTC)
WRITTEN = 12


def _annotate(version, author, n: int):  # type: ignore[no-untyped-def]
    return annotation_create(
        author=author,
        version=version,
        provision_key="art-2.1",
        tags=["privacy"],
        severity=2,
        position="concern",
        body=f"Concern number {n}.",
    )


@pytest.fixture
def in_order(version, alice):  # type: ignore[no-untyped-def]
    """WRITTEN annotations on one provision, each with a reply, written one after the other within
    one minute: their ids in the order they were written."""
    ids = []
    for n in range(WRITTEN):
        annotation = _annotate(version, alice, n)
        reply_create(annotation=annotation, author=alice, body=f"Reply number {n}.")
        moment = MINUTE + timedelta(seconds=n * 4)
        Annotation.objects.filter(pk=annotation.pk).update(created_at=moment, updated_at=moment)
        Reply.objects.filter(annotation=annotation).update(created_at=moment, updated_at=moment)
        ids.append(annotation.pk)
    return ids


def test_ids_are_random_integers_not_a_sequence(in_order) -> None:
    reply_ids = list(
        Reply.objects.filter(annotation_id__in=in_order).order_by("created_at").values_list("pk", flat=True)
    )
    for ids in (in_order, reply_ids):
        assert all(isinstance(pk, int) and PUBLIC_ID_MIN <= pk <= PUBLIC_ID_MAX for pk in ids)
        # Twelve random numbers come out sorted one time in 479 million.
        assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    # Safe in JavaScript's numbers (2**53), which every JSON client of the API may use.
    assert PUBLIC_ID_MAX < 2**53


def _same_order(seen: list[int], written: list[int]) -> bool:
    return seen == written or seen == written[::-1]


def test_no_public_list_orders_a_minute_by_writing(in_order, anon) -> None:
    by_id = sorted(in_order, reverse=True)
    listed = [a["id"] for a in anon.get("/api/v1/annotations/?treaty=sample").json()["results"]]
    assert listed == by_id and not _same_order(listed, in_order)

    export = b"".join(anon.get("/api/v1/treaties/sample/annotations/export/?format=csv").streaming_content)
    exported = [int(row["id"]) for row in csv.DictReader(io.StringIO(export.decode("utf-8-sig")))]
    assert sorted(exported) == sorted(in_order) and not _same_order(exported, in_order)

    page = anon.get("/treaties/sample/articles/2/").text
    shown = [int(pk) for pk in dict.fromkeys(re.findall(r'id="annotation-(\d+)"', page))]
    assert sorted(shown) == sorted(in_order) and not _same_order(shown, in_order)


def test_later_minutes_still_come_first_in_time_ordered_pages(version, alice, anon) -> None:
    """Order by the minute is kept where a page is read in time: an article's annotations, oldest
    minute first, whatever their ids."""
    first, second = _annotate(version, alice, 1), _annotate(version, alice, 2)
    Annotation.objects.filter(pk=first.pk).update(created_at=MINUTE)
    Annotation.objects.filter(pk=second.pk).update(created_at=MINUTE + timedelta(minutes=1))
    page = anon.get("/treaties/sample/articles/2/").text
    shown = [int(pk) for pk in dict.fromkeys(re.findall(r'id="annotation-(\d+)"', page))]
    assert shown == [first.pk, second.pk]


def test_a_drawn_id_already_taken_is_drawn_again(version, alice, monkeypatch) -> None:
    taken = _annotate(version, alice, 1)
    draws = iter([taken.pk, taken.pk + 7])
    monkeypatch.setattr("annotations.public_ids.secrets.randbelow", lambda n: next(draws) - PUBLIC_ID_MIN)

    annotation = _annotate(version, alice, 2)

    assert annotation.pk == taken.pk + 7
    assert Annotation.objects.count() == 2


def test_an_answer_with_a_lower_id_still_follows_the_reply_it_answers(
    version, alice, mallory, anon, monkeypatch
) -> None:
    """Within a minute replies go by id, which is random: an answer must not come before (or lose)
    the reply it answers, in the API's flat thread nor in the page's nested one."""
    annotation = _annotate(version, alice, 1)
    draws = iter([PUBLIC_ID_MIN + 900, PUBLIC_ID_MIN + 100])
    monkeypatch.setattr("annotations.public_ids.secrets.randbelow", lambda n: next(draws) - PUBLIC_ID_MIN)
    first = reply_create(annotation=annotation, author=mallory, body="The first reply.")
    answer = reply_create(annotation=annotation, author=alice, body="Its answer.", parent_id=first.pk)
    assert answer.pk < first.pk
    Reply.objects.update(created_at=MINUTE)

    thread = anon.get(f"/api/v1/annotations/{annotation.pk}/replies/").json()
    assert [(r["id"], r["parent"]) for r in thread] == [(first.pk, None), (answer.pk, first.pk)]
    page = anon.get("/treaties/sample/articles/2/").text
    nested = page[page.index(f'id="reply-{first.pk}"') :]
    assert '<ol class="replies">' in nested and f'id="reply-{answer.pk}"' in nested
