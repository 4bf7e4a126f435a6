import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.heat.aggregation import article_heat_refresh, heat_rebuild, version_totals_refresh
from annotations.models import Annotation, ConcernTag, Heat, HeatDirty
from annotations.moderation.services import moderate
from annotations.services import (
    annotation_create,
    annotation_delete,
    annotation_update,
    endorsement_create,
    endorsement_delete,
)
from tests.annotations.heat.heat_recount import brute_force, stored
from tests.factories import VerifiedUserFactory

pytestmark = pytest.mark.django_db


def _annotate(
    version, author, key="art-2.1", tags=("privacy",), severity=2, position="oppose", **kw
) -> Annotation:
    return annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=list(tags),
        severity=severity,
        position=position,
        body=kw.pop("body", f"{author.pk}-{key}-{tags}-{severity}"),
        **kw,
    )


def _cell(version, article_key=None, provision_key=None, tag=None, segment="") -> Heat | None:
    query = Heat.objects.filter(version=version, segment=segment)
    query = query.filter(article__key=article_key) if article_key else query.filter(article__isnull=True)
    query = (
        query.filter(provision__key=provision_key) if provision_key else query.filter(provision__isnull=True)
    )
    query = query.filter(tag__slug=tag) if tag else query.filter(tag__isnull=True)
    return query.first()


def test_counts_of_one_article(version, alice, mallory, mod) -> None:
    from tests.factories import MembershipFactory

    # Two people of the same organisation count as one organisation.
    colleague = VerifiedUserFactory(display_name="Colleague")
    MembershipFactory(user=colleague, organization=alice.memberships.get().organization)
    loner = VerifiedUserFactory(display_name="No organisation")
    a1 = _annotate(version, alice, tags=("privacy", "gender"), severity=3)
    _annotate(version, colleague, tags=("privacy",), severity=1, position="amend", proposed_text="new words")
    _annotate(version, mallory, key="art-2.2.a", tags=("privacy",), severity=2, attribution="anonymous")
    _annotate(version, loner, key="art-2.2.b.i", tags=("surveillance-powers",), severity=2)
    endorsement_create(annotation=a1, user=mallory)
    # Never counted: pending, rejected, spam, deleted.
    hidden = [_annotate(version, loner, body=f"hidden {i}") for i in range(4)]
    for item, action in zip(hidden[:3], ["note", "reject", "spam"], strict=True):
        if action != "note":
            moderate(item=item, moderator=mod, action=action, reason="no")
    Annotation.objects.filter(pk=hidden[0].pk).update(status="pending")
    annotation_delete(annotation=hidden[3], actor=loner)

    article = version.provisions.get(key="art-2")
    article_heat_refresh(version_id=version.pk, article_id=article.pk)
    version_totals_refresh(version_id=version.pk)

    privacy_21 = _cell(version, "art-2", "art-2.1", "privacy")
    assert (privacy_21.annotations, privacy_21.organizations, privacy_21.endorsements, privacy_21.score) == (
        2,
        1,
        1,
        4,
    )
    article_privacy = _cell(version, "art-2", None, "privacy")
    assert (article_privacy.annotations, article_privacy.organizations, article_privacy.score) == (3, 2, 6)
    article_all = _cell(version, "art-2", None, None)
    # 4 annotations, 3 "organisations": DRW, the loner as one, and Mallory's anonymous annotation
    # as a unit of its own (never as Mallory Monitoring).
    assert (
        article_all.annotations,
        article_all.organizations,
        article_all.endorsements,
        article_all.score,
    ) == (
        4,
        3,
        1,
        8,
    )
    assert (article_all.pos_oppose, article_all.pos_amend) == (3, 1)
    ngo = _cell(version, "art-2", None, None, segment="type:ngo")
    assert ngo.annotations == 2  # DRW's two: the anonymous one counts under no organisation type
    assert _cell(version, "art-2", None, None, segment="type:individual").annotations == 1
    assert _cell(version, None, None, "privacy").annotations == 3  # version column total
    assert stored(version.pk) == brute_force(version.pk)


