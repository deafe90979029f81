"""Fill the daily roll-up of the ledger from the entries recorded before it existed."""

from django.db import migrations

# The roll-up's SQL as it was when this migration was written (councils.services.ledger has the same).
LEDGER_DAYS_SQL = """
INSERT INTO councils_ledgerday (council_id, date, total, sme_hei, cross_cluster, cross_border, cross_council)
SELECT {council}, i.date, COUNT(*),
       SUM(CASE WHEN i.is_sme_hei THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.is_cross_cluster THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.is_cross_border THEN 1 ELSE 0 END),
       SUM(CASE WHEN n.councils > 1 THEN 1 ELSE 0 END)
FROM organisations_interaction i
LEFT JOIN (
    SELECT interaction_id, COUNT(*) AS councils FROM councils_councilinteraction GROUP BY interaction_id
) n ON n.interaction_id = i.id
{join}
GROUP BY {group}
"""


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(LEDGER_DAYS_SQL.format(council="NULL", join="", group="i.date"))
        cursor.execute(
            LEDGER_DAYS_SQL.format(
                council="ci.council_id",
                join="JOIN councils_councilinteraction ci ON ci.interaction_id = i.id",
                group="ci.council_id, i.date",
            )
        )


def empty(apps, schema_editor):
    apps.get_model("councils", "LedgerDay").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("councils", "0003_ledgerday")]

    operations = [migrations.RunPython(fill, empty)]
