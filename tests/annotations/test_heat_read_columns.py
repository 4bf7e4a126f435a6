"""The copies of tags and endorsement counts that the heat recompute reads on PostgreSQL
(migration 0007), kept by triggers: equal to the tables after every kind of write. On SQLite they
do not exist, and the recompute joins the tables instead."""

import itertools

import pytest
from django.db import connection

from accounts.models import Organization
from annotations.heat import article_heat_refresh
from annotations.models import Annotation, ConcernTag, Heat
from annotations.services import annotation_create, annotation_update, endorsement_create, endorsement_delete
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
_numbers = itertools.count()


def _copies() -> dict[int, tuple[list[int], int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, heat_tag_ids, heat_endorsements FROM annotations_annotation")
        return {pk: (list(tags), endorsements) for pk, tags, endorsements in cursor.fetchall()}


def _truth() -> dict[int, tuple[list[int], int]]:
    return {
        a.pk: (sorted(t.pk for t in a.tags.all()), a.endorsements.count())
        for a in Annotation.objects.prefetch_related("tags", "endorsements")
    }


def _annotate(version, author, tags=("privacy",)) -> Annotation:  # type: ignore[no-untyped-def]
    return annotation_create(
        author=author,
        version=version,
        provision_key="art-2.1",
        tags=list(tags),
        severity=2,
        position="oppose",
        body=f"note {next(_numbers)}",  # distinct: repeated bodies are held as duplicates
    )


def _endorser(name: str):  # type: ignore[no-untyped-def]
    user = VerifiedUserFactory()
    MembershipFactory(user=user, organization=OrganizationFactory(name=name, slug=name.lower()))
    return user


def test_the_copies_follow_every_write(version, alice, mallory) -> None:
    if not ON_POSTGRESQL:
        columns = [
            c.name
            for c in connection.introspection.get_table_description(
                connection.cursor(), "annotations_annotation"
            )
        ]
        assert "heat_tag_ids" not in columns and "heat_endorsements" not in columns
        return
    first = _annotate(version, alice, tags=("privacy", "gender"))
    second = _annotate(version, mallory, tags=("surveillance-powers",))
    assert _copies() == _truth()
    assert sorted(_copies()[first.pk][0]) == sorted(
        ConcernTag.objects.filter(slug__in=["privacy", "gender"]).values_list("pk", flat=True)
    )
    # An edit that swaps tags: one removed, one kept, one added.
    annotation_update(annotation=first, editor=alice, tags=["privacy", "surveillance-powers"])
    assert _copies() == _truth()
    # Endorsements, two on one annotation, then one withdrawn.
    bob, carol = _endorser("Bobs"), _endorser("Carols")
    endorsement_create(annotation=second, user=bob)
    endorsement_create(annotation=second, user=carol)
    endorsement_create(annotation=first, user=carol)
    assert _copies()[second.pk][1] == 2 and _copies() == _truth()
    endorsement_delete(annotation=second, user=bob)
    assert _copies()[second.pk][1] == 1 and _copies() == _truth()
    # A cascade the ORM runs for a deleted organisation takes its endorsements with it.
    Organization.objects.filter(slug="carols").delete()
    assert _copies()[second.pk][1] == 0 and _copies()[first.pk][1] == 0 and _copies() == _truth()
    # Raw SQL (a bulk fix at a prompt) is seen too, an UPDATE of a tag row included.
    privacy = ConcernTag.objects.get(slug="privacy").pk
    gender = ConcernTag.objects.get(slug="gender").pk
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE annotations_annotation_tags SET concerntag_id = %s "
            "WHERE annotation_id = %s AND concerntag_id = %s",
            [gender, first.pk, privacy],
        )
        cursor.execute("DELETE FROM annotations_annotation_tags WHERE annotation_id = %s", [second.pk])
    assert _copies() == _truth()
    assert _copies()[second.pk][0] == []


def test_a_bulk_insert_counts_in_the_heat(version, alice) -> None:
    """Tags added behind the services' back (a bulk load) reach the recompute on either database:
    through the trigger-kept copy on PostgreSQL, through the join on SQLite."""
    made = [_annotate(version, alice, tags=("privacy",)) for _ in range(3)]
    tags = list(ConcernTag.objects.exclude(slug="privacy").values_list("pk", flat=True)[:2])
    Annotation.tags.through.objects.bulk_create(
        [Annotation.tags.through(annotation_id=a.pk, concerntag_id=t) for a in made for t in tags]
    )
    if ON_POSTGRESQL:
        copies = _copies()
        assert all(len(copies[a.pk][0]) == 3 for a in made) and copies == _truth()
    article_heat_refresh(version_id=version.pk, article_id=made[0].article_id)
    for tag in tags:
        cell = Heat.objects.get(
            version=version, article_id=made[0].article_id, provision__isnull=True, tag_id=tag, segment=""
        )
        assert cell.annotations == 3 and cell.organizations == 1
