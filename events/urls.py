from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:key>.ics", views.feed, name="feed"),
    path("<uuid:uid>/", views.detail, name="detail"),
    path("<uuid:uid>/register/", views.register, name="register"),
    path("<uuid:uid>/cancel/", views.cancel, name="cancel"),
    path("<uuid:uid>/event.ics", views.event_ics, name="ics"),
    path("<uuid:uid>/attendees/", views.attendees, name="attendees"),
    path("<uuid:uid>/cancel-event/", views.cancel_event, name="cancel_event"),
    path("<uuid:uid>/attendees/register/", views.register_someone, name="register_someone"),
    path("<uuid:uid>/attendees/<int:registration_id>/check-in/", views.check_in, name="check_in"),
    path("<uuid:uid>/attendees/<int:registration_id>/cancel/", views.cancel_someone, name="cancel_someone"),
]
