"""POST /api/reservations/actions on the wire: `ReservationAction` (which reservations, by
the reference's `ReservationActionSelector`) and `ReservationActionResult`."""

from rest_framework import serializers

from config.api.fields import StrictCharField, StrictIntegerField, UnsupportedField
from config.api.serializers import StrictSerializer
from inventory.serializers.search import ReservationSearchQuerySerializer
from inventory.serializers.wire import enum


class ReservationActionSelectorSerializer(StrictSerializer):
    reservationRefs = serializers.ListField(
        child=StrictCharField(), required=False, min_length=1, max_length=100
    )
    orderRefs = serializers.ListField(
        child=StrictCharField(), required=False, min_length=1, max_length=1
    )
    tenantOrderIds = serializers.ListField(
        child=StrictCharField(), required=False, min_length=1, max_length=1
    )
    reservationPredicate = ReservationSearchQuerySerializer(required=False)
    routingPlanRefs = UnsupportedField(
        "Routing plans are not kept: select by reservationRefs, orderRefs, tenantOrderIds or "
        "reservationPredicate."
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Name the reservations to act on.")
        return attrs


class ReservationActionSerializer(StrictSerializer):
    name = enum(
        [
            ("REMOVE_RESERVATIONS_REDUCE_STOCKS", "REMOVE_RESERVATIONS_REDUCE_STOCKS"),
            ("REMOVE_RESERVATIONS_KEEP_STOCKS", "REMOVE_RESERVATIONS_KEEP_STOCKS"),
        ]
    )
    reservationSelector = ReservationActionSelectorSerializer()


class ReservationStockSerializer(serializers.Serializer):
    id = StrictCharField()
    version = StrictIntegerField()


class ReservationActionStockOperationSerializer(serializers.Serializer):
    status = StrictCharField()
    stock = ReservationStockSerializer()


class StrippedReservationSerializer(serializers.Serializer):
    id = StrictCharField()


class ReservationActionResultSerializer(serializers.Serializer):
    status = StrictCharField()
    reservation = StrippedReservationSerializer()
    stockOperations = ReservationActionStockOperationSerializer(many=True)
