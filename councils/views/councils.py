"""The councils' own pages: the list, a council's page, joining, members and invitations."""

from django.http import HttpResponse
from django.urls import path


def _stub(request, *args, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("invitation/<str:token>/", _stub, name="invitation"),
    path("", _stub, name="list"),
    path("<slug:slug>/", _stub, name="detail"),
    path("<slug:slug>/join/", _stub, name="join"),
    path("<slug:slug>/leave/", _stub, name="leave"),
    path("<slug:slug>/members/", _stub, name="members"),
    path("<slug:slug>/respond/<str:kind>/<int:pk>/", _stub, name="respond"),
]
