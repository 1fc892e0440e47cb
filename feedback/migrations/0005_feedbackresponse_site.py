"""Each response records the force (Wagtail Site) it was sent on.

The column is nullable: rows written before this release (and by the
previous release while this one is deployed) have none until 0006 fills
them. One index, (site, submitted_at), serves a force's responses by date
and the foreign key alike.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0004_feedback_analysts_group"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedbackresponse",
            name="site",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The force (site) the answer was sent on.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="wagtailcore.site",
            ),
        ),
        migrations.AddIndex(
            model_name="feedbackresponse",
            index=models.Index(fields=["site", "submitted_at"], name="feedback_site_submitted"),
        ),
    ]
