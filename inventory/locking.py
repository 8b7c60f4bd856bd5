"""Row locks on stock, always taken in one global order (by id) so that two transactions
locking overlapping stock never deadlock. Every write that depends on availability locks here.
The statements themselves are in inventory/sql.py."""

from inventory import sql
from inventory.models import Stock


def lock_stocks(keys):
    """Lock the stock rows for `(facility_id, tenant_article_id)` keys, ordered by id.

    Returns {key: Stock}; keys without a stock row are absent (nothing to lock: availability 0).
    Must run inside a transaction.
    """
    keys = sorted(set(keys))
    if not keys:
        return {}
    stocks = sql.stocks_for_update_by_keys(keys)
    return {(stock.facility_id, stock.tenant_article_id): stock for stock in stocks}


def lock_stocks_by_ids(stock_ids):
    """Lock stock rows by id, in id order. Must run inside a transaction."""
    return list(Stock.objects.select_for_update().filter(id__in=set(stock_ids)).order_by("id"))


def lock_stocks_where(condition, **annotations):
    """Lock the stock rows matching `condition` (over the model's fields and `annotations`),
    in id order. Must run inside a transaction."""
    stocks = Stock.objects.annotate(**annotations) if annotations else Stock.objects.all()
    return list(stocks.select_for_update().filter(condition).order_by("id"))


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
    Must run inside a transaction."""
    stock_ids, keys = set(stock_ids), set(keys)
    if not stock_ids and not keys:
        return []
    return sql.stocks_for_update_by_ids_and_keys(stock_ids, keys)