def test_recompute_is_idempotent_and_order_free(version, alice, mallory) -> None:
    _annotate(version, alice)
    _annotate(version, mallory, key="art-3")
    article = version.provisions.get(key="art-2")
    article_heat_refresh(version_id=version.pk, article_id=article.pk)
    first = stored(version.pk)
    article_heat_refresh(version_id=version.pk, article_id=article.pk)
    assert stored(version.pk) == first
    assert (
        Heat.objects.filter(
            version=version, article=article, provision__isnull=True, tag__isnull=True, segment=""
        ).count()
        == 1
    )


def test_a_recompute_writes_only_the_rows_that_changed(version, alice, mallory, mod) -> None:
    """On PostgreSQL a recompute updates the cells whose numbers changed, deletes the cells that are
    gone, adds the new ones, and leaves every other stored row as it was (same row, same
    computed_at); the roll-up rows always take the new computed_at. SQLite deletes the article's
    rows and inserts them again."""
    from django.db import connection

    article = version.provisions.get(key="art-2")
    _annotate(version, alice, key="art-2.1", tags=("privacy",))
    gone = _annotate(version, mallory, key="art-2.2.a", tags=("gender",))
    article_heat_refresh(version_id=version.pk, article_id=article.pk)
    before = {
        (h.provision_id, h.tag_id, h.segment): (h.pk, h.computed_at, h.annotations)
        for h in Heat.objects.filter(version=version, article=article)
    }

    _annotate(version, alice, key="art-2.1", tags=("privacy", "surveillance-powers"), severity=3)
    moderate(item=gone, moderator=mod, action="reject", reason="off topic")
    article_heat_refresh(version_id=version.pk, article_id=article.pk)
    after = {
        (h.provision_id, h.tag_id, h.segment): (h.pk, h.computed_at, h.annotations)
        for h in Heat.objects.filter(version=version, article=article)
    }
    version_totals_refresh(version_id=version.pk)

    assert stored(version.pk) == brute_force(version.pk)
    provision_21 = version.provisions.get(key="art-2.1").pk
    provision_22a = version.provisions.get(key="art-2.2.a").pk
    surveillance = ConcernTag.objects.get(slug="surveillance-powers").pk
    gender = ConcernTag.objects.get(slug="gender").pk
    assert not any(key[0] == provision_22a for key in after), "the rejected annotation's cells are deleted"
    assert any(key[0] == provision_22a for key in before)
    assert (provision_21, surveillance, "") in after and (provision_21, surveillance, "") not in before
    assert after[(provision_21, None, "")][2] == 2
    assert (None, gender, "") not in after
    if connection.vendor != "postgresql":
        assert not {pk for pk, _, _ in after.values()} & {pk for pk, _, _ in before.values()}
        return
    assert after[(provision_21, None, "")][0] == before[(provision_21, None, "")][0]  # updated in place
    for key, (pk, computed_at, annotations) in after.items():
        if key in before and before[key][2] == annotations and key[:2] != (None, None):
            assert (pk, computed_at) == before[key][:2], f"unchanged cell {key} was rewritten"
    rollups = [value for key, value in after.items() if key[:2] == (None, None)]
    assert all(computed_at > before[(None, None, "")][1] for _, computed_at, _ in rollups)


def test_writes_mark_the_article_dirty_until_recomputed(version, alice) -> None:
    annotation = _annotate(version, alice)
    assert HeatDirty.objects.filter(version=version, article=annotation.article).exists()
    assert HeatDirty.objects.filter(version=version, article__isnull=True).exists()
    article_heat_refresh(version_id=version.pk, article_id=annotation.article_id)
    version_totals_refresh(version_id=version.pk)
    assert not HeatDirty.objects.exists()


