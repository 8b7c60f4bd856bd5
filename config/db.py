"""Small database helpers shared by the apps."""

import json

import orjson
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Func, JSONField


def _json_text(value):
    """JSON for a jsonb parameter: orjson, the same document as `json.dumps` (jsonb keeps no
    formatting), falling back to it for what orjson does not take (integers beyond 64 bits)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(value)


def _value_preparers(fields, database):
    """Per field, what turns a model value into the statement's parameter (the field's
    `get_db_prep_save`; on PostgreSQL a plain JSONField's value is encoded by orjson)."""
    if database.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        def prepare_json(value, database):
            return None if value is None else Jsonb(value, dumps=_json_text)

    preparers = []
    for field in fields:
        if database.vendor == "postgresql" and isinstance(field, JSONField) and not field.encoder:
            preparers.append(prepare_json)
        else:
            preparers.append(field.get_db_prep_save)
    return preparers


def insert_instances(instances):
    """INSERT unsaved model instances of one model in a single statement; returns them.

    What `QuerySet.bulk_create` does for new rows with ids generated in Python (auto_now and
    auto_now_add stamped, values prepared by their fields), without its general machinery: on
    the checkout path, building that statement cost more CPU than PostgreSQL spent running it.
    Signals are not sent (bulk_create sends none either). The connection is looked up once:
    each attribute of `django.db.connection` is a lookup through a proxy and a context-local.
    """
    instances = list(instances)
    if not instances:
        return instances
    database = connections[DEFAULT_DB_ALIAS]
    meta = instances[0]._meta
    fields = meta.concrete_fields
    preparers = _value_preparers(fields, database)
    params = []
    for instance in instances:
        for field, prepare in zip(fields, preparers, strict=True):
            params.append(prepare(field.pre_save(instance, True), database))
        instance._state.adding = False
        instance._state.db = database.alias
    quote = database.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with database.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)}"
            f" ({', '.join(quote(field.column) for field in fields)})"
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
