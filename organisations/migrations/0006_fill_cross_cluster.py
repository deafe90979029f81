"""Derive the new cross-cluster flag for ledger entries recorded before it existed."""

from django.db import migrations
from django.db.models import Count


def fill(apps, schema_editor):
    Interaction = apps.get_model("organisations", "Interaction")
    cross = (
        Interaction.objects.annotate(regions=Count("organisations__region", distinct=True))
        .filter(regions__gt=1)
        .values_list("pk", flat=True)
    )
    Interaction.objects.filter(pk__in=list(cross)).update(is_cross_cluster=True)


def unfill(apps, schema_editor):
    apps.get_model("organisations", "Interaction").objects.update(is_cross_cluster=False)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0005_interaction_is_cross_cluster")]

    operations = [migrations.RunPython(fill, unfill)]
