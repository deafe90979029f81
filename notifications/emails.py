"""Rendering of emails from subject / text / HTML template triplets, in the recipient's language."""

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


def email_render(*, template_prefix, context, language=None):
    """Render ``<prefix>_subject.txt``, ``<prefix>_message.txt`` and, when it exists,
    ``<prefix>_message.html``; returns ``(subject, text, html)``."""
    with translation.override(language or translation.get_language()):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}_message.txt", context)
        try:
            html = render_to_string(f"{template_prefix}_message.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html
