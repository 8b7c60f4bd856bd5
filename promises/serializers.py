"""Wire shapes of the promise endpoints (camelCase, as the reference API names them)."""

from collections import defaultdict

from rest_framework import serializers

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    UnsupportedField,
    WireDateTimeField,
    format_wire_datetime,
)
from config.api.serializers import StrictSerializer
from orders.models import OrderStatus
from orders.serializers.pieces import (
    MAX_QUANTITY,
    ConsumerAddressSerializer,
    ConsumerSerializer,
    DeliveryPreferencesSerializer,
    OrderLineItemArticleSerializer,
    ShippingPreferencesSerializer,
)
from orders.serializers.requests import OrderActionSerializer, OrderForCreationSerializer


class PromisesConfigurationSerializer(StrictSerializer):
    """`PromisesConfiguration`: output of GET/PUT, input of PUT (version + invalidAfterTime)."""

    id = serializers.SerializerMethodField()
    version = StrictIntegerField(min_value=0)
    invalidAfterTime = StrictCharField(source="invalid_after_time", max_length=64)
    created = WireDateTimeField(read_only=True)
    lastModified = WireDateTimeField(source="last_modified", read_only=True)

    def get_id(self, configuration) -> str:
        return "promises"

    def to_internal_value(self, data):
        # `id`, `created` and `lastModified` are generated: a client echoing them back from a
        # GET is accepted, they are simply not applied.
        if isinstance(data, dict):
            data = {
                key: value
                for key, value in data.items()
                if key not in ("id", "created", "lastModified")
            }
        return super().to_internal_value(data)


# --- delivery promise request ----------------------------------------------------------------


class PromiseResourceInvestmentSerializer(StrictSerializer):
    level = StrictFloatField()

    def validate_level(self, value):
        # The contract: exclusiveMinimum 0, maximum 1.
        if not 0 < value <= 1:
            raise serializers.ValidationError("Must be greater than 0 and at most 1.")
        return value


class PromiseRequestAdditionalInfoSerializer(StrictSerializer):
    includeListingCustomAttributes = StrictBooleanField(required=False)
    resourceInvestment = PromiseResourceInvestmentSerializer(required=False)


class PromiseRequestSerializer(OrderForCreationSerializer):
    """`PromiseRequest`: an OrderForCreation without `source` and `pricing`, plus
    `additionalInfo`. Unknown fields are rejected (additionalProperties: false)."""

    source = None
    pricing = None
    additionalInfo = PromiseRequestAdditionalInfoSerializer(required=False)

    def validate_status(self, value):
        if value != OrderStatus.PROMISED:
            raise serializers.ValidationError(
                "A delivery promise always creates a PROMISED order; omit status or send PROMISED."
            )
        return value


class PromiseConfirmActionSerializer(OrderActionSerializer):
    tenantOrderId = StrictCharField(required=False, max_length=255)


class PromiseExtendActionSerializer(OrderActionSerializer):
    pass


# --- sourcing options request ------------------------------------------------------------------


class SourcingOptionsAddressSerializer(ConsumerAddressSerializer):
    """`ConsumerAddressForSourcingOptions`: only `country` is required."""

    street = StrictCharField(required=False)
    postalCode = StrictCharField(required=False)
    city = StrictCharField(required=False)


class SourcingOptionsConsumerSerializer(ConsumerSerializer):
    addresses = SourcingOptionsAddressSerializer(many=True, required=False, max_length=500)


class OrderForSourcingOptionsSerializer(OrderForCreationSerializer):
    """`OrderForSourcingOptionsRequest`: like an order for creation, but `orderDate` is
    optional and only the consumer's country is required. Line items are required here
    because there is nothing to route without them."""

    orderDate = WireDateTimeField(required=False)
    consumer = SourcingOptionsConsumerSerializer()
    source = None
    pricing = None

    def validate_status(self, value):
        return value if value in OrderStatus.values else OrderStatus.OPEN


class SourcingResourceInvestmentSerializer(StrictSerializer):
    # The contract says 0 < level ≤ 1; 0 is accepted too and means the greedy answer.
    level = StrictFloatField(min_value=0, max_value=1)


class OptimizationHintsSerializer(StrictSerializer):
    includeCalculationHints = StrictBooleanField(required=False)
    requestedResultCount = StrictIntegerField(required=False, min_value=1, max_value=20)


class SourcingOptionsAdditionalInfoSerializer(StrictSerializer):
    includeListingCustomAttributes = StrictBooleanField(required=False)


