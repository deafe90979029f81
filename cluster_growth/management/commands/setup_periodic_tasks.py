from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

# Every periodic job of the portal, in one place: (name, task, every N minutes). Later issues add
# theirs here. The command creates what is missing and leaves rows edited in the admin alone.
PERIODIC_TASKS = [
    ("Outbox: queue again emails whose task was lost", "notifications.outbox_flush", 5),
    ("Reports: remove expired files, recover jobs whose task was lost", "reports.cleanup", 15),
]


class Command(BaseCommand):
    help = "Create the portal's periodic Celery tasks (django-celery-beat). Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for name, task, minutes in PERIODIC_TASKS:
            schedule, _ = IntervalSchedule.objects.get_or_create(
                every=minutes, period=IntervalSchedule.MINUTES
            )
            _, was_created = PeriodicTask.objects.get_or_create(
                name=name, defaults={"task": task, "interval": schedule}
            )
            created += was_created
        self.stdout.write(f"periodic tasks: {created} created, {len(PERIODIC_TASKS) - created} already there")
