import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

# The layout's links that its conditions compare with the page's path (the main navigation) or that
# sit next to a CSRF token: reversed once per URL configuration and script prefix. The others are
# {% url %}s inside {% per_language %} blocks, rendered once too.
LAYOUT_URLS = {
    "home": "home",
    "directory": "organisations:directory",
    "councils": "councils:list",
    "language_set": "language_set",
}


@functools.lru_cache(maxsize=8)
def _layout_urls(urlconf, prefix):
    urls = {}
    for key, name in LAYOUT_URLS.items():
        try:
            urls[key] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:  # a URL configuration without that part (tests): no link
            urls[key] = ""
    return urls


@functools.lru_cache(maxsize=16)
def _language_options(current):
    """The language switcher's options, the current language selected; each name in its own language."""
    return format_html_join(
        "",
        '<option value="{}" lang="{}"{}>{}</option>',
        (
            (code, code, mark_safe(" selected") if code == current else "", name)
            for code, name in settings.LANGUAGES
        ),
    )


def site(request):
    """What every page's layout needs: the language switcher's options and the layout's links."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return {
        "language_options": _language_options(get_language()),
        "layout_urls": _layout_urls(urlconf, get_script_prefix()),
    }
