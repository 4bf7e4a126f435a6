from django.db import migrations

# PostgreSQL only: two columns on the annotation that copy what the heat recompute would otherwise
# join for every annotation of an article — its concern tag ids and its endorsement count — and a
# partial covering index holding everything the recompute reads, so one article's approved
# annotations come from an index-only scan. Joining the tag table (1.6 rows per annotation) and
# counting endorsements took three quarters of a recompute (bench/heat.py: 1.3 s for an article
# with 66,000 annotations, of which the aggregation proper was 0.3 s).
#
# The database keeps the copies right, whatever writes the tables (the ORM, a cascade from a
# deleted user or organisation, a bulk load, someone at a SQL prompt): statement-level triggers on
# the tag and endorsement tables. They apply deltas to the current value of the row (add these
# tags, remove those, count + n), not a recount from their own snapshot: two transactions
# endorsing one annotation at once then both count, because the second UPDATE waits for the
# first and re-applies its delta to the committed row. The model does not know these columns
# (Django never writes them: their defaults fill new rows); only annotations/heat.py reads them.
# tests/annotations/test_heat_read_columns.py compares them with the tables after every kind of
# write; the hypothesis recount in test_heat.py compares the heat itself.
CREATE_SQL = """
-- The backfill's UPDATEs would otherwise leave deferred foreign-key checks pending, and
-- PostgreSQL refuses CREATE INDEX on a table with pending trigger events.
SET CONSTRAINTS ALL IMMEDIATE;

ALTER TABLE annotations_annotation
    ADD COLUMN heat_tag_ids integer[] NOT NULL DEFAULT '{}',
    ADD COLUMN heat_endorsements integer NOT NULL DEFAULT 0;

UPDATE annotations_annotation a SET heat_tag_ids = t.ids
  FROM (SELECT annotation_id, array_agg(DISTINCT concerntag_id::integer ORDER BY concerntag_id::integer) AS ids
          FROM annotations_annotation_tags GROUP BY annotation_id) t
 WHERE t.annotation_id = a.id;
UPDATE annotations_annotation a SET heat_endorsements = e.n
  FROM (SELECT annotation_id, count(*) AS n FROM annotations_endorsement GROUP BY annotation_id) e
 WHERE e.annotation_id = a.id;

CREATE FUNCTION annotations_heat_tags_added() RETURNS trigger AS $$
BEGIN
    UPDATE annotations_annotation a
       SET heat_tag_ids = (SELECT array_agg(DISTINCT x ORDER BY x) FROM unnest(a.heat_tag_ids || n.ids) x)
      FROM (SELECT annotation_id, array_agg(concerntag_id::integer) AS ids FROM added GROUP BY annotation_id) n
     WHERE a.id = n.annotation_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION annotations_heat_tags_removed() RETURNS trigger AS $$
BEGIN
    UPDATE annotations_annotation a
       SET heat_tag_ids = COALESCE(
               (SELECT array_agg(x ORDER BY x) FROM unnest(a.heat_tag_ids) x WHERE x <> ALL (r.ids)), '{}')
      FROM (SELECT annotation_id, array_agg(concerntag_id::integer) AS ids FROM removed GROUP BY annotation_id) r
     WHERE a.id = r.annotation_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION annotations_heat_endorsements_added() RETURNS trigger AS $$
BEGIN
    UPDATE annotations_annotation a SET heat_endorsements = a.heat_endorsements + n.n
      FROM (SELECT annotation_id, count(*) AS n FROM added GROUP BY annotation_id) n
     WHERE a.id = n.annotation_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION annotations_heat_endorsements_removed() RETURNS trigger AS $$
BEGIN
    UPDATE annotations_annotation a SET heat_endorsements = a.heat_endorsements - r.n
      FROM (SELECT annotation_id, count(*) AS n FROM removed GROUP BY annotation_id) r
     WHERE a.id = r.annotation_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- An UPDATE of a row (which Django never does to these tables) counts as its removal, then its
-- addition: triggers on one event fire in name order, "a_…" before "b_…".
CREATE TRIGGER annotations_heat_tags_insert AFTER INSERT ON annotations_annotation_tags
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION annotations_heat_tags_added();
CREATE TRIGGER annotations_heat_tags_delete AFTER DELETE ON annotations_annotation_tags
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION annotations_heat_tags_removed();
CREATE TRIGGER annotations_heat_tags_update_a AFTER UPDATE ON annotations_annotation_tags
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION annotations_heat_tags_removed();
CREATE TRIGGER annotations_heat_tags_update_b AFTER UPDATE ON annotations_annotation_tags
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION annotations_heat_tags_added();
CREATE TRIGGER annotations_heat_endorsements_insert AFTER INSERT ON annotations_endorsement
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION annotations_heat_endorsements_added();
CREATE TRIGGER annotations_heat_endorsements_delete AFTER DELETE ON annotations_endorsement
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION annotations_heat_endorsements_removed();
CREATE TRIGGER annotations_heat_endorsements_update_a AFTER UPDATE ON annotations_endorsement
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION annotations_heat_endorsements_removed();
CREATE TRIGGER annotations_heat_endorsements_update_b AFTER UPDATE ON annotations_endorsement
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION annotations_heat_endorsements_added();

CREATE INDEX annotations_ann_heat_read ON annotations_annotation (version_id, article_id)
    INCLUDE (id, provision_id, severity, position, organization_id, author_id, heat_endorsements, heat_tag_ids)
    WHERE status = 'approved' AND deleted_at IS NULL;
"""

DROP_SQL = """
DROP INDEX IF EXISTS annotations_ann_heat_read;
DROP TRIGGER IF EXISTS annotations_heat_tags_insert ON annotations_annotation_tags;
DROP TRIGGER IF EXISTS annotations_heat_tags_delete ON annotations_annotation_tags;
DROP TRIGGER IF EXISTS annotations_heat_tags_update_a ON annotations_annotation_tags;
DROP TRIGGER IF EXISTS annotations_heat_tags_update_b ON annotations_annotation_tags;
DROP TRIGGER IF EXISTS annotations_heat_endorsements_insert ON annotations_endorsement;
DROP TRIGGER IF EXISTS annotations_heat_endorsements_delete ON annotations_endorsement;
DROP TRIGGER IF EXISTS annotations_heat_endorsements_update_a ON annotations_endorsement;
DROP TRIGGER IF EXISTS annotations_heat_endorsements_update_b ON annotations_endorsement;
DROP FUNCTION IF EXISTS annotations_heat_tags_added();
DROP FUNCTION IF EXISTS annotations_heat_tags_removed();
DROP FUNCTION IF EXISTS annotations_heat_endorsements_added();
DROP FUNCTION IF EXISTS annotations_heat_endorsements_removed();
ALTER TABLE annotations_annotation DROP COLUMN IF EXISTS heat_tag_ids, DROP COLUMN IF EXISTS heat_endorsements;
"""


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL, params=None)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0006_export_jobs")]
    operations = [migrations.RunPython(create, drop)]
