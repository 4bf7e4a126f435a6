"""Issue 17: annotation and reply ids are drawn at random (annotations.public_ids) instead of taken
from a sequence, so that they do not tell in which order items were written. Existing rows keep
their ids (published links keep working); new ids are all above them."""

import annotations.public_ids
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0016_comment_language'),
    ]

    operations = [
        migrations.AlterField(
            model_name='annotation',
            name='id',
            field=models.BigIntegerField(default=annotations.public_ids.new_public_id, editable=False, primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name='reply',
            name='id',
            field=models.BigIntegerField(default=annotations.public_ids.new_public_id, editable=False, primary_key=True, serialize=False),
        ),
    ]
