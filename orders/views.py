"""Orders API views: parse, call a service or selector, render."""

from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.idempotency import idempotent
from config.api.validation import (
    require_object,
    validated,
    validated_by_name,
    validated_query,
)
from orders import search, selectors, services
from orders.serializers.representation import OrderSerializer, StrippedOrdersSerializer
from orders.serializers.requests import (
    BulkOrderActionResultSerializer,
    BulkOrderActionsSerializer,
    OrderCancelActionSerializer,
    OrderConsumerAddressChangeActionSerializer,
    OrderConsumerAddressesReplaceActionSerializer,
    OrderForceCancelActionSerializer,
    OrderForCreationSerializer,
    OrderForUpdateSerializer,
    OrderLineItemCustomAttributesUpdateSerializer,
    OrderListQuerySerializer,
    OrderModificationConfigurationSerializer,
    OrderRerouteActionSerializer,
    OrderUnlockActionSerializer,
)
from promises import placement
from promises import services as promise_services
from promises.serializers import PromiseConfirmActionSerializer, PromiseExtendActionSerializer

ORDER_TAG = ["Orders (DOMS)"]


class OrderCollectionView(APIView):
    required_permissions = {"GET": ["orders.view_order"], "POST": ["orders.add_order"]}
    query_serializer = OrderListQuerySerializer

    @extend_schema(
        tags=ORDER_TAG,
        operation_id="getAllOrders",
        parameters=[query_serializer],
        responses={200: StrippedOrdersSerializer},
    )
    def get(self, request):
        query = validated_query(self.query_serializer, request)
        result = selectors.list_orders(
            start_after_id=query.get("startAfterId"),
            size=query["size"],
            tenant_order_id=query.get("tenantOrderId"),
            consumer_id=query.get("consumerId"),
        )
        return Response(StrippedOrdersSerializer(result).data)

    @extend_schema(
        tags=ORDER_TAG,
        operation_id="addOrder",
        request=OrderForCreationSerializer,
        responses={201: OrderSerializer},
    )
    @idempotent("orders.create")
    def post(self, request):
        data = validated(OrderForCreationSerializer, require_object(request.data))
        # Routed and reserved like a promise, or accepted as NOT_ROUTED.
        order = placement.place_order(data, actor=request.user)
        location = request.build_absolute_uri(reverse("order-detail", args=[order.id]))
        return Response(OrderSerializer(order).data, status=201, headers={"Location": location})


ORDER_ID = OpenApiParameter("orderId", str, OpenApiParameter.PATH)
LINE_ID = OpenApiParameter("orderLineItemId", str, OpenApiParameter.PATH)


# URL kwargs carry the wire's path parameter names (orderId, orderLineItemId) so the
# generated schema documents them as the reference does.
class OrderDetailView(APIView):
    required_permissions = {"GET": ["orders.view_order"], "PATCH": ["orders.change_order"]}

    @extend_schema(
        tags=ORDER_TAG, operation_id="getOrder", parameters=[ORDER_ID], responses=OrderSerializer
    )
    def get(self, request, orderId):
        order_id = orderId
        return Response(OrderSerializer(selectors.get_order(order_id)).data)

    @extend_schema(
        tags=ORDER_TAG,
        operation_id="updateOrder",
        parameters=[ORDER_ID],
        request=OrderForUpdateSerializer,
        responses=OrderSerializer,
    )
    def patch(self, request, orderId):
        order_id = orderId
        selectors.parse_order_id(order_id)
        data = validated(OrderForUpdateSerializer, require_object(request.data))
        # Every modification re-routes an order that holds stock (promises.placement).
        order = placement.modify_order(order_id, data, actor=request.user)
        return Response(OrderSerializer(order).data)


def _cancel(order_id, data, actor):
    return services.cancel_order(
        order_id, version=data["version"], actor=actor, reason=data.get("cancelationReasonId")
    )


def _force_cancel(order_id, data, actor):
    return services.cancel_order(order_id, version=data["version"], actor=actor, force=True)


def _unlock(order_id, data, actor):
    return services.unlock_order(
        order_id, version=data["version"], actor=actor, target_time=data.get("targetTime")
    )


def _confirm_promise(order_id, data, actor):
    return promise_services.confirm_promise(
        order_id,
        version=data["version"],
        actor=actor,
        tenant_order_id=data.get("tenantOrderId"),
    )


def _extend_promise(order_id, data, actor):
    return promise_services.extend_promise(order_id, version=data["version"], actor=actor)


def _change_consumer_address(order_id, data, actor):
    return placement.change_consumer_address(
        order_id,
        version=data["version"],
        actor=actor,
        consumer_address=data["consumerAddress"],
        address_type=data["addressType"],
    )


def _replace_consumer_addresses(order_id, data, actor):
    return placement.replace_consumer_addresses(
        order_id,
        version=data["version"],
        actor=actor,
        consumer_addresses=data["consumerAddresses"],
    )


def _reroute(order_id, data, actor):
    return placement.reroute_order(order_id, version=data["version"], actor=actor)


