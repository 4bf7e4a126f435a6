from django.db import migrations, models

# Issue 16: the difference in provision keys recorded when a language version is imported with
# --allow-key-mismatch (treaty.sibling_keys).


class Migration(migrations.Migration):
    dependencies = [("treaty", "0006_draftversion_comment_deadline")]

    operations = [
        migrations.AddField(
            model_name="draftversion",
            name="key_mismatch",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
