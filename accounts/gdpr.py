"""The registry of personal data: each app says what it holds about a user and how to erase it.

Apps register in their ``AppConfig.ready``; :func:`accounts.services.user_export_data` and
:func:`accounts.services.user_erase` call every registered function, so adding an app with personal
data never means editing the accounts app.
"""

_exporters = {}
_erasers = {}


def register(name, *, export, erase):
    """``export(user) -> JSON-serialisable data``; ``erase(user)`` deletes or anonymises that data
    and runs inside the erasure's transaction."""
    _exporters[name] = export
    _erasers[name] = erase


def exporters():
    return dict(_exporters)


def erasers():
    return dict(_erasers)