# Action name → (request serializer, handler(order_id, validated data, actor) -> Order).
ORDER_ACTIONS = {
    "CANCEL": (OrderCancelActionSerializer, _cancel),
    "FORCE_CANCEL": (OrderForceCancelActionSerializer, _force_cancel),
    "UNLOCK": (OrderUnlockActionSerializer, _unlock),
    "CONFIRM_PROMISE": (PromiseConfirmActionSerializer, _confirm_promise),
    "EXTEND_PROMISE": (PromiseExtendActionSerializer, _extend_promise),
    # Deprecated in the reference (PATCH with `consumer` does the same, through one service).
    "CHANGE_CONSUMER_ADDRESS": (
        OrderConsumerAddressChangeActionSerializer,
        _change_consumer_address,
    ),
    "REPLACE_CONSUMER_ADDRESSES": (
        OrderConsumerAddressesReplaceActionSerializer,
        _replace_consumer_addresses,
    ),
    # Not in the reference: route the order again as it stands.
    "REROUTE": (OrderRerouteActionSerializer, _reroute),
}


def _update_line_custom_attributes(order_id, line_id, data, actor):
    return services.update_line_item_custom_attributes(
        order_id,
        line_id,
        version=data["version"],
        actor=actor,
        custom_attributes=data["customAttributes"],
    )


ORDER_LINE_ITEM_ACTIONS = {
    "UPDATE_CUSTOM_ATTRIBUTES": (
        OrderLineItemCustomAttributesUpdateSerializer,
        _update_line_custom_attributes,
    ),
}


def dispatch_action(actions, data):
    """The action's serializer and handler, chosen by `name`; unknown names are a 400."""
    name, data = validated_by_name(
        {name: serializer for name, (serializer, _) in actions.items()}, data
    )
    return data, actions[name][1]


class OrderActionsView(APIView):
    required_permissions = {"POST": ["orders.perform_order_actions"]}

    @extend_schema(
        tags=ORDER_TAG,
        operation_id="orderAction",
        parameters=[ORDER_ID],
        request=PolymorphicProxySerializer(
            component_name="OrderActionsParameter",
            serializers={name: serializer for name, (serializer, _) in ORDER_ACTIONS.items()},
            resource_type_field_name="name",
        ),
        responses=OrderSerializer,
        description="Actions: " + ", ".join(ORDER_ACTIONS) + " (each with the order's version).",
    )
    def post(self, request, orderId):
        order_id = orderId
        selectors.parse_order_id(order_id)
        data, handler = dispatch_action(ORDER_ACTIONS, request.data)
        return Response(OrderSerializer(handler(order_id, data, request.user)).data)


class OrderBulkActionsView(APIView):
    required_permissions = {"POST": ["orders.perform_order_actions"]}

    @extend_schema(
        tags=ORDER_TAG,
        operation_id="bulkOrdersAction",
        summary="Call bulk orders action",
        request=BulkOrderActionsSerializer,
        responses=BulkOrderActionResultSerializer(many=True),
    )
    def post(self, request):
        data = validated(BulkOrderActionsSerializer, require_object(request.data))
        return Response(services.force_cancel_orders(data["orders"], actor=request.user))


class OrderLineItemActionsView(APIView):
    required_permissions = {"POST": ["orders.change_order"]}

    @extend_schema(
        tags=ORDER_TAG,
        operation_id="orderLineItemAction",
        parameters=[ORDER_ID, LINE_ID],
        request=OrderLineItemCustomAttributesUpdateSerializer,
        responses=OrderSerializer,
    )
    def post(self, request, orderId, orderLineItemId):
        order_id, order_line_item_id = orderId, orderLineItemId
        selectors.parse_order_id(order_id)
        data, handler = dispatch_action(ORDER_LINE_ITEM_ACTIONS, request.data)
        order = handler(order_id, order_line_item_id, data, request.user)
        return Response(OrderSerializer(order).data)


class OrderSearchView(APIView):
    required_permissions = {"POST": ["orders.view_order"]}

    @extend_schema(
        tags=ORDER_TAG,
        operation_id="searchOrder",
        request=search.OrderSearchPayloadSerializer,
        responses=search.OrderPaginatedResultSerializer,
    )
    def post(self, request):
        payload = validated(search.OrderSearchPayloadSerializer, require_object(request.data))
        page = search.search_orders(payload)
        return Response(search.OrderPaginatedResultSerializer(page).data)


class OrderModificationConfigurationView(APIView):
    required_permissions = {
        "GET": ["orders.view_ordermodificationconfiguration"],
        "PUT": ["orders.change_ordermodificationconfiguration"],
    }

    @extend_schema(
        tags=["Orders Configuration (DOMS)"],
        operation_id="getOrderModificationConfiguration",
        responses=OrderModificationConfigurationSerializer,
    )
    def get(self, request):
        configuration = selectors.get_order_modification_configuration()
        return Response(OrderModificationConfigurationSerializer(configuration).data)

    @extend_schema(
        tags=["Orders Configuration (DOMS)"],
        operation_id="putOrderModificationConfiguration",
        request=OrderModificationConfigurationSerializer,
        responses={200: OrderModificationConfigurationSerializer, 400: OpenApiResponse()},
    )
    def put(self, request):
        data = validated(OrderModificationConfigurationSerializer, require_object(request.data))
        configuration = services.update_order_modification_configuration(
            version=data["version"],
            allow_order_line_item_modification=data["allow_order_line_item_modification"],
        )
        return Response(OrderModificationConfigurationSerializer(configuration).data)
