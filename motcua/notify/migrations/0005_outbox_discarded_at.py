# The dead letters an administrator sets aside, and the index the dead-letter screen reads.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0004_outbox_plain_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="discarded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="outboxmessage",
            index=models.Index(
                condition=models.Q(
                    ("discarded_at__isnull", True),
                    ("failed_at__isnull", False),
                    ("sent_at__isnull", True),
                ),
                fields=["channel", "failed_at"],
                name="outbox_dead_letters",
            ),
        ),
    ]
