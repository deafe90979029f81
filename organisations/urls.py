from django.urls import path

from .views import directory, people, profile

app_name = "organisations"

urlpatterns = [
    # -- directory, map and export (views/directory.py) --
    path("", directory.directory, name="directory"),
    path("map/", directory.map_page, name="map"),
    path("map/markers.json", directory.map_markers, name="map_markers"),
    path("export.<str:fmt>", directory.export, name="export"),
    # -- profiles (views/profile.py) --
    path("new/", profile.organisation_create, name="create"),
    path("mine/", profile.my_organisations, name="mine"),
    path("invitations/<str:token>/", people.invitation, name="invitation"),
    path("<slug:slug>/", profile.organisation_detail, name="detail"),
    path("<slug:slug>/edit/", profile.organisation_edit, name="edit"),
    path("<slug:slug>/verify/", profile.organisation_verify, name="verify"),
    # -- people, invitations and join requests (views/people.py) --
    path("<slug:slug>/people/", people.people, name="people"),
    path("<slug:slug>/people/invite/", people.invite, name="invite"),
    path("<slug:slug>/people/<int:membership_id>/role/", people.membership_role, name="membership_role"),
    path(
        "<slug:slug>/people/<int:membership_id>/remove/", people.membership_remove, name="membership_remove"
    ),
    path(
        "<slug:slug>/invitations/<int:invitation_id>/revoke/",
        people.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<slug:slug>/leave/", people.leave, name="leave"),
    path("<slug:slug>/join/", people.join, name="join"),
    path(
        "<slug:slug>/join-requests/<int:request_id>/decide/",
        people.join_request_decide,
        name="join_request_decide",
    ),
]
