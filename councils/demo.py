"""Demo councils for ``manage.py seed_demo``: coordinators, members, meetings, the four success factors.

Runs after ``organisations.demo`` and works with whatever organisations it made (the normal demo set or
``--organisations N``). For each of the six councils:

- a coordinator (``coordinator.<council>@example.org``) who works at a chamber or cluster of the region;
- most organisations of the region as members, a few asking to join, a few invited, and a handful of
  organisations of other regions as members too (cross-cluster);
- eight past meetings over the last two years with an agenda, registrations, check-ins, published
  minutes, decisions and action items, and two upcoming ones (the next is full, with a waiting list);
- a hundred ledger interactions rising quarter by quarter (success factors 1 and 2; 600 in all),
  challenges → adapted success factors → indicators with quarterly values (factor 3), and 15–30 impact
  records (factor 4).

Writes go through the services where a person would act (creating meetings with their agendas, which
may be entered after the fact; registering for upcoming meetings; asking to join and inviting; publishing
minutes, which records the attendance in the ledger; creating and updating action items; recording
interactions and success-factor data). What lies in the past is written as history: members of long
standing are rows with their joining date, and the registrations and check-ins of past meetings are
rows dated when they happened, because the services rightly refuse registering for a past event and
date a check-in now. Creation and publication times of past meetings are set back the same way.

Deterministic: every choice comes from generators seeded by one draw of seed_demo's ``rng`` and the
council's slug, over organisations and people read in a fixed order. Idempotent: coordinators,
memberships and interactions (by source reference) are recognised; a council's meetings, success
factors and impact records are seeded only while it has none.
"""

import datetime
import math
import random
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from events.models import Event, Registration
from events.services import registration_create
from organisations.models import Interaction, Membership, Organisation, Region
from organisations.services import interaction_record

from .models import (
    ActionItem,
    Council,
    CouncilOrganisation,
    CouncilPerson,
    ImpactRecord,
    Meeting,
)
from .services.meetings import action_item_create, action_item_update, meeting_create, minutes_publish
from .services.membership import council_invite_organisation, council_join_request
from .services.success import (
    challenge_create,
    impact_record_create,
    indicator_create,
    indicator_value_record,
    success_factor_create,
)

User = get_user_model()

SOURCE = "councils.demo"  # Interaction.source of the ledger entries made here
INTERACTIONS = 600  # ledger entries recorded by coordinators over two years, besides meeting attendance
PAST_MEETINGS = 8
DAYS = 730  # two years
MEMBER_CAP = 60  # active member organisations per council, at most (--organisations N can be large)

SME, HEI, INTERMEDIARY = Organisation.Kind.SME, Organisation.Kind.HEI, Organisation.Kind.INTERMEDIARY
Status = CouncilOrganisation.Status
DEMO_EMAILS = ("sme@example.org", "member@example.org", "hei@example.org")

# The tables below are laid out by hand; the formatter leaves them alone.
# fmt: off

# council slug: (email, full name, language, time zone, the organisations they may work at, in order)
COORDINATORS = {
    "malaga": ("coordinator.malaga@example.org", "Rocío Fernández Ortega", "es", "Europe/Madrid",
               ["Parque Tecnológico de Andalucía", "Cámara de Comercio de Málaga"]),
    "alcala": ("coordinator.alcala@example.org", "Javier Sanz Herrero", "es", "Europe/Madrid",
               ["Cámara Oficial de Comercio, Industria y Servicios de Madrid",
                "Cámara de Comercio e Industria de Guadalajara"]),
    "bologna": ("coordinator.bologna@example.org", "Lorenzo Bianchi", "it", "Europe/Rome",
                ["Clust-ER Meccatronica e Motoristica", "ART-ER Attrattività Ricerca Territorio",
                 "Camera di Commercio di Bologna"]),
    "cork": ("coordinator.cork@example.org", "Siobhán O'Sullivan", "en", "Europe/Dublin",
             ["Cork Chamber", "Local Enterprise Office Cork City"]),
    "istanbul": ("coordinator.istanbul@example.org", "Zeynep Aydın", "tr", "Europe/Istanbul",
                 ["İstanbul Sanayi Odası", "İTÜ ARI Teknokent", "İstanbul Ticaret Odası"]),
    "paris": ("coordinator.paris@example.org", "Nicolas Lefèvre", "fr", "Europe/Paris",
              ["Systematic Paris-Region", "CCI Paris Île-de-France"]),
}
SLUGS = list(COORDINATORS)

# Where each council meets: (venue, address).
VENUES = {
    "malaga": ("Parque Tecnológico de Andalucía, Centro de Empresas",
               "Calle Marie Curie 6, Campanillas, Málaga"),
    "alcala": ("Universidad de Alcalá, Colegio de San Ildefonso", "Plaza de San Diego, Alcalá de Henares"),
    "bologna": ("Tecnopolo di Bologna", "Via Stalingrado 84, Bologna"),
    "cork": ("Cork Chamber, Fitzgerald House", "Summerhill North, Cork"),
    "istanbul": ("İTÜ ARI Teknokent, ARI 3", "Reşitpaşa Mahallesi, Sarıyer, İstanbul"),
    "paris": ("CCI Paris Île-de-France", "27 avenue de Friedland, Paris"),
}

