"""Plant a stored value the application cannot read, straight into the database (as damage,
an old bug or a manual fix would leave it; the API refuses such values at the door)."""

from django.db import connection

# PostgreSQL keeps years beyond 9999, which Python cannot hold; SQLite keeps any text.
UNREADABLE_TIMESTAMP = {
    "postgresql": "10000-01-01 00:00:00+00",
    "sqlite": "2024-13-45 25:61:00",
}


def plant_unreadable_timestamp(instance, field_name):
    field = instance._meta.get_field(field_name)
    table = connection.ops.quote_name(instance._meta.db_table)
    column = connection.ops.quote_name(field.column)
    cast = "::timestamptz" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s{cast} WHERE id = %s",
            [UNREADABLE_TIMESTAMP[connection.vendor], _pk(instance)],
        )


def plant_json(instance, field_name, raw_json):
    field = instance._meta.get_field(field_name)
    table = connection.ops.quote_name(instance._meta.db_table)
    column = connection.ops.quote_name(field.column)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s{cast} WHERE id = %s", [raw_json, _pk(instance)]
        )


def _pk(instance):
    return instance._meta.pk.get_db_prep_value(instance.pk, connection)
