"""The order pieces of `pieces.py` and the line item of `requests.py` as msgspec structs, for
request bodies decoded on the hot path (config/api/structs.py says how they relate to the
serializers; tests/config/test_structs.py holds them to the same fields and results).

One struct per serializer, the same field names in the same order; each `__post_init__`
applies what a type cannot say (free JSON, reference schemas, e-mail addresses, date-times,
the serializer's `validate`).
"""

from typing import Annotated, Any, Literal

import msgspec
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from config.api.structs import (
    MAX_ITEMS,
    UNSET,
    BlankableText,
    Float,
    Refused,
    Text,
    Texts,
    Unset,
    WireStruct,
    bounded_integer,
    bounded_text,
    checked_json_object,
    checked_reference,
    refuse_unless,
    wire_datetime_string,
)
from orders.models import OrderStatus
from orders.serializers.pieces import ADDRESS_TYPES, MAX_QUANTITY

AddressType = Literal["POSTAL_ADDRESS", "PARCEL_LOCKER", "INVOICE_ADDRESS"]
assert set(AddressType.__args__) == set(ADDRESS_TYPES)
Status = Literal["OPEN", "CANCELLED", "PROMISED", "LOCKED", "OBSOLETE"]
assert set(Status.__args__) == set(OrderStatus.values)
# `\A…\Z`: a pattern's `$` would also accept a trailing newline, which the serializer's
# RegexField trims away first (the serializer path handles such a value).
CountryCode = Annotated[str, msgspec.Meta(pattern=r"\A[A-Z]{2}\Z")]
_validate_email = EmailValidator()


class TagReference(WireStruct, kw_only=True):
    id: Text
    value: Text


class Sticker(WireStruct, kw_only=True):
    key: Text
    name: Text | Unset = UNSET
    nameLocalized: Any
    priority: bounded_integer(1, 10000)
    color: Text | Unset = UNSET

    def __post_init__(self):
        self.nameLocalized = checked_reference(self.nameLocalized, "LocaleString")


class OrderStatusReason(WireStruct, kw_only=True):
    reason: Text
    status: Status


class PhoneNumber(WireStruct, kw_only=True):
    value: Text
    type: Literal["MOBILE", "PHONE"]
    label: Text | Unset = UNSET
    customAttributes: dict | Unset = UNSET

    def __post_init__(self):
        self.customAttributes = checked_json_object(self.customAttributes)


class ConsumerAddress(WireStruct, kw_only=True):
    salutation: BlankableText | Unset = UNSET
    personalTitle: BlankableText | Unset = UNSET
    firstName: BlankableText | Unset = UNSET
    lastName: BlankableText | Unset = UNSET
    companyName: BlankableText | Unset = UNSET
    street: Text
    houseNumber: Text | Unset = UNSET
    postalCode: Text
    city: Text
    province: Text | Unset = UNSET
    country: CountryCode
    additionalAddressInfo: BlankableText | Unset = UNSET
    addressType: AddressType | Unset = UNSET
    coordinates: Any = UNSET
    email: Text | Unset = UNSET
    phoneNumbers: Annotated[list[PhoneNumber], msgspec.Meta(max_length=MAX_ITEMS)] | Unset = UNSET
    customAttributes: dict | Unset = UNSET

    def __post_init__(self):
        self.coordinates = checked_reference(self.coordinates, "Coordinates")
        if self.email is not UNSET:
            try:
                _validate_email(self.email)
            except ValidationError:
                raise Refused("not an e-mail address") from None
        self.customAttributes = checked_json_object(self.customAttributes)


class Consumer(WireStruct, kw_only=True):
    consumerId: bounded_text(255) | Unset = UNSET
    email: BlankableText | Unset = UNSET
    addresses: Annotated[list[ConsumerAddress], msgspec.Meta(max_length=MAX_ITEMS)] | Unset = UNSET
    customAttributes: dict | Unset = UNSET
    facilityRef: Text | Unset = UNSET
    tenantFacilityId: Text | Unset = UNSET

    def __post_init__(self):
        self.customAttributes = checked_json_object(self.customAttributes)


