from django.db import migrations, models

# Issue 16: the difference in provision keys recorded when a language version is imported with
# --allow-key-mismatch (treaty.sibling_keys); and on PostgreSQL the full-text indexes of the other
# stemmed languages (treaty.search_configs), beside 0002's english and simple. Each expression is
# the one treaty.selectors.TsVector writes, or PostgreSQL would not use it. Chinese is searched by
# substring within one version (treaty.selectors._search_substring): no index.
CONFIGS = ("arabic", "french", "russian", "spanish")


def create_search_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in CONFIGS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS treaty_provision_search_{config} ON treaty_provision USING gin ("
            f"to_tsvector('{config}'::regconfig, COALESCE(heading, '') || ' ' || COALESCE(text, '')))"
        )


def drop_search_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in CONFIGS:
        schema_editor.execute(f"DROP INDEX IF EXISTS treaty_provision_search_{config}")


class Migration(migrations.Migration):
    dependencies = [("treaty", "0006_draftversion_comment_deadline")]

    operations = [
        migrations.AddField(
            model_name="draftversion",
            name="key_mismatch",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
