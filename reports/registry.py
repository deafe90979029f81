"""The report registry: apps register the reports they can build.

An app's ``reports.py`` registers a :class:`ReportBuilder` from its ``AppConfig.ready``::

    register(ReportBuilder(
        name="directory",
        title=_("Directory report"),
        form_class=DirectoryReportForm,
        formats=("xlsx", "pdf"),
        build=build_directory_report,
    ))

``build(job, params, progress)`` runs in a worker, in the requester's language and time zone, and
returns ``(filename, content_bytes)`` for ``job.format``. ``params`` are the values the parameters
form accepted (raw, as submitted, so they can be bound to the form again). ``progress(percent)``
tells the requester how far it got. A builder raises :class:`ReportError` with a message for the
requester when it cannot build the report; any other exception is logged and the requester is told
the report failed, without the details.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.db import models
from django.utils.translation import gettext as _

from .models import Format


class ReportError(Exception):
    """A report cannot be built, for a reason the requester should read (translated, no internals)."""


@dataclass(frozen=True)
class ReportBuilder:
    name: str
    title: str
    form_class: type[forms.Form]
    build: Callable
    formats: tuple[str, ...] = (Format.XLSX, Format.PDF)
    description: str = ""
    # A permission (rules or Django) the requester needs; None: anyone signed in.
    permission: str | None = None
    # The parameters form takes the requester (``user=``), to offer only what they may choose.
    form_takes_user: bool = False

    def __post_init__(self):
        unknown = set(self.formats) - set(Format.values)
        if unknown or not self.formats:
            raise ValueError(f"report {self.name!r}: unknown formats {sorted(unknown)}")

    def available_to(self, user):
        return (
            user.is_authenticated
            and user.is_active
            and (not self.permission or user.has_perm(self.permission))
        )

    def form(self, data=None, *, user=None, **kwargs):
        if self.form_takes_user:
            kwargs["user"] = user
        return self.form_class(data=data, **kwargs)

    def params_from_form(self, form):
        """The accepted parameters as JSON: each filled-in field's submitted value, so that binding
        them to the form again gives the same result."""
        params = {}
        for name in form.fields:
            value = form[name].value()
            if value in (None, "", [], False):
                continue
            if isinstance(value, list | tuple):
                value = [str(item) for item in value]
            elif not isinstance(value, bool | int | float | str):
                value = str(value)
            params[name] = value
        return params

    def params_display(self, form):
        """The accepted parameters as the requester chose them: ``[label, value]`` pairs, in the
        request's language, kept with the job so the list of jobs needs no lookups."""
        pairs = []
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if value in (None, "", [], False) or (isinstance(value, models.QuerySet) and not value):
                continue
            pairs.append([str(field.label or name), _display(field, value)])
        return pairs


def _display(field, value):
    if value is True:
        return _("yes")
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.QuerySet | list | tuple):
        return ", ".join(_display(field, item) for item in value)
    if isinstance(field, forms.ChoiceField):
        labels = {}
        for key, label in field.choices:
            if isinstance(label, list | tuple):  # a group of choices
                labels.update({str(k): v for k, v in label})
            else:
                labels[str(key)] = label
        return str(labels.get(str(value), value))
    return str(value)


_builders: dict[str, ReportBuilder] = {}


def register(builder):
    """Add (or replace) a report builder; called from an app's ``AppConfig.ready``."""
    _builders[builder.name] = builder
    return builder


def unregister(name):
    _builders.pop(name, None)


def get_builder(name):
    """The builder registered as ``name``, or None."""
    return _builders.get(name)


def builders_for(user):
    """The reports ``user`` may ask for, by title."""
    return sorted((b for b in _builders.values() if b.available_to(user)), key=lambda b: str(b.title))


def report_title(name):
    builder = _builders.get(name)
    return builder.title if builder else name
