"""Wire shapes of the orders API (camelCase, as the reference API names them).

Request serializers keep the wire names in `validated_data`: services receive a validated wire
dict. Nested structures are stored as JSON in that same shape, so response serializers pass
them through and only name them for the OpenAPI schema.
"""

from django.core.validators import EmailValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import (
    JSONObjectField,
    ReferenceSchemaField,
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    WireDateTimeField,
    WireDateTimeStringField,
    format_wire_datetime,
    order_date_window,
)
from config.api.serializers import StrictSerializer
from orders.models import OrderStatus

MAX_ITEMS = 500
# Quantities are 32-bit columns; larger numbers are a 400, not a database error.
MAX_QUANTITY = 2**31 - 1


def string_list(**kwargs):
    return serializers.ListField(child=StrictCharField(), max_length=MAX_ITEMS, **kwargs)


@extend_schema_field({"description": "Not supported by this server: rejected with a 400."})
class UnsupportedField(serializers.Field):
    """A field of the reference that this server does not accept: say so instead of calling
    it unknown or silently dropping it."""

    def __init__(self, message, **kwargs):
        self.message = message
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        raise serializers.ValidationError(self.message)

    def to_representation(self, value):
        return value


# --- shared pieces -----------------------------------------------------------------------


class TagReferenceSerializer(StrictSerializer):
    id = StrictCharField()
    value = StrictCharField()


class StickerSerializer(StrictSerializer):
    key = StrictCharField()
    name = StrictCharField(required=False)
    nameLocalized = ReferenceSchemaField("LocaleString")
    priority = StrictIntegerField(min_value=1, max_value=10000)
    color = StrictCharField(required=False)


class OrderStatusReasonSerializer(StrictSerializer):
    reason = StrictCharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)


class PhoneNumberSerializer(StrictSerializer):
    value = StrictCharField()
    type = serializers.ChoiceField(choices=["MOBILE", "PHONE"])
    label = StrictCharField(required=False)
    customAttributes = JSONObjectField(required=False)


class ConsumerAddressSerializer(StrictSerializer):
    salutation = StrictCharField(required=False, allow_blank=True)
    personalTitle = StrictCharField(required=False, allow_blank=True)
    firstName = StrictCharField(required=False, allow_blank=True)
    lastName = StrictCharField(required=False, allow_blank=True)
    companyName = StrictCharField(required=False, allow_blank=True)
    street = StrictCharField()
    houseNumber = StrictCharField(required=False)
    postalCode = StrictCharField()
    city = StrictCharField()
    province = StrictCharField(required=False)
    country = serializers.RegexField(
        r"^[A-Z]{2}$", error_messages={"invalid": "Expected an ISO 3166-1 alpha-2 code, e.g. NL."}
    )
    additionalAddressInfo = StrictCharField(required=False, allow_blank=True)
    addressType = serializers.ChoiceField(
        choices=["POSTAL_ADDRESS", "PARCEL_LOCKER", "INVOICE_ADDRESS"], required=False
    )
    coordinates = ReferenceSchemaField("Coordinates", required=False)
    email = StrictCharField(required=False, validators=[EmailValidator()])
    phoneNumbers = PhoneNumberSerializer(many=True, required=False, max_length=MAX_ITEMS)
    customAttributes = JSONObjectField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict) and not isinstance(data.get("country"), (str, type(None))):
            raise serializers.ValidationError({"country": ["Expected a string."]})
        return super().to_internal_value(data)


class ConsumerSerializer(StrictSerializer):
    consumerId = StrictCharField(required=False, max_length=255)
    # Deprecated in the reference; the documents' own example carries a placeholder here
    # that is not an address, so it is stored as given (addresses[].email is validated).
    email = StrictCharField(required=False, allow_blank=True)
    addresses = ConsumerAddressSerializer(many=True, required=False, max_length=MAX_ITEMS)
    customAttributes = JSONObjectField(required=False)
    facilityRef = StrictCharField(required=False)
    tenantFacilityId = StrictCharField(required=False)


