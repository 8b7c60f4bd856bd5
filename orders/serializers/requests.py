"""Request bodies of the orders API: create, list query, modify (PATCH), actions, and the
modification configuration."""

from rest_framework import serializers

from config.api.fields import (
    JSONObjectField,
    ReferenceSchemaField,
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    UnsupportedField,
    WireDateTimeField,
    WireDateTimeStringField,
    order_date_window,
)
from config.api.serializers import StrictSerializer
from orders.models import OrderStatus
from orders.routing_marks import ROUTING_STATUS_TAG_ID
from orders.serializers.pieces import (
    ADDRESS_TYPES,
    MAX_ITEMS,
    MAX_QUANTITY,
    ConsumerAddressSerializer,
    ConsumerSerializer,
    DeliveryPreferencesSerializer,
    OrderLineItemArticleSerializer,
    OrderPromisesOptionsSerializer,
    OrderStatusReasonSerializer,
    PaymentInfoForCreationSerializer,
    SourceField,
    StickerSerializer,
    TagReferenceSerializer,
    string_list,
)


class OrderLineItemForCreationSerializer(StrictSerializer):
    article = OrderLineItemArticleSerializer()
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)
    customAttributes = JSONObjectField(required=False)
    measurementUnitKey = StrictCharField(required=False)
    secondaryMeasurementUnitKey = StrictCharField(required=False)
    secondaryQuantity = StrictIntegerField(required=False, min_value=0)
    measurementValidation = ReferenceSchemaField("MeasurementValidation", required=False)
    scannableCodes = string_list(required=False)
    shopPrice = StrictFloatField(required=False)
    tags = TagReferenceSerializer(many=True, required=False, max_length=MAX_ITEMS)
    allowedSubstitutes = ReferenceSchemaField("Substitute", many=True, required=False)


# Statuses a client may create an order in through POST /api/orders. PROMISED orders come
# from the delivery-promise endpoint; CANCELLED and OBSOLETE would make no sense for a new order.
CREATABLE_STATUSES = [OrderStatus.OPEN, OrderStatus.LOCKED]


class OrderForCreationSerializer(StrictSerializer):
    orderDate = WireDateTimeField(window=order_date_window)
    tenantOrderId = StrictCharField(required=False, max_length=255)
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    consumer = ConsumerSerializer()
    orderLineItems = OrderLineItemForCreationSerializer(
        many=True, min_length=1, max_length=MAX_ITEMS, allow_empty=False
    )
    deliveryPreferences = DeliveryPreferencesSerializer(required=False)
    customAttributes = JSONObjectField(required=False)
    tags = TagReferenceSerializer(many=True, required=False, min_length=1, max_length=MAX_ITEMS)
    stickers = StickerSerializer(many=True, required=False, min_length=1, max_length=100)
    statusReasons = OrderStatusReasonSerializer(many=True, required=False, max_length=MAX_ITEMS)
    paymentInfo = PaymentInfoForCreationSerializer(required=False)
    promisesOptions = OrderPromisesOptionsSerializer(required=False)
    source = SourceField(required=False)
    customServices = ReferenceSchemaField(
        "CustomServiceReferenceForCreation", many=True, min_items=1, required=False
    )
    pricing = ReferenceSchemaField("OrderPricingForCreation", required=False)

    def validate_tags(self, value):
        if any(tag["id"] == ROUTING_STATUS_TAG_ID for tag in value):
            raise serializers.ValidationError(
                f"The tag {ROUTING_STATUS_TAG_ID!r} is set by the server: it says whether the "
                "order holds stock."
            )
        return value

    def validate_status(self, value):
        if value not in CREATABLE_STATUSES:
            raise serializers.ValidationError(
                f"An order can be created as {' or '.join(CREATABLE_STATUSES)}; "
                "PROMISED orders are created through POST /api/promises/deliverypromise."
            )
        return value


class OrderListQuerySerializer(StrictSerializer):
    startAfterId = serializers.CharField(required=False)
    size = serializers.IntegerField(required=False, min_value=1, max_value=250, default=25)
    tenantOrderId = serializers.CharField(required=False)
    consumerId = serializers.CharField(required=False)


# --- modification --------------------------------------------------------------------------