# What each council's meetings are about, and what its members work on together.
THEMES = {
    "malaga": ["Sustainable mobility pilots at the TechPark", "A shared 5G test bed for manufacturing",
               "Skills for advanced manufacturing", "Exporting to North Africa",
               "The marine-technology supply chain", "Digitalisation vouchers for micro-SMEs"],
    "alcala": ["Aerospace supply-chain certification", "Logistics automation in the Henares corridor",
               "Electronics testing capacity", "Recruiting engineers from the University of Alcalá",
               "EU funding for the corridor", "Energy costs and solar self-consumption"],
    "bologna": ["Packaging machinery and the new packaging rules", "Mechatronics skills with ITS Maker",
                "Industry 4.0 data sharing", "Motor Valley suppliers and electrification",
                "Technology transfer with university spin-offs", "Exporting to the US market"],
    "cork": ["Clinical testing for medical-device SMEs", "The marine renewable energy supply chain",
             "Pharma-engineering skills", "Access to Enterprise Ireland funding",
             "The EU Medical Device Regulation for small manufacturers", "Harbour decarbonisation projects"],
    "istanbul": ["Automotive suppliers and the EV transition", "Defence-electronics qualification",
                 "Technopark collaboration with the universities", "Export credit and new markets",
                 "The green transition of machinery SMEs", "Keeping engineering talent"],
    "paris": ["Deep-tech partnerships with the Saclay labs", "The aerospace and defence supply chain",
              "Industrial AI in SMEs", "France 2030 calls for SMEs", "Reindustrialising Île-de-France",
              "Apprenticeships in engineering SMEs"],
}
TOPICS = {
    "malaga": ["electric-vehicle charging", "5G in the workshop", "CNC process monitoring", "marine sensors",
               "predictive maintenance", "solar-powered cold storage", "cybersecurity for OT networks"],
    "alcala": ["EN 9100 certification", "warehouse robotics", "PCB testing", "drone inspection",
               "composite machining", "traceability software", "photovoltaic self-consumption"],
    "bologna": ["recyclable packaging", "servo-drive tuning", "machine data platforms", "e-axle components",
                "additive manufacturing", "vision inspection", "hydrogen valves"],
    "cork": ["sterilisation validation", "wave-energy converters", "cleanroom automation",
             "biocompatibility testing", "MDR technical files", "offshore wind logistics",
             "sensor packaging"],
    "istanbul": ["battery-pack housings", "EMC testing", "lightweight castings", "PLC retrofits",
                 "export certification", "energy-efficient motors", "radar electronics"],
    "paris": ["embedded AI", "satellite subsystems", "digital twins", "quantum sensing",
              "metal 3D printing", "cyber-physical security", "low-carbon concrete"],
}
PROGRAMMES = {
    "ES": ["CDTI", "Horizon Europe", "the regional ERDF programme"],
    "IT": ["Horizon Europe", "the Emilia-Romagna ERDF programme", "the PNRR"],
    "IE": ["Enterprise Ireland", "Horizon Europe", "Research Ireland"],
    "TR": ["TÜBİTAK", "KOSGEB", "Horizon Europe"],
    "FR": ["Bpifrance", "France 2030", "Horizon Europe"],
}

