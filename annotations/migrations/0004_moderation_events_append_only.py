from django.db import migrations

# The moderation log is append-only (DESIGN §5). On PostgreSQL the database itself refuses an
# UPDATE or DELETE of a logged event, whatever code (or person with a SQL prompt) tries it.
# %% is a literal % once the driver has substituted parameters.
APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION annotations_moderationevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the moderation log is append-only: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER annotations_moderationevent_append_only
    BEFORE UPDATE OR DELETE ON annotations_moderationevent
    FOR EACH ROW EXECUTE FUNCTION annotations_moderationevent_append_only();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS annotations_moderationevent_append_only ON annotations_moderationevent;
DROP FUNCTION IF EXISTS annotations_moderationevent_append_only();
"""


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0003_moderation_events")]
    operations = [migrations.RunPython(create, drop)]
