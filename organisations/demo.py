"""Demo organisations, people and interactions for ``manage.py seed_demo``.

The normal demo set is about 300 organisations, some 50 in each of the six council regions and a few
elsewhere: engineering SMEs whose names are built from each country's own words, the real
universities of each region, and intermediaries of every type. A few hundred people work in them, and
a couple of hundred entries of the interaction ledger link them over the last two years.

``seed_demo --organisations N`` seeds N organisations instead, written in bulk, for scale tests.

Everything is drawn from a generator seeded by one draw of seed_demo's ``rng``, so the same
``--seed`` gives the same data. Running it again adds nothing: organisations are recognised by
slug, people by email, memberships by (person, organisation) and interactions by their source
reference. The names of SMEs, consultancies and investors are made up; the universities,
chambers of commerce and clusters named in REAL_HEIS and ANCHORS exist, but what the demo says
about them (people, topics, descriptions) is invented. Every website and email address is under
example.org.
"""

import functools
import math
import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import DEMO_PASSWORD, demo_user
from accounts.models import User

from .models import (
    Interaction,
    Membership,
    Organisation,
    Region,
    Sector,
    Topic,
    Visibility,
    default_visibility,
)
from .selectors import fold
from .services import (
    RESERVED_SLUGS,
    interaction_record,
    interactions_bulk_recorded,
    organisation_create,
    organisation_search_text,
)

ACCOUNTS = [
    ("sme@example.org", "admin of an SME"),
    ("hei@example.org", "admin of a university"),
]

DEFAULT_SIZE = 300
INTERACTIONS = 220  # in the normal demo set; N // 4 with --organisations N
SOURCE = "seed_demo"  # Interaction.source of the ledger entries made here
BATCH = 1000

SME, HEI, INTERMEDIARY = Organisation.Kind.SME, Organisation.Kind.HEI, Organisation.Kind.INTERMEDIARY
Subtype = Organisation.Subtype
Size = Organisation.SizeBand
SIX_REGIONS = [Region.MALAGA, Region.ALCALA, Region.BOLOGNA, Region.CORK, Region.ISTANBUL, Region.PARIS]

# --- places ---------------------------------------------------------------------------------------
# The tables below are laid out by hand, several entries a line; the formatter leaves them alone.
# fmt: off


@dataclass(frozen=True)
class City:
    name: str
    lat: float
    lon: float
    radius_km: float  # organisations are placed within this distance of the centre ...
    weight: int = 1
    bearings: tuple = (0, 360)  # ... in this range of compass bearings (keeps them off the sea)


REGIONS = {
    Region.MALAGA: {
        "country": "ES", "style": "es", "area": "the province of Málaga",
        "cities": [
            City("Málaga", 36.7213, -4.4214, 6, 5, (-100, 80)),
            City("Campanillas", 36.7335, -4.5545, 2, 2),
            City("Marbella", 36.5101, -4.8825, 3, 2, (-80, 80)),
            City("Antequera", 37.0194, -4.5612, 4, 1),
            City("Vélez-Málaga", 36.7809, -4.1006, 3, 1, (-90, 90)),
            City("Fuengirola", 36.5397, -4.6247, 2, 1, (-150, 10)),
            City("Alhaurín de la Torre", 36.6640, -4.5610, 3, 1),
        ],
        "places": [
            "Costa del Sol", "del Guadalhorce", "de la Axarquía", "del Torcal", "de Antequera",
            "de Marbella", "del Sur", "Mediterráneo", "Málaga", "Guadalmedina", "de Campanillas", "Alborán",
        ],
        "adjectives": [
            ("Malagueño", "Malagueña", "Malagueños", "Malagueñas"),
            ("Andaluz", "Andaluza", "Andaluces", "Andaluzas"),
            ("Mediterráneo", "Mediterránea", "Mediterráneos", "Mediterráneas"),
            ("Antequerano", "Antequerana", "Antequeranos", "Antequeranas"),
            ("del Sur", "del Sur", "del Sur", "del Sur"),
        ],
        "investor_places": ["Costa del Sol", "Guadalhorce", "Axarquía", "Málaga", "Alborán", "Gibralfaro"],
    },
    Region.ALCALA: {
        "country": "ES", "style": "es", "area": "the Henares corridor",
        "cities": [
            City("Alcalá de Henares", 40.4818, -3.3643, 4, 4),
            City("Torrejón de Ardoz", 40.4554, -3.4697, 3, 2),
            City("Guadalajara", 40.6320, -3.1602, 3, 2),
            City("Coslada", 40.4238, -3.5613, 2, 1),
            City("Azuqueca de Henares", 40.5650, -3.2670, 2, 1),
            City("San Fernando de Henares", 40.4240, -3.5330, 2, 1),
            City("Madrid", 40.4168, -3.7038, 5, 1),
        ],
        "places": [
            "del Henares", "Corredor del Henares", "de la Alcarria", "del Jarama", "Complutum",
            "de Torrejón", "de Guadalajara", "Henares", "Castilla", "Centro", "de Meco", "del Tajuña",
        ],
        "adjectives": [
            ("Complutense", "Complutense", "Complutenses", "Complutenses"),
            ("Alcalaíno", "Alcalaína", "Alcalaínos", "Alcalaínas"),
            ("Alcarreño", "Alcarreña", "Alcarreños", "Alcarreñas"),
            ("Henarense", "Henarense", "Henarenses", "Henarenses"),
            ("Castellano", "Castellana", "Castellanos", "Castellanas"),
        ],
        "investor_places": ["Henares", "Alcarria", "Complutum", "Jarama", "Cisneros", "Tajuña"],
    },
    Region.BOLOGNA: {
        "country": "IT", "style": "it", "area": "the Bologna metropolitan area and Emilia",
        "cities": [
            City("Bologna", 44.4949, 11.3426, 5, 5),
            City("Imola", 44.3533, 11.7141, 3, 2),
            City("Modena", 44.6471, 10.9252, 4, 2),
            City("Casalecchio di Reno", 44.4757, 11.2746, 2, 1),
            City("San Lazzaro di Savena", 44.4708, 11.4040, 2, 1),
            City("Reggio Emilia", 44.6983, 10.6312, 3, 1),
            City("Ferrara", 44.8381, 11.6198, 3, 1),
        ],
        "places": [
            "del Reno", "del Santerno", "del Panaro", "della Bassa", "dell'Appennino", "di Casalecchio",
            "di Imola", "Felsina", "Valsamoggia", "Val di Setta", "Emilia", "della Via Emilia",
        ],
        "adjectives": [
            ("Emiliano", "Emiliana", "Emiliani", "Emiliane"),
            ("Bolognese", "Bolognese", "Bolognesi", "Bolognesi"),
            ("Imolese", "Imolese", "Imolesi", "Imolesi"),
            ("Modenese", "Modenese", "Modenesi", "Modenesi"),
            ("Felsineo", "Felsinea", "Felsinei", "Felsinee"),
            ("Padano", "Padana", "Padani", "Padane"),
        ],
        "investor_places": ["Felsina", "Emilia", "Reno", "Due Torri", "Appennino", "Santerno"],
    },
    Region.CORK: {
        "country": "IE", "style": "en", "area": "Cork city and county",
        "cities": [
            City("Cork", 51.8985, -8.4756, 5, 5),
            City("Mallow", 52.1390, -8.6451, 3, 2),
            City("Cobh", 51.8503, -8.2943, 1, 1),
            City("Carrigaline", 51.8117, -8.3986, 2, 1),
            City("Ringaskiddy", 51.8316, -8.3207, 1, 1),
            City("Little Island", 51.9066, -8.3536, 1, 1),
            City("Midleton", 51.9153, -8.1750, 2, 1),
            City("Ballincollig", 51.8879, -8.5920, 2, 1),
        ],
        "places": [
            "Cork", "Lee Valley", "Munster", "Blackwater", "Rebel", "Southern", "Harbour", "Atlantic",
            "Carrigaline", "Mallow", "Cobh", "Ringaskiddy", "Little Island", "Glanmire", "Ballincollig",
            "Kinsale", "Youghal", "Bandon", "Midleton", "Blarney", "Fermoy", "Shandon",
        ],
        "investor_places": ["Lee Valley", "Munster", "Blackwater", "Rebel", "Shandon", "Fastnet"],
    },
    Region.ISTANBUL: {
        "country": "TR", "style": "tr", "area": "Istanbul",
        "cities": [
            City("Kadıköy", 40.9903, 29.0290, 3, 3, (0, 120)),
            City("Tuzla", 40.8160, 29.3006, 3, 3, (-60, 60)),
            City("Başakşehir", 41.0930, 28.8020, 4, 3),
            City("Sarıyer", 41.1086, 29.0203, 2, 2, (-150, 20)),
            City("Ümraniye", 41.0256, 29.0963, 3, 2),
            City("Pendik", 40.8770, 29.2340, 2, 1, (-60, 60)),
            City("Beylikdüzü", 40.9820, 28.6400, 2, 1, (-70, 70)),
        ],
        "places": [
            "Anadolu", "Marmara", "Boğaziçi", "Tuzla", "İkitelli", "Kadıköy", "Haliç", "Yıldız", "Trakya",
            "Kartal", "Pendik", "Dudullu", "Çamlıca", "Galata", "Beylikdüzü", "Hadımköy", "Ataşehir",
            "Maslak",
        ],
        "investor_places": ["Boğaziçi", "Marmara", "Anadolu", "Galata", "Haliç", "Yıldız"],
    },
    Region.PARIS: {
        "country": "FR", "style": "fr", "area": "Paris and Île-de-France",
        "cities": [
            City("Paris", 48.8566, 2.3522, 5, 5),
            City("Saclay", 48.7310, 2.1700, 3, 2),
            City("Versailles", 48.8049, 2.1204, 3, 2),
            City("Massy", 48.7309, 2.2713, 2, 1),
            City("Saint-Denis", 48.9362, 2.3574, 2, 1),
            City("Nanterre", 48.8924, 2.2071, 2, 1),
            City("Évry-Courcouronnes", 48.6290, 2.4410, 3, 1),
            City("Noisy-le-Grand", 48.8487, 2.5526, 2, 1),
            City("Palaiseau", 48.7145, 2.2457, 2, 1),
        ],
        "places": [
            "de l'Île-de-France", "de la Seine", "de Saclay", "du Val-de-Marne", "de l'Essonne",
            "des Yvelines", "de la Bièvre", "de Versailles", "du Hurepoix", "de la Marne", "du Vexin",
            "de l'Ourcq", "de Massy", "du Plateau", "de Paris",
        ],
        "investor_places": ["Seine", "Lutèce", "Saclay", "Bièvre", "Île-de-France", "Vexin"],
    },
}

# The region "other": a few SMEs from elsewhere in Europe (one city per country).
ELSEWHERE = {
    "PT": City("Porto", 41.1579, -8.6291, 3, 1, (-20, 170)),
    "NL": City("Eindhoven", 51.4416, 5.4697, 4),
    "DE": City("Stuttgart", 48.7758, 9.1829, 4),
    "PL": City("Kraków", 50.0647, 19.9450, 4),
}

COUNTRIES = {
    # languages always spoken, languages some also speak, time zone, portal language of its people
    "ES": (["es", "en"], ["fr", "de", "ca", "ar"], "Europe/Madrid", "es"),
    "IT": (["it", "en"], ["de", "fr", "es"], "Europe/Rome", "it"),
    "IE": (["en"], ["ga", "fr", "de", "es"], "Europe/Dublin", "en"),
    "TR": (["tr", "en"], ["de", "ar", "fr"], "Europe/Istanbul", "tr"),
    "FR": (["fr", "en"], ["es", "de", "ar", "it"], "Europe/Paris", "fr"),
    "PT": (["pt", "en"], ["es", "fr"], "Europe/Lisbon", "en"),
    "NL": (["nl", "en"], ["de", "fr"], "Europe/Amsterdam", "en"),
    "DE": (["de", "en"], ["fr", "it"], "Europe/Berlin", "en"),
    "PL": (["pl", "en"], ["de"], "Europe/Warsaw", "en"),
}

