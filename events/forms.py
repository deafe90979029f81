"""The event form (reused by the apps that own events, e.g. council meetings) and the small forms of
the attendees page.

Times are entered as the wall-clock time of the event's own time zone (the form's ``time_zone``
field), whatever the viewer's zone: "10:00 in Málaga" is what an organiser means.
"""

import datetime
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Event
from .services import EVENT_FIELDS, event_validate

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ZONE_FIELDS = ("start", "end", "registration_opens_at", "registration_closes_at")


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class WallClockDateTimeField(forms.DateTimeField):
    """A datetime-local value kept naive: the form makes it aware in the event's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(datetime.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None

    def prepare_value(self, value):
        return value


class EventForm(forms.ModelForm):
    """Title, description, times (in the event's zone), format, place, online link, capacity,
    registration window and reminder. ``event_fields()`` gives the keyword arguments of
    ``event_create`` / ``event_update``; ``add_service_errors(error)`` maps a ValidationError of the
    service onto the fields."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("The time zone the event takes place in; the times below are in this zone."),
    )
    start = WallClockDateTimeField(label=_("Start"))
    end = WallClockDateTimeField(label=_("End"))
    registration_opens_at = WallClockDateTimeField(
        label=_("Registration opens"), required=False, help_text=_("Leave empty to open it at once.")
    )
    registration_closes_at = WallClockDateTimeField(
        label=_("Registration closes"), required=False, help_text=_("Leave empty to close it at the start.")
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Shown only to people with a confirmed registration."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, min_value=1, help_text=_("Leave empty for no limit.")
    )
    reminder_hours = forms.IntegerField(
        label=_("Reminder (hours before)"),
        min_value=1,
        max_value=24 * 14,
        initial=24,
        help_text=_("How many hours before the start registered people are reminded."),
    )

    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, data=None, *args, instance=None, initial_time_zone=None, **kwargs):
        super().__init__(data, *args, instance=instance, **kwargs)
        if instance is not None and instance.pk:
            zone = _zone(instance.time_zone)
            for name in ZONE_FIELDS:
                value = getattr(instance, name)
                if value is not None:
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)
        elif initial_time_zone and "time_zone" not in self.initial:
            self.initial["time_zone"] = initial_time_zone
        # Aware datetimes given as initial values are shown in the event's zone too.
        zone = _zone(self.initial.get("time_zone") or "UTC")
        for name in ZONE_FIELDS:
            value = self.initial.get(name)
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        zone = _zone(cleaned.get("time_zone") or self.initial.get("time_zone") or "UTC")
        for name in ZONE_FIELDS:
            value = cleaned.get(name)
            if value is None:
                continue
            if timezone.is_aware(value):
                value = value.replace(tzinfo=None)
            aware = value.replace(tzinfo=zone)
            if aware.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != value:
                self.add_error(name, _("This time does not exist in the chosen time zone (clocks change)."))
                continue
            cleaned[name] = aware
        if not self.errors:
            try:
                event_validate(Event(**{name: cleaned.get(name) for name in EVENT_FIELDS}))
            except ValidationError as error:
                self.add_service_errors(error)
        return cleaned

    def _post_clean(self):
        # The model's checks are the service's (``event_validate``, run in clean() with per-field
        # messages); the instance itself is written by the service, never by the form.
        pass

    def event_fields(self):
        """The cleaned values as keyword arguments for ``event_create`` / ``event_update``."""
        return {name: self.cleaned_data.get(name) for name in EVENT_FIELDS}

    def add_service_errors(self, error):
        """Show a ValidationError of the events service on the matching fields."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in self.fields else None
                for item in errors:
                    if target is None or target in self.fields:
                        self.add_error(target, item)
        else:
            self.add_error(None, error)


class RegisterSomeoneForm(forms.Form):
    email = forms.EmailField(label=_("Email of the person to register"))


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return zoneinfo.ZoneInfo("UTC")
