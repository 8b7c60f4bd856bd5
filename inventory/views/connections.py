"""A facility's carriers, its connection to each (read, connect, change), and which of them
its carriers' prioritisation recommends."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import require_object, validated, validated_query
from inventory.selectors.carriers import (
    carrier_priorities,
    get_carrier,
    get_connection,
    list_carriers,
)
from inventory.selectors.facilities import resolve_facility
from inventory.serializers.carriers import (
    CarrierPriorityCalculationRequestSerializer,
    CarrierPriorityResultSerializer,
    CarrierSerializer,
    StrippedCarrierSerializer,
    StrippedCarriersSerializer,
)
from inventory.serializers.connections import (
    ConnectionForModificationSerializer,
    ConnectionInputSerializer,
    ConnectionSerializer,
)
from inventory.serializers.queries import CarrierListQuerySerializer
from inventory.services.connections import connect_carrier, update_connection
from inventory.views.shared import perms

TAGS = ["inventory: facilities"]


class FacilityCarrierListView(APIView):
    required_permissions = perms("facilitycarrierconnection", GET="view")
    query_serializer = CarrierListQuerySerializer

    @extend_schema(tags=TAGS, parameters=[query_serializer], responses=StrippedCarriersSerializer)
    def get(self, request, facilityId):
        query = validated_query(self.query_serializer, request)
        carriers, total = list_carriers(
            facility=resolve_facility(facilityId),
            start_after_id=query.get("startAfterId"),
            size=query["size"],
        )
        carriers_data = StrippedCarrierSerializer(carriers, many=True).data
        return Response({"carriers": carriers_data, "total": total})


class FacilityCarrierConnectionView(APIView):
    required_permissions = perms("facilitycarrierconnection", GET="view", POST="add", PUT="change")

    @extend_schema(tags=TAGS, responses=ConnectionSerializer)
    def get(self, request, facilityId, carrierRef):
        connection = get_connection(resolve_facility(facilityId), get_carrier(carrierRef))
        return Response(ConnectionSerializer(connection).data)

    @extend_schema(
        tags=TAGS, request=ConnectionInputSerializer, responses={201: ConnectionSerializer}
    )
    def post(self, request, facilityId, carrierRef):
        data = validated(ConnectionInputSerializer, request.data, mode="create")
        connection = connect_carrier(facilityId, carrierRef, data)
        return Response(ConnectionSerializer(connection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS, request=ConnectionForModificationSerializer, responses=ConnectionSerializer
    )
    def put(self, request, facilityId, carrierRef):
        data = validated(ConnectionInputSerializer, request.data, mode="modify")
        connection = update_connection(facilityId, carrierRef, data)
        return Response(ConnectionSerializer(connection).data)


class CarrierPrioritizationView(APIView):
    """Which of the facility's carriers to prefer for a parcel of a given value (the carriers'
    configured thresholdPriceValue); the same priorities break routing's ties."""

    required_permissions = perms("facilitycarrierconnection", POST="view")

    @extend_schema(
        tags=TAGS,
        operation_id="calculateBestCarrier",
        request=CarrierPriorityCalculationRequestSerializer,
        responses=CarrierPriorityResultSerializer,
    )
    def post(self, request, facilityId):
        body = validated(CarrierPriorityCalculationRequestSerializer, require_object(request.data))
        recommended, others = carrier_priorities(
            resolve_facility(facilityId), body.get("productValue")
        )
        return Response(
            {
                "recommendedCarriers": [_recommendation(item) for item in recommended],
                "otherCarriers": [_recommendation(item) for item in others],
            }
        )


def _recommendation(recommendation):
    return {
        "carrier": CarrierSerializer(recommendation.carrier).data,
        "priority": recommendation.priority,
        "threshold": recommendation.price_range,
    }