@pytest.mark.parametrize("scope", ["article", "totals", "version"])
def test_a_write_committed_while_a_recompute_reads_stays_dirty(
    version, alice, mallory, monkeypatch, scope
) -> None:
    """The interleaving, replayed in one connection: a write stamps its dirty mark, a recompute
    starts and reads the data, and only then does the write commit (its mark then visible, its
    change uncounted). The recompute must leave that mark for the next one."""
    from django.utils import timezone

    from annotations.heat import aggregation as heat

    first = _annotate(version, alice)
    stamped_before_the_recompute = timezone.now()
    real_replace = heat._replace

    def replace_then_the_write_commits(*args, **kwargs) -> int:  # type: ignore[no-untyped-def]
        rows = real_replace(*args, **kwargs)
        _annotate(version, mallory, key="art-2.2")
        HeatDirty.objects.update(marked_at=stamped_before_the_recompute)
        return rows

    monkeypatch.setattr(heat, "_replace", replace_then_the_write_commits)
    recompute = {
        "article": lambda: article_heat_refresh(version_id=version.pk, article_id=first.article_id),
        "totals": lambda: version_totals_refresh(version_id=version.pk),
        "version": lambda: heat_rebuild(versions=[version]),
    }[scope]
    recompute()
    monkeypatch.setattr(heat, "_replace", real_replace)
    assert stored(version.pk) != brute_force(version.pk)  # the second annotation is not counted yet
    marks = HeatDirty.objects.filter(version=version)
    assert marks.filter(article__isnull=scope == "totals").exists()
    assert heat.heat_reconcile(older_than_seconds=0) == 2
    assert stored(version.pk) == brute_force(version.pk) and not marks.exists()


def test_after_commit_the_worker_path_recomputes(version, alice, django_capture_on_commit_callbacks) -> None:
    # Tasks run inline in unit tests: committing the write runs the (coalesced) recompute.
    from django.core.cache import cache

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _annotate(version, alice)
    assert _cell(version, "art-2", "art-2.1", "privacy").annotations == 1
    assert stored(version.pk) == brute_force(version.pk)


def test_version_totals_start_at_once_after_a_quiet_spell_then_once_per_interval(
    version, monkeypatch
) -> None:
    from django.core.cache import cache

    from annotations.heat import scheduling
    from annotations.heat import tasks as heat_tasks

    cache.clear()
    sent: list[float | None] = []  # what would be published (the broker path: tests/integration)

    def record(task, *args, countdown=None) -> bool:  # type: ignore[no-untyped-def]
        sent.append(countdown)
        return True

    monkeypatch.setattr(heat_tasks, "send_task", record)
    heat_tasks.version_totals_schedule(version.pk)
    heat_tasks.version_totals_schedule(version.pk)  # already scheduled: nothing more
    assert sent == [0]
    scheduling.heat_schedule_release(version_id=version.pk, article_id=None)  # that pass starts
    heat_tasks.version_totals_schedule(version.pk)  # a change meanwhile waits out the interval
    heat_tasks.version_totals_schedule(version.pk)
    assert (
        len(sent) == 2
        and scheduling.TOTALS_INTERVAL_SECONDS - 5 < sent[1] <= scheduling.TOTALS_INTERVAL_SECONDS
    )


@pytest.mark.parametrize(
    ("started_ago", "countdown"),
    [(None, 0), (0, 15), (5, 10), (15, 0), (40, 0), (-100, 15)],  # -100: a clock set back is capped
)
def test_totals_countdown(started_ago, countdown) -> None:
    from annotations.heat.scheduling import TOTALS_INTERVAL_SECONDS, totals_countdown

    assert TOTALS_INTERVAL_SECONDS == 15
    previous = None if started_ago is None else 1_000_000.0 - started_ago
    assert totals_countdown(previous, 1_000_000.0) == countdown


