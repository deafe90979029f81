from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

from . import views

# The admin signs in through allauth, so email verification, rate limits and 2FA apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "SME Cluster Growth administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("imprint/", views.imprint, name="imprint"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", accounts_views.language_set, name="language_set"),
    path("organisations/", include("organisations.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("events/", include("events.urls")),
    path("councils/", include("councils.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "cluster_growth.views.bad_request"
handler403 = "cluster_growth.views.permission_denied"
handler404 = "cluster_growth.views.page_not_found"
handler500 = "cluster_growth.views.server_error"
