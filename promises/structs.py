"""The `PromiseRequest` as a msgspec struct: the checkout's body decoded and validated in one
pass (config/api/structs.py: how structs relate to serializers). `PromiseRequestSerializer`
stays the schema's source and the answer to anything the struct refuses;
tests/config/test_structs.py holds the two to the same fields and the same validated data."""

from typing import Annotated, Any, Literal

import msgspec

from config.api.fields import order_date_window
from config.api.structs import (
    MAX_ITEMS,
    UNSET,
    Float,
    Unset,
    WireStruct,
    bounded_text,
    checked_json_object,
    checked_reference,
    refuse_unless,
    wire_datetime,
)
from orders.routing_marks import ROUTING_STATUS_TAG_ID
from orders.serializers.structs import (
    Consumer,
    DeliveryPreferences,
    OrderLineItemForCreation,
    OrderPromisesOptions,
    OrderStatusReason,
    PaymentInfoForCreation,
    Sticker,
    TagReference,
)


class PromiseResourceInvestment(WireStruct, kw_only=True):
    level: Float

    def __post_init__(self):
        refuse_unless(0 < self.level <= 1)  # the contract: exclusiveMinimum 0, maximum 1


class PromiseRequestAdditionalInfo(WireStruct, kw_only=True):
    includeListingCustomAttributes: bool | Unset = UNSET
    resourceInvestment: PromiseResourceInvestment | Unset = UNSET


class PromiseRequest(WireStruct, kw_only=True):
    """`PromiseRequestSerializer`'s fields, in its order."""

    orderDate: str
    tenantOrderId: bounded_text(255) | Unset = UNSET
    # A promise always creates a PROMISED order (the serializer's validate_status).
    status: Literal["PROMISED"] | Unset = UNSET
    consumer: Consumer
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
    additionalInfo: PromiseRequestAdditionalInfo | Unset = UNSET

    def __post_init__(self):
        earliest, latest = order_date_window()
        refuse_unless(earliest <= wire_datetime(self.orderDate) <= latest)
        self.customAttributes = checked_json_object(self.customAttributes)
        # The serializer's validate_tags: the routing tag is the server's.
        refuse_unless(
            self.tags is UNSET or all(tag.id != ROUTING_STATUS_TAG_ID for tag in self.tags)
        )
        self.customServices = checked_reference(
            self.customServices, "CustomServiceReferenceForCreation", many=True, min_items=1
        )

    def validated_data(self):
        """What `PromiseRequestSerializer(data=body).validated_data` holds for the same body."""
        data = msgspec.to_builtins(self)
        data["orderDate"] = wire_datetime(self.orderDate)
        return data