# Success factor 3, per council: (challenge, description, [(success factor, [(indicator, unit, baseline,
# target)])]).
SUCCESS = {
    "malaga": [
        ("Micro-SMEs slow to adopt digital manufacturing",
         "Few of the province's machining and electronics micro-companies use sensors, data or simulation in "
         "production.",
         [("Hands-on digital pilots at the TechPark",
           [("SMEs running a digital-manufacturing pilot", "SMEs", 3, 25),
            ("Pilot hours in the university's smart-factory lab", "hours", 120, 900)]),
          ("Peer learning between SMEs", [("SMEs in the digital peer circle", "SMEs", 6, 30)])]),
        ("Engineering graduates leave the province",
         "Most engineering graduates of the University of Málaga take their first job in Madrid or abroad.",
         [("Student placements in member SMEs",
           [("Placements in member SMEs per year", "placements", 12, 45)])]),
        ("Marine-technology SMEs and the university rarely work together",
         "The Guadalhorce marine cluster and the university's labs hardly know each other's work.",
         [("Joint research proposals", [("Joint SME–university proposals submitted", "proposals", 2, 12)])]),
    ],
    "alcala": [
        ("Aerospace certification is too costly for small suppliers",
         "EN 9100 certification takes a small machining supplier two years and a full-time quality engineer.",
         [("Shared quality engineering", [("Suppliers certified EN 9100", "SMEs", 5, 18)]),
          ("Group audits", [("Average months to certification", "months", 22, 12)])]),
        ("Logistics firms lack automation skills",
         "Warehouses in the corridor automate fast; their technicians are trained on the job, if at all.",
         [("Short courses with the University of Alcalá",
           [("Technicians trained in automation", "people", 20, 160),
            ("Courses run with the university", "courses", 1, 10)])]),
    ],
    "bologna": [
        ("Packaging machinery must meet new recyclability rules",
         "The EU packaging regulation changes what the district's machines must handle; small builders "
         "cannot test new materials alone.",
         [("A shared materials test line", [("SMEs testing on the shared line", "SMEs", 2, 16)]),
          ("Joint R&D with the university",
           [("Joint projects on recyclable packaging", "projects", 1, 8),
            ("Funding won by joint projects", "EUR", 150000, 1200000)])]),
        ("Shortage of mechatronics technicians",
         "Member companies report open technician positions for six months or more.",
         [("Dual training with ITS Maker", [("Apprentices hosted by member SMEs", "people", 15, 60)])]),
        ("Machine data stays inside each company",
         "Builders and users of machines rarely share operating data, so predictive services do not take "
         "off.",
         [("A common data-sharing agreement",
           [("Companies signing the data agreement", "companies", 0, 20)])]),
    ],
    "cork": [
        ("Medical-device SMEs without access to clinical-testing facilities",
         "Small medical-device makers wait months for test slots at contract labs abroad.",
         [("Shared testing capacity",
           [("SMEs using a shared test lab", "SMEs", 4, 20),
            ("Average weeks waiting for a test slot", "weeks", 14, 4)])]),
        ("Marine-energy suppliers are not ready for offshore wind",
         "Local engineering firms lack the certifications and the scale that offshore wind developers ask "
         "for.",
         [("A supplier readiness programme", [("Suppliers qualified for offshore projects", "SMEs", 3, 15)]),
          ("Test berths at the MaREI centre", [("Prototype tests at sea", "tests", 2, 12)])]),
        ("Too few engineers for pharma manufacturing",
         "Pharmaceutical plants in the harbour area compete with the SMEs for the same engineers.",
         [("Conversion courses with MTU", [("People retrained as process engineers", "people", 10, 80)])]),
    ],
    "istanbul": [
        ("Automotive suppliers depend on combustion-engine parts",
         "Most member suppliers make engine and exhaust parts; EV platforms need different components.",
         [("Diversification into EV components",
           [("Suppliers with an EV component in production", "SMEs", 4, 22),
            ("Turnover share of EV parts", "%", 3, 25)])]),
        ("Long qualification times for defence electronics",
         "Qualifying a new electronics supplier for defence programmes takes up to three years.",
         [("Shared EMC and environmental testing",
           [("SMEs qualified by prime contractors", "SMEs", 2, 12)])]),
        ("Engineers leave for large firms and abroad",
         "SMEs lose young engineers after two or three years.",
         [("University–SME career tracks",
           [("Graduates hired by member SMEs", "people", 25, 90)]),
          ("Mentoring by senior engineers", [("Mentoring pairs active", "pairs", 5, 40)])]),
    ],
    "paris": [
        ("Deep-tech results reach few SMEs",
         "The Saclay labs publish world-class work; small manufacturers seldom turn it into products.",
         [("Lab–SME matchmaking",
           [("SME–lab collaboration agreements", "agreements", 6, 30),
            ("Licences taken by SMEs", "licences", 1, 8)])]),
        ("Industrial AI stays at the pilot stage",
         "Most SMEs that tried AI on their shop floor stopped after the pilot.",
         [("Scaling support for AI pilots", [("AI pilots in daily production", "SMEs", 2, 14)]),
          ("Shared data-science capacity", [("Days of data-science support given", "days", 40, 300)])]),
    ],
}

# fmt: on

# What seed_demo prints: (email, what the account shows off).
ACCOUNTS = [
    (email, f"coordinator of the {dict(Region.choices)[slug]} council")
    for slug, (email, *_) in COORDINATORS.items()
]


def seed(*, rng, stdout, organisations=None, **options):
    """seed_demo's step for the councils. Idempotent (see the module's docstring). With
    ``--organisations N`` (a scale or test set) it records at most 2N interactions."""
    base = rng.getrandbits(64)  # one draw, so any later module sees the same rng whatever happens here
    now = timezone.now()
    councils = {council.slug: council for council in Council.objects.filter(slug__in=SLUGS)}
    councils = {slug: councils[slug] for slug in SLUGS if slug in councils}
    if not councils:
        stdout.write("councils: no councils (migrations not run?); nothing seeded")
        return

    def generator(step, slug=""):
        return random.Random(f"{base}-{step}-{slug}")

    coordinators = _coordinators(councils, now=now)
    members, joined, cross = _memberships(councils, coordinators, generator=generator, now=now)
    people = _people(councils)
    meetings = 0
    for slug, council in councils.items():
        if not council.meetings.exists():
            meetings += _meetings(
                council,
                coordinator=coordinators[slug],
                people=people[slug],
                councils=councils,
                rng=generator("meetings", slug),
                now=now,
            )
    interactions = _interactions(
        councils,
        coordinators,
        members,
        count=INTERACTIONS if organisations is None else min(INTERACTIONS, 2 * organisations),
        rng=generator("interactions"),
        now=now,
    )
    factors = 0
    impacts = 0
    for slug, council in councils.items():
        if not council.challenges.exists():
            factors += _success_factors(
                council, coordinator=coordinators[slug], rng=generator("factors", slug), now=now
            )
        if not council.impact_records.exists():
            impacts += _impact_records(
                council,
                coordinator=coordinators[slug],
                members=members[slug],
                councils=councils,
                all_members=members,
                rng=generator("impact", slug),
                now=now,
            )
    stdout.write(
        f"councils: {joined} council memberships ({cross} cross-cluster), {meetings} meetings, "
        f"{interactions} interactions, {factors} indicators and {impacts} impact records added"
    )


# --- people and memberships ------------------------------------------------------------------------


