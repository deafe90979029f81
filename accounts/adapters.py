from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils import translation

from notifications.emails import email_html_from_text
from notifications.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails (verification, password reset, email change…) go through the portal's
    outbox and a Celery task, after the surrounding transaction commits."""

    def send_mail(self, template_prefix, email, context):
        # The same context allauth's own send_mail gives its templates ("Hello from {site}!"), with the
        # site named from settings rather than the database's Site row.
        request = allauth_context.request
        site = SimpleNamespace(name="SME Cluster Growth", domain=urlsplit(settings.SITE_URL).netloc)
        context = {"request": request, "email": email, "current_site": site, **context}
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        if not html:
            html = email_html_from_text(subject=message.subject, text=message.body)
        # The account the email is about (absent e.g. for "no account with this address" emails).
        user = context.get("user")
        user = user if getattr(user, "pk", None) else None
        for recipient in message.to:
            email_queue(
                to=recipient, subject=message.subject, body_text=message.body, body_html=html, user=user
            )

    def save_user(self, request, user, form, commit=True):
        # A new account starts in the language the person signed up in.
        user.language = translation.get_language() or user.language
        return super().save_user(request, user, form, commit=commit)
