from django.db import migrations
from django.db.models import F
from django.utils import timezone

# Anonymous means anonymous, also in numbers (issue 17 §1): an anonymous annotation no longer
# counts under its author's organisation, that organisation's type or its country. Its `who` is
# its author's own unit, negated (annotations.heat.queries._WHO): it still counts once in
# distinct-organisation totals, apart from the organisation, and in no segment. PostgreSQL: the
# triggers of migration 0010 compute `who` the new way and the sums are counted again; on both
# databases every article is marked dirty, so the periodic reconcile recomputes the heat rows
# (`manage.py rebuild_heatmaps` does it at once). Migrations are frozen: the SQL is spelled out.

POSITIONS = ("concern", "oppose", "amend", "delete", "clarify", "support")
COLUMNS = "version_id, article_id, provision_id, tag_id, who, n, endorsements, score, " + ", ".join(
    f"pos_{p}" for p in POSITIONS
)
KEY = "version_id, article_id, provision_id, tag_id, who"
SUMS = ("n", "endorsements", "score", *(f"pos_{p}" for p in POSITIONS))


def contributions(rows: str, sign: str, who: str) -> str:
    positions = ", ".join(
        f"CASE WHEN r.position = '{p}' THEN {sign} ELSE 0 END AS pos_{p}" for p in POSITIONS
    )
    return f"""
        SELECT r.version_id, r.article_id, level.provision_id, t.tag_id, {who} AS who,
               {sign} AS n, {sign} * r.heat_endorsements AS endorsements, {sign} * r.severity AS score,
               {positions}
        FROM {rows} r CROSS JOIN LATERAL unnest(r.heat_tag_ids || 0) AS t (tag_id)
             CROSS JOIN LATERAL (VALUES (r.provision_id), (0)) AS level (provision_id)
        WHERE r.status = 'approved' AND r.deleted_at IS NULL"""


def apply(*parts: str) -> str:
    changed = " OR ".join(f"SUM({s}) <> 0" for s in SUMS)
    return f"""
    INSERT INTO annotations_heat_sums AS h ({COLUMNS})
    SELECT {KEY}, {", ".join(f"SUM({s})" for s in SUMS)}
    FROM ({" UNION ALL ".join(parts)}) c
    GROUP BY {KEY} HAVING {changed}
    ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET {", ".join(f"{s} = h.{s} + EXCLUDED.{s}" for s in SUMS)};
    DELETE FROM annotations_heat_sums WHERE n = 0;"""


def function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{body}
    RETURN NULL;
END
$$;"""


def replace_functions(who: str) -> str:
    added, removed = contributions("added", "1", who), contributions("removed", "-1", who)
    return f"""
SET CONSTRAINTS ALL IMMEDIATE;
LOCK TABLE annotations_annotation IN SHARE MODE;
{function("annotations_heat_sums_inserted", apply(added))}
{function("annotations_heat_sums_deleted", apply(removed))}
{function("annotations_heat_sums_updated", apply(added, removed))}
DELETE FROM annotations_heat_sums;
INSERT INTO annotations_heat_sums ({COLUMNS})
SELECT {KEY}, {", ".join(f"SUM({s})" for s in SUMS)}
FROM ({contributions("annotations_annotation", "1", who)}) c
GROUP BY {KEY};
"""


WHO_BEFORE = "COALESCE(r.organization_id * 3, r.author_id * 3 + 1, r.id * 3 + 2)"
WHO_ANONYMOUS_APART = (
    "CASE WHEN r.attribution = 'anonymous' THEN -COALESCE(r.author_id * 3 + 1, r.id * 3 + 2)"
    f" ELSE {WHO_BEFORE} END"
)


def mark_every_article_dirty(apps, schema_editor):  # type: ignore[no-untyped-def]
    Provision = apps.get_model("treaty", "Provision")
    HeatDirty = apps.get_model("annotations", "HeatDirty")
    now = timezone.now()
    units = Provision.objects.filter(article_id=F("pk")).values_list("version_id", "pk")
    marks = [HeatDirty(version_id=version, article_id=unit, marked_at=now) for version, unit in units]
    marks += [HeatDirty(version_id=v, article_id=None, marked_at=now) for v in {m.version_id for m in marks}]
    HeatDirty.objects.bulk_create(marks, ignore_conflicts=True)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(replace_functions(WHO_ANONYMOUS_APART), params=None)
    mark_every_article_dirty(apps, schema_editor)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(replace_functions(WHO_BEFORE), params=None)
    mark_every_article_dirty(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0012_moderation_event_policy"),
        ("treaty", "0003_draftversion_commenting"),
    ]

    operations = [migrations.RunPython(forward, backward)]