# --- people ---------------------------------------------------------------------------------------

FIRST_NAMES = {
    "ES": "Lucía Sofía María Carmen Elena Paula Laura Marta Ana Isabel Alejandro Daniel Pablo Javier Carlos "
          "Manuel Antonio David Sergio Miguel Álvaro Raúl Jorge Irene Cristina Rocío Pilar Fernando Adrián "
          "Nerea",
    "IT": "Giulia Francesca Chiara Sara Martina Elena Alessandra Valentina Federica Silvia Marco Luca Matteo "
          "Alessandro Andrea Giovanni Davide Stefano Lorenzo Paolo Simone Riccardo Federico Roberta Elisa "
          "Michele Tommaso Giorgia Anna Fabio",
    "IE": "Aoife Siobhán Niamh Ciara Sinéad Orla Róisín Emma Sarah Claire Seán Cian Conor Darragh Eoin Liam "
          "Patrick Michael Declan Fiachra Diarmuid Brian Kevin Colm Dónal Méabh Gráinne Aisling Eimear "
          "Ruairí",
    "TR": "Elif Zeynep Ayşe Fatma Merve Büşra Selin Ece Deniz Esra Mehmet Mustafa Ahmet Emre Burak Can Kerem "
          "Onur Murat Serkan Hakan Oğuz Cem Barış Tolga Gökhan Ceren İrem Yasemin Defne",
    "FR": "Camille Léa Manon Chloé Inès Sarah Julie Claire Émilie Sophie Lucas Hugo Louis Thomas Nicolas "
          "Julien Antoine Mathieu Pierre Maxime Romain Guillaume Alexandre Clément Élodie Pauline Aurélie "
          "Marine Théo Baptiste",
    "PT": "João Ana Pedro Inês Rui Marta Tiago Sofia Beatriz Miguel",
    "NL": "Daan Sanne Lars Eva Bram Lotte Joris Femke Ruben Anouk",
    "DE": "Lukas Anna Jonas Lea Felix Laura Tobias Julia Jan Katharina",
    "PL": "Jakub Anna Piotr Katarzyna Tomasz Magdalena Michał Agnieszka Paweł Marta",
}
SURNAMES = {
    "ES": "García Martín López Sánchez Romero Navarro Ruiz Moreno Jiménez Torres Domínguez Vázquez Ortega "
          "Castillo Molina Delgado Serrano Blanco Medina Guerrero Cortés Rubio Márquez Ramos Herrera Aguilar "
          "Vega Campos Fuentes Carrasco Caballero Lozano Prieto Calvo Gallego Peña León Mora Santos Pastor",
    "IT": "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Mancini "
          "Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Galli "
          "Martini Leone Serra Zanetti Guidi Gualandi Montanari Righi Cavazza Bertocchi Malaguti Vandelli "
          "Mazzoni Tassinari",
    "IE": "Murphy O'Sullivan Walsh O'Brien McCarthy O'Connor Ryan O'Mahony Buckley Kelleher Crowley "
          "Fitzgerald Collins Barry Lynch O'Leary Sheehan Cronin Hurley Daly Coughlan O'Callaghan Kelly "
          "Keane Desmond Hegarty Forde Nagle Twomey Lehane",
    "TR": "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan "
          "Çetin Kara Koç Kurt Özkan Şimşek Polat Güneş Aksoy Acar Ateş Tekin Bulut Korkmaz Karaoğlu Eren",
    "FR": "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre "
          "Michel David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet "
          "François Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin "
          "Chevalier Gauthier",
    "PT": "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Fernandes",
    "NL": "Jansen Bakker Visser Smit Meijer Mulder Bos Vos Peters Hendriks",
    "DE": "Müller Schmidt Schneider Fischer Weber Wagner Becker Hoffmann Schäfer Koch",
    "PL": "Nowak Wójcik Kowalczyk Mazur Krawczyk Kaczmarek Zając Król Wieczorek Jabłoński",
}
FIRST_NAMES = {country: names.split() for country, names in FIRST_NAMES.items()}
SURNAMES = {country: names.split() for country, names in SURNAMES.items()}

# --- what organisations do ------------------------------------------------------------------------

# profile: (NACE codes, topics offered, what they make — for descriptions)
PROFILES = {
    "machining": (["C25.6", "C25", "C28.4"],
                  ["lean-manufacturing", "quality-testing", "cad-simulation", "additive-manufacturing"],
                  "precision-machined parts"),
    "automation": (["C28", "C33", "C27"],
                   ["automation-robotics", "industry-40-iot", "mechatronics", "embedded-systems"],
                   "automation and control systems"),
    "robotics": (["C28.9", "C28", "M71.1"],
                 ["automation-robotics", "mechatronics", "ai-machine-learning", "sensors"],
                 "robotic cells and handling systems"),
    "electronics": (["C26.1", "C26", "C27"],
                    ["embedded-systems", "microelectronics", "sensors", "industry-40-iot"],
                    "electronic boards and control units"),
    "fabrication": (["C25", "F43", "C33"],
                    ["lean-manufacturing", "quality-testing", "bim-construction", "advanced-materials"],
                    "steel structures and welded assemblies"),
    "foundry": (["C24", "C25"],
                ["advanced-materials", "circular-economy", "energy-efficiency", "quality-testing"],
                "aluminium and iron castings"),
    "tooling": (["C25", "C22", "C28.4"],
                ["cad-simulation", "additive-manufacturing", "product-design", "composites"],
                "moulds, dies and fixtures"),
    "energy": (["D35", "C27.1", "F43", "M71.1"],
               ["renewable-energy", "energy-efficiency", "batteries-storage", "hydrogen", "sustainability"],
               "energy and electrical installations"),
    "software": (["J62", "J63"],
                 ["software-engineering", "data-analytics", "ai-machine-learning", "digital-twins",
                  "cybersecurity"],
                 "industrial software"),
    "testing": (["M71.2", "C26.5"], ["quality-testing", "sensors", "data-analytics"],
                "measurement, testing and calibration services"),
    "materials": (["C22", "C20", "C23"],
                  ["composites", "advanced-materials", "nanotechnology", "circular-economy"],
                  "composite and polymer parts"),
    "hydraulics": (["C28.1", "C33"],
                   ["mechatronics", "energy-efficiency", "water-engineering", "quality-testing"],
                   "hydraulic and pneumatic systems"),
    "design": (["M71.1", "M74.1"], ["cad-simulation", "product-design", "bim-construction", "digital-twins"],
               "engineering design and simulation"),
    "laser": (["C26.5", "C26"], ["photonics", "additive-manufacturing", "sensors"],
              "laser cutting, welding and marking"),
    "coating": (["C25.6"], ["advanced-materials", "quality-testing", "energy-efficiency"],
                "heat treatment and surface coatings"),
    "marine": (["C30.1", "C33"], ["maritime", "composites", "electric-mobility"],
               "marine equipment and ship repair"),
    "aerospace": (["C30.3", "C25"], ["aerospace", "composites", "space", "quality-testing"],
                  "aerospace components"),
    "automotive": (["C29", "C28"],
                   ["electric-mobility", "mechatronics", "batteries-storage", "lean-manufacturing"],
                   "components for vehicles"),
    "medical": (["C32.5", "C26.5"], ["medical-devices", "quality-testing", "additive-manufacturing",
                                     "sensors"],
                "medical device components"),
    "packaging": (["C28.9"], ["automation-robotics", "mechatronics", "product-design", "industry-40-iot"],
                  "automatic packaging machines"),
    "water": (["E36", "E38", "M71.1"], ["water-engineering", "circular-economy", "sustainability"],
              "water treatment equipment"),
}

# What SMEs look for (business topics weigh more than technologies).
SME_NEEDS = [
    ("finance-funding", 6), ("export-internationalisation", 5), ("skills-training", 5), ("ip-patents", 3),
    ("tech-transfer", 4), ("supply-chain", 2), ("sustainability", 3), ("ai-machine-learning", 3),
    ("digital-twins", 2), ("cybersecurity", 2), ("data-analytics", 2), ("industry-40-iot", 3),
    ("energy-efficiency", 2), ("additive-manufacturing", 2), ("automation-robotics", 2), ("quality-testing",
                                                                                          1),
]
MARKETS = [
    "automotive", "aerospace", "food processing", "energy", "construction", "medical", "packaging", "rail",
    "shipbuilding", "agri-food", "pharmaceutical", "defence", "consumer goods", "water utilities",
]

# subtype: (NACE codes, topics offered, topics needed)
INTERMEDIARY_PROFILES = {
    Subtype.PUBLIC_BODY: (["M70.2"],
                          ["finance-funding", "export-internationalisation", "skills-training",
                           "smart-cities",
                           "sustainability"],
                          ["data-analytics", "skills-training", "tech-transfer", "industry-40-iot"]),
    Subtype.CLUSTER: (["M70.2", "M71"],
                      ["export-internationalisation", "supply-chain", "tech-transfer", "skills-training",
                       "industry-40-iot"],
                      ["finance-funding", "data-analytics", "sustainability"]),
    Subtype.CONSULTANCY: (["M70.2", "M71.1", "J62"],
                          ["lean-manufacturing", "finance-funding", "ip-patents",
                           "export-internationalisation",
                           "quality-testing", "sustainability", "cybersecurity"],
                          ["ai-machine-learning", "data-analytics", "skills-training"]),
    Subtype.INVESTOR: (["M70.2"], ["finance-funding"],
                       ["tech-transfer", "ip-patents", "export-internationalisation"]),
    Subtype.STUDENT: (["P85.4", "M72.1"],
                      ["product-design", "software-engineering", "automation-robotics", "skills-training",
                       "electric-mobility", "aerospace"],
                      ["finance-funding", "skills-training", "quality-testing", "additive-manufacturing"]),
    Subtype.OTHER: (["M72", "M74.1"],
                    ["additive-manufacturing", "product-design", "skills-training", "embedded-systems"],
                    ["finance-funding", "skills-training"]),
}
INVESTOR_FOCUS = ["batteries-storage", "hydrogen", "ai-machine-learning", "medical-devices", "space",
                  "renewable-energy", "automation-robotics", "photonics", "microelectronics"]
SUBTYPE_WEIGHTS = [(Subtype.PUBLIC_BODY, 22), (Subtype.CLUSTER, 18), (Subtype.CONSULTANCY, 28),
                   (Subtype.INVESTOR, 12), (Subtype.STUDENT, 12), (Subtype.OTHER, 8)]

# The twelve engineering disciplines of university units (each style names them in its language, in
# this order), and the topics each offers.
DISCIPLINE_TOPICS = [
    ["cad-simulation", "mechatronics", "product-design"],
    ["energy-efficiency", "renewable-energy", "electric-mobility"],
    ["embedded-systems", "microelectronics", "sensors"],
    ["automation-robotics", "industry-40-iot", "mechatronics"],
    ["advanced-materials", "composites", "nanotechnology"],
    ["circular-economy", "water-engineering", "sustainability"],
    ["software-engineering", "ai-machine-learning", "data-analytics", "cybersecurity"],
    ["industry-40-iot", "embedded-systems", "cybersecurity"],
    ["aerospace", "space", "composites"],
    ["renewable-energy", "hydrogen", "batteries-storage"],
    ["additive-manufacturing", "product-design", "advanced-materials"],
    ["lean-manufacturing", "supply-chain", "quality-testing"],
]
BUSINESS_TOPICS = {"finance-funding", "export-internationalisation", "skills-training", "ip-patents",
                   "tech-transfer", "supply-chain", "sustainability"}