def test_rebuild_command(version, alice, mallory, capsys) -> None:
    _annotate(version, alice)
    _annotate(version, mallory, key="pre.1")
    Heat.objects.all().delete()
    call_command("rebuild_heatmaps", "--treaty", "sample")
    assert stored(version.pk) == brute_force(version.pk)
    # The count is the rows written, on SQLite too (whose driver reports -1 for WITH … INSERT).
    rows = Heat.objects.filter(version=version).count()
    assert f"Rebuilt {rows:,} heat rows for 1 version in" in capsys.readouterr().out


def test_rebuild_unknown_treaty_fails_clearly() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No treaty 'nope'"):
        call_command("rebuild_heatmaps", "--treaty", "nope")


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "create",
                "create",
                "edit",
                "delete",
                "approve",
                "reject",
                "spam",
                "endorse",
                "unendorse",
            ]
        ),
        st.integers(min_value=0, max_value=50),
        st.sampled_from(
            ["art-1", "art-2", "art-2.1", "art-2.2.b.ii", "art-2.2.b~1", "art-3", "pre.1", "final"]
        ),
        st.lists(
            st.sampled_from(["privacy", "gender", "surveillance-powers"]), min_size=1, max_size=3, unique=True
        ),
        st.integers(min_value=1, max_value=3),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_stored_heat_equals_a_brute_force_recount(version, alice, mallory, mod, ops) -> None:
    """Random sequences of create / edit / delete / moderate / endorse / withdraw, with recomputes of
    the touched article along the way (as the worker does: the next recompute then updates, deletes
    and adds stored rows), then the recompute of every article (in a shuffled order, some twice)
    equals a recount from the raw annotations."""
    from django.db import transaction

    from tests.factories import MembershipFactory, OrganizationFactory

    with transaction.atomic():
        people = [alice, mallory, mod]
        extra_org = OrganizationFactory(name="Ops Org", slug="ops-org", country="KE", type="academic")
        member = VerifiedUserFactory()
        MembershipFactory(user=member, organization=extra_org)
        people += [member, VerifiedUserFactory()]
        made: list[Annotation] = []
        for op, n, key, tags, severity in ops:
            if op == "create" or not made:
                made.append(
                    _annotate(
                        version,
                        people[n % len(people)],
                        key=key,
                        tags=tags,
                        severity=severity,
                        body=f"op {len(made)}",
                    )
                )
                target = made[-1]
            else:
                target = made[n % len(made)]
                _apply(op, target, people, n, tags, severity, mod, alice)
            if n % 3 == 0:  # the worker came by
                article_heat_refresh(version_id=version.pk, article_id=target.article_id)
                version_totals_refresh(version_id=version.pk)
        units = list(
            version.provisions.filter(article_id__isnull=False)
            .values_list("article_id", flat=True)
            .distinct()
        )
        for unit in [*reversed(units), *units[:2]]:
            article_heat_refresh(version_id=version.pk, article_id=unit)
        version_totals_refresh(version_id=version.pk)
        assert stored(version.pk) == brute_force(version.pk)
        transaction.set_rollback(True)


def _apply(
    op: str, target: Annotation, people: list, n: int, tags: list[str], severity: int, mod, alice
) -> None:
    target.refresh_from_db()
    try:
        if op == "edit":
            annotation_update(annotation=target, editor=target.author, tags=tags, severity=severity)
        elif op == "delete":
            annotation_delete(annotation=target, actor=target.author)
        elif op == "endorse":
            endorsement_create(annotation=target, user=people[(n + 1) % len(people)])
        elif op == "unendorse":
            endorsement_delete(annotation=target, user=people[(n + 1) % len(people)])
        else:
            moderate(item=target, moderator=mod if target.author != mod else alice, action=op, reason="r")
    except Exception:  # refused operations (deleted item, own org, not a moderator…) change nothing
        pass


def test_heat_rebuild_covers_preamble_and_final(version, alice) -> None:
    _annotate(version, alice, key="final")
    heat_rebuild(versions=[version])
    assert _cell(version, "final", "final", "privacy").annotations == 1
    assert ConcernTag.objects.filter(slug="privacy").exists()
