from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# Every periodic job of the portal, in one place: (name, task, schedule), the schedule being every N
# minutes (an int) or a crontab (a dict of CrontabSchedule fields, in UTC; unset fields are "*").
# Later issues add theirs here. The command creates what is missing and leaves rows edited in the
# admin alone.
PERIODIC_TASKS = [
    ("Outbox: queue again emails whose task was lost", "notifications.outbox_flush", 5),
    ("Reports: remove expired files, recover jobs whose task was lost", "reports.cleanup", 15),
    # Hourly on the hour: each run sends the digests of the people whose morning has come since.
    ("Digests: plan the daily and weekly digests now due", "notifications.digest_plan", {"minute": "0"}),
    ("Events: remind registered people of what starts soon", "events.send_reminders", 10),
    (
        "Councils: nudge coordinators whose meeting minutes are late",
        "councils.nudge_minutes",
        {"minute": "30"},
    ),
    ("Councils: refresh the dashboards' networks of who works with whom", "councils.refresh_networks", 5),
]


def _schedule(schedule):
    if isinstance(schedule, int):
        interval, _ = IntervalSchedule.objects.get_or_create(every=schedule, period=IntervalSchedule.MINUTES)
        return {"interval": interval}
    fields = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
    crontab, _ = CrontabSchedule.objects.get_or_create(**(fields | schedule), timezone="UTC")
    return {"crontab": crontab}


class Command(BaseCommand):
    help = "Create the portal's periodic Celery tasks (django-celery-beat). Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for name, task, schedule in PERIODIC_TASKS:
            if PeriodicTask.objects.filter(name=name).exists():
                continue
            PeriodicTask.objects.create(name=name, task=task, **_schedule(schedule))
            created += 1
        self.stdout.write(f"periodic tasks: {created} created, {len(PERIODIC_TASKS) - created} already there")
