"""Row locks on stock, always taken in one global order (by id) so that two transactions
locking overlapping stock never deadlock. Every write that depends on availability locks here."""

from collections import defaultdict

from django.db import connection
from django.db.models import Q

from inventory.models import Stock
from inventory.selectors import UUID_ARRAY_SQL, uuid_array

# Every column, named: a prepared `SELECT *` breaks once a migration adds a column.
_STOCK_COLUMNS = ", ".join(f"stock.{field.column}" for field in Stock._meta.concrete_fields)


def lock_stocks(keys):
    """Lock the stock rows for `(facility_id, tenant_article_id)` keys, ordered by id.

    Returns {key: Stock}; keys without a stock row are absent (nothing to lock: availability 0).
    Must run inside a transaction. Hand-written SQL: every checkout runs it, and the ORM's
    OR-of-pairs filter cost more to build than the database took to run it.
    """
    keys = sorted(set(keys))
    if not keys:
        return {}
    facility_key = Stock._meta.get_field("facility").target_field
    params = []
    for facility_id, article in keys:
        params += [facility_key.get_db_prep_value(facility_id, connection), article]
    condition = "(facility_id, tenant_article_id) IN (" + ", ".join(["(%s, %s)"] * len(keys)) + ")"
    if connection.vendor != "postgresql":
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        stocks = Stock.objects.raw(
            f"SELECT * FROM {Stock._meta.db_table} WHERE {condition} ORDER BY id{lock}", params
        )
    else:
        # Rows straight from the cursor: the raw queryset's per-row machinery cost more than
        # the statement on the checkout path.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_STOCK_COLUMNS} FROM {Stock._meta.db_table} AS stock"
                f" WHERE {condition} ORDER BY stock.id FOR UPDATE",
                params,
            )
            stocks = _stocks_from_rows(cursor.fetchall())
    return {(stock.facility_id, stock.tenant_article_id): stock for stock in stocks}


def lock_stocks_by_ids(stock_ids):
    """Lock stock rows by id, in id order. Must run inside a transaction."""
    return list(Stock.objects.select_for_update().filter(id__in=set(stock_ids)).order_by("id"))


def lock_stocks_of_order(order_id):
    """Lock every stock row an order holds reservations on, in id order."""
    stock_ids = (
        Stock.objects.filter(reservations__order_line_item__order_id=order_id)
        .values_list("id", flat=True)
        .distinct()
    )
    return lock_stocks_by_ids(list(stock_ids))


def lock_stocks_by_ids_and_keys(stock_ids, keys):
    """Lock the stock rows named by id or by `(facility_id, tenant_article_id)` key, all in one
    statement and in id order. Returns the rows in id order; names without a row are left out.
    Must run inside a transaction.

    On PostgreSQL the ids and keys travel as arrays (`= ANY`, `unnest`): a 500-row bulk upsert
    would otherwise send 1,000 placeholders that the driver parses and quotes one by one.
    """
    stock_ids, keys = set(stock_ids), set(keys)
    if not stock_ids and not keys:
        return []
    if connection.vendor != "postgresql":
        condition = Q(id__in=stock_ids)
        articles_by_facility = defaultdict(set)
        for facility_id, article in keys:
            articles_by_facility[facility_id].add(article)
        for facility_id, articles in articles_by_facility.items():
            condition |= Q(facility_id=facility_id, tenant_article_id__in=articles)
        return list(Stock.objects.select_for_update().filter(condition).order_by("id"))
    conditions, params = [], []
    if stock_ids:
        conditions.append(f"stock.id = ANY({UUID_ARRAY_SQL})")
        params.append(uuid_array(stock_ids))
    if keys:
        conditions.append(
            "(stock.facility_id, stock.tenant_article_id) IN"
            f" (SELECT * FROM unnest({UUID_ARRAY_SQL}, %s::varchar[]))"
        )
        params += [uuid_array(key[0] for key in keys), [key[1] for key in keys]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_STOCK_COLUMNS} FROM {Stock._meta.db_table} AS stock"
            f" WHERE {' OR '.join(conditions)} ORDER BY stock.id FOR UPDATE",
            params,
        )
        return _stocks_from_rows(cursor.fetchall())


def _stocks_from_rows(rows):
    """Stock instances from PostgreSQL rows of `_STOCK_COLUMNS`."""
    converters = [_from_db_converter(field) for field in Stock._meta.concrete_fields]
    return [
        Stock.from_db(
            connection.alias,
            None,
            [
                convert(value) if convert else value
                for convert, value in zip(converters, row, strict=True)
            ],
        )
        for row in rows
    ]


def _from_db_converter(field):
    """What the ORM does to a raw column value of `field` (JSON arrives as text)."""
    if field.get_internal_type() == "JSONField":
        return lambda text: {} if text == "{}" else field.from_db_value(text, None, connection)
    return None
