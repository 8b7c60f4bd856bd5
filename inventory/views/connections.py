"""A facility's carriers and its connection to each (read, connect, change)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import validated
from inventory.selectors.carriers import get_carrier, get_connection, list_carriers
from inventory.selectors.facilities import resolve_facility
from inventory.selectors.pages import page_size
from inventory.serializers.carriers import StrippedCarrierSerializer, StrippedCarriersSerializer
from inventory.serializers.connections import (
    ConnectionForModificationSerializer,
    ConnectionInputSerializer,
    ConnectionSerializer,
)
from inventory.services.connections import connect_carrier, update_connection
from inventory.views.shared import perms

TAGS = ["inventory: facilities"]


class FacilityCarrierListView(APIView):
    required_permissions = perms("facilitycarrierconnection", GET="view")

    @extend_schema(tags=TAGS, responses=StrippedCarriersSerializer)
    def get(self, request, facility_id):
        carriers, total = list_carriers(
            facility=resolve_facility(facility_id),
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(request.query_params.get("size")),
        )
        carriers_data = StrippedCarrierSerializer(carriers, many=True).data
        return Response({"carriers": carriers_data, "total": total})


class FacilityCarrierConnectionView(APIView):
    required_permissions = perms("facilitycarrierconnection", GET="view", POST="add", PUT="change")

    @extend_schema(tags=TAGS, responses=ConnectionSerializer)
    def get(self, request, facility_id, carrier_ref):
        connection = get_connection(resolve_facility(facility_id), get_carrier(carrier_ref))
        return Response(ConnectionSerializer(connection).data)

    @extend_schema(
        tags=TAGS, request=ConnectionInputSerializer, responses={201: ConnectionSerializer}
    )
    def post(self, request, facility_id, carrier_ref):
        data = validated(ConnectionInputSerializer, request.data, mode="create")
        connection = connect_carrier(facility_id, carrier_ref, data)
        return Response(ConnectionSerializer(connection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS, request=ConnectionForModificationSerializer, responses=ConnectionSerializer
    )
    def put(self, request, facility_id, carrier_ref):
        data = validated(ConnectionInputSerializer, request.data, mode="modify")
        connection = update_connection(facility_id, carrier_ref, data)
        return Response(ConnectionSerializer(connection).data)