def _coordinators(councils, *, now):
    """The coordinator of each council (a verified account with the demo password), who works at a
    chamber or cluster of its region."""
    password = None  # hashed once for the six (each hash takes a second)
    coordinators = {}
    for slug, council in councils.items():
        email, full_name, language, time_zone, workplaces = COORDINATORS[slug]
        user = User.objects.filter(email=email).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=email,
                full_name=full_name,
                language=language,
                time_zone=time_zone,
                password=password,
                privacy_accepted_at=now - timedelta(days=DAYS + 30),
            )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        CouncilPerson.objects.get_or_create(
            council=council,
            user=user,
            defaults={
                "email": email,
                "role": CouncilPerson.Role.COORDINATOR,
                "status": CouncilPerson.Status.ACTIVE,
                "accepted_at": now - timedelta(days=DAYS + 30),
            },
        )
        workplace = _workplace(council, workplaces)
        if workplace and not Membership.objects.filter(user=user).exists():
            Membership.objects.create(user=user, organisation=workplace, role=Membership.Role.MEMBER)
        coordinators[slug] = user
    return coordinators


def _workplace(council, names):
    """The first of ``names`` that exists in the region, else one of its clusters or public bodies."""
    found = {o.name: o for o in Organisation.objects.filter(region=council.region, name__in=names)}
    for name in names:
        if name in found:
            return found[name]
    return (
        Organisation.objects.filter(region=council.region, kind=INTERMEDIARY)
        .order_by("-subtype", "slug")
        .filter(subtype__in=[Organisation.Subtype.CLUSTER, Organisation.Subtype.PUBLIC_BODY])
        .first()
    )


def _memberships(councils, coordinators, *, generator, now):
    """Most organisations of each region join its council; a few ask, a few are invited; a handful
    of organisations also belong to another council. Returns ({slug: [active member organisations]},
    links added, cross-cluster links added)."""
    demo_orgs = set(
        Membership.objects.filter(user__email__in=DEMO_EMAILS).values_list("organisation_id", flat=True)
    )
    coordinator_orgs = set(
        Membership.objects.filter(user__in=coordinators.values()).values_list("organisation_id", flat=True)
    )
    wanted = {}  # (council id, organisation id): (status, days ago)
    active = {slug: [] for slug in councils}
    by_region = {}
    for organisation in Organisation.objects.filter(region__in=[*Region.values]).order_by("slug"):
        by_region.setdefault(organisation.region, []).append(organisation)
    for slug, council in councils.items():
        rng = generator("members", slug)
        organisations = list(by_region.get(council.region, []))
        rng.shuffle(organisations)
        # the demo accounts' and the coordinator's organisations first: they are members
        organisations.sort(key=lambda o: o.pk not in demo_orgs | coordinator_orgs)
        active_count = min(MEMBER_CAP, round(len(organisations) * 0.8))
        for i, organisation in enumerate(organisations):
            if i < active_count:
                status = Status.ACTIVE
            elif i < active_count + 3:
                status = Status.REQUESTED
            elif i < active_count + 5:
                status = Status.INVITED
            else:
                break
            wanted[council.pk, organisation.pk] = (status, rng.uniform(0, DAYS) if i > 5 else DAYS + 20)
            if status == Status.ACTIVE:
                active[slug].append(organisation)
    # cross-cluster: a few universities, clusters and SMEs in a second council, and some from elsewhere
    cross_rng = generator("cross")
    slugs = list(councils)
    candidates = [
        (slug, o) for slug in slugs for o in active[slug] if o.kind != SME or cross_rng.random() < 0.1
    ]
    candidates += [(None, o) for o in by_region.get(Region.OTHER, [])[:4]]
    cross = []
    for home, organisation in cross_rng.sample(candidates, min(len(candidates), 14)):
        other = cross_rng.choice([slug for slug in slugs if slug != home])
        key = (councils[other].pk, organisation.pk)
        if key not in wanted:
            wanted[key] = (Status.ACTIVE, cross_rng.uniform(30, DAYS))
            active[other].append(organisation)
            cross.append(key)

    existing = set(
        CouncilOrganisation.objects.filter(council__in=councils.values()).values_list(
            "council_id", "organisation_id"
        )
    )
    by_id = {council.pk: (council, coordinators[slug]) for slug, council in councils.items()}
    todo = [(key, value) for key, value in wanted.items() if key not in existing]
    pending = [key for key, (status, _) in todo if status != Status.ACTIVE]
    admins = {}  # organisation id: its first admin, who asks to join
    for membership in (
        Membership.objects.filter(organisation_id__in=[o for _, o in pending], role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("user__email")
    ):
        admins.setdefault(membership.organisation_id, membership.user)
    # members since some time ago: history, written as rows
    rows = []
    for (council_id, organisation_id), (status, days_ago) in todo:
        if status == Status.ACTIVE:
            when = now - timedelta(days=days_ago)
            rows.append(
                CouncilOrganisation(
                    council_id=council_id,
                    organisation_id=organisation_id,
                    status=status,
                    decided_by=by_id[council_id][1],
                    decided_at=when,
                    joined_at=when,
                    created_at=when - timedelta(days=3),
                )
            )
    CouncilOrganisation.objects.bulk_create(rows, batch_size=500)
    # requests and invitations open now: through the services, which tell the coordinators or the admins
    organisations = Organisation.objects.in_bulk([o for _, o in pending])
    added = len(rows)
    for council_id, organisation_id in pending:
        council, coordinator = by_id[council_id]
        organisation = organisations[organisation_id]
        if wanted[council_id, organisation_id][0] == Status.INVITED:
            council_invite_organisation(council=council, organisation=organisation, actor=coordinator)
            added += 1
        elif organisation_id in admins:
            added += 1
            council_join_request(
                council=council,
                organisation=organisation,
                actor=admins[organisation_id],
                message="We would like to join the council: we already work with several of its members.",
            )
    added_cross = len(set(cross) & {(row.council_id, row.organisation_id) for row in rows})
    return active, added, added_cross


def _people(councils):
    """{slug: [users of the council's active member organisations]}, by email."""
    rows = (
        Membership.objects.filter(
            organisation__council_links__council__in=councils.values(),
            organisation__council_links__status=Status.ACTIVE,
        )
        .values_list("organisation__council_links__council__slug", "user_id", "organisation_id")
        .order_by("user__email", "organisation_id")
    )
    orgs = {}  # {slug: {user id: the first of their organisations in that council}}
    for slug, user_id, organisation_id in rows:
        orgs.setdefault(slug, {}).setdefault(user_id, organisation_id)
    users = User.objects.in_bulk({pk for found in orgs.values() for pk in found})
    organisations = Organisation.objects.in_bulk({pk for found in orgs.values() for pk in found.values()})
    return {
        slug: [(users[pk], organisations[org]) for pk, org in orgs.get(slug, {}).items()] for slug in councils
    }


# --- meetings --------------------------------------------------------------------------------------


def _at(day, hour, time_zone):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(time_zone))


