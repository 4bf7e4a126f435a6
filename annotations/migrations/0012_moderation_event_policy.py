import django.db.models.deletion
from django.db import migrations, models

# A draft's commenting and moderation policy, set in the moderation console, is logged in the audit
# log like a decision (issue 14 §3): an event names a draft instead of an item. The log stays
# append-only (migration 0004's trigger covers the new column too).


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0011_annotation_out_of_view'),
        ('treaty', '0003_draftversion_commenting'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='moderationevent',
            name='annotations_modevent_one_item',
        ),
        migrations.AddField(
            model_name='moderationevent',
            name='version',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='policy_events', to='treaty.draftversion'),
        ),
        migrations.AlterField(
            model_name='moderationevent',
            name='action',
            field=models.CharField(choices=[('approve', 'Approve'), ('reject', 'Reject'), ('spam', 'Spam'), ('feature', 'Feature'), ('unfeature', 'Unfeature'), ('note', 'Note'), ('flagged', 'Flagged'), ('duplicate', 'Duplicate'), ('edited', 'Edited'), ('policy', 'Policy')], max_length=20),
        ),
        migrations.AddConstraint(
            model_name='moderationevent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('annotation__isnull', False), ('reply__isnull', True), ('version__isnull', True)), models.Q(('annotation__isnull', True), ('reply__isnull', False), ('version__isnull', True)), models.Q(('annotation__isnull', True), ('reply__isnull', True), ('version__isnull', False)), _connector='OR'), name='annotations_modevent_one_item'),
        ),
    ]
