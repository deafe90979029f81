from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .models import Format
from .registry import builders_for


class ReportRequestForm(forms.Form):
    """Which report, in which format. The report's own parameters are a second form, the one its
    builder registered (prefixed "params", so that its field names never clash with these)."""

    kind = forms.ChoiceField(
        label=_("Report"),
        # Choosing another report swaps in its formats and parameters (htmx); without JavaScript the
        # "Show its options" button does the same.
        widget=forms.Select(
            attrs={
                "hx-get": reverse_lazy("reports:index"),
                "hx-target": "#report-options",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"), widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args, user, builder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(b.name, b.title) for b in builders_for(user)]
        labels = dict(Format.choices)
        formats = builder.formats if builder else Format.values
        self.fields["format"].choices = [(fmt, labels[fmt]) for fmt in formats]
        self.fields["format"].initial = formats[0]
