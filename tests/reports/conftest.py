"""Report tests: files go to a temporary media folder, and a few builders made for the tests."""

import pytest
from django import forms

from reports import exports
from reports.models import Format
from reports.registry import ReportBuilder, ReportError, register, unregister


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Report files of each test in a folder of its own (removed by pytest), not in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


class WidgetForm(forms.Form):
    count = forms.IntegerField(label="Number of widgets", min_value=1, max_value=100, required=False)
    colour = forms.ChoiceField(
        label="Colour", choices=[("", "Any"), ("red", "Red"), ("blue", "Blue")], required=False
    )


class Recorder:
    """What the test builders saw: their calls, and the job's progress as stored after each step."""

    def __init__(self):
        self.calls = []
        self.progress_seen = []


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def test_builders(recorder):
    """Three reports: "widgets" builds (CSV, XLSX or PDF), "widgets-refused" refuses with a message
    for the requester, and "widgets-crash" fails with an internal error."""
    from reports.models import ReportJob

    def build(job, params, progress):
        recorder.calls.append((job.pk, dict(params)))
        for percent in (25, 60):
            progress(percent)
            recorder.progress_seen.append(ReportJob.objects.get(pk=job.pk).progress)
        count = int(params.get("count", 3))
        header, rows = ["Widget", "Colour", "Count"], [["Sprocket", params.get("colour", "any"), count]]
        if job.format == Format.CSV:
            return "widgets.csv", exports.csv_bytes([header, *rows])
        if job.format == Format.XLSX:
            return "widgets.xlsx", exports.xlsx_simple(header, rows, title="Widgets")
        return "widgets.pdf", exports.pdf_render("<html><body><p>Widgets</p></body></html>")

    def refuse(job, params, progress):
        recorder.calls.append((job.pk, dict(params)))
        progress(50)
        raise ReportError("No widget matches these parameters.")

    def crash(job, params, progress):
        recorder.calls.append((job.pk, dict(params)))
        progress(50)
        raise RuntimeError("database password is hunter2")

    builders = [
        ReportBuilder(
            name="widgets",
            title="Widget report",
            form_class=WidgetForm,
            formats=(Format.CSV, Format.XLSX, Format.PDF),
            build=build,
        ),
        ReportBuilder(name="widgets-refused", title="Refused widgets", form_class=WidgetForm, build=refuse),
        ReportBuilder(name="widgets-crash", title="Crashing widgets", form_class=WidgetForm, build=crash),
    ]
    for builder in builders:
        register(builder)
    yield builders
    for builder in builders:
        unregister(builder.name)
