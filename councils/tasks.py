"""Periodic work of the councils app (scheduled by ``setup_periodic_tasks``)."""

import logging

from celery import shared_task

from .kpi import networks_refresh
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


@shared_task(name="councils.refresh_networks", acks_late=True)
def refresh_networks():
    """Every few minutes: recompute the network graphs of the alliance's and the councils' dashboards
    (default period) and keep them in the cache, so that no viewer waits for one. Safe to run twice."""
    return networks_refresh()
