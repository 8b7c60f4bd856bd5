"""Row locks on stock, always taken in one global order (by id) so that two transactions
locking overlapping stock never deadlock. Every write that depends on availability locks here."""

from django.db import connection

from inventory.models import Stock


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
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    stocks = Stock.objects.raw(
        f"SELECT * FROM {Stock._meta.db_table} WHERE (facility_id, tenant_article_id) IN ("
        + ", ".join(["(%s, %s)"] * len(keys))
        + f") ORDER BY id{lock}",
        params,
    )
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
