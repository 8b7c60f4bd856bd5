"""Event payloads: the same JSON the API returns for the entity (GET /api/orders/{id},
GET /api/stocks/{id}), so a receiver can reuse the client models it already has.

Serializers are imported when called: the events app must not import the apps that call it
at module load time (they import events.services)."""


def order_payload(order):
    """The order as GET /api/orders/{id} renders it. Prefetch `order_line_items` to keep this
    to no extra query."""
    from orders.serializers import OrderSerializer

    return OrderSerializer(order).data


def stock_payload(stock):
    """The stock as GET /api/stocks/{id} renders it. The caller sets `stock.reserved` and
    `stock.available` (the inventory services already compute them under the row lock)."""
    from inventory.serializers import StockSerializer

    return StockSerializer(stock).data