def _weekday(day):
    """Councils meet from Tuesday to Thursday."""
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def _lower_first(text):
    return text[:1].lower() + text[1:]


def _meetings(council, *, coordinator, people, councils, rng, now):
    """Eight past meetings (with minutes) and two upcoming ones of ``council``; returns how many."""
    themes = list(THEMES[council.slug])
    rng.shuffle(themes)
    today = now.astimezone(ZoneInfo(council.time_zone)).date()
    demo = [(user, org) for user, org in people if user.email in DEMO_EMAILS]
    others = [(user, org) for user, org in people if user.email not in DEMO_EMAILS and user != coordinator]
    presenters = {kind: [(u, o) for u, o in others if o.kind == kind] for kind in (SME, HEI, INTERMEDIARY)}
    past_days = sorted(
        _weekday(today - timedelta(days=30 + 88 * i + rng.randint(-10, 10))) for i in range(PAST_MEETINGS)
    )
    for number, day in enumerate(past_days):
        theme = themes[number % len(themes)]
        agenda = _agenda(council, coordinator, theme, rng, presenters, councils)
        follow_up = number >= len(themes)
        meeting = _meeting_create(council, coordinator, day, theme, agenda, rng=rng, follow_up=follow_up)
        latest = number >= PAST_MEETINGS - 2  # the demo accounts were at the last two meetings
        attendees = _pick_attendees(rng, demo, others, low=12, high=22, demo_share=1 if latest else 0.7)
        _past_attendance(meeting, attendees, coordinator=coordinator, rng=rng)
        _minutes(
            meeting, coordinator, theme, attendees, rng=rng, today=today, last=number == PAST_MEETINGS - 1
        )
    for number, days_ahead in enumerate((rng.randint(9, 16), rng.randint(45, 70))):
        day = _weekday(today + timedelta(days=days_ahead))
        theme = themes[(PAST_MEETINGS + number) % len(themes)]
        full = number == 0  # the next one is full, with people waiting
        agenda = _agenda(council, coordinator, theme, rng, presenters, councils)
        meeting = _meeting_create(
            council, coordinator, day, theme, agenda, rng=rng, capacity=15 if full else 40
        )
        attendees = _pick_attendees(rng, [], others, low=17 if full else 8, high=17 if full else 12)
        # member@ and hei@ registered early; sme@ only now, so waits on Málaga's full meeting
        early = [user for user, _ in demo if user.email != "sme@example.org"]
        late = [user for user, _ in demo if user.email == "sme@example.org"]
        for user in [*early, *(user for user, _ in attendees), *late]:
            registration_create(event=meeting.event, user=user)
    return PAST_MEETINGS + 2


def _meeting_create(council, coordinator, day, theme, agenda, *, rng, capacity=None, follow_up=False):
    venue, address = VENUES[council.slug]
    hybrid = rng.random() < 0.4
    start = _at(day, 10, council.time_zone)
    meeting = meeting_create(
        council=council,
        actor=coordinator,
        agenda=agenda,
        title=f"{council.name} council: {theme}{', follow-up' if follow_up else ''}",
        description=(
            f"The council's quarterly meeting, this time on {_lower_first(theme)}. Members present their "
            "work, we review the success-factor indicators and agree on the next steps."
        ),
        start=start,
        end=start + timedelta(hours=2, minutes=30),
        format=Event.Format.HYBRID if hybrid else Event.Format.IN_PERSON,
        venue=venue,
        address=address,
        online_url=f"https://meet.example.org/{council.slug}-council-{day:%Y%m%d}" if hybrid else "",
        capacity=capacity,
        registration_closes_at=start - timedelta(days=1),
    )
    if start < timezone.now():  # entered after the fact: it was announced weeks before, reminders went out
        Event.objects.filter(pk=meeting.event_id).update(
            created_at=start - timedelta(days=40), reminder_sent_at=start - timedelta(days=1)
        )
        Meeting.objects.filter(pk=meeting.pk).update(created_at=start - timedelta(days=40))
    return meeting


