"""/councils/… — each views module lists its own routes (see the module for the pages)."""

from .views import councils as council_pages
from .views import dashboard, feeds, meetings, success

app_name = "councils"

# The council pages ("<slug>/") come last: the fixed paths before them must not be taken as a slug.
urlpatterns = [
    *dashboard.urlpatterns,
    *feeds.urlpatterns,
    *meetings.urlpatterns,
    *success.urlpatterns,
    *council_pages.urlpatterns,
]
