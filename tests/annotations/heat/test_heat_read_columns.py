"""What the heat recompute reads on PostgreSQL, kept by triggers: the copies of tags and
endorsement counts on the annotation (migration 0007) and the sums per provision, tag and who
(HeatSums, migration 0010), equal to the tables after every kind of write. On SQLite there are
none, and the recompute joins the tables instead."""

import itertools

import pytest
from django.db import connection

from accounts.models import Organization
from annotations.heat.aggregation import article_heat_refresh
from annotations.models import Annotation, ConcernTag, Heat, HeatSums
from annotations.moderation.services import moderate
from annotations.services import (
    annotation_create,
    annotation_delete,
    annotation_update,
    endorsement_create,
    endorsement_delete,
)
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


_SUMS = ("n", "endorsements", "score", *(f"pos_{p}" for p in Annotation.Position.values))


def _sums() -> dict[tuple[int, ...], tuple[int, ...]]:
    return {
        row[:5]: row[5:]
        for row in HeatSums.objects.values_list(
            "version_id", "article_id", "provision_id", "tag_id", "who", *_SUMS
        )
    }


def _sums_recount() -> dict[tuple[int, ...], tuple[int, ...]]:
    """The sums counted in Python from the annotations: approved and live ones, per provision and
    for the whole article (0), per tag and for all tags (0), the who being the organisation, else
    the author, else the annotation."""
    counted: dict[tuple[int, ...], list[int]] = {}
    for a in Annotation.objects.filter(status="approved", deleted_at__isnull=True).prefetch_related(
        "tags", "endorsements"
    ):
        who = (
            a.organization_id * 3
            if a.organization_id
            else a.author_id * 3 + 1
            if a.author_id
            else a.pk * 3 + 2
        )
        adds = [
            1,
            a.endorsements.count(),
            a.severity,
            *(int(a.position == p) for p in Annotation.Position.values),
        ]
        for tag in [0, *(t.pk for t in a.tags.all())]:
            for provision in (a.provision_id, 0):  # the provision, and the whole article
                key = (a.version_id, a.article_id, provision, tag, who)
                counted[key] = [x + y for x, y in zip(counted.get(key, [0] * len(adds)), adds, strict=True)]
    return {key: tuple(values) for key, values in counted.items()}


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


def test_the_sums_follow_every_write(version, alice, mallory, mod) -> None:
    """On PostgreSQL the sums equal a recount after every kind of write; SQLite, which recomputes
    from the annotations, leaves them empty."""
    from accounts.models import User

    expected = _sums_recount if ON_POSTGRESQL else dict

    first = _annotate(version, alice, tags=("privacy", "gender"))
    second = _annotate(version, mallory, tags=("surveillance-powers",))
    third = _annotate(version, mallory, tags=("privacy",))
    mallory_org = mallory.memberships.get().organization_id
    assert _sums() == expected() and len(expected()) == (12 if ON_POSTGRESQL else 0)
    steps = [
        lambda: annotation_update(annotation=first, editor=alice, tags=["privacy", "surveillance-powers"]),
        lambda: annotation_update(annotation=second, editor=mallory, severity=3, position="delete"),
        lambda: endorsement_create(annotation=second, user=_endorser("Endorsers")),
        lambda: moderate(item=third, moderator=mod, action="reject", reason="off topic"),
        lambda: moderate(item=third, moderator=mod, action="approve", reason=""),
        lambda: annotation_delete(annotation=second, actor=mallory),
        # A deleted account: its annotations stay (no author), counted under their organisation;
        # with the organisation gone as well, each annotation counts as its own who.
        lambda: User.objects.filter(pk=mallory.pk).delete(),
        lambda: Organization.objects.filter(pk=mallory_org).delete(),
        # A deleted organisation: its members' annotations count by author.
        lambda: Organization.objects.filter(pk=alice.memberships.get().organization_id).delete(),
        # Raw SQL at a prompt: a bulk status change and a hard delete.
        lambda: connection.cursor().execute("UPDATE annotations_annotation SET status = 'pending'"),
        lambda: connection.cursor().execute("UPDATE annotations_annotation SET status = 'approved'"),
        lambda: connection.cursor().execute(
            "DELETE FROM annotations_annotation_tags WHERE annotation_id = %s", [first.pk]
        ),
    ]
    for number, step in enumerate(steps):
        step()
        assert _sums() == expected(), f"after step {number}"
    assert all(values[0] > 0 for values in _sums().values())  # no empty rows are kept


def test_rebuild_recount_repairs_sums_a_bulk_load_left_behind(version, alice, mallory, capsys) -> None:
    """Rows written with triggers off (a bulk load) leave the sums behind on PostgreSQL;
    `rebuild_heatmaps` reads the sums as they are, `--recount` counts them again from the
    annotations first. SQLite rebuilds from the annotations either way."""
    from django.core.management import call_command

    from tests.annotations.heat.heat_recount import brute_force, stored

    _annotate(version, alice, tags=("privacy",))
    loaded = _annotate(version, mallory, tags=("gender",))
    if not ON_POSTGRESQL:
        Annotation.objects.filter(pk=loaded.pk).update(severity=3)  # no trigger, no service
        call_command("rebuild_heatmaps", "--treaty", "sample")
        assert stored(version.pk) == brute_force(version.pk)
        call_command("rebuild_heatmaps", "--treaty", "sample", "--recount")
        assert stored(version.pk) == brute_force(version.pk) and not _sums()
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(
                "UPDATE annotations_annotation SET severity = 3, status = 'approved' WHERE id = %s",
                [loaded.pk],
            )
            cursor.execute("DELETE FROM annotations_heat_sums WHERE tag_id <> 0")
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    assert _sums() != _sums_recount()
    call_command("rebuild_heatmaps", "--treaty", "sample")
    assert stored(version.pk) != brute_force(version.pk)
    call_command("rebuild_heatmaps", "--treaty", "sample", "--recount")
    assert _sums() == _sums_recount()
    assert stored(version.pk) == brute_force(version.pk)
    assert "Rebuilt" in capsys.readouterr().out
