from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import User, time_zone_choices


def _privacy_label():
    # One sentence with the link inside, so each language can put the words in its own order.
    return format_html(
        _('I have read and accept the <a href="{url}">privacy notice</a>.'), url=reverse("privacy")
    )


privacy_label = lazy(_privacy_label, str)


class SignupForm(forms.Form):
    """The portal's extra sign-up fields; allauth adds email and password."""

    # allauth orders the sign-up form by this: the privacy notice is the last thing to agree to.
    field_order = ["email", "full_name", "password1", "password2", "accept_privacy"]

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    accept_privacy = forms.BooleanField(
        label=privacy_label(),
        required=True,
        error_messages={"required": _("You must accept the privacy notice to create an account.")},
    )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.privacy_accepted_at = timezone.now()
        user.save(update_fields=["full_name", "privacy_accepted_at"])


class ProfileForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Type your password to confirm that you want to delete your account."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not correct."))
        return password
