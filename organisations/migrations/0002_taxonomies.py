"""Seed the shared taxonomies: NACE Rev. 2 activities relevant to engineering, and topics."""

from django.db import migrations

SECTORS = [
    ("C20", "Manufacture of chemicals and chemical products"),
    ("C21", "Manufacture of basic pharmaceutical products and preparations"),
    ("C22", "Manufacture of rubber and plastic products"),
    ("C23", "Manufacture of other non-metallic mineral products"),
    ("C24", "Manufacture of basic metals"),
    ("C25", "Manufacture of fabricated metal products"),
    ("C25.6", "Treatment and coating of metals; machining"),
    ("C26", "Manufacture of computer, electronic and optical products"),
    ("C26.1", "Manufacture of electronic components and boards"),
    ("C26.5", "Manufacture of instruments for measuring, testing and navigation"),
    ("C27", "Manufacture of electrical equipment"),
    ("C27.1", "Manufacture of electric motors, generators and transformers"),
    ("C28", "Manufacture of machinery and equipment n.e.c."),
    ("C28.1", "Manufacture of general-purpose machinery"),
    ("C28.4", "Manufacture of metal forming machinery and machine tools"),
    ("C28.9", "Manufacture of other special-purpose machinery"),
    ("C29", "Manufacture of motor vehicles, trailers and semi-trailers"),
    ("C30", "Manufacture of other transport equipment"),
    ("C30.1", "Building of ships and boats"),
    ("C30.3", "Manufacture of air and spacecraft and related machinery"),
    ("C32.5", "Manufacture of medical and dental instruments and supplies"),
    ("C33", "Repair and installation of machinery and equipment"),
    ("D35", "Electricity, gas, steam and air conditioning supply"),
    ("E36", "Water collection, treatment and supply"),
    ("E38", "Waste collection, treatment and disposal; materials recovery"),
    ("F41", "Construction of buildings"),
    ("F42", "Civil engineering"),
    ("F43", "Specialised construction activities"),
    ("J62", "Computer programming, consultancy and related activities"),
    ("J63", "Information service activities"),
    ("M70.2", "Management consultancy activities"),
    ("M71", "Architectural and engineering activities; technical testing and analysis"),
    ("M71.1", "Architectural and engineering activities and related technical consultancy"),
    ("M71.2", "Technical testing and analysis"),
    ("M72", "Scientific research and development"),
    ("M72.1", "Research and experimental development on natural sciences and engineering"),
    ("M74.1", "Specialised design activities"),
    ("P85.4", "Higher education"),
]

TOPICS = [
    ("additive-manufacturing", "Additive manufacturing and 3D printing"),
    ("advanced-materials", "Advanced materials"),
    ("aerospace", "Aerospace engineering"),
    ("ai-machine-learning", "Artificial intelligence and machine learning"),
    ("automation-robotics", "Automation and robotics"),
    ("batteries-storage", "Batteries and energy storage"),
    ("bim-construction", "BIM and digital construction"),
    ("cad-simulation", "CAD, CAE and simulation"),
    ("circular-economy", "Circular economy and recycling"),
    ("composites", "Composite materials"),
    ("cybersecurity", "Cybersecurity"),
    ("data-analytics", "Data analytics"),
    ("digital-twins", "Digital twins"),
    ("electric-mobility", "Electric mobility"),
    ("embedded-systems", "Embedded systems"),
    ("energy-efficiency", "Energy efficiency"),
    ("export-internationalisation", "Export and internationalisation"),
    ("finance-funding", "Access to finance and funding"),
    ("hydrogen", "Hydrogen technologies"),
    ("industry-40-iot", "Industry 4.0 and the Internet of Things"),
    ("ip-patents", "Intellectual property and patents"),
    ("lean-manufacturing", "Lean manufacturing"),
    ("maritime", "Maritime and naval engineering"),
    ("mechatronics", "Mechatronics"),
    ("medical-devices", "Medical devices"),
    ("microelectronics", "Microelectronics and semiconductors"),
    ("nanotechnology", "Nanotechnology"),
    ("photonics", "Photonics and lasers"),
    ("product-design", "Product design and prototyping"),
    ("quality-testing", "Quality, testing and certification"),
    ("renewable-energy", "Renewable energy"),
    ("sensors", "Sensors and instrumentation"),
    ("skills-training", "Skills and training"),
    ("smart-cities", "Smart cities and infrastructure"),
    ("software-engineering", "Software and cloud engineering"),
    ("space", "Space technologies"),
    ("supply-chain", "Supply chain and logistics"),
    ("sustainability", "Sustainability and decarbonisation"),
    ("tech-transfer", "Technology transfer"),
    ("water-engineering", "Water engineering"),
]


def seed(apps, schema_editor):
    Sector = apps.get_model("organisations", "Sector")
    Topic = apps.get_model("organisations", "Topic")
    for code, name in SECTORS:
        Sector.objects.update_or_create(code=code, defaults={"name": name})
    for slug, name in TOPICS:
        Topic.objects.update_or_create(slug=slug, defaults={"name": name})


def unseed(apps, schema_editor):
    apps.get_model("organisations", "Sector").objects.filter(code__in=[c for c, _ in SECTORS]).delete()
    apps.get_model("organisations", "Topic").objects.filter(slug__in=[s for s, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
