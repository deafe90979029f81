import re

import factory
from allauth.account.models import EmailAddress

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified primary email address and the password ``PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    language = "en"
    time_zone = "Europe/Madrid"
    privacy_accepted_at = factory.Faker("past_datetime", tzinfo=__import__("datetime").UTC)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=True if extracted is None else extracted
            )


def login(client, email, password=PASSWORD, **extra):
    """Sign in through allauth's login form, as a person would (not ``force_login``), so that allauth
    records the authentication and its stages (email verification, 2FA) apply."""
    return client.post("/accounts/login/", {"login": email, "password": password, **extra})


def link_in_email(message):
    """The path of the one portal link in an email's text (``http://testserver/…``)."""
    links = re.findall(r"https?://testserver(/\S+)", message.body)
    assert len(links) == 1, f"expected one link in the email, found {links!r}:\n{message.body}"
    return links[0]


def totp_code(secret, *, at):
    """The TOTP code an authenticator app shows for ``secret`` at the Unix time ``at``."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(at) // app_settings.TOTP_PERIOD))


def totp_enable(user):
    """Give ``user`` an activated TOTP authenticator; returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
