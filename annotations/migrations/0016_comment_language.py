from django.db import migrations, models

# Issue 16 §3: the language of every annotation's and reply's comment (BCP 47). Comments written
# before it was recorded are "und" (undetermined): nothing says which language they are in.


class Migration(migrations.Migration):
    dependencies = [("annotations", "0015_concern_tag_translations")]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="comment_language",
            field=models.CharField(default="und", help_text="BCP 47 tag of the comment", max_length=35),
        ),
        migrations.AddField(
            model_name="reply",
            name="comment_language",
            field=models.CharField(default="und", help_text="BCP 47 tag of the reply", max_length=35),
        ),
    ]
