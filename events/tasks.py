from celery import shared_task

from .services import reminders_send


@shared_task(name="events.send_reminders", acks_late=True)
def send_reminders():
    """Periodic (every 10 minutes): remind people of the events that start soon (each person once)."""
    return reminders_send()