HEI_NEEDS = ["finance-funding", "ip-patents", "export-internationalisation", "data-analytics",
             "sustainability",
             "skills-training"]
STUDENT_TEAMS = ["Robotics Team", "Racing Team", "Rocket Team", "Drone Team", "Solar Car Team",
                 "Hyperloop Team"]

# --- how names are made, per language --------------------------------------------------------------
# SME patterns fill {act} (an activity: (words, gender/number for {adj}, profile)), {place}, {adj},
# {surname}/{surname2}, {qual} and {brand}; intermediaries' patterns also {town}/{de_town}, {theme},
# {inv} (an investor's place word), {parent} (a university's short name), {discipline} and {team}.

STYLES = {
    "es": {
        "activities": [
            ("Mecanizados", "mp", "machining"), ("Talleres Mecánicos", "mp", "machining"),
            ("Ingeniería", "fs", "design"), ("Automatismos", "mp", "automation"),
            ("Estructuras Metálicas", "fp", "fabrication"), ("Calderería", "fs", "fabrication"),
            ("Soluciones Industriales", "fp", "automation"), ("Montajes Eléctricos", "mp", "energy"),
            ("Fundiciones", "fp", "foundry"), ("Matricería", "fs", "tooling"),
            ("Moldes y Troqueles", "mp", "tooling"), ("Electrónica", "fs", "electronics"),
            ("Sistemas de Control", "mp", "automation"), ("Tecnologías Láser", "fp", "laser"),
            ("Robótica", "fs", "robotics"), ("Hidráulica", "fs", "hydraulics"),
            ("Tratamientos Térmicos", "mp", "coating"), ("Proyectos Industriales", "mp", "design"),
            ("Energías Renovables", "fp", "energy"), ("Metrología", "fs", "testing"),
            ("Composites", "mp", "materials"), ("Software Industrial", "ms", "software"),
            ("Instalaciones Térmicas", "fp", "energy"), ("Utillajes", "mp", "tooling"),
            ("Ingeniería Naval", "fs", "marine"), ("Aeronáutica", "fs", "aerospace"),
            ("Tecnología Médica", "fs", "medical"), ("Tratamiento de Aguas", "ms", "water"),
        ],
        "patterns": [("{act} {place}", 30), ("{act} {adj}", 15), ("{act} {surname}", 25), ("{brand} {place}",
                                                                                           10),
                     ("{surname} y {surname2} {act}", 20)],
        "brand": (["Tecni", "Indu", "Meca", "Electro", "Hidro", "Auto", "Metal", "Inge", "Proto", "Termo",
                   "Robo"],
                  ["mec", "tec", "sur", "tronic", "form", "plast", "lab", "sis", "ner"]),
        "legal": [("S.L.", 70), ("S.A.", 12), ("S.L.U.", 10), ("S.L.L.", 4), ("S. Coop.", 4)],
        "intermediaries": {
            Subtype.PUBLIC_BODY: ["Agencia de Desarrollo Local de {town}",
                                  "Centro de Empresas e Innovación de {town}",
                                  "Vivero de Empresas de {town}"],
            Subtype.CLUSTER: ["Clúster de {theme} {place}", "Asociación de Empresas de {theme} {place}"],
            Subtype.CONSULTANCY: ["{surname} Consultores", "{surname} Asesores Industriales",
                                  "{surname} y {surname2} Consultores", "Consultoría Tecnológica {place}",
                                  "{brand} Consulting"],
            Subtype.INVESTOR: ["{inv} Ventures", "{inv} Capital", "Capital Semilla {inv}",
                               "Business Angels {inv}",
                               "{inv} Tech Fund", "Inversiones {inv}"],
            Subtype.STUDENT: ["Asociación de Estudiantes de {discipline} ({parent})", "{parent} {team}"],
            Subtype.OTHER: ["FabLab {town}", "Fundación {inv} para la Innovación", "Espacio Maker {town}"],
        },
        "themes": ["Fabricación Avanzada", "Automoción", "Energía", "Aeronáutica", "Industria 4.0",
                   "Robótica",
                   "Tecnologías del Agua", "Movilidad Eléctrica", "Tecnologías Marinas",
                   "Materiales Avanzados"],
        "units": ["Departamento de {d}", "Grupo de Investigación en {d}", "Laboratorio de {d}",
                  "Cátedra de {d}"],
        "unit_separator": " – ",
        "disciplines": ["Ingeniería Mecánica", "Ingeniería Eléctrica", "Tecnología Electrónica",
                        "Ingeniería de Sistemas y Automática", "Ingeniería de Materiales",
                        "Ingeniería Química",
                        "Ciencias de la Computación", "Ingeniería de Comunicaciones",
                        "Ingeniería Aeroespacial",
                        "Energías Renovables", "Fabricación Aditiva", "Organización Industrial"],
    },
    "it": {
        "activities": [
            ("Officine Meccaniche", "fp", "machining"), ("Meccanica", "fs", "machining"),
            ("Meccanica di Precisione", "fs", "machining"), ("Costruzioni Meccaniche", "fp", "fabrication"),
            ("Automazioni", "fp", "automation"), ("Oleodinamica", "fs", "hydraulics"),
            ("Carpenterie Metalliche", "fp", "fabrication"), ("Stampi", "mp", "tooling"),
            ("Fonderie", "fp", "foundry"), ("Elettronica", "fs", "electronics"), ("Impianti", "mp", "energy"),
            ("Tecnologie Laser", "fp", "laser"), ("Robotica", "fs", "robotics"),
            ("Minuterie Metalliche", "fp", "machining"), ("Ingranaggi", "mp", "machining"),
            ("Trattamenti Termici", "mp", "coating"), ("Macchine Automatiche", "fp", "packaging"),
            ("Sistemi di Misura", "mp", "testing"), ("Compositi", "mp", "materials"),
            ("Progettazione Industriale", "fs", "design"), ("Motoristica", "fs", "automotive"),
            ("Elettromeccanica", "fs", "electronics"), ("Software Industriale", "ms", "software"),
            ("Ingegneria", "fs", "design"), ("Dispositivi Medicali", "mp", "medical"),
        ],
        "patterns": [("{act} {place}", 20), ("{act} {adj}", 15), ("{act} {surname}", 25), ("{brand} {place}",
                                                                                           10),
                     ("{surname} & {surname2} {act}", 20), ("{act} F.lli {surname}", 10)],
        "brand": (["Tecno", "Mecc", "Elettro", "Idro", "Auto", "Metal", "Proget", "Termo", "Robo", "Omni",
                   "Flex"],
                  ["mecc", "tec", "form", "tronic", "sistem", "stampi", "lab", "tech", "mat"]),
        "legal": [("S.r.l.", 70), ("S.p.A.", 10), ("S.n.c.", 8), ("S.r.l.s.", 6), ("S.a.s.", 6)],
        "intermediaries": {
            Subtype.PUBLIC_BODY: ["Agenzia per lo Sviluppo di {town}", "Sportello Impresa di {town}",
                                  "Incubatore d'Impresa di {town}"],
            Subtype.CLUSTER: ["Cluster {theme} {place}", "Rete d'Imprese {theme} {place}"],
            Subtype.CONSULTANCY: ["Studio {surname} & Associati", "{surname} Consulting",
                                  "{surname} Consulenze Industriali", "{surname} & {surname2} Consulenti",
                                  "{brand} Consulting"],
            Subtype.INVESTOR: ["{inv} Ventures", "{inv} Capital", "{inv} Venture Capital",
                               "Business Angels {inv}",
                               "Fondo {inv} Innovazione"],
            Subtype.STUDENT: ["Associazione Studenti di {discipline} ({parent})", "{parent} {team}"],
            Subtype.OTHER: ["FabLab {town}", "Fondazione {inv} per l'Innovazione", "Spazio Maker {town}"],
        },
        "themes": ["Meccatronica", "Packaging", "Automotive", "Energia", "Manifattura Additiva", "Robotica",
                   "Materiali Avanzati", "Idrogeno", "Mobilità Elettrica", "Biomedicale"],
        "units": ["Dipartimento di {d}", "Laboratorio di {d}", "Gruppo di Ricerca in {d}",
                  "Centro di Ricerca in {d}"],
        "unit_separator": " – ",
        "disciplines": ["Ingegneria Meccanica", "Ingegneria Elettrica", "Elettronica",
                        "Automatica e Robotica",
                        "Ingegneria dei Materiali", "Ingegneria Chimica e di Processo", "Informatica",
                        "Telecomunicazioni", "Ingegneria Aerospaziale", "Energie Rinnovabili",
                        "Manifattura Additiva", "Ingegneria Gestionale"],
    },
    "en": {
        "activities": [
            ("Tooling", "", "tooling"), ("Engineering", "", "design"), ("Automation", "", "automation"),
            ("Fabrication", "", "fabrication"), ("Machining", "", "machining"), ("Controls", "",
                                                                                 "automation"),
            ("Robotics", "", "robotics"), ("Instruments", "", "testing"), ("Systems", "", "electronics"),
            ("Composites", "", "materials"), ("Electronics", "", "electronics"), ("Hydraulics", "",
                                                                                  "hydraulics"),
            ("Design", "", "design"), ("Metrology", "", "testing"), ("Castings", "", "foundry"),
            ("Sheet Metal", "", "fabrication"), ("Welding", "", "fabrication"), ("Power Systems", "",
                                                                                 "energy"),
            ("Marine Engineering", "", "marine"), ("Medical Devices", "", "medical"), ("Software", "",
                                                                                       "software"),
            ("Environmental Engineering", "", "water"), ("Process Engineering", "", "design"),
            ("Moulding", "", "tooling"), ("Coatings", "", "coating"),
        ],
        "patterns": [("{place} {qual} {act}", 40), ("{place} {act}", 15), ("{surname} {act}", 25),
                     ("{surname} & {surname2} {act}", 20)],
        "qualifiers": ["Precision", "Advanced", "Industrial", "Integrated", "Applied", "Digital", "Smart",
                       "Bespoke", "Technical"],
        "brand": (["Tech", "Meca", "Pro", "Volt", "Hydro", "Auto", "Metal", "Proto", "Therm", "Opti"],
                  ["tek", "form", "tronics", "works", "lab", "sys", "fab", "line"]),
        "legal": [("Ltd", 70), ("Limited", 15), ("DAC", 10), ("Teo.", 5)],
        "intermediaries": {
            Subtype.PUBLIC_BODY: ["{town} Enterprise Centre", "{town} Development Office",
                                  "{town} Innovation Centre"],
            Subtype.CLUSTER: ["{place} {theme} Cluster", "{place} {theme} Network"],
            Subtype.CONSULTANCY: ["{surname} Consulting", "{surname} & {surname2} Associates",
                                  "{place} Innovation Partners", "{surname} Engineering Advisory",
                                  "{brand} Consulting"],
            Subtype.INVESTOR: ["{inv} Ventures", "{inv} Capital", "{inv} Seed Fund", "{inv} Angels",
                               "{inv} Capital Partners"],
            Subtype.STUDENT: ["{parent} {discipline} Society", "{parent} {team}"],
            Subtype.OTHER: ["{town} Makerspace", "{town} Innovation Hub", "{place} Fab Lab"],
        },
        "themes": ["Advanced Manufacturing", "MedTech", "Marine Technology", "Energy", "Robotics",
                   "Digital Manufacturing", "Offshore Wind", "Materials", "Pharma Engineering",
                   "Electronics"],
        "units": ["Department of {d}", "{d} Research Group", "{d} Laboratory", "Centre for {d}"],
        "unit_separator": ", ",
        "disciplines": ["Mechanical Engineering", "Electrical Engineering", "Electronics",
                        "Automation and Robotics",
                        "Materials Engineering", "Process and Chemical Engineering", "Computer Science",
                        "Telecommunications", "Aerospace Engineering", "Renewable Energy",
                        "Additive Manufacturing",
                        "Engineering Management"],
    },
    "tr": {
        "activities": [
            ("Mühendislik", "", "design"), ("Makina", "", "machining"), ("Otomasyon", "", "automation"),
            ("Kalıp", "", "tooling"), ("Metal", "", "fabrication"), ("Elektronik", "", "electronics"),
            ("Döküm", "", "foundry"), ("Talaşlı İmalat", "", "machining"), ("Hidrolik", "", "hydraulics"),
            ("Robotik", "", "robotics"), ("Enerji Sistemleri", "", "energy"),
            ("Savunma Teknolojileri", "", "aerospace"), ("Ölçüm Sistemleri", "", "testing"),
            ("Kompozit", "", "materials"), ("Yazılım", "", "software"), ("Isıl İşlem", "", "coating"),
            ("Sac Metal", "", "fabrication"), ("Denizcilik", "", "marine"), ("Medikal", "", "medical"),
            ("Otomotiv", "", "automotive"), ("Lazer Teknolojileri", "", "laser"),
            ("Çevre Teknolojileri", "", "water"),
        ],
        "patterns": [("{place} {qual} {act}", 35), ("{place} {act}", 15), ("{surname} {act}", 25),
                     ("{surname} {qual} {act}", 25)],
        "qualifiers": ["Hassas", "Endüstriyel", "İleri", "Teknik", "Akıllı", "Dijital", "Yüksek Teknoloji",
                       "Entegre"],
        "brand": (["Tekno", "Meka", "Elektro", "Hidro", "Oto", "Metal", "Proto", "Termo", "Robo"],
                  ["tek", "form", "tronik", "sis", "lab", "mak"]),
        "legal": [("A.Ş.", 35), ("Ltd. Şti.", 30), ("San. ve Tic. A.Ş.", 20), ("San. ve Tic. Ltd. Şti.", 15)],
        "intermediaries": {
            Subtype.PUBLIC_BODY: ["{town} Belediyesi Girişimcilik Merkezi", "{town} İş Geliştirme Merkezi",
                                  "{town} Kuluçka Merkezi"],
            Subtype.CLUSTER: ["{place} {theme} Kümelenmesi", "{place} {theme} Platformu"],
            Subtype.CONSULTANCY: ["{surname} Danışmanlık", "{surname} Mühendislik Danışmanlık",
                                  "{place} Proje ve Danışmanlık", "{surname} & {surname2} Danışmanlık",
                                  "{brand} Danışmanlık"],
            Subtype.INVESTOR: ["{inv} Ventures", "{inv} Girişim Sermayesi", "{inv} Capital",
                               "{inv} Melek Yatırımcı Ağı", "{inv} Teknoloji Fonu"],
            Subtype.STUDENT: ["{parent} {discipline} Kulübü", "{parent} {team}"],
            Subtype.OTHER: ["{town} Tasarım Atölyesi", "{town} İnovasyon Merkezi", "{place} Fablab"],
        },
        "themes": ["Makina", "Savunma ve Havacılık", "Otomotiv", "Enerji", "Robotik", "Kalıp", "Denizcilik",
                   "Elektronik", "Medikal", "Kompozit"],
        # Istanbul's universities name their departments in English.
        "units": ["Department of {d}", "{d} Research Group", "{d} Laboratory", "Centre for {d}"],
        "unit_separator": ", ",
        "disciplines": ["Mechanical Engineering", "Electrical Engineering", "Electronics",
                        "Control and Automation",
                        "Materials Engineering", "Chemical Engineering", "Computer Engineering",
                        "Telecommunications", "Aeronautical Engineering", "Energy Systems",
                        "Additive Manufacturing", "Industrial Engineering"],
        "student_disciplines": ["Makine", "Elektrik-Elektronik", "Robotik", "Otomotiv", "Havacılık ve Uzay",
                                "Yapay Zekâ", "Enerji", "Malzeme", "Endüstri Mühendisliği", "Girişimcilik"],
    },
    "fr": {
        "activities": [
            ("Ateliers Mécaniques", "", "machining"), ("Mécanique de Précision", "", "machining"),
            ("Usinage", "", "machining"), ("Chaudronnerie", "", "fabrication"), ("Automatismes", "",
                                                                                 "automation"),
            ("Électronique Industrielle", "", "electronics"), ("Ingénierie", "", "design"),
            ("Systèmes Embarqués", "", "electronics"), ("Tôlerie", "", "fabrication"),
            ("Décolletage", "", "machining"), ("Outillage", "", "tooling"),
            ("Traitements Thermiques", "", "coating"), ("Robotique", "", "robotics"),
            ("Métrologie", "", "testing"), ("Optique et Lasers", "", "laser"), ("Composites", "",
                                                                                "materials"),
            ("Hydraulique", "", "hydraulics"), ("Fonderie", "", "foundry"),
            ("Thermique Industrielle", "", "energy"), ("Logiciels Industriels", "", "software"),
            ("Dispositifs Médicaux", "", "medical"), ("Aéronautique", "", "aerospace"),
            ("Mécatronique", "", "automation"), ("Bureau d'Études", "", "design"),
        ],
        "patterns": [("{act} {place}", 30), ("{act} {surname}", 25), ("Établissements {surname}", 8),
                     ("{brand}", 12), ("{surname}-{surname2} {act}", 25)],
        "brand": (["Méca", "Techni", "Électro", "Hydro", "Auto", "Métal", "Proto", "Thermi", "Opti", "Ingé"],
                  ["tec", "form", "pro", "sys", "lab", "meca", "tronic", "concept"]),
        "legal": [("SAS", 55), ("SARL", 25), ("SA", 8), ("SASU", 12)],
        "intermediaries": {
            Subtype.PUBLIC_BODY: ["Agence de Développement Économique {de_town}",
                                  "Maison de l'Entreprise {de_town}",
                                  "Pépinière d'Entreprises {de_town}"],
            Subtype.CLUSTER: ["Cluster {theme} {place}", "Pôle {theme} {place}"],
            Subtype.CONSULTANCY: ["Cabinet {surname}", "{surname} Conseil", "{surname} & Associés",
                                  "Conseil Industriel {place}", "{brand} Conseil"],
            Subtype.INVESTOR: ["{inv} Ventures", "{inv} Capital", "{inv} Amorçage",
                               "Réseau d'Investisseurs {inv}"],
            Subtype.STUDENT: ["Association des Étudiants en {discipline} ({parent})",
                              "Junior-Entreprise {parent}",
                              "{parent} {team}"],
            Subtype.OTHER: ["Fablab {de_town}", "Tiers-Lieu Industriel {de_town}",
                            "Atelier Partagé {de_town}"],
        },
        "themes": ["Mécatronique", "Aéronautique", "Fabrication Additive", "Énergie", "Robotique", "Optique",
                   "Matériaux", "Mobilité Électrique", "Industrie du Futur", "Électronique"],
        "units": ["Laboratoire {de_d}", "Département {de_d}", "Équipe de Recherche en {d}", "Chaire {d}"],
        "unit_separator": " – ",
        "disciplines": ["Génie Mécanique", "Génie Électrique", "Électronique", "Automatique et Robotique",
                        "Science des Matériaux", "Génie des Procédés", "Informatique", "Télécommunications",
                        "Aéronautique et Espace", "Énergies Renouvelables", "Fabrication Additive",
                        "Génie Industriel"],
    },
}