class CollectDeliverySerializer(StrictSerializer):
    facilityRef = StrictCharField(required=False)
    tenantFacilityId = StrictCharField(required=False)
    paid = StrictBooleanField(required=False)
    provisioningTime = WireDateTimeStringField(required=False)
    supplyingFacilities = string_list(required=False)
    supplyingFacilitiesConfigurations = ReferenceSchemaField(
        "SupplyingFacilityConfiguration", many=True, required=False
    )

    def validate(self, attrs):
        if not attrs.get("facilityRef") and not attrs.get("tenantFacilityId"):
            raise serializers.ValidationError("Either facilityRef or tenantFacilityId is required.")
        return attrs


class ShippingPreferencesSerializer(StrictSerializer):
    serviceLevel = serializers.ChoiceField(choices=["DELIVERY", "SAMEDAY"], required=False)
    carrierProductCategory = serializers.ChoiceField(
        choices=["STANDARD", "EXPRESS", "VALUE", "FORWARDING"], required=False
    )
    desiredDeliveryTime = WireDateTimeStringField(required=False)
    preferredCarriers = string_list(required=False)
    preferredCarriersWithProduct = ReferenceSchemaField(
        "PreferredCarrierWithProduct", many=True, required=False
    )
    preselectedFacilities = ReferenceSchemaField("PreselectedFacility", many=True, required=False)


class DeliveryPreferencesSerializer(StrictSerializer):
    shipping = ShippingPreferencesSerializer(required=False)
    collect = CollectDeliverySerializer(many=True, required=False, max_length=1)
    estimatedDeliveryDate = WireDateTimeStringField(required=False)
    reservationPreferences = ReferenceSchemaField("DeliveryReservationPreferences", required=False)
    sourcingOptionRefs = string_list(required=False)
    supplyingFacilities = string_list(required=False)
    targetTime = WireDateTimeStringField(required=False)


class PaymentInfoForCreationSerializer(StrictSerializer):
    currency = StrictCharField(required=False)
    methodLocalized = ReferenceSchemaField("LocaleString", required=False)


class OrderPromisesOptionsSerializer(StrictSerializer):
    validUntil = WireDateTimeStringField()


class OrderLineItemArticleSerializer(StrictSerializer):
    tenantArticleId = StrictCharField(max_length=255)
    title = StrictCharField()
    titleLocalized = ReferenceSchemaField("LocaleString", required=False)
    imageUrl = StrictCharField(required=False, allow_blank=True)
    weight = StrictFloatField(required=False, min_value=0)
    customAttributes = JSONObjectField(required=False, allow_null=True)
    attributes = ReferenceSchemaField("OrderArticleAttributeItem", many=True, required=False)


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


@extend_schema_field(
    {
        "type": "object",
        "properties": {"sourceRef": {"type": "string"}, "tenantSourceId": {"type": "string"}},
    }
)
class SourceField(serializers.Field):
    """`source`: exactly one of {"sourceRef": ...} or {"tenantSourceId": ...}."""

    def to_internal_value(self, data):
        if (
            not isinstance(data, dict)
            or len(data) != 1
            or next(iter(data)) not in ("sourceRef", "tenantSourceId")
            or not isinstance(next(iter(data.values())), str)
        ):
            raise serializers.ValidationError(
                'Expected {"sourceRef": "<id>"} or {"tenantSourceId": "<id>"}.'
            )
        return data

    def to_representation(self, value):
        return value


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

    def validate_status(self, value):
        if value not in CREATABLE_STATUSES:
            raise serializers.ValidationError(
                f"An order can be created as {' or '.join(CREATABLE_STATUSES)}; "
                "PROMISED orders are created through POST /api/promises/deliverypromise."
            )
        return value


# --- responses -----------------------------------------------------------------------------


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


