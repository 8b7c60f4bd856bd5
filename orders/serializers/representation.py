"""The order as we render it: `OrderSerializer` declares each wire field once and
`ORDER_WIRE_FIELDS` says where it comes from (a test keeps the two the same set); the
stripped order of list responses."""

from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter

import orjson
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import (
    JSONObjectField,
    ReferenceSchemaField,
    WireDateTimeField,
    format_wire_datetime,
)
from orders.models import OrderStatus
from orders.serializers.pieces import (
    ConsumerSerializer,
    DeliveryPreferencesSerializer,
    OrderLineItemArticleSerializer,
    OrderPromisesOptionsSerializer,
    OrderStatusReasonSerializer,
    SourceField,
    StickerSerializer,
    TagReferenceSerializer,
    string_list,
)


def passthrough(serializer, **kwargs):
    """A read-only field rendering stored JSON as is, documented as `serializer`'s shape."""

    @extend_schema_field(serializer)
    class PassThroughField(serializers.Field):
        def to_representation(self, value):
            return value

    return PassThroughField(read_only=True, **kwargs)


class OrderLineItemSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    article = passthrough(OrderLineItemArticleSerializer())
    quantity = serializers.IntegerField(read_only=True)
    customAttributes = passthrough(JSONObjectField(), source="custom_attributes")
    measurementUnitKey = serializers.CharField(source="extra.measurementUnitKey", read_only=True)
    secondaryMeasurementUnitKey = serializers.CharField(
        source="extra.secondaryMeasurementUnitKey", read_only=True
    )
    secondaryQuantity = serializers.IntegerField(source="extra.secondaryQuantity", read_only=True)
    measurementValidation = passthrough(
        ReferenceSchemaField("MeasurementValidation"), source="extra.measurementValidation"
    )
    scannableCodes = passthrough(string_list(), source="extra.scannableCodes")
    shopPrice = serializers.FloatField(source="extra.shopPrice", read_only=True)
    tags = passthrough(TagReferenceSerializer(many=True), source="extra.tags")
    allowedSubstitutes = passthrough(
        ReferenceSchemaField("Substitute", many=True), source="extra.allowedSubstitutes"
    )


class OrderRoutingChangeSerializer(serializers.Serializer):
    """Not in the reference (whose changes object allows more keys): where the order was
    placed before and after a change, each {facilities, carriers, estimatedDeliveryDate}."""

    to = JSONObjectField(read_only=True)
    # "from" is a Python keyword: declared under another name, rendered as "from".
    from_ = JSONObjectField(read_only=True, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class OrderUpdateDetailChangesSerializer(serializers.Serializer):
    customAttributes = JSONObjectField(read_only=True)
    preferredHandlingTime = serializers.CharField(read_only=True)
    orderLineItems = serializers.ListField(child=serializers.DictField(), read_only=True)
    consumer = passthrough(ConsumerSerializer())
    # Not in the reference: what happened when no client body says it.
    action = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=OrderStatus.choices, read_only=True)
    routing = OrderRoutingChangeSerializer(read_only=True)
    validUntil = serializers.CharField(read_only=True)
    targetTime = serializers.CharField(read_only=True)


class OrderUpdateDetailSerializer(serializers.Serializer):
    created = serializers.CharField(read_only=True)
    user = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)
    changes = OrderUpdateDetailChangesSerializer(read_only=True)


class CancelationReasonSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    action = serializers.CharField(read_only=True)


class WorkflowUnavailableSerializer(serializers.Serializer):
    isAvailable = serializers.BooleanField(read_only=True)


class PaymentInfoSerializer(serializers.Serializer):
    currency = serializers.CharField(read_only=True)
    method = serializers.CharField(read_only=True)
    methodLocalized = JSONObjectField(read_only=True)


# Optional keys rendered only when they carry something: several reference arrays have
# minItems 1 and none of these fields is nullable.
OMITTED_WHEN_EMPTY = {
    "tenantOrderId",
    "customAttributes",
    "tags",
    "stickers",
    "statusReasons",
    "paymentInfo",
    "promisesOptions",
    "cancelationReason",
    "updateDetails",
    "source",
    "customServices",
    "pricing",
    "consumer",
    "deliveryPreferences",
}
LINE_OMITTED_WHEN_EMPTY = {"customAttributes", "tags", "scannableCodes", "allowedSubstitutes"}


class OrderSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    processId = serializers.CharField(source="process_id", read_only=True)
    created = WireDateTimeField(read_only=True)
    lastModified = WireDateTimeField(source="last_modified", read_only=True)
    status = serializers.ChoiceField(choices=OrderStatus.choices, read_only=True)
    orderDate = WireDateTimeField(source="order_date", read_only=True)
    tenantOrderId = serializers.CharField(source="tenant_order_id", read_only=True)
    consumer = passthrough(ConsumerSerializer())
    orderLineItems = OrderLineItemSerializer(source="order_line_items.all", many=True)
    deliveryPreferences = passthrough(
        DeliveryPreferencesSerializer(), source="delivery_preferences"
    )
    customAttributes = passthrough(JSONObjectField(), source="custom_attributes")
    tags = passthrough(TagReferenceSerializer(many=True))
    stickers = passthrough(StickerSerializer(many=True))
    statusReasons = passthrough(OrderStatusReasonSerializer(many=True), source="status_reasons")
    paymentInfo = passthrough(PaymentInfoSerializer(), source="payment_info")
    promisesOptions = passthrough(OrderPromisesOptionsSerializer(), source="promises_options")
    cancelationReason = passthrough(CancelationReasonSerializer(), source="cancelation_reason")
    updateDetails = passthrough(OrderUpdateDetailSerializer(many=True), source="update_details")
    source = passthrough(SourceField(), source="extra.source")
    customServices = passthrough(
        ReferenceSchemaField("CustomServiceReferenceForCreation", many=True),
        source="extra.customServices",
    )
    pricing = passthrough(ReferenceSchemaField("OrderPricingForCreation"), source="extra.pricing")
    anonymized = serializers.SerializerMethodField()
    workflowInformation = serializers.SerializerMethodField()

    def get_anonymized(self, order) -> bool:
        return ORDER_WIRE_FIELDS["anonymized"](order)

    @extend_schema_field(WorkflowUnavailableSerializer)
    def get_workflowInformation(self, order):
        return ORDER_WIRE_FIELDS["workflowInformation"](order)

    def to_representation(self, instance):
        return order_representation(instance)


def order_representation(order):
    """The order's wire document, what `OrderSerializer` renders (and events.payloads sends):
    line items prefetched as `order_line_items`, or inlined as `line_items_json`
    (orders.selectors)."""
    data = {key: read(order) for key, read in ORDER_WIRE_FIELDS.items()}
    for key in OMITTED_WHEN_EMPTY:
        if data[key] in (None, [], {}):
            del data[key]
    return data


@dataclass(frozen=True)
class WireSource:
    """Where one wire key of an order or a line item comes from. `read` renders it from an
    instance; orders/sql.py compiles the same sources into the PostgreSQL expression the expiry
    sweep renders its events with, so a key is declared here once for both."""

    kind: str  # one of SOURCE_KINDS
    name: str = ""  # the model attribute, or for "extra" the key in `extra`
    value: object = None  # for "constant"

    @cached_property
    def read(self):
        name, value = self.name, self.value
        if self.kind == "text":
            return lambda instance: str(getattr(instance, name))
        if self.kind == "stored":
            return attrgetter(name)
        if self.kind == "moment":
            return lambda instance: format_wire_datetime(getattr(instance, name))
        if self.kind == "extra":
            return lambda instance: (instance.extra or {}).get(name)
        if self.kind == "lines":
            return lambda instance: line_items_representation(instance)
        document = orjson.dumps(value)  # "constant": a fresh copy each time, never shared
        return lambda instance: orjson.loads(document)


SOURCE_KINDS = {
    "text": "the attribute as a string (ids)",
    "stored": "the attribute as stored (numbers, text, JSON columns passed through)",
    "moment": "a date-time attribute in the wire form (format_wire_datetime)",
    "extra": "the value under `name` in the `extra` JSON column",
    "lines": "the order's line items, each rendered from LINE_WIRE_SOURCES",
    "constant": "always `value`",
}