# SMEs elsewhere: (activities as (words, profile), places, patterns, legal forms)
ELSEWHERE_STYLES = {
    "PT": ([("Metalomecânica", "fabrication"), ("Engenharia", "design"), ("Automação", "automation"),
            ("Moldes", "tooling"), ("Maquinaria", "machining"), ("Eletrónica", "electronics")],
           ["do Norte", "do Douro", "da Maia", "de Matosinhos", "do Porto", "de Gaia"],
           [("{act} {place}", 50), ("{surname} {act}", 30), ("{surname} & {surname2} {act}", 20)],
           [("Lda.", 80), ("S.A.", 20)]),
    "NL": ([("Precisie", "machining"), ("Mechatronica", "automation"), ("Techniek", "design"),
            ("Automatisering", "automation"), ("Engineering", "design"), ("Systems", "electronics")],
           ["Brabant", "Kempen", "Dommel", "Veldhoven", "Eindhoven", "Strijp"],
           [("{place} {act}", 50), ("{surname} {act}", 30), ("{surname} & {surname2} {act}", 20)],
           [("B.V.", 100)]),
    "DE": ([("Feinmechanik", "machining"), ("Maschinenbau", "machining"), ("Präzisionstechnik", "machining"),
            ("Automation", "automation"), ("Antriebstechnik", "automotive"), ("Messtechnik", "testing")],
           ["Neckar", "Filder", "Rems", "Schwaben", "Stuttgarter", "Fils"],
           [("{place} {act}", 40), ("{surname} {act}", 40), ("{surname} & {surname2} {act}", 20)],
           [("GmbH", 80), ("GmbH & Co. KG", 20)]),
    "PL": ([("Precyzja", "machining"), ("Automatyka", "automation"), ("Mechanika", "machining"),
            ("Inżynieria", "design"), ("Elektronika", "electronics"), ("Odlewnia", "foundry")],
           ["Wisła", "Kraków", "Nowa Huta", "Małopolska", "Wawel", "Podgórze"],
           [("{act} {place}", 50), ("{surname} {act}", 30), ("{surname} & {surname2} {act}", 20)],
           [("Sp. z o.o.", 100)]),
}

# --- the real ones ---------------------------------------------------------------------------------

