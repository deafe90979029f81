"""Who may do what with reports, as rules predicates."""

import rules


@rules.predicate
def is_staff(user):
    return user.is_authenticated and user.is_staff


@rules.predicate
def is_requester(user, job):
    return job is not None and user.is_authenticated and job.requested_by_id == user.pk


is_signed_in = rules.is_authenticated & rules.is_active

# Asking for reports at all; each report may need a permission of its own (ReportBuilder.permission).
rules.add_perm("reports.request_report", is_signed_in)
# Seeing a job's progress and downloading its file: the person who asked for it, and staff.
rules.add_perm("reports.download_report", is_signed_in & (is_requester | is_staff))
