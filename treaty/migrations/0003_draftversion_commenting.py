from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("treaty", "0002_provision_search_index")]

    operations = [
        migrations.AddField(
            model_name="draftversion",
            name="moderation",
            field=models.CharField(
                choices=[
                    ("pre", "Pre-moderation: new annotations wait for a moderator"),
                    ("post", "Post-moderation: new annotations are published at once"),
                ],
                default="post",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="draftversion",
            name="open_for_comment",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="draftversion",
            name="verified_skip_queue",
            field=models.BooleanField(
                default=True,
                help_text="Under pre-moderation, publish verified organisations' annotations at once",
            ),
        ),
    ]
