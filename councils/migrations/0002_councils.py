"""Seed the six Cluster Growth Councils of the alliance."""

from django.db import migrations

COUNCILS = [
    (
        "malaga",
        "Málaga",
        "Málaga",
        "ES",
        "malaga",
        "Europe/Madrid",
        "Engineering SMEs, the University of Málaga and the Andalusian innovation bodies around the "
        "Málaga TechPark, working on advanced manufacturing, ICT and sustainable mobility.",
    ),
    (
        "alcala",
        "Alcalá de Henares",
        "Alcalá de Henares",
        "ES",
        "alcala",
        "Europe/Madrid",
        "SMEs of the Henares corridor with the University of Alcalá: aerospace, logistics, "
        "electronics and engineering services east of Madrid.",
    ),
    (
        "bologna",
        "Bologna",
        "Bologna",
        "IT",
        "bologna",
        "Europe/Rome",
        "The Emilia-Romagna mechatronics and packaging-machinery district with the University of "
        "Bologna, its spin-offs and the regional innovation network.",
    ),
    (
        "cork",
        "Cork",
        "Cork",
        "IE",
        "cork",
        "Europe/Dublin",
        "Cork's medical-device, pharmaceutical-engineering and marine-energy SMEs with University "
        "College Cork, Munster Technological University and the enterprise agencies.",
    ),
    (
        "istanbul",
        "Istanbul",
        "Istanbul",
        "TR",
        "istanbul",
        "Europe/Istanbul",
        "Istanbul's automotive-supplier, machinery and defence-electronics SMEs with the city's "
        "technical universities, technoparks and chambers of industry.",
    ),
    (
        "paris",
        "Paris",
        "Paris",
        "FR",
        "paris",
        "Europe/Paris",
        "Engineering SMEs of Île-de-France with the Paris engineering schools and universities, "
        "the competitiveness clusters and the regional development agency.",
    ),
]


def seed(apps, schema_editor):
    Council = apps.get_model("councils", "Council")
    for slug, name, city, country, region, time_zone, description in COUNCILS:
        Council.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "city": city,
                "country": country,
                "region": region,
                "time_zone": time_zone,
                "description": description,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("councils", "Council").objects.filter(slug__in=[row[0] for row in COUNCILS]).delete()


class Migration(migrations.Migration):
    dependencies = [("councils", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