class CollectDelivery(WireStruct, kw_only=True):
    facilityRef: Text | Unset = UNSET
    tenantFacilityId: Text | Unset = UNSET
    paid: bool | Unset = UNSET
    provisioningTime: str | Unset = UNSET
    supplyingFacilities: Texts | Unset = UNSET
    supplyingFacilitiesConfigurations: Any = UNSET

    def __post_init__(self):
        self.provisioningTime = wire_datetime_string(self.provisioningTime)
        self.supplyingFacilitiesConfigurations = checked_reference(
            self.supplyingFacilitiesConfigurations, "SupplyingFacilityConfiguration", many=True
        )
        # The serializer's `validate`: one of the references (not blank: `Text`).
        refuse_unless(self.facilityRef is not UNSET or self.tenantFacilityId is not UNSET)


class ShippingPreferences(WireStruct, kw_only=True):
    serviceLevel: Literal["DELIVERY", "SAMEDAY"] | Unset = UNSET
    carrierProductCategory: Literal["STANDARD", "EXPRESS", "VALUE", "FORWARDING"] | Unset = UNSET
    desiredDeliveryTime: str | Unset = UNSET
    preferredCarriers: Texts | Unset = UNSET
    preferredCarriersWithProduct: Any = UNSET
    preselectedFacilities: Any = UNSET

    def __post_init__(self):
        self.desiredDeliveryTime = wire_datetime_string(self.desiredDeliveryTime)
        self.preferredCarriersWithProduct = checked_reference(
            self.preferredCarriersWithProduct, "PreferredCarrierWithProduct", many=True
        )
        self.preselectedFacilities = checked_reference(
            self.preselectedFacilities, "PreselectedFacility", many=True
        )


class DeliveryPreferences(WireStruct, kw_only=True):
    shipping: ShippingPreferences | Unset = UNSET
    collect: Annotated[list[CollectDelivery], msgspec.Meta(max_length=1)] | Unset = UNSET
    estimatedDeliveryDate: str | Unset = UNSET
    reservationPreferences: Any = UNSET
    sourcingOptionRefs: Texts | Unset = UNSET
    supplyingFacilities: Texts | Unset = UNSET
    targetTime: str | Unset = UNSET

    def __post_init__(self):
        self.estimatedDeliveryDate = wire_datetime_string(self.estimatedDeliveryDate)
        self.reservationPreferences = checked_reference(
            self.reservationPreferences, "DeliveryReservationPreferences"
        )
        self.targetTime = wire_datetime_string(self.targetTime)


class PaymentInfoForCreation(WireStruct, kw_only=True):
    currency: Text | Unset = UNSET
    methodLocalized: Any = UNSET

    def __post_init__(self):
        self.methodLocalized = checked_reference(self.methodLocalized, "LocaleString")


class OrderPromisesOptions(WireStruct, kw_only=True):
    validUntil: str

    def __post_init__(self):
        self.validUntil = wire_datetime_string(self.validUntil)


class OrderLineItemArticle(WireStruct, kw_only=True):
    tenantArticleId: bounded_text(255)
    title: Text
    titleLocalized: Any = UNSET
    imageUrl: BlankableText | Unset = UNSET
    weight: Annotated[float, msgspec.Meta(ge=0, le=2**63 - 1)] | Unset = UNSET
    customAttributes: dict | None | Unset = UNSET
    attributes: Any = UNSET

    def __post_init__(self):
        self.titleLocalized = checked_reference(self.titleLocalized, "LocaleString")
        self.customAttributes = checked_json_object(self.customAttributes, allow_null=True)
        self.attributes = checked_reference(self.attributes, "OrderArticleAttributeItem", many=True)


class OrderLineItemForCreation(WireStruct, kw_only=True):
    article: OrderLineItemArticle
    quantity: bounded_integer(1, MAX_QUANTITY)
    customAttributes: dict | Unset = UNSET
    measurementUnitKey: Text | Unset = UNSET
    secondaryMeasurementUnitKey: Text | Unset = UNSET
    secondaryQuantity: bounded_integer(0, 2**63 - 1) | Unset = UNSET
    measurementValidation: Any = UNSET
    scannableCodes: Texts | Unset = UNSET
    shopPrice: Float | Unset = UNSET
    tags: Annotated[list[TagReference], msgspec.Meta(max_length=MAX_ITEMS)] | Unset = UNSET
    allowedSubstitutes: Any = UNSET

    def __post_init__(self):
        self.customAttributes = checked_json_object(self.customAttributes)
        self.measurementValidation = checked_reference(
            self.measurementValidation, "MeasurementValidation"
        )
        self.allowedSubstitutes = checked_reference(
            self.allowedSubstitutes, "Substitute", many=True
        )
