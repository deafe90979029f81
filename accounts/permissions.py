"""Permissions of the accounts app, as rules predicates."""

import rules


@rules.predicate
def is_active_account(user):
    return user.is_authenticated and user.is_active and user.erased_at is None


rules.add_perm("accounts.manage_own_account", is_active_account)
