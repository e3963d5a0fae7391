# Webhook subscribers and their signing secrets.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("organization", "0003_forms_staff_unit_phone"),
    ]

    operations = [
        migrations.CreateModel(
            name="Subscriber",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="tên hệ thống nhận")),
                ("url", models.URLField(max_length=300, verbose_name="địa chỉ nhận")),
                ("active", models.BooleanField(default=True, verbose_name="đang nhận")),
                ("created_at", models.DateTimeField(verbose_name="tạo lúc")),
                (
                    "agencies",
                    models.ManyToManyField(
                        related_name="+", to="organization.agency", verbose_name="cơ quan theo dõi"
                    ),
                ),
            ],
            options={
                "verbose_name": "hệ thống nhận webhook",
                "verbose_name_plural": "hệ thống nhận webhook",
            },
        ),
        migrations.CreateModel(
            name="SubscriberSecret",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("secret", models.CharField(max_length=100)),
                ("created_at", models.DateTimeField(verbose_name="tạo lúc")),
                (
                    "retire_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="hết hiệu lực lúc"),
                ),
                (
                    "subscriber",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="secrets",
                        to="webhooks.subscriber",
                    ),
                ),
            ],
            options={
                "verbose_name": "khóa ký webhook",
                "verbose_name_plural": "khóa ký webhook",
            },
        ),
    ]
