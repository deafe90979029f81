"""A GIN index for the directory's full-text search, on PostgreSQL only (SQLite has a plain filter).

The indexed expression is the one `organisations.selectors.search_vector()` produces; keep them equal.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS organisation_search_gin ON organisations_organisation "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
)
DROP = "DROP INDEX IF EXISTS organisation_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_taxonomies")]

    operations = [migrations.RunPython(create, drop)]
