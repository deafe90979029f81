import importlib
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD

# Each app with demo data has a `demo` module with `seed(*, rng, stdout, **options)` (idempotent)
# and `ACCOUNTS`, the demo sign-ins it makes as (email, role). They run in this order.
DEMO_MODULES = [
    "accounts.demo",
    "organisations.demo",
    "councils.demo",
]


class Command(BaseCommand):
    help = "Fill the database with demo data. Idempotent: running it again adds nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already has users."
        )
        parser.add_argument(
            "--organisations",
            type=int,
            default=None,
            metavar="N",
            help="Seed N organisations (written in bulk, for scale tests) instead of the normal demo set.",
        )

    def handle(self, *args, seed, if_empty, **options):
        from accounts.models import User

        modules = [importlib.import_module(name) for name in DEMO_MODULES]
        # call_command(stdout=…) passes its streams among the options; the modules write to self.stdout.
        options.pop("stdout", None)
        options.pop("stderr", None)
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has data; demo data not loaded again.")
        else:
            rng = random.Random(seed)
            with transaction.atomic():
                for module in modules:
                    module.seed(rng=rng, stdout=self.stdout, **options)
        self.stdout.write(self.style.SUCCESS(f"\nDemo accounts (password: {DEMO_PASSWORD})"))
        for module in modules:
            for email, role in module.ACCOUNTS:
                self.stdout.write(f"  {email:<42} {role}")
        self.stdout.write("Staff set up two-factor authentication on their first visit to /admin/.")
