"""Heat pools the language versions of one draft by provision key (issue 16 §3, DESIGN §3)."""

from collections import defaultdict

import pytest

from annotations.heat.aggregation import article_heat_refresh, heat_rebuild, version_totals_refresh
from annotations.models import Annotation, Heat, HeatDirty
from annotations.services import annotation_create
from tests.annotations.heat.heat_recount import Key, stored
from tests.factories import MembershipFactory, VerifiedUserFactory, import_small_treaty
from treaty.models import DraftVersion, Provision

pytestmark = pytest.mark.django_db


@pytest.fixture
def arabic(version: DraftVersion) -> DraftVersion:
    """The Arabic sibling of the sample draft (same label and keys; placeholder words)."""
    return import_small_treaty(language="ar").version


def _annotate(version: DraftVersion, author, key: str = "art-2.1", **kw) -> Annotation:  # type: ignore[no-untyped-def]
    return annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=list(kw.pop("tags", ("privacy",))),
        severity=kw.pop("severity", 2),
        position="oppose",
        body=kw.pop("body", f"{author.pk}-{version.language}-{key}"),
        **kw,
    )


def _cell(version: DraftVersion, provision_key: str | None, tag: str | None = None) -> Heat:
    query = Heat.objects.filter(version=version, segment="", article__key="art-2")
    query = (
        query.filter(provision__key=provision_key) if provision_key else query.filter(provision__isnull=True)
    )
    query = query.filter(tag__slug=tag) if tag else query.filter(tag__isnull=True)
    return query.get()


def _refresh(*versions: DraftVersion) -> None:
    for version in versions:
        article = version.provisions.get(key="art-2")
        article_heat_refresh(version_id=version.pk, article_id=article.pk)
        version_totals_refresh(version_id=version.pk)


def test_an_arabic_annotation_counts_in_the_english_cell(version, arabic, alice, mallory) -> None:  # type: ignore[no-untyped-def]
    _annotate(arabic, alice, severity=3)
    _annotate(version, mallory, severity=1)
    _refresh(version, arabic)
    for each in (version, arabic):
        cell = _cell(each, "art-2.1")
        assert (cell.annotations, cell.organizations, cell.score) == (2, 2, 4)
        assert cell.provision.version_id == each.pk  # stored under each version's own provision
        assert _cell(each, None).annotations == 2
        totals = Heat.objects.get(
            version=each, article__isnull=True, provision__isnull=True, tag__isnull=True, segment=""
        )
        assert totals.annotations == 2


def test_one_organisation_on_two_languages_counts_once(version, arabic, alice) -> None:  # type: ignore[no-untyped-def]
    colleague = VerifiedUserFactory()
    MembershipFactory(user=colleague, organization=alice.memberships.get().organization)
    _annotate(arabic, alice)
    _annotate(version, colleague)
    _refresh(version)
    cell = _cell(version, "art-2.1")
    assert (cell.annotations, cell.organizations) == (2, 1)


def test_a_write_marks_every_sibling_dirty(
    version, arabic, alice, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    HeatDirty.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        _annotate(arabic, alice)
    marked = set(HeatDirty.objects.values_list("version_id", "article__key"))
    assert marked == {(arabic.pk, "art-2"), (arabic.pk, None), (version.pk, "art-2"), (version.pk, None)}


def test_a_draft_in_one_language_is_unchanged(version, alice) -> None:  # type: ignore[no-untyped-def]
    other = import_small_treaty(label="S/2").version  # another draft, same language: no sibling
    _annotate(other, alice)
    _refresh(version)
    assert not Heat.objects.filter(version=version, annotations__gt=0).exists()


def _pooled_brute_force(version: DraftVersion) -> dict[Key, tuple[int, int, int, int]]:
    """Every approved annotation of the draft's versions, placed on `version`'s provision of its key."""
    ids = {p.key: (p.article_id, p.pk) for p in Provision.objects.filter(version=version)}
    cells: dict[Key, dict[str, object]] = defaultdict(lambda: {"n": 0, "who": set(), "e": 0, "s": 0})
    siblings = DraftVersion.objects.filter(treaty=version.treaty, label=version.label)
    for a in Annotation.objects.filter(
        version__in=siblings, status="approved", deleted_at__isnull=True
    ).select_related("provision"):
        article, provision = ids[a.provision.key]
        who = f"o{a.organization_id}" if a.organization_id else f"u{a.author_id}"
        for place in ((article, provision), (article, None), (None, None)):
            for tag in [t.pk for t in a.tags.all()] + [None]:
                cell = cells[(*place, tag, "")]
                cell["n"] += 1  # type: ignore[operator]
                cell["who"].add(who)  # type: ignore[attr-defined]
                cell["e"] += a.endorsements.count()  # type: ignore[operator]
                cell["s"] += a.severity  # type: ignore[operator]
    return {k: (v["n"], len(v["who"]), v["e"], v["s"]) for k, v in cells.items()}  # type: ignore[arg-type,misc]


def test_rebuild_pools_like_a_recount(version, arabic, alice, mallory) -> None:  # type: ignore[no-untyped-def]
    loner = VerifiedUserFactory()
    _annotate(arabic, alice, key="art-2.2.a", tags=("privacy", "gender"))
    _annotate(version, alice, key="art-2.2.a")
    _annotate(version, mallory, key="art-1", severity=3)
    _annotate(arabic, loner, key="art-2.2.b.i")
    heat_rebuild(versions=[version, arabic])
    for each in (version, arabic):
        everyone = {k: v for k, v in stored(each.pk).items() if k[3] == ""}
        assert everyone == _pooled_brute_force(each)


def test_the_heatmap_api_reads_pooled_heat_at_constant_queries(  # type: ignore[no-untyped-def]
    version, arabic, alice, mallory, anon, django_assert_num_queries
) -> None:
    def queries(url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert anon.get(url).status_code == 200
        return len(captured)

    _annotate(version, alice)
    heat_rebuild(versions=[version, arabic])
    url = "/api/v1/treaties/sample/heatmap/?version=S/1&language=en"
    one_language = queries(url)
    for key in ("art-1", "art-2.2.a", "art-2.2.b.i", "art-3"):
        _annotate(arabic, mallory, key=key)
    heat_rebuild(versions=[version, arabic])
    with django_assert_num_queries(one_language):
        body = anon.get(url).json()
    article_2 = next(a for a in body["articles"] if a["number"] == "2")
    assert article_2["total"]["annotations"] == 3  # alice's English one and two Arabic ones
    article_url = "/api/v1/treaties/sample/articles/2/heatmap/?version=S/1&language=en"
    provisions = {p["key"]: p["total"]["annotations"] for p in anon.get(article_url).json()["provisions"]}
    assert provisions["art-2.1"] == 1 and provisions["art-2.2.a"] == 1 and provisions["art-2.2.b.i"] == 1
