"""Small database helpers shared by the apps."""

from django.db import connection


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