def _person_name(pair):
    user, organisation = pair
    return f"{user.full_name} ({organisation.short_name or organisation.name})"[:200]


def _agenda(council, coordinator, theme, rng, presenters, councils):
    """3–5 items, as meeting_create takes them."""
    expert = presenters[HEI] or presenters[INTERMEDIARY] or presenters[SME]
    items = [
        ("Welcome, and the actions of the last meeting", coordinator.full_name, 15, ""),
        (
            theme,
            _person_name(rng.choice(expert)) if expert else coordinator.full_name,
            rng.choice([30, 40, 45]),
            f"An introduction to {_lower_first(theme)}, then a discussion of what the council can do.",
        ),
    ]
    optional = []
    if presenters[SME]:
        presenter = rng.choice(presenters[SME])
        optional.append(
            (
                f"Member spotlight: {presenter[1].name}"[:200],
                _person_name(presenter),
                20,
                "A member company presents its work and what it is looking for.",
            )
        )
    optional.append(("Success factors: this quarter's indicators", coordinator.full_name, 20, ""))
    other = rng.choice([c for c in councils.values() if c.pk != council.pk] or [council])
    optional.append((f"News from the {other.name} council", coordinator.full_name, 15, ""))
    if presenters[INTERMEDIARY]:
        optional.append(("Open funding calls", _person_name(rng.choice(presenters[INTERMEDIARY])), 20, ""))
    extra = rng.sample(optional, min(len(optional), rng.randint(1, 3)))
    return [
        {"title": title, "presenter": presenter, "duration_minutes": minutes, "description": description}
        for title, presenter, minutes, description in items + sorted(extra, key=optional.index)
    ]


def _pick_attendees(rng, demo, others, *, low, high, demo_share=0.7):
    """[(user, organisation)] of the people who come: the demo accounts often, others at random."""
    chosen = [pair for pair in demo if rng.random() < demo_share]
    chosen += rng.sample(others, min(len(others), rng.randint(low, high)))
    return chosen


def _past_attendance(meeting, attendees, *, coordinator, rng):
    """Registrations and check-ins as they happened: rows dated then, since the services rightly
    refuse to register anyone for a past meeting or to date a check-in other than now."""
    start = meeting.event.start
    others = [user for user, _ in attendees if user.email not in DEMO_EMAILS]
    cancelled_ones = set(rng.sample(others, round(len(others) * rng.uniform(0, 0.1))))
    stayed = [user for user in others if user not in cancelled_ones]
    absent = set(rng.sample(stayed, round(len(stayed) * rng.uniform(0.05, 0.2))))
    rows = []
    for user in [coordinator, *(user for user, _ in attendees)]:
        queued = start - timedelta(days=rng.uniform(2, 30))
        cancelled = user in cancelled_ones
        present = not cancelled and user not in absent
        rows.append(
            Registration(
                event=meeting.event,
                user=user,
                status=Registration.Status.CANCELLED if cancelled else Registration.Status.CONFIRMED,
                queued_at=queued,
                confirmed_at=None if cancelled else queued,
                cancelled_at=queued + timedelta(days=1) if cancelled else None,
                checked_in_at=start + timedelta(minutes=rng.uniform(-20, 15)) if present else None,
                checked_in_by=coordinator if present else None,
                reminder_sent_at=None if cancelled else start - timedelta(days=1),
                created_at=queued,
            )
        )
    Registration.objects.bulk_create(rows)


ACTIONS = [
    "Write the working group's terms of reference",
    "Collect the member SMEs' needs on {topic}",
    "Send the funding calls' deadlines to all members",
    "Prepare a one-page summary for the alliance newsletter",
    "Propose two student projects to the universities",
]


def _minutes(meeting, coordinator, theme, attendees, *, rng, today, last=False):
    """Minutes and decisions published through the service (it records the attendance in the ledger
    and tells the people registered), then the action items and what their owners did since."""
    event = meeting.event
    present = event.registrations.filter(checked_in_at__isnull=False).count()
    organisations = sorted({org.name for _, org in attendees})
    topic = _lower_first(theme)
    minutes = (
        f"{coordinator.full_name} opened the meeting and welcomed the {present} people present.\n\n"
        f"The main item was {topic}. Members described where they stand and what holds them back; "
        "the discussion showed a shared need that no member can meet alone.\n\n"
        "The coordinator went through the actions of the last meeting and the indicators of the council's "
        "success factors for the quarter. The next meeting will take place in about three months."
    )
    decisions = [f"The council sets up a working group on {topic}."]
    if len(organisations) >= 2:
        first, second = rng.sample(organisations, 2)
        decisions.append(f"The council supports the joint funding application of {first} and {second}.")
    if rng.random() < 0.5:
        decisions.append("Members share their labs' free slots in a common calendar from next month.")
    minutes_publish(meeting=meeting, actor=coordinator, minutes=minutes, decisions=decisions)
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes_published_at=event.end + timedelta(days=rng.uniform(1, 6))
    )

    # the demo accounts often own an action (so their pages show some), always in the latest meetings
    owners = [user for user, _ in attendees if user.email not in DEMO_EMAILS]
    demo_owners = [user for user, _ in attendees if user.email in DEMO_EMAILS]
    if last or rng.random() < 0.5:
        owners = demo_owners + owners
    meeting_day = event.start.date()
    for i, title in enumerate(rng.sample(ACTIONS, rng.randint(2, 3))):
        owner = owners[i] if i < len(owners) else coordinator
        due = meeting_day + timedelta(days=rng.randint(14, 60))
        if last:  # of the last meeting's actions, the first is overdue, the others due soon
            due = (
                today - timedelta(days=rng.randint(3, 12))
                if i == 0
                else today + timedelta(rng.randint(7, 45))
            )
        action = action_item_create(
            meeting=meeting, actor=coordinator, title=title.format(topic=topic), owner=owner, due_date=due
        )
        late = (today - due).days
        if late > 100:
            status = ActionItem.Status.DONE if rng.random() < 0.85 else ActionItem.Status.DROPPED
        elif late > 0:  # open ones are overdue
            status = ActionItem.Status.DONE if rng.random() < 0.5 and not last else ActionItem.Status.OPEN
        else:
            status = ActionItem.Status.IN_PROGRESS if rng.random() < 0.4 else ActionItem.Status.OPEN
        if status != ActionItem.Status.OPEN:
            note = {"done": "Done and shared with the members.", "dropped": "No longer needed."}.get(
                status, ""
            )
            action_item_update(action=action, actor=owner, status=status, note=note)


