"""`GET annotations/removed/`: what left public view, for a copy kept with `updated_after`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.models import Annotation, Status
from annotations.moderation.services import moderate
from annotations.public_time import public_iso
from annotations.services import annotation_create, annotation_delete, annotation_update

pytestmark = pytest.mark.django_db

URL = "/api/v1/annotations/removed/"


def _annotate(version, author, body: str, key: str = "art-2.1") -> Annotation:
    return annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=["privacy"],
        severity=2,
        position="concern",
        body=body,
    )


def _removed(client, query: str = "") -> list[int]:  # type: ignore[no-untyped-def]
    response = client.get(URL + query)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_lists_what_left_public_view_after_the_moment_and_nothing_else(
    version, alice, mallory, mod, api_client, api_client_as
) -> None:
    rejected_before = _annotate(version, alice, "Rejected before the copy was made")
    moderate(item=rejected_before, moderator=mod, action="reject", reason="Off topic.")
    # updated_after counts from the start of its minute (docs/privacy.md): the earlier rejection
    # happened a few minutes before the copy.
    Annotation.objects.filter(pk=rejected_before.pk).update(updated_at=timezone.now() - timedelta(minutes=3))
    deleted, rejected, spam, edited, kept = (
        _annotate(version, alice, f"Public {n}", key="art-3" if n == 4 else "art-2.1") for n in range(5)
    )
    never_public = _annotate(version, alice, "Public 0")  # the same body again: held as a duplicate
    assert never_public.status == Status.PENDING
    copied_at = timezone.now()

    annotation_delete(annotation=deleted, actor=alice)
    moderate(item=rejected, moderator=mod, action="reject", reason="Off topic.")
    moderate(item=spam, moderator=mod, action="spam")
    annotation_update(annotation=edited, editor=alice, body="Still public, only edited")
    moderate(item=never_public, moderator=mod, action="reject", reason="Duplicate.")

    since = "?updated_after=" + copied_at.isoformat().replace("+00:00", "Z")
    assert _removed(api_client, since) == _by_id(spam, rejected, deleted)  # by id, highest first
    # Without a moment: every removal so far, the earlier rejection too.
    assert _removed(api_client) == _by_id(spam, rejected, deleted, rejected_before)
    # The same for everyone: the author and a moderator see no more (and no less).
    assert (
        _removed(api_client_as(alice), since)
        == _removed(api_client_as(mod), since)
        == _removed(api_client, since)
    )
    # Only ids and times: nothing about the author or the words.
    row = api_client.get(URL + since).json()["results"][0]
    assert set(row) == {"id", "modified"}
    assert row["modified"] == public_iso(Annotation.objects.get(pk=row["id"]).updated_at)  # to the minute
    # Filters apply to the annotation as it is now.
    assert _removed(api_client, since + "&article=3") == []
    assert _removed(api_client, since + "&article=2&treaty=sample") == _by_id(spam, rejected, deleted)
    # Approved again: back in the list, so no longer a removal.
    moderate(item=rejected, moderator=mod, action="approve")
    assert _removed(api_client, since) == _by_id(spam, deleted)
    assert kept.pk not in _removed(api_client)


def _by_id(*annotations: Annotation) -> list[int]:
    return sorted((a.pk for a in annotations), reverse=True)


def test_sent_back_to_the_queue_by_flags_is_a_removal(
    version, alice, mallory, mod, api_client, settings
) -> None:
    from annotations.services import flag_create
    from tests.factories import VerifiedUserFactory

    settings.FLAG_THRESHOLD = 2
    flagged = _annotate(version, alice, "Flagged twice")
    for flagger in (mallory, VerifiedUserFactory()):
        flag_create(user=flagger, reason="abusive", annotation=flagged)
    assert Annotation.objects.get(pk=flagged.pk).status == Status.PENDING
    assert _removed(api_client) == [flagged.pk]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?status=approved", "status", "Leave out status"),
        ("?mine=1", "mine", "Leave out mine"),
        ("?updated_after=yesterday", "updated_after", "ISO 8601"),
        ("?updated_after=2026-01-31T12:00:00", "updated_after", "time zone"),
    ],
)
def test_bad_input_is_400_and_says_what_was_wrong(api_client, query, field, message) -> None:
    response = api_client.get(URL + query)
    assert response.status_code == 400
    assert message in str(response.json()[field])


def test_pages_by_cursor_in_constant_queries(
    version, alice, mod, api_client, django_assert_max_num_queries
) -> None:
    for n in range(5):
        annotation_delete(annotation=_annotate(version, alice, f"Gone {n}"), actor=alice)
    with django_assert_max_num_queries(3) as small:
        first = api_client.get(URL + "?page_size=2").json()
    queries = len(small.captured_queries)  # read now: every request resets the connection's log
    seen = [row["id"] for row in first["results"]]
    next_url = first["next"]
    while next_url:
        page = api_client.get(next_url).json()
        seen += [row["id"] for row in page["results"]]
        next_url = page["next"]
    assert len(seen) == len(set(seen)) == 5
    for n in range(30):
        annotation_delete(annotation=_annotate(version, alice, f"More {n}"), actor=alice)
    with django_assert_max_num_queries(queries):
        assert len(api_client.get(URL + "?page_size=100").json()["results"]) == 35
