"""Small database helpers shared by the apps."""

import json

from django.db import connection
from django.db.models import F, Func, JSONField


def insert_instances(instances):
    """INSERT unsaved model instances of one model in a single statement; returns them.

    What `QuerySet.bulk_create` does for new rows with ids generated in Python (auto_now and
    auto_now_add stamped, values prepared by their fields), without its general machinery: on
    the checkout path, building that statement cost more CPU than PostgreSQL spent running it.
    Signals are not sent (bulk_create sends none either).
    """
    instances = list(instances)
    if not instances:
        return instances
    meta = instances[0]._meta
    fields = meta.concrete_fields
    params = []
    for instance in instances:
        for field in fields:
            params.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
        instance._state.adding = False
        instance._state.db = connection.alias
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)}"
            f" ({', '.join(connection.ops.quote_name(field.column) for field in fields)})"
            f" VALUES {', '.join([row] * len(instances))}",
            params,
        )
    return instances


class JSONAppend(Func):
    """`field` (a JSON array, or NULL) with the JSON values of `items` appended, in one UPDATE
    on either database: `||` on PostgreSQL's jsonb, `json_insert(…, '$[#]', …)` on SQLite."""

    output_field = JSONField()

    def __init__(self, field, items):
        self.items = list(items)
        super().__init__(F(field) if isinstance(field, str) else field)

    def as_postgresql(self, compiler, connection):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(COALESCE({sql}, '[]'::jsonb) || %s::jsonb)", [*params, json.dumps(self.items)]

    def as_sqlite(self, compiler, connection):
        sql, params = compiler.compile(self.source_expressions[0])
        for item in self.items:
            sql = f"json_insert(COALESCE({sql}, '[]'), '$[#]', json(%s))"
            params = [*params, json.dumps(item)]
        return sql, params
