"""Pieces of an order that requests and responses share: consumer, addresses, preferences,
tags, stickers, the line item's article, and the fields the reference has and we refuse."""

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
    WireDateTimeStringField,
)
from config.api.serializers import StrictSerializer
from orders.models import OrderStatus

MAX_ITEMS = 500
ADDRESS_TYPES = ["POSTAL_ADDRESS", "PARCEL_LOCKER", "INVOICE_ADDRESS"]
# Quantities are 32-bit columns; larger numbers are a 400, not a database error.
MAX_QUANTITY = 2**31 - 1


def string_list(**kwargs):
    return serializers.ListField(child=StrictCharField(), max_length=MAX_ITEMS, **kwargs)


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
    addressType = serializers.ChoiceField(choices=ADDRESS_TYPES, required=False)
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