class SourcingOptionsRequestSerializer(StrictSerializer):
    order = OrderForSourcingOptionsSerializer()
    resourceInvestment = SourcingResourceInvestmentSerializer(required=False)
    optimizationHints = OptimizationHintsSerializer(required=False)
    additionalInfo = SourcingOptionsAdditionalInfoSerializer(required=False)


# --- checkout options requests -----------------------------------------------------------------

# A product page or a cart, not a catalogue: more articles or facilities than this in one call is
# a 400 (each one is routed).
MAX_CHECKOUT_ITEMS = 100
ADDRESS_TYPES = ["POSTAL_ADDRESS", "PARCEL_LOCKER", "INVOICE_ADDRESS"]
NOT_SUPPORTED = "Not supported by this server: send the request without it."


def _checkout_list(child, **kwargs):
    return serializers.ListField(child=child, min_length=1, max_length=MAX_CHECKOUT_ITEMS, **kwargs)


class CheckoutConsumerAddressSerializer(StrictSerializer):
    """`CheckoutOptionsConsumerAddress`: only `country` is required; without coordinates (the
    reference has none here) the point comes from the city (config/geocoding.py)."""

    addressType = serializers.ChoiceField(choices=ADDRESS_TYPES, required=False)
    street = StrictCharField(required=False, allow_blank=True)
    houseNumber = StrictCharField(required=False, allow_blank=True)
    postalCode = StrictCharField(required=False, allow_blank=True)
    city = StrictCharField(required=False, allow_blank=True)
    province = StrictCharField(required=False, allow_blank=True)
    country = serializers.RegexField(
        r"^[A-Z]{2}$", error_messages={"invalid": "Expected an ISO 3166-1 alpha-2 code, e.g. NL."}
    )


class BasketItemSerializer(StrictSerializer):
    tenantArticleId = StrictCharField(max_length=255)
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


class CheckoutDeliveryEarliestRequestSerializer(StrictSerializer):
    consumerAddress = CheckoutConsumerAddressSerializer()
    tenantArticleIds = _checkout_list(StrictCharField(max_length=255))
    earliestDeliveryDate = WireDateTimeField(required=False)
    filter = UnsupportedField(NOT_SUPPORTED)
    includeCalculationHints = StrictBooleanField(required=False)
    includeListingDetails = StrictBooleanField(required=False)


class CheckoutDeliveryTimePeriodRequestSerializer(StrictSerializer):
    basket = _checkout_list(BasketItemSerializer())
    consumerAddress = CheckoutConsumerAddressSerializer()
    deliveryPreferences = ShippingPreferencesSerializer(required=False)
    startDate = WireDateTimeField(required=False)
    endDate = WireDateTimeField(required=False)
    includeCalculationHints = StrictBooleanField(required=False)


class FacilityLatestPickingStartSerializer(StrictSerializer):
    facilityRef = StrictCharField(max_length=255)
    latestPickingStart = WireDateTimeField()


class CheckoutDeliveryTimePointRequestSerializer(StrictSerializer):
    desiredDeliveryDate = WireDateTimeField()
    tenantArticleIds = _checkout_list(StrictCharField(max_length=255))
    facilities = _checkout_list(FacilityLatestPickingStartSerializer())


class CollectFacilitySerializer(StrictSerializer):
    facilityRef = StrictCharField(required=False, max_length=255)
    tenantFacilityRef = StrictCharField(required=False, max_length=255)

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError(
                "Exactly one of facilityRef or tenantFacilityRef is required."
            )
        return attrs


class CheckoutCollectEarliestRequestSerializer(StrictSerializer):
    tenantArticleIds = _checkout_list(StrictCharField(max_length=255))
    facilities = _checkout_list(CollectFacilitySerializer(), required=False)
    desiredCollectDate = WireDateTimeField(required=False)
    includeCalculationHints = StrictBooleanField(required=False)


class CheckoutArticleSerializer(OrderLineItemArticleSerializer):
    title = StrictCharField(required=False)  # nothing is stored: the reference is enough


class CheckoutLineItemSerializer(StrictSerializer):
    """An `orderLineItems` entry of `CheckoutOptionsInput` (free objects in the reference): the
    order line's article and quantity, as in an order."""

    article = CheckoutArticleSerializer()
    quantity = StrictIntegerField(min_value=1, max_value=MAX_QUANTITY)


