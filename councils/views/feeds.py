"""Council calendar feeds: every meeting of a council, for its members' calendar applications.

``/councils/<slug>/calendar/<key>.ics`` — the key is the person's calendar key (the same secret as
their own feed, reset together on the Calendar page). The feed needs no login: the key says who is
asking, and only members of the council (or staff) get it; a forged key or a non-member gets a 404.
"""

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from events.ical import events_feed
from events.models import Event, Registration
from events.selectors import calendar_key_user

from ..models import Council
from ..permissions import council_roles, is_council_member
from ..services.meetings import MEETING_KIND

# Past meetings older than this are left out of the feed (calendar clients keep what they had).
FEED_PAST = timedelta(days=400)


@require_safe
def council_feed(request, slug, key):
    user = calendar_key_user(key)
    council = Council.objects.filter(slug=slug).first() if user is not None else None
    if council is None or not (user.is_staff or is_council_member(user, council)):
        raise Http404
    events = list(
        Event.objects.filter(kind=MEETING_KIND, meeting__council=council, end__gte=timezone.now() - FEED_PAST)
        .select_related("meeting")
        .order_by("start", "id")
    )
    confirmed = set(
        Registration.objects.filter(
            user=user, event__in=[event.pk for event in events], status=Registration.Status.CONFIRMED
        ).values_list("event_id", flat=True)
    )
    content = events_feed(
        events,
        name=_("%(council)s council meetings") % {"council": council.name},
        url_of=lambda event: reverse("councils:meeting", args=[council.slug, event.meeting.pk]),
        with_online_link=lambda event: event.pk in confirmed,
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def calendar_feeds(user):
    """The council feeds of ``user``'s councils, as (label, url) for the events Calendar page
    (registered with ``events.registry.register_feed_provider`` in the app's ready())."""
    if not user.is_authenticated:
        return []
    council_ids = list(council_roles(user))
    if not council_ids:
        return []
    from events.services import calendar_key_for

    key = calendar_key_for(user=user).key
    return [
        (
            _("%(council)s council meetings") % {"council": council.name},
            reverse("councils:feed", args=[council.slug, key]),
        )
        for council in Council.objects.filter(pk__in=council_ids).order_by("name")
    ]


urlpatterns = [
    path("<slug:slug>/calendar/<str:key>.ics", council_feed, name="feed"),
]
