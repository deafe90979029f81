"""Forms of the success-factor pages: interactions, challenges → success factors → indicators and
their values, impact records. Numbers are read in the active language's format (``localize``:
"1.234,5" in Spanish, "1,234.5" in English); the services validate again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.models import Interaction, Organisation

from ..models import Challenge, ImpactRecord, Indicator, IndicatorValue, SuccessFactor
from ..services.success import today_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganisationChoiceField(forms.ModelMultipleChoiceField):
    """The portal's organisations as a multi-select, labelled with their place so that namesakes
    can be told apart. ``static/js/councils-success.js`` adds a search box that filters the options;
    without JavaScript it is an ordinary multi-select (Ctrl/⌘ + click)."""

    widget = forms.SelectMultiple(
        attrs={
            "size": 10,
            "data-searchable": "true",
            "data-search-label": _("Search the organisations"),
            "data-search-placeholder": _("Type part of a name, city or country"),
        }
    )

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "queryset", Organisation.objects.only("pk", "name", "city", "country").order_by("name", "pk")
        )
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.city}, {obj.country.name})"


def _decimal_keyboard(form, *names):
    # Localised numbers are typed in a text box (a number input would refuse "12,5"); phones still
    # show their numeric keyboard.
    for name in names:
        form.fields[name].widget.attrs["inputmode"] = "decimal"


def _not_in_future(form, field, council):
    value = form.cleaned_data.get(field)
    if value is not None and value > today_for(council):
        form.add_error(field, _("The date cannot be in the future."))


class InteractionForm(forms.Form):
    """An interaction a coordinator records by hand. Meeting co-attendance is left out: meetings
    record it themselves from check-in."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (value, label) for value, label in Interaction.Kind.choices if value != Interaction.Kind.MEETING
        ],
    )
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    organisations = OrganisationChoiceField(
        label=_("Organisations"),
        help_text=_(
            "At least two. Type in the search box to narrow the list; "
            "hold Ctrl (⌘ on a Mac) to choose several."
        ),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, council, **kwargs):
        self.council = council
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = today_for(council).isoformat()

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "date", self.council)
        organisations = cleaned.get("organisations")
        if organisations is not None and len(organisations) < 2:
            self.add_error("organisations", _("Choose at least two organisations."))
        return cleaned


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["title", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        labels = {"position": _("Position")}
        help_texts = {"position": _("Challenges are listed by this number.")}


class SuccessFactorForm(forms.ModelForm):
    class Meta:
        model = SuccessFactor
        fields = ["title", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        labels = {"position": _("Position")}
        help_texts = {"position": _("Success factors are listed by this number.")}


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "baseline", "baseline_date", "target", "target_date"]
        widgets = {"baseline_date": DATE_INPUT, "target_date": DATE_INPUT}
        help_texts = {
            "unit": _("For example: companies, days, %, €."),
            "target": _("Lower than the baseline for something to reduce (such as time-to-market)."),
        }
        localized_fields = ["baseline", "target"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _decimal_keyboard(self, "baseline", "target")

    def clean(self):
        cleaned = super().clean()
        baseline, target = cleaned.get("baseline"), cleaned.get("target")
        if baseline is not None and target is not None and baseline == target:
            self.add_error("target", _("The target must differ from the baseline."))
        start, end = cleaned.get("baseline_date"), cleaned.get("target_date")
        if start and end and end <= start:
            self.add_error("target_date", _("The target date must be after the baseline date."))
        return cleaned

    def _post_clean(self):
        # The service validates the model (with clear messages for the check constraints).
        pass


class IndicatorValueForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["date", "value", "note"]
        widgets = {"date": DATE_INPUT}
        localized_fields = ["value"]
        help_texts = {"date": _("Recording a date that already has a value replaces that value.")}

    def __init__(self, *args, indicator, **kwargs):
        self.indicator = indicator
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs.update(
            min=indicator.baseline_date.isoformat(),
            max=today_for(indicator.success_factor.challenge.council).isoformat(),
        )
        _decimal_keyboard(self, "value")

    def clean(self):
        cleaned = super().clean()
        date = cleaned.get("date")
        if date is not None and date < self.indicator.baseline_date:
            self.add_error("date", _("The date cannot be before the baseline date."))
        _not_in_future(self, "date", self.indicator.success_factor.challenge.council)
        return cleaned

    def _post_clean(self):
        # One value per date is not an error here: the service replaces that date's value.
        pass


class ImpactRecordForm(forms.ModelForm):
    organisations = OrganisationChoiceField(
        label=_("Organisations"),
        required=False,
        help_text=_("The organisations involved (optional). Type in the search box to narrow the list."),
    )

    class Meta:
        model = ImpactRecord
        fields = ["kind", "date", "country", "quantity", "organisations", "description"]
        widgets = {"date": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 4})}
        localized_fields = ["quantity"]

    def __init__(self, *args, council, **kwargs):
        self.council = council
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = today_for(council).isoformat()
        _decimal_keyboard(self, "quantity")

    def clean_quantity(self):
        quantity = self.cleaned_data.get("quantity")
        if quantity is not None and quantity < 0:
            raise forms.ValidationError(_("The quantity cannot be negative."))
        return quantity

    def clean(self):
        cleaned = super().clean()
        _not_in_future(self, "date", self.council)
        return cleaned

    def _post_clean(self):
        pass

    def service_arguments(self):
        data = dict(self.cleaned_data)
        return data.pop("organisations"), data
