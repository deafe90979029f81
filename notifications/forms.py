from django import forms

from .models import Area, Frequency


class PreferencesForm(forms.Form):
    """One choice per area: how (and whether) to be emailed about it."""

    def __init__(self, *args, frequencies, **kwargs):
        super().__init__(*args, **kwargs)
        for area, label in Area.choices:
            self.fields[area] = forms.ChoiceField(
                label=label, choices=Frequency.choices, initial=frequencies[area], widget=forms.RadioSelect
            )

    def area_fields(self):
        return [self[area] for area in Area.values]
