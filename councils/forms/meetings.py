"""Forms of the meeting pages: the meeting (the event form), agenda items and documents, minutes,
action items. Forms parse input; the services (councils.services.meetings) decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.forms import EventForm

from ..models import ActionItem, AgendaItem
from ..services.meetings import DOCUMENT_TYPES, MAX_DOCUMENT_BYTES


class MeetingForm(EventForm):
    """The event fields of a meeting; ``copy`` carries the meeting a new one is copied from."""

    copy = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "presenter", "duration_minutes", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["duration_minutes"].min_value = 1
        self.fields["duration_minutes"].widget.attrs.update(min=1, max=600)

    def _post_clean(self):
        # The service validates and saves the item; the form only parses.
        pass

    def item_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AgendaDocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("At most 10 MB: PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, text or CSV."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{extension}" for extension in sorted(DOCUMENT_TYPES))}
        ),
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("Leave empty to use the file's name.")
    )

    max_bytes = MAX_DOCUMENT_BYTES


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), max_length=50000, required=False, widget=forms.Textarea(attrs={"rows": 14})
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One decision per line, in order."),
    )

    def decision_list(self):
        return [line.strip() for line in self.cleaned_data["decisions"].splitlines() if line.strip()]


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} <{obj.email}>"


class ActionItemForm(forms.Form):
    """A new action item (coordinators), or every field of one (coordinators editing)."""

    title = forms.CharField(label=_("Action"), max_length=300)
    owner = OwnerChoiceField(label=_("Owner"), queryset=None)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionStatusForm(forms.Form):
    """What an action's owner may change: its status and the progress note."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)
    note = forms.CharField(
        label=_("Progress note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