# The universities of each region: (name, short name, city, latitude, longitude, founded, whether demo
# departments and labs belong to it). Málaga's and Bologna's first ones are the demo accounts'.
REAL_HEIS = {
    Region.MALAGA: [
        ("Universidad de Málaga", "UMA", "Málaga", 36.7160, -4.4710, 1972, True),
        ("Escuela de Ingenierías Industriales – Universidad de Málaga", "UMA", "Málaga", 36.7170, -4.4780,
         None, False),
        ("Escuela Técnica Superior de Ingeniería Informática – Universidad de Málaga", "UMA", "Málaga",
         36.7156, -4.4770, None, False),
        ("Escuela Técnica Superior de Ingeniería de Telecomunicación – Universidad de Málaga", "UMA",
         "Málaga",
         36.7190, -4.4785, None, False),
        ("Universidad Internacional de Andalucía – Sede Tecnológica de Málaga", "UNIA", "Campanillas",
         36.7350, -4.5570, 1994, False),
        ("Andalucía Tech", "", "Málaga", 36.7150, -4.4690, None, False),
    ],
    Region.ALCALA: [
        ("Universidad de Alcalá", "UAH", "Alcalá de Henares", 40.4820, -3.3630, 1499, True),
        ("Escuela Politécnica Superior – Universidad de Alcalá", "UAH", "Alcalá de Henares", 40.5130, -3.3490,
         None, False),
        ("Campus de Guadalajara – Universidad de Alcalá", "UAH", "Guadalajara", 40.6280, -3.1650, None,
         False),
        ("Universidad Politécnica de Madrid", "UPM", "Madrid", 40.4480, -3.7170, 1971, True),
        ("Universidad Carlos III de Madrid", "UC3M", "Leganés", 40.3320, -3.7660, 1989, True),
        ("Universidad Rey Juan Carlos", "URJC", "Móstoles", 40.3350, -3.8770, 1996, True),
    ],
    Region.BOLOGNA: [
        ("Università di Bologna", "UNIBO", "Bologna", 44.4966, 11.3524, 1088, True),
        ("Scuola di Ingegneria – Università di Bologna", "UNIBO", "Bologna", 44.4880, 11.3290, None, False),
        ("Università degli Studi di Modena e Reggio Emilia", "UNIMORE", "Modena", 44.6460, 10.9250, 1175,
         True),
        ("Dipartimento di Ingegneria «Enzo Ferrari» – Università di Modena e Reggio Emilia", "UNIMORE",
         "Modena",
         44.6295, 10.9480, None, False),
        ("Università degli Studi di Ferrara", "UNIFE", "Ferrara", 44.8350, 11.6200, 1391, True),
        ("ITS Maker", "", "Bologna", 44.5000, 11.3200, None, False),
    ],
    Region.CORK: [
        ("University College Cork", "UCC", "Cork", 51.8930, -8.4920, 1845, True),
        ("Munster Technological University", "MTU", "Cork", 51.8850, -8.5340, 2021, True),
        ("Tyndall National Institute", "Tyndall", "Cork", 51.8990, -8.4870, 2004, False),
        ("School of Engineering and Architecture, University College Cork", "UCC", "Cork", 51.8932, -8.4910,
         None, False),
        ("MaREI Centre, University College Cork", "MaREI", "Ringaskiddy", 51.8320, -8.3270, None, False),
        ("Nimbus Research Centre, Munster Technological University", "MTU", "Cork", 51.8855, -8.5330, None,
         False),
    ],
    Region.ISTANBUL: [
        ("Istanbul Technical University", "İTÜ", "Sarıyer", 41.1055, 29.0250, 1773, True),
        ("Boğaziçi University", "BOUN", "Beşiktaş", 41.0839, 29.0510, 1863, True),
        ("Yıldız Technical University", "YTÜ", "Esenler", 41.0260, 28.8900, 1911, True),
        ("Sabancı University", "SU", "Tuzla", 40.8913, 29.3787, 1994, True),
        ("Koç University", "KU", "Sarıyer", 41.2050, 29.0730, 1993, True),
        ("Özyeğin University", "ÖzÜ", "Çekmeköy", 41.0320, 29.2590, 2007, True),
        ("Marmara University", "MÜ", "Kadıköy", 40.9870, 29.0530, 1883, True),
    ],
    Region.PARIS: [
        ("Sorbonne Université", "SU", "Paris", 48.8467, 2.3566, 2018, True),
        ("Arts et Métiers", "ENSAM", "Paris", 48.8345, 2.3580, 1780, True),
        ("CentraleSupélec", "CS", "Gif-sur-Yvette", 48.7090, 2.1660, 2015, True),
        ("Université Paris-Saclay", "UPSaclay", "Orsay", 48.7000, 2.1760, 2019, True),
        ("École polytechnique", "X", "Palaiseau", 48.7133, 2.2090, 1794, True),
        ("Conservatoire national des arts et métiers", "Cnam", "Paris", 48.8669, 2.3552, 1794, True),
        ("ESIEE Paris", "ESIEE", "Noisy-le-Grand", 48.8390, 2.5860, 1904, True),
        ("Université de Versailles Saint-Quentin-en-Yvelines", "UVSQ", "Versailles", 48.8080, 2.1350, 1991,
         True),
    ],
}

# Chambers of commerce, public agencies and clusters of each region:
# (name, short name, subtype, city, latitude, longitude, founded).
ANCHORS = {
    Region.MALAGA: [
        ("Cámara de Comercio de Málaga", "Cámara Málaga", Subtype.PUBLIC_BODY, "Málaga", 36.7195, -4.4200,
         None),
        ("Parque Tecnológico de Andalucía", "PTA", Subtype.CLUSTER, "Campanillas", 36.7360, -4.5560, 1992),
    ],
    Region.ALCALA: [
        ("Cámara Oficial de Comercio, Industria y Servicios de Madrid", "Cámara de Madrid",
         Subtype.PUBLIC_BODY,
         "Madrid", 40.4240, -3.6900, None),
        ("Cámara de Comercio e Industria de Guadalajara", "Cámara Guadalajara", Subtype.PUBLIC_BODY,
         "Guadalajara", 40.6310, -3.1650, None),
    ],
    Region.BOLOGNA: [
        ("Camera di Commercio di Bologna", "CCIAA Bologna", Subtype.PUBLIC_BODY, "Bologna", 44.4930, 11.3460,
         None),
        ("Clust-ER Meccatronica e Motoristica", "Clust-ER MECH", Subtype.CLUSTER, "Bologna", 44.5130,
         11.3410, None),
        ("ART-ER Attrattività Ricerca Territorio", "ART-ER", Subtype.PUBLIC_BODY, "Bologna", 44.5000,
         11.3560, None),
    ],
    Region.CORK: [
        ("Cork Chamber", "", Subtype.PUBLIC_BODY, "Cork", 51.8990, -8.4690, None),
        ("Local Enterprise Office Cork City", "LEO Cork City", Subtype.PUBLIC_BODY, "Cork", 51.8970, -8.4700,
         None),
    ],
    Region.ISTANBUL: [
        ("İstanbul Ticaret Odası", "İTO", Subtype.PUBLIC_BODY, "Eminönü", 41.0150, 28.9720, None),
        ("İstanbul Sanayi Odası", "İSO", Subtype.PUBLIC_BODY, "Beyoğlu", 41.0330, 28.9750, None),
        ("İTÜ ARI Teknokent", "ARI Teknokent", Subtype.CLUSTER, "Sarıyer", 41.1040, 29.0200, None),
    ],
    Region.PARIS: [
        ("CCI Paris Île-de-France", "CCI Paris IDF", Subtype.PUBLIC_BODY, "Paris", 48.8740, 2.3010, None),
        ("Systematic Paris-Region", "Systematic", Subtype.CLUSTER, "Paris", 48.8700, 2.3400, None),
    ],
}

# The first SME of each region: (name without legal form, legal form, profile, city). Málaga's is the one
# whose admin is sme@example.org.
FLAGSHIPS = {
    Region.MALAGA: ("Mecanizados Costa del Sol", "S.L.", "machining", "Málaga"),
    Region.ALCALA: ("Talleres Mecánicos del Henares", "S.L.", "machining", "Alcalá de Henares"),
    Region.BOLOGNA: ("Officine Meccaniche Emiliane", "S.r.l.", "machining", "Bologna"),
    Region.CORK: ("Cork Precision Tooling", "Ltd", "tooling", "Cork"),
    Region.ISTANBUL: ("Anadolu Hassas Mühendislik", "A.Ş.", "design", "Tuzla"),
    Region.PARIS: ("Ateliers Mécaniques de l'Île-de-France", "SAS", "machining", "Paris"),
}

SME_ACCOUNT = ("sme@example.org", "Sofía Martín", "es", "Europe/Madrid")
HEI_ACCOUNT = ("hei@example.org", "Giulia Romano", "it", "Europe/Rome")
MEMBER_EMAIL = "member@example.org"  # from accounts.demo: a member of sme@'s SME

# fmt: on


# --- the plan: everything drawn from the generator, before the database is touched -------------------


@dataclass
class Person:
    full_name: str
    email: str
    role: str
    language: str
    time_zone: str
    joined_days_ago: float


@dataclass
class Spec:
    kind: str
    region: str
    name: str
    short_name: str
    slug: str
    country: str
    city: str
    latitude: Decimal
    longitude: Decimal
    profile: str = ""
    subtype: str = ""
    size_band: str = ""
    founded_year: int | None = None
    website: str = ""
    languages: list = field(default_factory=list)
    description: str = ""
    visibility: dict = field(default_factory=default_visibility)
    is_verified: bool = False
    sectors: list = field(default_factory=list)
    topics_offered: list = field(default_factory=list)
    topics_needed: list = field(default_factory=list)
    created_days_ago: float = 0.0
    people: list = field(default_factory=list)
    extra_memberships: list = field(default_factory=list)  # (email, role) of people of other organisations
    special: str = ""  # "sme" / "hei": gets a demo account as its admin
    real: bool = False  # a real university, chamber or cluster (REAL_HEIS, ANCHORS)


@dataclass
class Plan:
    organisations: list
    interactions: list  # (source_ref, kind, days_ago, [slugs], description)
    sme_slug: str | None
    hei_slug: str | None


def _weighted(rng, pairs):
    """One value of [(value, weight), …], drawn by weight."""
    x = rng.random() * sum(weight for _, weight in pairs)
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def _some(rng, pool, low=1, high=4):
    """1–4 (or low–high) distinct items of ``pool``, in the pool's order."""
    pool = list(dict.fromkeys(pool))
    if not pool:
        return []
    k = rng.randint(min(low, len(pool)), min(high, len(pool)))
    chosen = set(rng.sample(range(len(pool)), k))
    return [item for i, item in enumerate(pool) if i in chosen]


_TRANSLITERATE = str.maketrans(
    {"ı": "i", "İ": "I", "ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe"}
)


def _slug_text(text):
    return slugify(text.translate(_TRANSLITERATE))


@functools.lru_cache(maxsize=4096)
def _ascii(text):
    return re.sub(r"[^a-z0-9]+", "", fold(text.translate(_TRANSLITERATE)))


def _de(text):
    """French "de" with elision: "d'Évry", "de Massy"."""
    if text[:1] and fold(text[:1]) in "aeiouy":
        return f"d'{text}"
    return f"de {text}"


def _lower_first(text):
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


def _listing(items):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _jitter(rng, city):
    distance = city.radius_km * math.sqrt(rng.random())
    low, high = city.bearings
    bearing = math.radians(rng.uniform(low, high))
    lat = city.lat + distance * math.cos(bearing) / 110.574
    lon = city.lon + distance * math.sin(bearing) / (111.320 * math.cos(math.radians(city.lat)))
    return Decimal(f"{lat:.5f}"), Decimal(f"{lon:.5f}")


def _city_named(name, cities):
    """The city whose name is in ``name`` (the longest: "Vélez-Málaga" rather than "Málaga"), if any."""
    named = [city for city in cities if city.name in name]
    return max(named, key=lambda city: len(city.name)) if named else None


def _exact(lat, lon):
    return Decimal(f"{lat:.5f}"), Decimal(f"{lon:.5f}")


