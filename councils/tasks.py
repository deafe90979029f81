"""Periodic work of the councils app (scheduled by ``setup_periodic_tasks``)."""

import logging

from celery import shared_task

from . import kpi
from .models import Council
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
    return kpi.networks_refresh()


@shared_task(name="councils.refresh_network", acks_late=True)
def refresh_network(council_id, quarters):
    """Asked for by a dashboard that showed a stale graph: recompute that one (``council_id`` None:
    the alliance's) over its last ``quarters`` quarters. A council deleted meanwhile is skipped."""
    council = None
    if council_id is not None:
        council = Council.objects.filter(pk=council_id).first()
        if council is None:
            return 0
    kpi.network_refresh(council=council, period=kpi.period_for(quarters=quarters))
    return 1
