from django.db import migrations

# Full-text search over provisions on SQLite (treaty.selectors.provision_search): an FTS5 index
# kept by triggers, the counterpart of the PostgreSQL GIN indexes of 0002. Without it every search
# read every provision's text (a 50,000-provision draft took seconds). PostgreSQL: nothing to do.
#
# If a later migration rebuilds treaty_provision on SQLite (Django copies the table to alter a
# column), the triggers go with the old table: tests/treaty/test_search.py checks that they exist.
CREATE = [
    """CREATE VIRTUAL TABLE treaty_provision_fts USING fts5(
        heading, text, content='treaty_provision', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER treaty_provision_fts_insert AFTER INSERT ON treaty_provision BEGIN
        INSERT INTO treaty_provision_fts(rowid, heading, text) VALUES (new.id, new.heading, new.text);
    END""",
    """CREATE TRIGGER treaty_provision_fts_delete AFTER DELETE ON treaty_provision BEGIN
        INSERT INTO treaty_provision_fts(treaty_provision_fts, rowid, heading, text)
        VALUES ('delete', old.id, old.heading, old.text);
    END""",
    """CREATE TRIGGER treaty_provision_fts_update AFTER UPDATE OF heading, text ON treaty_provision BEGIN
        INSERT INTO treaty_provision_fts(treaty_provision_fts, rowid, heading, text)
        VALUES ('delete', old.id, old.heading, old.text);
        INSERT INTO treaty_provision_fts(rowid, heading, text) VALUES (new.id, new.heading, new.text);
    END""",
    "INSERT INTO treaty_provision_fts(treaty_provision_fts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS treaty_provision_fts_insert",
    "DROP TRIGGER IF EXISTS treaty_provision_fts_delete",
    "DROP TRIGGER IF EXISTS treaty_provision_fts_update",
    "DROP TABLE IF EXISTS treaty_provision_fts",
]


def create_search_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_search_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("treaty", "0004_drafts_over_time")]
    operations = [migrations.RunPython(create_search_index, drop_search_index)]
