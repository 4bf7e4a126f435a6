from django.db import migrations

# Full-text search over provisions on PostgreSQL (treaty.selectors.provision_search). SQLite has
# no such index and uses a plain LIKE fallback, so the index is created only on PostgreSQL. The
# expression must match the one the selector builds, or PostgreSQL will not use the index.
SEARCH_INDEX_SQL = """
CREATE INDEX IF NOT EXISTS treaty_provision_search_en ON treaty_provision USING gin (
    to_tsvector('english'::regconfig, COALESCE(heading, '') || ' ' || COALESCE(text, ''))
);
CREATE INDEX IF NOT EXISTS treaty_provision_search_simple ON treaty_provision USING gin (
    to_tsvector('simple'::regconfig, COALESCE(heading, '') || ' ' || COALESCE(text, ''))
);
"""
DROP_SQL = "DROP INDEX IF EXISTS treaty_provision_search_en; DROP INDEX IF EXISTS treaty_provision_search_simple;"


def create_search_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX_SQL)


def drop_search_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("treaty", "0001_initial")]
    operations = [migrations.RunPython(create_search_index, drop_search_index)]