class Planner:
    """Draws the demo set from ``rng``: names, places, profiles, people and interactions."""

    def __init__(self, rng, topic_names):
        self.rng = rng
        self.topic_names = topic_names  # slug -> name, for descriptions
        self.last_values = {}  # what _fill put in the last name
        self.names = set()  # folded names without legal form: "Mecanizados Costa del Sol" once only
        self.slugs = set(RESERVED_SLUGS)
        self.domains = set()
        self.emails = set()
        for flagship in FLAGSHIPS.values():
            self.names.add(fold(flagship[0]))
        for entries in REAL_HEIS.values():
            self.names.update(fold(entry[0]) for entry in entries)
        for entries in ANCHORS.values():
            self.names.update(fold(entry[0]) for entry in entries)

    # names -----------------------------------------------------------------------------------------

    def _unique(self, make, tries=40):
        """A name from ``make() -> (core, legal, extra)`` not used before, or None after ``tries``."""
        for _ in range(tries):
            core, legal, extra = make()
            key = fold(core)
            if key not in self.names:
                self.names.add(key)
                return core, legal, extra
        return None

    def _fill(self, pattern, *, style, region_data, act="", gender="", country=None):
        rng = self.rng
        values = {"act": act}
        if "{place}" in pattern:
            values["place"] = rng.choice(region_data["places"])
        if "{adj}" in pattern:
            forms = rng.choice(region_data["adjectives"])
            values["adj"] = forms[["ms", "fs", "mp", "fp"].index(gender)]
        if "{surname}" in pattern:
            first, second = rng.sample(SURNAMES[country], 2)
            values.update(surname=first, surname2=second)
        if "{qual}" in pattern:
            values["qual"] = rng.choice(style["qualifiers"])
        if "{brand}" in pattern:
            head, tail = style["brand"]
            values["brand"] = rng.choice(head) + rng.choice(tail)
        if "{town}" in pattern or "{de_town}" in pattern:
            town = rng.choice(region_data["cities"]).name
            values.update(town=town, de_town=_de(town))
        if "{theme}" in pattern:
            values["theme"] = rng.choice(style["themes"])
        if "{inv}" in pattern:
            values["inv"] = rng.choice(region_data["investor_places"])
        if "{parent}" in pattern:
            values["parent"] = rng.choice([e[1] for e in REAL_HEIS[region_data["region"]] if e[6] and e[1]])
        if "{discipline}" in pattern:
            values["discipline"] = rng.choice(style.get("student_disciplines") or style["disciplines"])
        if "{team}" in pattern:
            values["team"] = rng.choice(STUDENT_TEAMS)
        self.last_values = values
        core = pattern.format(**values)
        return core[:1].upper() + core[1:]

    def _sme_name(self, region):
        data = REGIONS[region]
        style = STYLES[data["style"]]

        def make():
            act, gender, profile = self.rng.choice(style["activities"])
            pattern = _weighted(self.rng, style["patterns"])
            core = self._fill(
                pattern, style=style, region_data=data, act=act, gender=gender, country=data["country"]
            )
            return core, _weighted(self.rng, style["legal"]), profile

        return self._unique(make)

    def _elsewhere_name(self, country):
        activities, places, patterns, legal = ELSEWHERE_STYLES[country]
        data = {"places": places}

        def make():
            act, profile = self.rng.choice(activities)
            core = self._fill(
                _weighted(self.rng, patterns), style={}, region_data=data, act=act, country=country
            )
            return core, _weighted(self.rng, legal), profile

        return self._unique(make)

    def _intermediary_name(self, region, subtype):
        data = dict(REGIONS[region], region=region)
        style = STYLES[data["style"]]

        def make():
            pattern = self.rng.choice(style["intermediaries"][subtype])
            core = self._fill(pattern, style=style, region_data=data, country=data["country"])
            legal = ""
            if subtype == Subtype.CONSULTANCY and not core.startswith(("Studio", "Cabinet")):
                legal = style["legal"][0][0] if self.rng.random() < 0.7 else ""
            return core, legal, self.last_values.get("parent", "")

        return self._unique(make, tries=25)

    def _numbered(self, core):
        """The last resort when every combination of words is taken (only at very large N)."""
        n = 2
        while fold(f"{core} {n}") in self.names:
            n += 1
        self.names.add(fold(f"{core} {n}"))
        return f"{core} {n}"

    def _slug(self, name):
        base = _slug_text(name)[:200] or "organisation"
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def _domain(self, text):
        base = _slug_text(text)[:40].strip("-") or "org"
        domain, n = f"{base}.example.org", 2
        while domain in self.domains:
            domain, n = f"{base}-{n}.example.org", n + 1
        self.domains.add(domain)
        return domain

    # organisations -------------------------------------------------------------------------------

    def _spec(self, *, kind, region, core, legal="", country, city, coordinates, short_name=None, **extra):
        """``short_name`` None: the name without its legal form (when short enough)."""
        name = f"{core} {legal}".strip()
        if short_name is None:
            short_name = core if len(core) <= 60 else ""
        spec = Spec(
            kind=kind,
            region=region,
            name=name,
            short_name=short_name[:60],
            slug=self._slug(name),
            country=country,
            city=city,
            latitude=coordinates[0],
            longitude=coordinates[1],
            **extra,
        )
        # Real institutions by their short name (uma.example.org); units of one by their own name.
        label = short_name if extra.get("real") and short_name else core
        spec.website = "https://www." + self._domain(label)
        return spec

    def _place(self, cities):
        return self.rng.choices(cities, weights=[c.weight for c in cities])[0]

    def plan(self, total=None):
        n = DEFAULT_SIZE if total is None else total
        n_other = round(n * 0.02)
        base, remainder = divmod(n - n_other, len(SIX_REGIONS))
        specs = []
        for i, region in enumerate(SIX_REGIONS):
            specs.extend(self._region(region, base + (i < remainder)))
        for _ in range(n_other):
            specs.append(self._elsewhere_sme())
        for spec in specs:
            self._finish(spec)
        self._cross_memberships(specs)
        return specs

    def _region(self, region, target):
        rng = self.rng
        data = REGIONS[region]
        country = data["country"]
        specs = []
        real = REAL_HEIS[region]
        hei_quota = min(target, max(round(0.12 * target), min(len(real), round(0.16 * target))))
        int_quota = min(round(0.18 * target), target - hei_quota)
        sme_quota = target - hei_quota - int_quota

        # universities: the real ones first, then their departments, labs and research groups
        for name, short, city, lat, lon, founded, _ in real[:hei_quota]:
            specs.append(
                self._spec(
                    kind=HEI,
                    region=region,
                    core=name,
                    short_name=short,
                    country=country,
                    city=city,
                    coordinates=_exact(lat, lon),
                    founded_year=founded,
                    is_verified=True,
                    real=True,
                    created_days_ago=rng.uniform(900, 1000),
                )
            )
        missing = hei_quota - len(specs)
        if missing > 0:
            style = STYLES[data["style"]]
            parents = [entry for entry in real if entry[6]]
            units = [
                (u, d, p) for u in range(len(style["units"])) for d in range(12) for p in range(len(parents))
            ]
            rng.shuffle(units)
            for unit, discipline, parent in units:
                if missing == 0:
                    break
                d = style["disciplines"][discipline]
                core = (
                    style["units"][unit].format(d=d, de_d=_de(d))
                    + style["unit_separator"]
                    + parents[parent][0]
                )
                if fold(core) in self.names:
                    continue
                self.names.add(fold(core))
                p_name, p_short, p_city, p_lat, p_lon = parents[parent][:5]
                city = City(p_city, p_lat, p_lon, 1.5)
                specs.append(
                    self._spec(
                        kind=HEI,
                        region=region,
                        core=core,
                        short_name=p_short,
                        country=country,
                        city=p_city,
                        coordinates=_jitter(rng, city),
                        profile=f"discipline:{discipline}",
                        created_days_ago=rng.uniform(0, 900),
                        is_verified=rng.random() < 0.6,
                    )
                )
                missing -= 1
            sme_quota += missing  # more units than the region has: the rest are SMEs

        # intermediaries: chambers and clusters first, then made-up ones of every type
        anchors = ANCHORS[region][:int_quota]
        for name, short, subtype, city, lat, lon, founded in anchors:
            specs.append(
                self._spec(
                    kind=INTERMEDIARY,
                    subtype=subtype,
                    region=region,
                    core=name,
                    short_name=short,
                    country=country,
                    city=city,
                    coordinates=_exact(lat, lon),
                    founded_year=founded,
                    is_verified=True,
                    real=True,
                    created_days_ago=rng.uniform(850, 1000),
                )
            )
        exhausted = set()  # types whose names have all been used (only at large N)
        for i in range(int_quota - len(anchors)):
            # every type once, then by weight; when a type's names run out, another type
            preferred = SUBTYPE_WEIGHTS[i][0] if i < len(SUBTYPE_WEIGHTS) else None
            made = None
            while made is None:
                available = [(s, w) for s, w in SUBTYPE_WEIGHTS if s not in exhausted]
                if not available:
                    break
                subtype = preferred if preferred and preferred not in exhausted else _weighted(rng, available)
                preferred = None
                made = self._intermediary_name(region, subtype)
                if made is None:
                    exhausted.add(subtype)
            if made is None:
                sme_quota += 1
                continue
            core, legal, parent = made
            if parent:  # a student organisation: at its university
                entry = next(e for e in REAL_HEIS[region] if e[1] == parent and e[6])
                city = City(entry[2], entry[3], entry[4], 1.0)
            else:
                city = _city_named(core, data["cities"]) or self._place(data["cities"])
            specs.append(
                self._spec(
                    kind=INTERMEDIARY,
                    subtype=subtype,
                    region=region,
                    core=core,
                    legal=legal,
                    country=country,
                    city=city.name,
                    coordinates=_jitter(rng, city),
                    created_days_ago=rng.uniform(0, 950),
                    is_verified=rng.random() < 0.5,
                )
            )

        # SMEs: the region's flagship, then made-up ones
        for i in range(sme_quota):
            if i == 0:
                core, legal, profile, city_name = FLAGSHIPS[region]
                city = next(c for c in data["cities"] if c.name == city_name)
                special = "sme" if region == Region.MALAGA else ""
                days = rng.uniform(800, 950)
            else:
                made = self._sme_name(region)
                if made is None:
                    core, legal, profile = self._sme_name_fallback(region)
                else:
                    core, legal, profile = made
                city = _city_named(core, data["cities"]) or self._place(data["cities"])
                special, days = "", rng.uniform(0, 950)
            specs.append(
                self._spec(
                    kind=SME,
                    region=region,
                    core=core,
                    legal=legal,
                    country=country,
                    city=city.name,
                    coordinates=_jitter(rng, city),
                    profile=profile,
                    special=special,
                    created_days_ago=days,
                    is_verified=rng.random() < 0.35,
                )
            )
        return specs

    def _sme_name_fallback(self, region):
        style = STYLES[REGIONS[region]["style"]]
        act, _, profile = self.rng.choice(style["activities"])
        core = self._numbered(f"{act} {self.rng.choice(REGIONS[region]['places'])}")
        return core, _weighted(self.rng, style["legal"]), profile

    def _elsewhere_sme(self):
        rng = self.rng
        country = rng.choice(list(ELSEWHERE))
        made = self._elsewhere_name(country)
        if made is None:
            activities, places, _, legal = ELSEWHERE_STYLES[country]
            act, profile = rng.choice(activities)
            made = (self._numbered(f"{act} {rng.choice(places)}"), _weighted(rng, legal), profile)
        core, legal, profile = made
        city = ELSEWHERE[country]
        return self._spec(
            kind=SME,
            region=Region.OTHER,
            core=core,
            legal=legal,
            country=country,
            city=city.name,
            coordinates=_jitter(rng, city),
            profile=profile,
            created_days_ago=rng.uniform(0, 700),
            is_verified=rng.random() < 0.2,
        )

    # details -------------------------------------------------------------------------------------

    def _finish(self, spec):
        rng = self.rng
        base, extra, _, _ = COUNTRIES[spec.country]
        if spec.name == "Università di Bologna":
            spec.special = "hei"

        # size and founding year
        if spec.kind == SME:
            spec.size_band = _weighted(rng, [(Size.MICRO, 45), (Size.SMALL, 38), (Size.MEDIUM, 15), ("", 2)])
            skew = 0.45 if spec.size_band == Size.MICRO else 0.8
            spec.founded_year = 1950 + int(74 * rng.random() ** skew)
        elif spec.kind == HEI:
            spec.size_band = (
                Size.LARGE if spec.real and spec.founded_year else rng.choice([Size.MEDIUM, Size.SMALL])
            )
        else:
            spec.size_band = {
                Subtype.PUBLIC_BODY: Size.MEDIUM,
                Subtype.CLUSTER: Size.SMALL,
                Subtype.CONSULTANCY: Size.MICRO,
                Subtype.INVESTOR: Size.MICRO,
                Subtype.STUDENT: Size.MICRO,
                Subtype.OTHER: Size.MICRO,
            }[spec.subtype]
            if spec.subtype == Subtype.CONSULTANCY and rng.random() < 0.4:
                spec.size_band = Size.SMALL
            if not spec.real:
                low, high = {
                    Subtype.PUBLIC_BODY: (1965, 2015),
                    Subtype.CLUSTER: (1998, 2020),
                    Subtype.CONSULTANCY: (1985, 2023),
                    Subtype.INVESTOR: (2008, 2023),
                    Subtype.STUDENT: (2005, 2023),
                    Subtype.OTHER: (2010, 2023),
                }[spec.subtype]
                spec.founded_year = rng.randint(low, high)

        # languages
        languages = list(base)
        if spec.kind == SME and spec.size_band == Size.MICRO and len(languages) > 1 and rng.random() < 0.25:
            languages = languages[:1]
        languages += _some(rng, extra, 0, 2 if spec.kind != SME else 1)
        spec.languages = languages

        # sectors and topics
        if spec.kind == SME:
            sectors, offered, _ = PROFILES[spec.profile]
            spec.sectors = _some(rng, sectors, 1, 3)
            spec.topics_offered = _some(rng, offered)
            needs = [(slug, w) for slug, w in SME_NEEDS if slug not in spec.topics_offered]
            spec.topics_needed = self._weighted_some(needs, rng.randint(1, 4))
        elif spec.kind == HEI:
            spec.sectors = ["P85.4"] + _some(rng, ["M72.1", "M72", "M71.2"], 0, 2)
            if spec.profile.startswith("discipline:"):
                discipline_topics = DISCIPLINE_TOPICS[int(spec.profile.split(":")[1])]
                spec.topics_offered = _some(rng, discipline_topics, 1, 3)
            else:
                pool = [slug for topics in DISCIPLINE_TOPICS for slug in topics]
                spec.topics_offered = ["tech-transfer"] + _some(rng, pool, 2, 3)
            spec.topics_needed = _some(rng, HEI_NEEDS, 1, 2)
        else:
            sectors, offered, needed = INTERMEDIARY_PROFILES[spec.subtype]
            spec.sectors = _some(rng, sectors, 1, 2)
            if spec.subtype == Subtype.INVESTOR:
                spec.topics_offered = offered + _some(rng, INVESTOR_FOCUS, 1, 3)
            else:
                spec.topics_offered = _some(rng, offered)
            spec.topics_needed = _some(rng, [s for s in needed if s not in spec.topics_offered], 1, 3)
        if not spec.topics_needed:
            spec.topics_needed = (
                ["finance-funding"] if "finance-funding" not in spec.topics_offered else ["skills-training"]
            )

        # who sees what: most keep the defaults; some show their needs to everyone, a few hide more
        roll = rng.random()
        if roll < 0.25:
            spec.visibility["topics_needed"] = str(Visibility.PUBLIC)
        elif roll < 0.33:
            spec.visibility["topics_needed"] = str(Visibility.COUNCIL)
        roll = rng.random()
        if spec.kind != HEI and roll < 0.06:
            spec.visibility["description"] = str(Visibility.MEMBERS)
        elif spec.kind != HEI and roll < 0.09:
            spec.visibility["description"] = str(Visibility.COUNCIL)

        spec.description = self._description(spec)
        spec.people = self._people(spec)

    def _weighted_some(self, pairs, k):
        chosen = []
        pairs = list(pairs)
        for _ in range(min(k, len(pairs))):
            slug = _weighted(self.rng, pairs)
            chosen.append(slug)
            pairs = [(s, w) for s, w in pairs if s != slug]
        return chosen

    def _topics(self, slugs, limit=3):
        return _listing(
            _lower_first(self.topic_names.get(slug, slug.replace("-", " "))) for slug in slugs[:limit]
        )

    def _description(self, spec):
        rng = self.rng
        short = spec.short_name or spec.name
        offered = self._topics(spec.topics_offered)
        needed = self._topics(spec.topics_needed, 2)
        area = REGIONS[spec.region]["area"] if spec.region in REGIONS else spec.city
        if spec.kind == SME:
            product = PROFILES[spec.profile][2]
            markets = _listing(rng.sample(MARKETS, 2))
            staff = {Size.MICRO: (3, 9), Size.SMALL: (10, 49), Size.MEDIUM: (50, 240)}.get(
                spec.size_band, (5, 30)
            )
            sentence = rng.choice(
                [
                    f"{short} is an engineering company in {spec.city}, founded in {spec.founded_year}, "
                    f"making {product} for the {markets} sectors.",
                    f"Family-owned since {spec.founded_year}, {short} designs and builds {product} "
                    f"in {spec.city}.",
                    f"{short} supplies {product} to customers in {markets} from its workshop in {spec.city}; "
                    f"a team of {rng.randint(*staff)} people.",
                ]
            )
            strengths = f" Strengths: {offered}." if offered else ""
            need = rng.choice(
                [
                    f" We are looking for partners in {needed}.",
                    f" Currently exploring {needed} with the support of the cluster council.",
                    f" Interested in {needed}.",
                    "",
                ]
            )
            return sentence + strengths + need
        if spec.kind == HEI:
            if spec.profile.startswith("discipline:"):
                return (
                    f"{spec.name.split(',')[0].split(' – ')[0]}: research and teaching open to projects with "
                    f"engineering companies on {offered}. Students and researchers take on industry "
                    f"challenges, theses and shared use of laboratories."
                )
            return (
                f"{spec.name} works with engineering companies on {offered}. Researchers and students take "
                f"part in joint projects, consultancy, placements and shared laboratories in {spec.city}. "
                f"The knowledge transfer office is the first point of contact."
            )
        if spec.subtype == Subtype.PUBLIC_BODY:
            return (
                f"{spec.name} supports businesses in {area} with advice, funding calls and "
                f"internationalisation services. Engineering SMEs find help here with {offered}."
            )
        if spec.subtype == Subtype.CLUSTER:
            return (
                f"{spec.name} brings together engineering companies, research centres and universities in "
                f"{area}. Members work together on {offered}."
            )
        if spec.subtype == Subtype.CONSULTANCY:
            return (
                f"{short} is a consultancy that helps engineering SMEs with {offered}. Based in {spec.city}, "
                f"working across {area} and abroad."
            )
        if spec.subtype == Subtype.INVESTOR:
            low = rng.choice([25, 50, 100, 150])
            focus = self._topics(spec.topics_offered[1:])
            return (
                f"{spec.name} invests in early-stage engineering and deep-tech companies in {area}, with "
                f"first tickets from €{low}k to €{low * 8}k. Focus: {focus}."
            )
        if spec.subtype == Subtype.STUDENT:
            return (
                f"{spec.name} is run by engineering students. They organise projects, competitions and "
                f"company visits on {offered}, and look for SMEs that bring real challenges."
            )
        return (
            f"{spec.name} is an open workshop and innovation space in {spec.city} with tools for "
            f"prototyping, training and events on {offered}."
        )

    def _people(self, spec):
        rng = self.rng
        country = spec.country
        _, _, time_zone, language = COUNTRIES[country]
        if spec.kind == SME:
            counts = {Size.MICRO: [1, 1, 1, 2], Size.SMALL: [1, 2, 2, 3], Size.MEDIUM: [2, 3, 3, 4]}
            count = rng.choice(counts.get(spec.size_band, [1, 2]))
        elif spec.kind == HEI:
            count = rng.choice([3, 4, 5, 6] if not spec.profile else [1, 2, 2, 3])
        else:
            count = rng.choice([1, 1, 2, 2, 3])
        domain = spec.website.removeprefix("https://www.")
        people = []
        for i in range(count):
            first, last = rng.choice(FIRST_NAMES[country]), rng.choice(SURNAMES[country])
            local = f"{_ascii(first)}.{_ascii(last)}"
            email, n = f"{local}@{domain}", 2
            while email in self.emails:
                email, n = f"{local}{n}@{domain}", n + 1
            self.emails.add(email)
            # The organisation's first person is its admin, unless a demo account is (then all are members).
            admin = (i == 0 and not spec.special) or (i > 0 and rng.random() < 0.2)
            joined = max(0.0, spec.created_days_ago - (0 if i == 0 else rng.uniform(0, 300)))
            people.append(
                Person(
                    f"{first} {last}",
                    email,
                    Membership.Role.ADMIN if admin else Membership.Role.MEMBER,
                    language,
                    time_zone,
                    joined,
                )
            )
        return people

    def _cross_memberships(self, specs):
        """A few people also belong to an intermediary of their region (a cluster, a chamber, a club)."""
        rng = self.rng
        hubs = {}
        for spec in specs:
            if spec.kind == INTERMEDIARY and spec.subtype in (
                Subtype.CLUSTER,
                Subtype.PUBLIC_BODY,
                Subtype.STUDENT,
            ):
                hubs.setdefault(spec.region, []).append(spec)
        for spec in specs:
            if spec.kind == INTERMEDIARY or not hubs.get(spec.region):
                continue
            for person in spec.people:
                if rng.random() < 0.05:
                    hub = rng.choice(hubs[spec.region])
                    hub.extra_memberships.append((person.email, Membership.Role.MEMBER))

    # interactions --------------------------------------------------------------------------------

    def interactions(self, specs, count, token):
        rng = self.rng
        by = {}
        for spec in specs:
            by.setdefault((spec.kind, spec.region), []).append(spec)
            by.setdefault((spec.kind, "*"), []).append(spec)
        regions = [r for r in SIX_REGIONS if by.get((SME, r))]
        if len(specs) < 2 or not regions:
            return []

        def pick(kind, region):
            pool = by.get((kind, region)) or by.get((kind, "*"))
            return rng.choice(pool) if pool else None

        shapes = [
            ("sme_hei", 45),
            ("sme_hei_abroad", 12),
            ("sme_sme_abroad", 13),
            ("sme_intermediary", 15),
            ("group", 15),
        ]
        kinds = {
            "sme_hei": [
                ("consultancy", 3),
                ("facility", 3),
                ("learning", 2),
                ("joint_project", 3),
                ("visit", 2),
            ],
            "sme_hei_abroad": [("joint_project", 4), ("visit", 2), ("meeting", 2), ("consultancy", 1)],
            "sme_sme_abroad": [("joint_project", 3), ("visit", 3), ("meeting", 2), ("other", 1)],
            "sme_intermediary": [("consultancy", 3), ("meeting", 2), ("learning", 2), ("other", 1)],
            "group": [("meeting", 3), ("learning", 2)],
        }
        entries = []
        for i in range(count):
            shape = _weighted(rng, shapes)
            kind = _weighted(rng, kinds[shape])
            region = rng.choice(regions)
            sme = pick(SME, region)
            abroad = [r for r in SIX_REGIONS if REGIONS[r]["country"] != REGIONS[region]["country"]]
            if shape == "sme_hei":
                others = [pick(HEI, region)]
            elif shape == "sme_hei_abroad":
                others = [pick(HEI, rng.choice(abroad))]
            elif shape == "sme_sme_abroad":
                others = [pick(SME, rng.choice(abroad))]
            elif shape == "sme_intermediary":
                others = [pick(INTERMEDIARY, region)]
            else:
                others = [pick(HEI, region), pick(INTERMEDIARY, region)]
                others += [pick(SME, rng.choice(SIX_REGIONS)) for _ in range(rng.randint(1, 3))]
            organisations = list({s.slug: s for s in [sme, *others] if s is not None}.values())
            if len(organisations) < 2:
                continue
            days_ago = int(730 * rng.random() ** 1.3)
            entries.append(
                (
                    f"{token}-{i}",
                    kind,
                    days_ago,
                    [s.slug for s in organisations],
                    self._interaction_text(kind, organisations),
                )
            )
        return entries

    def _interaction_text(self, kind, organisations):
        rng = self.rng
        a, b = organisations[0], organisations[1]
        first, second = a.short_name or a.name, b.short_name or b.name
        if kind in ("facility", "learning"):  # a technology the other one has
            technical = [t for t in b.topics_offered + a.topics_offered if t not in BUSINESS_TOPICS]
            topic = rng.choice(technical or ["quality-testing"])
        else:
            topic = rng.choice(a.topics_needed + b.topics_offered)
        topic = self._topics([topic], 1)
        if kind == "consultancy":
            return f"{second} advised {first} on {topic}."
        if kind == "facility":
            return f"{first} used a laboratory of {second} for work on {topic}."
        if kind == "learning":
            return f"Staff of {first} attended a workshop on {topic} run by {second}."
        if kind == "joint_project":
            return f"Joint project of {first} and {second} on {topic}."
        if kind == "visit":
            return f"{first} visited {second} to discuss {topic}."
        if kind == "meeting" and len(organisations) > 2:
            return f"Cluster growth council meeting on {topic}, with {len(organisations)} organisations."
        if kind == "meeting":
            return f"{first} and {second} met at a council meeting on {topic}."
        return f"{first} and {second} exchanged ideas on {topic}."


