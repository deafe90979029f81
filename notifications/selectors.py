"""Reads of the notifications app, always for the signed-in user only."""

from .models import Notification


def notifications_for_user(*, user):
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(*, user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
