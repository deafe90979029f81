"""Rendering of emails from subject / text / HTML template triplets, in the recipient's language.

Emails are not pages: their HTML carries inline styles (mail clients ignore stylesheets), and the
portal's Content Security Policy does not apply to them.
"""

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.defaultfilters import linebreaks, urlize
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe


def email_html_from_text(*, subject, text, language=None):
    """The HTML part for an email that only has a text template: the text, escaped, with its
    paragraphs and links kept, inside the portal's email layout."""
    body = mark_safe(linebreaks(urlize(escape(text), autoescape=False)))
    return render_to_string(
        "emails/layout.html",
        {
            "subject": subject,
            "body_html": body,
            "language": language or translation.get_language(),
            "site_url": settings.SITE_URL,
        },
    )


def email_render(*, template_prefix, context, language=None):
    """Render ``<prefix>_subject.txt``, ``<prefix>_message.txt`` and ``<prefix>_message.html``
    (or, without it, the text in the email layout); returns ``(subject, text, html)``."""
    with translation.override(language or translation.get_language()):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}_message.txt", context)
        try:
            html = render_to_string(
                f"{template_prefix}_message.html", {**context, "site_url": settings.SITE_URL}
            )
        except TemplateDoesNotExist:
            html = email_html_from_text(subject=subject, text=text)
    return subject, text, html
