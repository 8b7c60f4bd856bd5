"""POST /api/orders/search: the reference's query language over orders, with keyset (cursor)
pagination (config/api/search/ holds what every search shares)."""

from rest_framework import serializers

from config.api.fields import UnsupportedField
from config.api.search.filters import DATE, STRING, filters_to_q
from config.api.search.pages import PageInfoSerializer, Sorting, search_page
from config.api.search.payload import (
    DateFilterSerializer,
    SearchPayloadSerializer,
    SearchQuerySerializer,
    StringFilterSerializer,
    enum_filter,
    sort_serializer,
)
from config.api.serializers import StrictSerializer
from config.unreadable import readable_rows
from orders.models import Order, OrderStatus
from orders.selectors import with_line_items_for_rendering
from orders.serializers.representation import OrderSerializer

# --- payload -------------------------------------------------------------------------------


class ConsumerFilterSerializer(StrictSerializer):
    consumerId = StringFilterSerializer(required=False)
    addresses = UnsupportedField("Filtering on consumer addresses is not supported.")


def _unsupported_query_field(name):
    return UnsupportedField(
        f"Filtering on {name} is not supported; "
        "use tenantOrderId, status, orderDate or consumer.consumerId."
    )


class OrderSearchQuerySerializer(SearchQuerySerializer):
    tenantOrderId = StringFilterSerializer(required=False)
    status = enum_filter(OrderStatus.choices, "StatusFilterSerializer")(required=False)
    orderDate = DateFilterSerializer(required=False)
    consumer = ConsumerFilterSerializer(required=False)
    customAttributes = _unsupported_query_field("customAttributes")
    deliveryPreferences = _unsupported_query_field("deliveryPreferences")
    orderLineItems = _unsupported_query_field("orderLineItems")
    paymentInfo = _unsupported_query_field("paymentInfo")
    tags = _unsupported_query_field("tags")


class OrderSearchPayloadSerializer(SearchPayloadSerializer):
    query = OrderSearchQuerySerializer()
    sort = sort_serializer(["orderDate", "status"], "OrderSortSerializer")(
        many=True, required=False, min_length=1, max_length=1
    )


# --- result --------------------------------------------------------------------------------


class OrderPaginatedResultSerializer(serializers.Serializer):
    orders = OrderSerializer(many=True, source="rows")
    pageInfo = PageInfoSerializer(source="page_info")
    total = serializers.IntegerField(required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("total") is None:
            data.pop("total", None)
        return data


# --- the search ----------------------------------------------------------------------------

CONSUMER_COLUMNS = {"consumerId": ("consumer_id", STRING)}
FILTER_COLUMNS = {
    "tenantOrderId": ("tenant_order_id", STRING),
    "status": ("status", STRING),
    "orderDate": ("order_date", DATE),
    "consumer": lambda spec: filters_to_q(spec, CONSUMER_COLUMNS),
}

# Sort keys end with the id so that every order has a distinct position.
SORTING = Sorting(
    model=Order,
    keys={"orderDate": ("order_date", "id"), "status": ("status", "order_date", "id")},
    default=("orderDate", "DESC"),
)


def query_to_q(query):
    """A validated OrderSearchQuery as a Q: every key of one query object must hold."""
    return filters_to_q(query, FILTER_COLUMNS)


def search_orders(payload):
    """Run a validated OrderSearchPayload. Returns a SearchPage of orders (line items
    prefetched), page info with cursors and, if asked for, the total."""
    filtered = Order.objects.filter(query_to_q(payload["query"]))
    return search_page(
        filtered,
        payload,
        SORTING,
        fetch=with_line_items_for_rendering,
        # An order damaged in the database is left out (and logged), not a 500 for everybody.
        keep=lambda rows: readable_rows(rows, what="order"),
    )
