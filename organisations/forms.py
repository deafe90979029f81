from django import forms
from django.utils.translation import gettext_lazy as _

from .models import VISIBILITY_FIELDS, Membership, Organisation, Visibility
from .validators import LANGUAGE_CHOICES

VISIBILITY_LABELS = {
    "short_name": _("Who sees the short name"),
    "description": _("Who sees the description"),
    "website": _("Who sees the website"),
    "logo": _("Who sees the logo"),
    "sectors": _("Who sees the sectors"),
    "topics_offered": _("Who sees the topics offered"),
    "topics_needed": _("Who sees the topics needed"),
    "size_band": _("Who sees the size"),
    "founded_year": _("Who sees the founding year"),
    "languages": _("Who sees the languages spoken"),
    "location": _("Who sees the location on the map"),
}


class OrganisationForm(forms.ModelForm):
    """An organisation's profile, with who may see each optional field."""

    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "kind",
            "subtype",
            "country",
            "region",
            "city",
            "latitude",
            "longitude",
            "size_band",
            "founded_year",
            "website",
            "languages",
            "sectors",
            "topics_offered",
            "topics_needed",
            "description",
            "logo",
        ]
        widgets = {
            "sectors": forms.SelectMultiple(attrs={"size": 8}),
            "topics_offered": forms.SelectMultiple(attrs={"size": 8}),
            "topics_needed": forms.SelectMultiple(attrs={"size": 8}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "subtype": _("Only for intermediaries."),
            "latitude": _("Decimal degrees, e.g. 36.72130. Leave empty to stay off the map."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visibility = (self.instance.visibility if self.instance.pk else None) or {}
        for name, default in VISIBILITY_FIELDS.items():
            self.fields[f"visibility_{name}"] = forms.ChoiceField(
                label=VISIBILITY_LABELS[name],
                choices=Visibility.choices,
                initial=visibility.get(name, str(default)),
            )

    def clean(self):
        cleaned = super().clean()
        kind, subtype = cleaned.get("kind"), cleaned.get("subtype")
        if kind == Organisation.Kind.INTERMEDIARY and not subtype:
            self.add_error("subtype", _("Choose the type of intermediary."))
        if kind and kind != Organisation.Kind.INTERMEDIARY and subtype:
            self.add_error("subtype", _("Only intermediaries have a type; leave it empty."))
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return cleaned

    def visibility_fields(self):
        return [self[f"visibility_{name}"] for name in VISIBILITY_FIELDS]

    def profile_fields(self):
        return [self[name] for name in self.Meta.fields]

    def service_arguments(self):
        """The cleaned data split as the services take it: plain fields and many-to-many."""
        data = self.cleaned_data
        m2m = {name: data[name] for name in ("sectors", "topics_offered", "topics_needed")}
        fields = {name: data[name] for name in self.Meta.fields if name not in m2m}
        fields["visibility"] = {name: data[f"visibility_{name}"] for name in VISIBILITY_FIELDS}
        if fields.get("logo") is None:
            fields.pop("logo")  # unchanged
        elif fields["logo"] is False:
            fields["logo"] = ""  # cleared
        return fields, m2m


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the administrators"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say who you are and what you do there (optional)."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
