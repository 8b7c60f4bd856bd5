"""The bare-SQL reservation transaction of a cart, the work both ceilings of
bench/promise_load.py measure: lock the cart's stock rows in id order, sum their active
reservations, insert one reservation per row. Plain psycopg, nothing else."""

import datetime


def reservation_statements():
    """(lock, sum, insert) statements; the active-reservation rule from inventory.models."""
    from inventory.models import active_reservation_sql

    return (
        "SELECT id, value FROM inventory_stock WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
        "SELECT stock_id, SUM(quantity) FROM inventory_reservation AS r "
        f"WHERE stock_id = ANY(%s) AND {active_reservation_sql('r')} GROUP BY stock_id",
        "INSERT INTO inventory_reservation (id, stock_id, facility_id, tenant_article_id, "
        "quantity, valid_until, created, last_modified) VALUES (gen_random_uuid(), %s, %s, %s, "
        "1, now() + interval '8 hours', now(), now())",
    )


def reserve(connection, statements, chosen):
    """One transaction on `connection` for the stock rows `chosen` = [(id, facility_id,
    tenant_article_id)], sorted by id."""
    lock, total, insert = statements
    ids = [row[0] for row in chosen]
    with connection.transaction():
        connection.execute(lock, [ids]).fetchall()
        connection.execute(total, [ids, datetime.datetime.now(datetime.UTC)]).fetchall()
        with connection.cursor() as cursor:
            cursor.executemany(insert, chosen)
