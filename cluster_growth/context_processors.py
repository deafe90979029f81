from django.conf import settings


def site(request):
    """What every page's layout needs: the language list for the switcher."""
    return {"site_languages": settings.LANGUAGES}