class OrderLineItemForUpdateSerializer(StrictSerializer):
    """A line to keep (`id`, its quantity may change) or to add (`article`, as at creation)."""

    id = StrictCharField(required=False)
    article = OrderLineItemArticleSerializer(required=False)
    quantity = StrictIntegerField(min_value=0, max_value=MAX_QUANTITY)

    def validate(self, attrs):
        if "id" not in attrs and "article" not in attrs:
            raise serializers.ValidationError(
                "Send the id of a line to keep, or the article of a line to add."
            )
        if "id" not in attrs and attrs["quantity"] < 1:
            raise serializers.ValidationError({"quantity": ["A new line needs a quantity ≥ 1."]})
        return attrs


# What a PATCH may change; `comment` only comes with one of these.
MODIFIABLE_FIELDS = {"customAttributes", "preferredHandlingTime", "orderLineItems", "consumer"}


class OrderForUpdateSerializer(StrictSerializer):
    version = StrictIntegerField(min_value=0)
    comment = StrictCharField(required=False, allow_blank=True)
    customAttributes = JSONObjectField(required=False, allow_null=True)
    preferredHandlingTime = WireDateTimeStringField(required=False)
    orderLineItems = OrderLineItemForUpdateSerializer(
        many=True, required=False, allow_null=True, max_length=MAX_ITEMS
    )
    consumer = ConsumerSerializer(required=False)
    pricing = UnsupportedField("Pricing cannot be changed after the order was created.")

    def validate(self, attrs):
        if not attrs.get("orderLineItems"):
            # null or [] changes no line.
            attrs.pop("orderLineItems", None)
        if not MODIFIABLE_FIELDS & set(attrs):
            raise serializers.ValidationError(
                "Nothing to change: send customAttributes, preferredHandlingTime, "
                "orderLineItems or consumer."
            )
        return attrs


# --- actions -------------------------------------------------------------------------------


class OrderActionSerializer(StrictSerializer):
    name = StrictCharField()
    version = StrictIntegerField(min_value=0)


class OrderCancelActionSerializer(OrderActionSerializer):
    cancelationReasonId = StrictCharField(required=False)


class OrderForceCancelActionSerializer(OrderActionSerializer):
    pass


# The reference's limit per call: each order is its own short transaction.
MAX_BULK_ORDERS = 15


class BulkForceCancelOrderSerializer(StrictSerializer):
    orderId = StrictCharField()
    version = StrictIntegerField(min_value=0)
    cancelationReasonId = StrictCharField(required=False)


class BulkOrderActionsSerializer(StrictSerializer):
    name = serializers.ChoiceField(choices=["BULK_FORCE_CANCEL"])
    orders = BulkForceCancelOrderSerializer(
        many=True, min_length=1, max_length=MAX_BULK_ORDERS, allow_empty=False
    )


class BulkOrderActionResultSerializer(serializers.Serializer):
    orderId = serializers.CharField()
    status = serializers.ChoiceField(choices=["UPDATED", "UNCHANGED", "CREATED", "FAILED"])
    summary = serializers.CharField(required=False)


class OrderUnlockActionSerializer(OrderActionSerializer):
    targetTime = WireDateTimeStringField(required=False)


class OrderLineItemCustomAttributesUpdateSerializer(OrderActionSerializer):
    customAttributes = JSONObjectField()


class OrderConsumerAddressChangeActionSerializer(OrderActionSerializer):
    """Deprecated in the reference (use PATCH with `consumer`); same service."""

    consumerAddress = ConsumerAddressSerializer()
    addressType = serializers.ChoiceField(choices=ADDRESS_TYPES)


class OrderConsumerAddressesReplaceActionSerializer(OrderActionSerializer):
    """Deprecated in the reference (use PATCH with `consumer`); same service."""

    consumerAddresses = ConsumerAddressSerializer(many=True, max_length=MAX_ITEMS)


class OrderRerouteActionSerializer(OrderActionSerializer):
    """Not in the reference: route the order again as it stands (staff asked for it)."""


# --- configuration -------------------------------------------------------------------------


class OrderModificationConfigurationSerializer(StrictSerializer):
    version = StrictIntegerField(min_value=0)
    allowOrderLineItemModification = StrictBooleanField(source="allow_order_line_item_modification")
    # Sent back by clients that PUT what they got from GET; generated by the server, ignored.
    id = serializers.CharField(required=False)
    created = WireDateTimeField(required=False)

    def to_representation(self, instance):
        return {
            "id": str(instance.pk),
            "version": instance.version,
            "allowOrderLineItemModification": instance.allow_order_line_item_modification,
            "created": WireDateTimeField().to_representation(instance.created),
        }