# --- the ledger: success factors 1 and 2 ----------------------------------------------------------------

KIND_WEIGHTS = [
    (Interaction.Kind.JOINT_PROJECT, 20),
    (Interaction.Kind.VISIT, 20),
    (Interaction.Kind.CONSULTANCY, 18),
    (Interaction.Kind.FACILITY, 15),
    (Interaction.Kind.LEARNING, 17),
    (Interaction.Kind.OTHER, 10),
]


def _weighted(rng, pairs):
    x = rng.random() * sum(weight for _, weight in pairs)
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def _days_ago(u):
    """A day of the last two years for the quantile ``u`` (0…1) of a density rising linearly to today
    (0.35 + 1.3 t: about four times as much in the last quarter as in the first), so the councils'
    activity grows quarter by quarter."""
    t = (math.sqrt(0.35**2 + 2.6 * u) - 0.35) / 1.3
    return int((1 - t) * (DAYS - 5)) + 1


def _describe(kind, first, second, topic):
    if kind == Interaction.Kind.JOINT_PROJECT:
        return f"Joint project of {first.name} and {second.name} on {topic}."
    if kind == Interaction.Kind.VISIT:
        return f"{first.name} visited {second.name} to see their work on {topic}."
    if kind == Interaction.Kind.CONSULTANCY:
        return f"{second.name} advised {first.name} on {topic}."
    if kind == Interaction.Kind.FACILITY:
        return f"{first.name} used {second.name}'s facilities for tests on {topic}."
    if kind == Interaction.Kind.LEARNING:
        return f"People of {first.name} took a course by {second.name} on {topic}."
    return f"{first.name} and {second.name} exchanged ideas on {topic}."


def _interactions(councils, coordinators, members, *, count, rng, now):
    """``count`` interactions recorded by the coordinators, through the ledger's service."""
    token = f"{rng.getrandbits(32):08x}"
    slugs = [slug for slug in councils if len(members[slug]) >= 2]
    if not slugs:
        return 0
    plan = []
    per_council = count // len(slugs)
    for number, (step, slug) in enumerate((step, slug) for step in range(per_council) for slug in slugs):
        share = (step + rng.random()) / per_council  # stratified: a smooth trend in each council
        pool = members[slug]
        smes = [o for o in pool if o.kind == SME]
        heis = [o for o in pool if o.kind == HEI]
        u = rng.random()
        if u < 0.3 and smes and heis:
            first, second = rng.choice(smes), rng.choice(heis)
        elif u < 0.44 and len(slugs) > 1:
            other = rng.choice([s for s in slugs if s != slug])
            first, second = rng.choice(pool), rng.choice(members[other])
        else:
            first, second = rng.sample(pool, 2)
        organisations = [first, second]
        kind = _weighted(rng, KIND_WEIGHTS)
        if kind == Interaction.Kind.JOINT_PROJECT and rng.random() < 0.3:
            organisations.append(rng.choice(pool))
        topic = rng.choice(TOPICS[slug])
        plan.append((f"councils-{token}-{number}", slug, kind, _days_ago(share), organisations, topic))
    done = set(
        Interaction.objects.filter(source=SOURCE, source_ref__in=[ref for ref, *_ in plan]).values_list(
            "source_ref", flat=True
        )
    )
    today = now.date()
    recorded = 0
    for ref, slug, kind, days_ago, organisations, topic in plan:
        if ref in done or len({o.pk for o in organisations}) < 2:
            continue
        interaction_record(
            kind=kind,
            date=today - timedelta(days=days_ago),
            organisations=organisations,
            description=_describe(kind, organisations[0], organisations[1], topic),
            source=SOURCE,
            source_ref=ref,
            recorded_by=coordinators[slug],
            councils=[councils[slug]],
        )
        recorded += 1
    return recorded


# --- success factor 3: challenges → adapted success factors → indicators ---------------------------------


