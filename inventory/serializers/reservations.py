"""Reservations on the wire (read only: only the services make them)."""

from rest_framework import serializers

from config.api.fields import StrictCharField, StrictIntegerField
from inventory.serializers.wire import EntitySerializer, InventoryPageInfoSerializer


class ReservationSerializer(EntitySerializer):
    """`Reservation`, plus `validUntil` (null: permanent), `active` and `orderLineItemRef`
    (our additions: the reference has no field for a temporary hold)."""

    facilityRef = StrictCharField(source="facility_id")
    tenantArticleId = StrictCharField(source="tenant_article_id")
    quantity = StrictIntegerField()
    validUntil = serializers.DateTimeField(source="valid_until", allow_null=True)
    orderLineItemRef = StrictCharField(source="order_line_item_id", allow_null=True)

    def to_representation(self, reservation):
        data = super().to_representation(reservation)
        data["version"] = 1
        data["host"] = {"type": "STOCK", "reference": str(reservation.stock_id)}
        line = reservation.order_line_item
        data["relatedRefs"] = {"orderRefs": [str(line.order_id)] if line else []}
        data["active"] = reservation.is_active
        return data


# --- Names for the OpenAPI schema ------------------------------------------------------------


class ReservationsPaginatedResultSerializer(serializers.Serializer):
    reservations = ReservationSerializer(many=True)
    total = StrictIntegerField()
    pageInfo = InventoryPageInfoSerializer()