class OrderUpdateDetailChangesSerializer(serializers.Serializer):
    customAttributes = JSONObjectField(read_only=True)
    preferredHandlingTime = serializers.CharField(read_only=True)
    orderLineItems = serializers.ListField(child=serializers.DictField(), read_only=True)


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
        data = {key: read(instance) for key, read in ORDER_WIRE_FIELDS.items()}
        for key in OMITTED_WHEN_EMPTY:
            if data[key] in (None, [], {}):
                del data[key]
        return data


def _extra(key):
    return lambda order: (order.extra or {}).get(key)


# The order on the wire, key by key: how each is read from an Order. Rendering walks this table
# instead of the declared fields above (walking those cost more than the database does for a
# search page); tests/orders/test_orders_schema.py checks both name the same keys.
ORDER_WIRE_FIELDS = {
    "id": lambda order: str(order.id),
    "version": lambda order: order.version,
    "processId": lambda order: str(order.process_id),
    "created": lambda order: format_wire_datetime(order.created),
    "lastModified": lambda order: format_wire_datetime(order.last_modified),
    "status": lambda order: order.status,
    "orderDate": lambda order: format_wire_datetime(order.order_date),
    "tenantOrderId": lambda order: order.tenant_order_id,
    "consumer": lambda order: order.consumer,
    "orderLineItems": lambda order: line_items_representation(order),
    "deliveryPreferences": lambda order: order.delivery_preferences,
    "customAttributes": lambda order: order.custom_attributes,
    "tags": lambda order: order.tags,
    "stickers": lambda order: order.stickers,
    "statusReasons": lambda order: order.status_reasons,
    "paymentInfo": lambda order: order.payment_info,
    "promisesOptions": lambda order: order.promises_options,
    "cancelationReason": lambda order: order.cancelation_reason,
    "updateDetails": lambda order: order.update_details,
    "source": _extra("source"),
    "customServices": _extra("customServices"),
    "pricing": _extra("pricing"),
    "anonymized": lambda order: False,
    # No fulfilment workflow engine runs behind this API.
    "workflowInformation": lambda order: {"isAvailable": False},
}


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
    data = {
        "id": str(line.id),
        "article": line.article,
        "quantity": line.quantity,
        "customAttributes": line.custom_attributes,
        **(line.extra or {}),
    }
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


class OrderListQuerySerializer(StrictSerializer):
    startAfterId = serializers.CharField(required=False)
    size = serializers.IntegerField(required=False, min_value=1, max_value=250, default=25)
    tenantOrderId = serializers.CharField(required=False)
    consumerId = serializers.CharField(required=False)


# --- modification --------------------------------------------------------------------------


class OrderLineItemForUpdateSerializer(StrictSerializer):
    id = StrictCharField()
    quantity = StrictIntegerField(min_value=0, max_value=MAX_QUANTITY)
    article = UnsupportedField("Only the quantity of an order line item can be changed.")


class OrderForUpdateSerializer(StrictSerializer):
    version = StrictIntegerField(min_value=0)
    comment = StrictCharField(required=False, allow_blank=True)
    customAttributes = JSONObjectField(required=False, allow_null=True)
    preferredHandlingTime = WireDateTimeStringField(required=False)
    orderLineItems = OrderLineItemForUpdateSerializer(
        many=True, required=False, allow_null=True, max_length=MAX_ITEMS
    )
    consumer = UnsupportedField(
        "Consumer details cannot be changed by PATCH on this server.", required=False
    )
    pricing = UnsupportedField("Pricing cannot be changed after the order was created.")

    def validate(self, attrs):
        if not attrs.get("orderLineItems"):
            # null or [] changes no line.
            attrs.pop("orderLineItems", None)
        if not {"customAttributes", "preferredHandlingTime", "orderLineItems"} & set(attrs):
            raise serializers.ValidationError(
                "Nothing to change: send customAttributes, preferredHandlingTime or orderLineItems."
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


class OrderUnlockActionSerializer(OrderActionSerializer):
    targetTime = WireDateTimeStringField(required=False)


class OrderLineItemCustomAttributesUpdateSerializer(OrderActionSerializer):
    customAttributes = JSONObjectField()


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
