from django.db import migrations, models

# Heat, on PostgreSQL: `segment` compares bytewise (COLLATE "C"): in the database's locale each
# index entry a recompute wrote compared its segment through strcoll. The covering index of
# migration 0007 is keyed by provision as well, for the recompute reads one provision at a time
# (annotations/heat_queries.py). SQLite has neither collation "C" nor INCLUDE: nothing to do there.
POSTGRESQL_FORWARD = """
ALTER TABLE annotations_heat ALTER COLUMN segment TYPE varchar(40) COLLATE "C";
DROP INDEX IF EXISTS annotations_ann_heat_read;
CREATE INDEX annotations_ann_heat_read ON annotations_annotation (version_id, article_id, provision_id)
    INCLUDE (id, severity, position, organization_id, author_id, heat_endorsements, heat_tag_ids)
    WHERE status = 'approved' AND deleted_at IS NULL;
"""
POSTGRESQL_BACKWARD = """
ALTER TABLE annotations_heat ALTER COLUMN segment TYPE varchar(40) COLLATE "default";
DROP INDEX IF EXISTS annotations_ann_heat_read;
CREATE INDEX annotations_ann_heat_read ON annotations_annotation (version_id, article_id)
    INCLUDE (id, provision_id, severity, position, organization_id, author_id, heat_endorsements, heat_tag_ids)
    WHERE status = 'approved' AND deleted_at IS NULL;
"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD, params=None)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0008_heat_without_constraints"),
        ("treaty", "0003_draftversion_commenting"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="heat", name="annotations_heat_version"),
        migrations.RemoveIndex(model_name="heat", name="annotations_heat_article"),
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="heat",
            index=models.Index(fields=["version", "article", "segment"], name="annotations_heat_article_rows"),
        ),
        migrations.AddIndex(
            model_name="heat",
            index=models.Index(
                condition=models.Q(("provision__isnull", True)),
                fields=["version", "segment"],
                name="annotations_heat_unit_rows",
            ),
        ),
    ]
