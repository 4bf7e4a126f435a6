from django.db import migrations, models

# The removals feed (GET annotations/removed/) reads the few annotations out of public view among
# many public ones, newest first: a partial index holds only those. Its condition is
# annotations.models.OUT_OF_PUBLIC_VIEW, spelled out here as migrations are frozen.


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0010_heat_sums"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(
                fields=["-id"],
                condition=models.Q(
                    ("deleted_at__isnull", False),
                    models.Q(("status", "approved"), _negated=True),
                    _connector="OR",
                ),
                name="annotations_ann_out_of_view",
            ),
        ),
    ]