def build_plan(rng, total=None, *, topic_names=None, interactions=None):
    """The whole demo set, drawn from ``rng`` only (no database access)."""
    planner = Planner(rng, topic_names or {})
    # source refs of this seed's interactions, for this size of set: "1a2b3c4d-demo-17"
    token = f"{rng.getrandbits(32):08x}-{'demo' if total is None else total}"
    specs = planner.plan(total)
    if interactions is None:
        interactions = INTERACTIONS if total is None else total // 4
    entries = planner.interactions(specs, interactions, token)
    sme = next((s for s in specs if s.special == "sme"), None) or next(
        (s for s in specs if s.kind == SME), None
    )
    hei = next((s for s in specs if s.special == "hei"), None) or next(
        (s for s in specs if s.kind == HEI), None
    )
    return Plan(specs, entries, sme.slug if sme else None, hei.slug if hei else None)


# --- writing it ------------------------------------------------------------------------------------


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lookup(queryset, key, values, *fields):
    """{key value: (fields…)} of the rows whose ``key`` is in ``values`` (queried in chunks)."""
    found = {}
    for chunk in _chunks(values):
        for row in queryset.filter(**{f"{key}__in": chunk}).values_list(key, *fields):
            found[row[0]] = row[1:]
    return found


def seed(*, rng, stdout, organisations=None, **options):
    """seed_demo's step: the normal demo set, or ``organisations`` of them in bulk. Idempotent."""
    if organisations is not None and organisations < 1:
        raise CommandError("--organisations must be at least 1.")
    local = random.Random(rng.getrandbits(64))  # one draw, so later modules see the same rng either way
    # in Topic's ordering (by name, in the database's collation), as organisation_search_text reads them
    topics = {slug: (pk, name) for pk, slug, name in Topic.objects.values_list("pk", "slug", "name")}
    sectors = dict(Sector.objects.values_list("code", "pk"))
    plan = build_plan(local, organisations, topic_names={slug: name for slug, (_, name) in topics.items()})
    now = timezone.now()
    staff = User.objects.filter(email="admin@example.org", is_staff=True).first()

    existing = _lookup(Organisation.objects, "slug", [s.slug for s in plan.organisations], "pk")
    new = [s for s in plan.organisations if s.slug not in existing]
    if organisations is None:
        _create_with_services(new, sectors=sectors, topics=topics, now=now, staff=staff)
    else:
        _create_in_bulk(new, sectors=sectors, topics=topics, now=now, staff=staff)
    orgs = _lookup(
        Organisation.objects, "slug", [s.slug for s in plan.organisations], "pk", "kind", "country", "region"
    )

    people, memberships = _create_people(new, orgs=orgs, now=now)
    _demo_accounts(plan, orgs=orgs)
    recorded = _record_interactions(
        plan.interactions, orgs=orgs, now=now, staff=staff, bulk=organisations is not None
    )
    stdout.write(
        f"organisations: {len(new)} organisation(s) created, "
        f"{len(plan.organisations) - len(new)} already there; "
        f"{people} people, {memberships} memberships and {recorded} interactions added"
    )


