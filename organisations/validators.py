from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}

# ISO 639-1 codes of the languages people list most in the six regions and beyond.
LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("fr", _("French")),
    ("tr", _("Turkish")),
    ("de", _("German")),
    ("pt", _("Portuguese")),
    ("ga", _("Irish")),
    ("ca", _("Catalan")),
    ("ar", _("Arabic")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
]


def validate_languages(value):
    codes = dict(LANGUAGE_CHOICES)
    if not isinstance(value, list) or any(code not in codes for code in value):
        raise ValidationError(_("Choose languages from the list."))


def validate_logo(file):
    """A logo is a real PNG, JPEG, WebP or GIF image of at most 2 MB."""
    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo may be at most 2 MB."))
    from PIL import Image, UnidentifiedImageError

    try:
        position = file.tell() if hasattr(file, "tell") else 0
        image = Image.open(file)
        image.verify()
        kind = image.format
        file.seek(position)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ValidationError(_("The logo must be a PNG, JPEG, WebP or GIF image.")) from exc
    if kind not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be a PNG, JPEG, WebP or GIF image."))
