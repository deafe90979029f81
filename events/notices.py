"""What people hear about their registrations (filled in with emails and .ics by the events work)."""


def registration_notice(registration, *, promoted):
    """Tell the person their registration is confirmed, waitlisted or promoted."""