def _fields(spec, *, now, staff):
    created_at = now - timedelta(days=spec.created_days_ago)
    verified_at = (
        min(now, created_at + timedelta(days=7 + spec.created_days_ago % 50)) if spec.is_verified else None
    )
    return {
        "kind": spec.kind,
        "subtype": spec.subtype,
        "name": spec.name,
        "short_name": spec.short_name,
        "slug": spec.slug,
        "country": spec.country,
        "region": spec.region,
        "city": spec.city,
        "latitude": spec.latitude,
        "longitude": spec.longitude,
        "size_band": spec.size_band,
        "founded_year": spec.founded_year,
        "website": spec.website,
        "languages": spec.languages,
        "description": spec.description,
        "visibility": spec.visibility,
        "is_verified": spec.is_verified,
        "verified_at": verified_at,
        "verified_by": staff if spec.is_verified else None,
        "created_at": created_at,
    }


def _m2m(spec, *, sectors, topics):
    return {
        "sectors": [sectors[code] for code in spec.sectors if code in sectors],
        "topics_offered": [topics[slug][0] for slug in spec.topics_offered if slug in topics],
        "topics_needed": [topics[slug][0] for slug in spec.topics_needed if slug in topics],
    }


def _create_with_services(specs, *, sectors, topics, now, staff):
    """The normal demo set: each organisation through organisation_create, as the portal makes them."""
    for spec in specs:
        fields = _fields(spec, now=now, staff=staff)
        organisation_create(creator=None, m2m=_m2m(spec, sectors=sectors, topics=topics), **fields)


def _create_in_bulk(specs, *, sectors, topics, now, staff):
    """Many organisations at once: bulk inserts, search text computed here like the services do.

    A sample of the rows is validated with full_clean (fields, choices and the subtype constraint)."""
    rank = {slug: i for i, slug in enumerate(topics)}  # topics come in Topic's ordering
    rows = []
    for i, spec in enumerate(specs):
        organisation = Organisation(**_fields(spec, now=now, staff=staff))
        # in the order the service reads them (Topic's ordering, by the database's collation)
        names = [topics[slug][1] for slug in sorted(spec.topics_offered, key=rank.get) if slug in topics]
        organisation.search_text = organisation_search_text(organisation, topic_names=names)
        if i < 20 or i % 500 == 0:
            organisation.full_clean(exclude=["search_text"])
        rows.append(organisation)
    for chunk in _chunks(rows, BATCH):
        Organisation.objects.bulk_create(chunk)
    links = {"sectors": [], "topics_offered": [], "topics_needed": []}
    for spec, organisation in zip(specs, rows, strict=True):
        for name, ids in _m2m(spec, sectors=sectors, topics=topics).items():
            links[name].extend((organisation.pk, pk) for pk in ids)
    for name, pairs in links.items():
        _insert_links(getattr(Organisation, name).through, pairs)


def _create_people(specs, *, orgs, now):
    """Users (with a verified email and the demo password) and memberships of new organisations."""
    wanted = [(spec, person) for spec in specs for person in spec.people]
    extra = [(spec, email, role) for spec in specs for email, role in spec.extra_memberships]
    emails = [person.email for _, person in wanted]
    users = {email: pk for email, (pk,) in _lookup(User.objects, "email", emails, "pk").items()}
    new_users = []
    for _, person in wanted:
        if person.email in users:
            continue
        joined = now - timedelta(days=person.joined_days_ago)
        new_users.append(
            User(
                email=person.email,
                full_name=person.full_name,
                language=person.language,
                time_zone=person.time_zone,
                date_joined=joined,
                privacy_accepted_at=joined,
            )
        )
    if new_users:
        password = make_password(DEMO_PASSWORD)  # hashed once: a few hundred hashes would take minutes
        for user in new_users:
            user.password = password
    for chunk in _chunks(new_users, BATCH):
        User.objects.bulk_create(chunk)
    for chunk in _chunks(new_users, BATCH):
        EmailAddress.objects.bulk_create(
            [EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True) for user in chunk]
        )
    fresh = {user.email for user in new_users}
    users.update({user.email: user.pk for user in new_users})

    memberships = []
    for spec, person in wanted:
        memberships.append(
            Membership(
                user_id=users[person.email],
                organisation_id=orgs[spec.slug][0],
                role=person.role,
                created_at=now - timedelta(days=person.joined_days_ago),
            )
        )
    for spec, email, role in extra:
        if email in fresh:  # someone new joining a new organisation: cannot exist yet
            memberships.append(
                Membership(user_id=users[email], organisation_id=orgs[spec.slug][0], role=role)
            )
    for chunk in _chunks(memberships, 2 * BATCH):
        Membership.objects.bulk_create(chunk)
    return len(new_users), len(memberships)


def _demo_accounts(plan, *, orgs):
    """sme@ and hei@ administer an SME and a university; member@ joins sme@'s SME."""
    for (email, full_name, language, time_zone), slug in (
        (SME_ACCOUNT, plan.sme_slug),
        (HEI_ACCOUNT, plan.hei_slug),
    ):
        user, _ = demo_user(email, full_name=full_name, language=language, time_zone=time_zone)
        if slug in orgs:
            membership, created = Membership.objects.get_or_create(
                user=user, organisation_id=orgs[slug][0], defaults={"role": Membership.Role.ADMIN}
            )
            if not created and membership.role != Membership.Role.ADMIN:
                membership.role = Membership.Role.ADMIN
                membership.save(update_fields=["role"])
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if member and plan.sme_slug in orgs:
        Membership.objects.get_or_create(
            user=member, organisation_id=orgs[plan.sme_slug][0], defaults={"role": Membership.Role.MEMBER}
        )


def _record_interactions(entries, *, orgs, now, staff, bulk):
    refs = [ref for ref, *_ in entries]
    done = set(_lookup(Interaction.objects.filter(source=SOURCE), "source_ref", refs))
    todo = [entry for entry in entries if entry[0] not in done and all(slug in orgs for slug in entry[3])]
    today = now.date()
    if not bulk:
        objects = Organisation.objects.in_bulk(
            {slug for entry in todo for slug in entry[3]}, field_name="slug"
        )
        for ref, kind, days_ago, slugs, description in todo:
            interaction_record(
                kind=kind,
                date=today - timedelta(days=days_ago),
                organisations=[objects[slug] for slug in slugs],
                description=description,
                source=SOURCE,
                source_ref=ref,
                recorded_by=staff,
            )
        return len(todo)
    # In bulk, with the flags derived as interaction_record derives them.
    rows = []
    for ref, kind, days_ago, slugs, description in todo:
        kinds = {orgs[slug][1] for slug in slugs}
        countries = {str(orgs[slug][2]) for slug in slugs}
        regions = {orgs[slug][3] for slug in slugs}
        rows.append(
            Interaction(
                kind=kind,
                date=today - timedelta(days=days_ago),
                description=description,
                source=SOURCE,
                source_ref=ref,
                recorded_by=staff,
                is_sme_hei={SME, HEI} <= kinds,
                is_cross_border=len(countries) > 1,
                is_cross_cluster=len(regions) > 1,
            )
        )
    for row in rows[:10]:
        row.full_clean(exclude=["recorded_by"])
    for chunk in _chunks(rows, BATCH):
        Interaction.objects.bulk_create(chunk)
    pairs = [
        (row.pk, orgs[slug][0]) for row, (_, _, _, slugs, _) in zip(rows, todo, strict=True) for slug in slugs
    ]
    _insert_links(Interaction.organisations.through, pairs)
    interactions_bulk_recorded()
    return len(rows)


def _insert_links(through, pairs):
    """Rows of an auto-created many-to-many table as plain multi-row INSERTs: (source id, target id)
    pairs. Several times faster than bulk_create, which builds and prepares a model instance per row."""
    source, target = (f.column for f in through._meta.get_fields() if f.many_to_one)
    quote = connection.ops.quote_name
    insert = f"INSERT INTO {quote(through._meta.db_table)} ({quote(source)}, {quote(target)}) VALUES "
    with connection.cursor() as cursor:
        for chunk in _chunks(pairs, 2 * BATCH):
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(insert + values, [value for pair in chunk for value in pair])
