from django.db import migrations, models

# PostgreSQL: the heat recompute's input, kept by the database (annotations.models.HeatSums). One
# row per (version, article, provision, concern tag, who) with the sums of its approved, live
# annotations; tag 0 is "all tags", provision 0 the whole article. Statement-level triggers on the annotation table add the
# difference each statement makes: the new rows' contributions minus the old rows'. They apply
# deltas to the stored row (INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n), not a recount
# from their own snapshot: two transactions changing one row both count, because the second waits
# for the first and adds to the committed value. Rows are written in key order, so two statements
# lock shared rows in the same order and cannot deadlock each other. A row whose count reaches 0 is
# deleted. Changes to tags and endorsements reach the annotation row through migration 0007's
# triggers (heat_tag_ids, heat_endorsements), and from there these.
# tests/annotations/test_heat_read_columns.py compares the sums with a recount after every kind of
# write; annotations/heat_queries.py computes them from scratch for rebuild_heatmaps.

POSITIONS = ("concern", "oppose", "amend", "delete", "clarify", "support")
COLUMNS = "version_id, article_id, provision_id, tag_id, who, n, endorsements, score, " + ", ".join(
    f"pos_{p}" for p in POSITIONS
)
KEY = "version_id, article_id, provision_id, tag_id, who"
SUMS = ("n", "endorsements", "score", *(f"pos_{p}" for p in POSITIONS))


def contributions(rows: str, sign: str) -> str:
    positions = ", ".join(
        f"CASE WHEN r.position = '{p}' THEN {sign} ELSE 0 END AS pos_{p}" for p in POSITIONS
    )
    return f"""
        SELECT r.version_id, r.article_id, level.provision_id, t.tag_id,
               COALESCE(r.organization_id * 3, r.author_id * 3 + 1, r.id * 3 + 2) AS who,
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
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{body}
    RETURN NULL;
END
$$;"""


ADDED, REMOVED = contributions("added", "1"), contributions("removed", "-1")
POSTGRESQL_FORWARD = f"""
SET CONSTRAINTS ALL IMMEDIATE;
CREATE INDEX annotations_heat_sums_empty ON annotations_heat_sums (version_id) WHERE n = 0;
{function("annotations_heat_sums_inserted", apply(ADDED))}
{function("annotations_heat_sums_deleted", apply(REMOVED))}
{function("annotations_heat_sums_updated", apply(ADDED, REMOVED))}
CREATE TRIGGER annotations_heat_sums_insert AFTER INSERT ON annotations_annotation
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION annotations_heat_sums_inserted();
CREATE TRIGGER annotations_heat_sums_delete AFTER DELETE ON annotations_annotation
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION annotations_heat_sums_deleted();
CREATE TRIGGER annotations_heat_sums_update AFTER UPDATE ON annotations_annotation
    REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION annotations_heat_sums_updated();
INSERT INTO annotations_heat_sums ({COLUMNS})
SELECT {KEY}, {", ".join(f"SUM({s})" for s in SUMS)}
FROM ({contributions("annotations_annotation", "1")}) c
GROUP BY {KEY};
"""

POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS annotations_heat_sums_insert ON annotations_annotation;
DROP TRIGGER IF EXISTS annotations_heat_sums_delete ON annotations_annotation;
DROP TRIGGER IF EXISTS annotations_heat_sums_update ON annotations_annotation;
DROP FUNCTION IF EXISTS annotations_heat_sums_inserted();
DROP FUNCTION IF EXISTS annotations_heat_sums_deleted();
DROP FUNCTION IF EXISTS annotations_heat_sums_updated();
DROP INDEX IF EXISTS annotations_heat_sums_empty;
"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD, params=None)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0009_heat_indexes_and_collation"),
    ]

    operations = [
        migrations.CreateModel(
            name="HeatSums",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "version_id",
                        "article_id",
                        "provision_id",
                        "tag_id",
                        "who",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("version_id", models.BigIntegerField()),
                ("article_id", models.BigIntegerField()),
                ("provision_id", models.BigIntegerField(help_text="0: the whole article")),
                ("tag_id", models.IntegerField(help_text="0: all tags")),
                ("who", models.BigIntegerField()),
                ("n", models.IntegerField()),
                ("endorsements", models.IntegerField()),
                ("score", models.IntegerField()),
                ("pos_concern", models.IntegerField()),
                ("pos_oppose", models.IntegerField()),
                ("pos_amend", models.IntegerField()),
                ("pos_delete", models.IntegerField()),
                ("pos_clarify", models.IntegerField()),
                ("pos_support", models.IntegerField()),
            ],
            options={"db_table": "annotations_heat_sums"},
        ),
        migrations.RunPython(forward, backward),
    ]
