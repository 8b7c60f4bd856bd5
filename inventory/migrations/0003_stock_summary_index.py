"""A covering index for stock summaries over many facilities (an index-only scan). PostgreSQL
only: SQLite has no covering indexes, so there the plain article index serves."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS stock_article_cover_idx "
    "ON inventory_stock (tenant_article_id) INCLUDE (facility_id, value)"
)
DROP = "DROP INDEX IF EXISTS stock_article_cover_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_wire_fields")]

    operations = [migrations.RunPython(create, drop)]
