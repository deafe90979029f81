"""Demo accounts for `manage.py seed_demo`."""

from allauth.account.models import EmailAddress
from django.utils import timezone

from .models import User

DEMO_PASSWORD = "demo-pass-2026"

DEMO_ACCOUNTS = [
    # (email, full name, staff, language, time zone)
    ("admin@example.org", "Ana Admin", True, "en", "Europe/Madrid"),
    ("member@example.org", "Marco Member", False, "en", "Europe/Rome"),
]


def demo_user(email, *, full_name, is_staff=False, language="en", time_zone="Europe/Madrid"):
    """Create (or leave as it is) a demo user with a verified primary email and the demo password."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": full_name,
            "is_staff": is_staff,
            "is_superuser": is_staff,
            "language": language,
            "time_zone": time_zone,
            "privacy_accepted_at": timezone.now(),
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


def seed(*, rng, stdout, **options):
    created = 0
    for email, full_name, is_staff, language, time_zone in DEMO_ACCOUNTS:
        _, was_created = demo_user(
            email, full_name=full_name, is_staff=is_staff, language=language, time_zone=time_zone
        )
        created += was_created
    stdout.write(f"accounts: {created} demo account(s) created, {len(DEMO_ACCOUNTS) - created} already there")


# What `seed_demo` prints: (email, what the account shows off).
ACCOUNTS = [(email, "staff" if is_staff else "member") for email, _, is_staff, _, _ in DEMO_ACCOUNTS]
