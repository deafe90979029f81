import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("councils", "0002_councils"), ("organisations", "0006_fill_cross_cluster")]

    operations = [
        migrations.CreateModel(
            name="LedgerDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField()),
                ("total", models.PositiveIntegerField(default=0)),
                ("sme_hei", models.PositiveIntegerField(default=0)),
                ("cross_cluster", models.PositiveIntegerField(default=0)),
                ("cross_border", models.PositiveIntegerField(default=0)),
                ("cross_council", models.PositiveIntegerField(default=0)),
                (
                    "council",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="councils.council",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("council__isnull", False)),
                        fields=("council", "date"),
                        name="ledger_day_council_once",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("council__isnull", True)),
                        fields=("date",),
                        name="ledger_day_alliance_once",
                    ),
                ],
            },
        ),
    ]