def _quarter_start(day):
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarter_ends(start, today):
    """The last day of each quarter from ``start``'s to the last one ended before ``today``."""
    ends = []
    day = start
    while True:
        month = day.month + 3
        year = day.year + (month - 1) // 12
        day = datetime.date(year, (month - 1) % 12 + 1, 1)
        end = day - timedelta(days=1)
        if end >= today:
            return ends
        ends.append(end)


def _success_factors(council, *, coordinator, rng, now):
    """The council's challenges, adapted success factors and indicators with quarterly values; returns
    the number of indicators."""
    today = now.date()
    baseline_date = _quarter_start(today - timedelta(days=DAYS))
    target_date = datetime.date(baseline_date.year + 3, 12, 31)
    quarter_ends = _quarter_ends(baseline_date, today)
    count = 0
    for position, (title, description, factors) in enumerate(SUCCESS[council.slug]):
        challenge = challenge_create(
            council=council, actor=coordinator, position=position, title=title, description=description
        )
        for factor_position, (factor_title, indicators) in enumerate(factors):
            factor = success_factor_create(
                challenge=challenge, actor=coordinator, position=factor_position, title=factor_title
            )
            for name, unit, baseline, target in indicators:
                indicator = indicator_create(
                    success_factor=factor,
                    actor=coordinator,
                    name=name,
                    unit=unit,
                    baseline=Decimal(baseline),
                    baseline_date=baseline_date,
                    target=Decimal(target),
                    target_date=target_date,
                )
                _indicator_values(indicator, coordinator, quarter_ends, rng=rng)
                count += 1
    return count


def _indicator_values(indicator, actor, quarter_ends, *, rng):
    """A value at the end of each quarter, heading from the baseline towards the target."""
    baseline, target = float(indicator.baseline), float(indicator.target)
    span = (indicator.target_date - indicator.baseline_date).days
    whole = baseline.is_integer() and target.is_integer() and indicator.unit != "%"
    step = 1000 if abs(target - baseline) >= 100000 else 1  # money in thousands
    pace = rng.uniform(0.8, 1.25)  # some councils run ahead of plan, some behind
    previous = baseline
    for end in quarter_ends:
        expected = (end - indicator.baseline_date).days / span
        progress = min(1.0, max(0.0, expected * pace + rng.uniform(-0.04, 0.05)))
        value = baseline + (target - baseline) * progress
        # these measures rarely move back: hold the previous quarter's value rather than regress
        value = max(value, previous) if target > baseline else min(value, previous)
        value = round(value / step) * step if whole else round(value, 1)
        previous = value
        indicator_value_record(indicator=indicator, actor=actor, date=end, value=Decimal(str(value)))


# --- success factor 4: impact records -------------------------------------------------------------------

IMPACT_WEIGHTS = [
    (ImpactRecord.Kind.PARTNERSHIP, 18),
    (ImpactRecord.Kind.JOINT_PROJECT, 20),
    (ImpactRecord.Kind.FUNDING, 20),
    (ImpactRecord.Kind.PRODUCT, 12),
    (ImpactRecord.Kind.JOBS, 15),
    (ImpactRecord.Kind.TRAINING, 15),
]


def _impact_records(council, *, coordinator, members, councils, all_members, rng, now):
    """15–30 impact records of the council; returns how many."""
    if len(members) < 2:
        return 0
    today = now.date()
    country = str(council.country)
    others = [o for slug, pool in all_members.items() if slug != council.slug for o in pool]
    count = rng.randint(15, 30)
    for number in range(count):
        kind = IMPACT_WEIGHTS[number][0] if number < len(IMPACT_WEIGHTS) else _weighted(rng, IMPACT_WEIGHTS)
        first, second = rng.sample(members, 2)
        if others and rng.random() < 0.15:
            second = rng.choice(others)  # with a partner of another council
        topic = rng.choice(TOPICS[council.slug])
        quantity, description = _impact(kind, first, second, topic, rng, country)
        fields = {
            "kind": kind,
            "date": today - timedelta(days=_days_ago(rng.random())),
            "country": str(first.country) or country,
            "quantity": quantity,
            "description": description,
        }
        impact_record_create(council=council, actor=coordinator, organisations=[first, second], **fields)
    return count


def _impact(kind, first, second, topic, rng, country):
    """(quantity, description) of an impact record."""
    if kind == ImpactRecord.Kind.FUNDING:
        euros = Decimal(rng.choice([25, 40, 60, 80, 120, 150, 250, 400, 750, 1200]) * 1000)
        programme = rng.choice(PROGRAMMES.get(country, ["Horizon Europe"]))
        return euros, f"{first.name} and {second.name} obtained €{euros:,.0f} from {programme} for {topic}."
    if kind == ImpactRecord.Kind.JOBS:
        jobs = rng.randint(1, 8)
        return Decimal(
            jobs
        ), f"{first.name} hired {jobs} engineers for its work on {topic} with {second.name}."
    if kind == ImpactRecord.Kind.TRAINING:
        people = rng.choice([8, 12, 15, 20, 25, 30, 45, 60])
        return Decimal(people), f"{second.name} trained {people} people of {first.name} in {topic}."
    if kind == ImpactRecord.Kind.PRODUCT:
        return Decimal(1), f"{first.name} launched a new product in {topic}, developed with {second.name}."
    if kind == ImpactRecord.Kind.JOINT_PROJECT:
        return Decimal(1), f"{first.name} and {second.name} started a joint project on {topic}."
    return Decimal(1), f"{first.name} and {second.name} signed a partnership agreement on {topic}."
