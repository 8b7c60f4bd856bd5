"""The `PromiseRequest` and the `SourcingOptionsRequest` as msgspec structs: the body decoded
and validated in one pass (config/api/structs.py: how structs relate to serializers).
`PromiseRequestSerializer` and `SourcingOptionsRequestSerializer` stay the schema's source and
the answer to anything the struct refuses; tests/config/test_structs.py and
tests/promises/test_sourcing_structs.py hold each pair to the same fields and the same
validated data."""

from typing import Annotated, Any, Literal

import msgspec

from config.api.fields import order_date_window
from config.api.structs import (
    MAX_ITEMS,
    UNSET,
    Float,
    Text,
    Unset,
    WireStruct,
    bounded_integer,
    bounded_text,
    checked_json_object,
    checked_reference,
    refuse_unless,
    wire_datetime,
)
from orders.routing_marks import ROUTING_STATUS_TAG_ID
from orders.serializers.structs import (
    Consumer,
    ConsumerAddress,
    DeliveryPreferences,
    OrderLineItemForCreation,
    OrderPromisesOptions,
    OrderStatusReason,
    PaymentInfoForCreation,
    Status,
    Sticker,
    TagReference,
)


def _check_order_for_creation(order):
    """What OrderForCreationSerializer checks beyond the fields' types."""
    order.customAttributes = checked_json_object(order.customAttributes)
    # The serializer's validate_tags: the routing tag is the server's.
    refuse_unless(order.tags is UNSET or all(tag.id != ROUTING_STATUS_TAG_ID for tag in order.tags))
    order.customServices = checked_reference(
        order.customServices, "CustomServiceReferenceForCreation", many=True, min_items=1
    )


class OrderBody(WireStruct, kw_only=True):
    """The fields the promise's order and the sourcing options' order share, with the same
    types (`OrderForCreationSerializer`'s)."""

    tenantOrderId: bounded_text(255) | Unset = UNSET
    orderLineItems: Annotated[
        list[OrderLineItemForCreation], msgspec.Meta(min_length=1, max_length=MAX_ITEMS)
    ]
    deliveryPreferences: DeliveryPreferences | Unset = UNSET
    customAttributes: dict | Unset = UNSET
    tags: Annotated[list[TagReference], msgspec.Meta(min_length=1, max_length=MAX_ITEMS)] | (
        Unset
    ) = UNSET
    stickers: Annotated[list[Sticker], msgspec.Meta(min_length=1, max_length=100)] | Unset = UNSET
    statusReasons: (
        Annotated[list[OrderStatusReason], msgspec.Meta(max_length=MAX_ITEMS)] | Unset
    ) = UNSET
    paymentInfo: PaymentInfoForCreation | Unset = UNSET
    promisesOptions: OrderPromisesOptions | Unset = UNSET
    customServices: Any = UNSET


class PromiseResourceInvestment(WireStruct, kw_only=True):
    level: Float

    def __post_init__(self):
        refuse_unless(0 < self.level <= 1)  # the contract: exclusiveMinimum 0, maximum 1


class PromiseRequestAdditionalInfo(WireStruct, kw_only=True):
    includeListingCustomAttributes: bool | Unset = UNSET
    resourceInvestment: PromiseResourceInvestment | Unset = UNSET


class PromiseRequest(OrderBody, kw_only=True):
    """`PromiseRequestSerializer`'s fields."""

    orderDate: str
    # A promise always creates a PROMISED order (the serializer's validate_status).
    status: Literal["PROMISED"] | Unset = UNSET
    consumer: Consumer
    additionalInfo: PromiseRequestAdditionalInfo | Unset = UNSET

    def __post_init__(self):
        earliest, latest = order_date_window()
        refuse_unless(earliest <= wire_datetime(self.orderDate) <= latest)
        _check_order_for_creation(self)

    def validated_data(self):
        """What `PromiseRequestSerializer(data=body).validated_data` holds for the same body."""
        data = msgspec.to_builtins(self)
        data["orderDate"] = wire_datetime(self.orderDate)
        return data


# --- sourcing options ------------------------------------------------------------------------


class SourcingOptionsAddress(ConsumerAddress, kw_only=True):
    """`SourcingOptionsAddressSerializer`: only `country` is required."""

    street: Text | Unset = UNSET
    postalCode: Text | Unset = UNSET
    city: Text | Unset = UNSET


class SourcingOptionsConsumer(Consumer, kw_only=True):
    addresses: (
        Annotated[list[SourcingOptionsAddress], msgspec.Meta(max_length=MAX_ITEMS)] | Unset
    ) = UNSET


class OrderForSourcingOptions(OrderBody, kw_only=True):
    """`OrderForSourcingOptionsSerializer`'s fields: `orderDate` optional (and any date-time),
    any status, no `source` or `pricing`."""

    orderDate: str | Unset = UNSET
    status: Status | Unset = UNSET
    consumer: SourcingOptionsConsumer

    def __post_init__(self):
        if self.orderDate is not UNSET:
            wire_datetime(self.orderDate)
        _check_order_for_creation(self)


class SourcingResourceInvestment(WireStruct, kw_only=True):
    level: Float

    def __post_init__(self):
        refuse_unless(0 <= self.level <= 1)  # 0 accepted too: the greedy answer


class OptimizationHints(WireStruct, kw_only=True):
    includeCalculationHints: bool | Unset = UNSET
    requestedResultCount: bounded_integer(1, 20) | Unset = UNSET


class SourcingOptionsAdditionalInfo(WireStruct, kw_only=True):
    includeListingCustomAttributes: bool | Unset = UNSET


class SourcingOptionsRequest(WireStruct, kw_only=True):
    order: OrderForSourcingOptions
    resourceInvestment: SourcingResourceInvestment | Unset = UNSET
    optimizationHints: OptimizationHints | Unset = UNSET
    additionalInfo: SourcingOptionsAdditionalInfo | Unset = UNSET

    def validated_data(self):
        """What `SourcingOptionsRequestSerializer(data=body).validated_data` holds."""
        data = msgspec.to_builtins(self)
        if self.order.orderDate is not UNSET:
            data["order"]["orderDate"] = wire_datetime(self.order.orderDate)
        return data
