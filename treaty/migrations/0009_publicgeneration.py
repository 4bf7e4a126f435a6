import secrets

from django.db import migrations, models
from django.utils import timezone


def tokens_for_existing_treaties(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Treaties imported before this migration get a row: without one their pages are not cached.
    Treaty = apps.get_model("treaty", "Treaty")
    PublicGeneration = apps.get_model("treaty", "PublicGeneration")
    now = timezone.now()
    PublicGeneration.objects.bulk_create(
        [
            PublicGeneration(treaty_id=pk, token=secrets.token_hex(16), changed_at=now)
            for pk in Treaty.objects.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("treaty", "0008_languages")]

    operations = [
        migrations.CreateModel(
            name="PublicGeneration",
            fields=[
                ("treaty_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=32)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(tokens_for_existing_treaties, migrations.RunPython.noop),
    ]
