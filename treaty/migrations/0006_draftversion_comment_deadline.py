from django.db import migrations, models

# The last day of a draft's public comment period, set by moderators (issue 14 §5: the home page
# shows the days left).


class Migration(migrations.Migration):

    dependencies = [
        ('treaty', '0005_provision_search_fts_sqlite'),
    ]

    operations = [
        migrations.AddField(
            model_name='draftversion',
            name='comment_deadline',
            field=models.DateField(blank=True, null=True),
        ),
    ]