class CheckoutOptionsInputSerializer(StrictSerializer):
    consumerAddress = CheckoutConsumerAddressSerializer(required=False)
    deliveryPreferences = DeliveryPreferencesSerializer()
    orderLineItems = _checkout_list(CheckoutLineItemSerializer())
    filterDuplicates = StrictBooleanField(required=False)
    customAttributes = UnsupportedField(NOT_SUPPORTED)
    customServices = UnsupportedField(NOT_SUPPORTED)
    geoFence = UnsupportedField(NOT_SUPPORTED)
    tags = UnsupportedField(NOT_SUPPORTED)

    def validate(self, attrs):
        if not attrs["deliveryPreferences"].get("collect") and not attrs.get("consumerAddress"):
            raise serializers.ValidationError(
                {"consumerAddress": ["Required for shipping (no deliveryPreferences.collect)."]}
            )
        return attrs


# --- delivery promise response -----------------------------------------------------------------


def _facility(facility):
    rendered = {
        "facilityName": facility.name or facility.facility_id,
        "facilityRef": facility.facility_id,
    }
    if facility.tenant_facility_id:
        rendered["tenantFacilityId"] = facility.tenant_facility_id
    return rendered


def _line_items(allocations, available_at, facility_id):
    quantities = defaultdict(int)
    for allocation in allocations:
        quantities[allocation.tenant_article_id] += allocation.quantity
    return [
        {
            "tenantArticleId": article,
            "quantity": quantity,
            # What the facility had available when the cart was routed (before this promise).
            "available": max(available_at.get((facility_id, article), 0), 0),
        }
        for article, quantity in quantities.items()
    ]


def promise_carrier(choice, estimate, valid_until=None):
    """The wire `PromiseCarrier` of a routing `CarrierChoice` (and its estimate): carrier,
    product, costs, transit and delivery days; `deliveryPromiseValidUntil` when promised."""
    product = {
        "carrierProductCategory": choice.product_category,
        "deliveryCosts": (
            [{"cost": choice.cost, "currency": choice.currency}] if choice.cost is not None else []
        ),
        "transitTime": {
            "minTransitDays": choice.min_transit_days,
            "maxTransitDays": choice.max_transit_days,
        },
    }
    if estimate is not None:
        product["estimatedDeliveryTime"] = {
            "minDeliveryDays": estimate.min_delivery_days,
            "maxDeliveryDays": estimate.max_delivery_days,
        }
    carrier = {
        "carrierRef": choice.carrier_id,
        "carrierKey": choice.carrier_key,
        "carrierName": choice.carrier_name,
        "products": [product],
    }
    if valid_until is not None:
        carrier["deliveryPromiseValidUntil"] = format_wire_datetime(valid_until)
    return carrier


def delivery_promise_response(promise):
    """`ResponseForDeliveryPromise` for a created promise (services.DeliveryPromise)."""
    order, decision, routing_request = promise.order, promise.decision, promise.routing_request
    available_at = routing_request.availability
    facilities = {facility.facility_id: facility for facility in routing_request.facilities}
    body = {
        "orderRef": str(order.id),
        "orderVersion": order.version,
        "promisesOptions": {"validUntil": format_wire_datetime(promise.valid_until)},
    }
    if decision.method == "COLLECT":
        pickup = decision.pickup_facility
        body["collect"] = {
            "facility": _facility(pickup),
            "lineItems": _line_items(decision.allocations, available_at, pickup.facility_id),
            "targetTime": format_wire_datetime(decision.collect_target_time or promise.valid_until),
        }
        body["shipToStore"] = [
            {
                "facility": _facility(facilities[transfer.source_facility_id]),
                "lineItems": _line_items(
                    transfer.allocations, available_at, transfer.source_facility_id
                ),
                "carriers": (
                    [promise_carrier(transfer.carrier, None, promise.valid_until)]
                    if transfer.carrier
                    else []
                ),
            }
            for transfer in decision.transfers
        ]
    else:
        body["shipToCustomer"] = [
            {
                "facility": _facility(node.facility),
                "lineItems": _line_items(node.allocations, available_at, node.facility_id),
                "carriers": (
                    [promise_carrier(node.carrier, node.estimate, promise.valid_until)]
                    if node.carrier
                    else []
                ),
            }
            for node in decision.nodes
        ]
    if decision.backordered:
        body["backOrdered"] = {
            "lineItems": [
                {
                    "tenantArticleId": item.tenant_article_id,
                    "quantity": item.quantity,
                    "available": 0,
                    "outOfStockBehaviour": "BACKORDER",
                }
                for item in decision.backordered
            ]
        }
    # The option stored with the order at creation: the same ids in the response and the order.
    body["sourcingOption"] = order.extra["sourcingOption"]
    return body
