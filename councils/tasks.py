"""Periodic work of the councils app (scheduled by ``setup_periodic_tasks``)."""

import logging

from celery import shared_task

from .services.meetings import minutes_nudge

logger = logging.getLogger(__name__)


@shared_task(name="councils.nudge_minutes", acks_late=True)
def nudge_minutes():
    """Hourly: nudge the coordinators of meetings whose minutes are 3 days late. Safe to run twice
    (each meeting is nudged once)."""
    count = minutes_nudge()
    if count:
        logger.info("councils: nudged the coordinators of %s meeting(s) about their minutes", count)
    return count