# The order on the wire, key by key. Rendering walks this table instead of the declared fields
# above (walking those cost more than the database does for a search page);
# tests/orders/test_orders_schema.py checks both name the same keys.
ORDER_WIRE_SOURCES = {
    "id": WireSource("text", "id"),
    "version": WireSource("stored", "version"),
    "processId": WireSource("text", "process_id"),
    "created": WireSource("moment", "created"),
    "lastModified": WireSource("moment", "last_modified"),
    "status": WireSource("stored", "status"),
    "orderDate": WireSource("moment", "order_date"),
    "tenantOrderId": WireSource("stored", "tenant_order_id"),
    "consumer": WireSource("stored", "consumer"),
    "orderLineItems": WireSource("lines"),
    "deliveryPreferences": WireSource("stored", "delivery_preferences"),
    "customAttributes": WireSource("stored", "custom_attributes"),
    "tags": WireSource("stored", "tags"),
    "stickers": WireSource("stored", "stickers"),
    "statusReasons": WireSource("stored", "status_reasons"),
    "paymentInfo": WireSource("stored", "payment_info"),
    "promisesOptions": WireSource("stored", "promises_options"),
    "cancelationReason": WireSource("stored", "cancelation_reason"),
    "updateDetails": WireSource("stored", "update_details"),
    "source": WireSource("extra", "source"),
    "customServices": WireSource("extra", "customServices"),
    "pricing": WireSource("extra", "pricing"),
    "anonymized": WireSource("constant", value=False),
    # No fulfilment workflow engine runs behind this API.
    "workflowInformation": WireSource("constant", value={"isAvailable": False}),
}
ORDER_WIRE_FIELDS = {key: source.read for key, source in ORDER_WIRE_SOURCES.items()}

# A line item on the wire: these keys, then every key of its `extra` column (which wins).
LINE_WIRE_SOURCES = {
    "id": WireSource("text", "id"),
    "article": WireSource("stored", "article"),
    "quantity": WireSource("stored", "quantity"),
    "customAttributes": WireSource("stored", "custom_attributes"),
}
LINE_WIRE_FIELDS = {key: source.read for key, source in LINE_WIRE_SOURCES.items()}


def line_items_representation(order):
    inlined = getattr(order, "line_items_json", None)
    if inlined is not None:
        return [
            _without_empty_line_keys(
                {key: value for key, value in line.items() if key != "extra"} | line["extra"]
            )
            for line in inlined
        ]
    return [line_item_representation(line) for line in order.order_line_items.all()]


def _without_empty_line_keys(data):
    for key in LINE_OMITTED_WHEN_EMPTY:
        if data.get(key, ...) in (None, []):
            del data[key]
    return data


def line_item_representation(line):
    data = {key: read(line) for key, read in LINE_WIRE_FIELDS.items()}
    data.update(line.extra or {})
    return _without_empty_line_keys(data)


class StrippedOrderLineItemSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(read_only=True)
    title = serializers.CharField(source="article.title", read_only=True)


class StrippedOrderSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    created = WireDateTimeField(read_only=True)
    lastModified = WireDateTimeField(source="last_modified", read_only=True)
    orderDate = WireDateTimeField(source="order_date", read_only=True)
    status = serializers.ChoiceField(choices=OrderStatus.choices, read_only=True)
    processRef = serializers.CharField(source="process_id", read_only=True)
    tenantOrderId = serializers.CharField(source="tenant_order_id", read_only=True)
    stickers = passthrough(StickerSerializer(many=True))
    orderLineItems = StrippedOrderLineItemSerializer(source="order_line_items.all", many=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key in ("tenantOrderId", "stickers"):
            if data.get(key) in (None, []):
                data.pop(key, None)
        return data


class StrippedOrdersSerializer(serializers.Serializer):
    orders = StrippedOrderSerializer(many=True, read_only=True)
    total = serializers.IntegerField(read_only=True)
