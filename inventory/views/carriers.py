"""Carriers (list, create, read, modify), their configuration and country service mappings."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import validated, validated_each
from inventory.selectors.carriers import (
    get_carrier,
    get_country_service_mapping,
    list_carriers,
    list_country_service_mappings,
)
from inventory.selectors.pages import page_size
from inventory.serializers.carriers import (
    CarrierForCreationSerializer,
    CarrierInputSerializer,
    CarrierPatchActionsSerializer,
    CarrierSerializer,
    CountryServiceMappingInputSerializer,
    CountryServiceMappingSerializer,
    StrippedCarrierSerializer,
    StrippedCarriersSerializer,
)
from inventory.services.carriers import (
    create_carrier,
    create_country_service_mapping,
    delete_country_service_mapping,
    modify_carrier,
    update_country_service_mapping,
)
from inventory.views.shared import perms

TAGS = ["inventory: carriers"]


class CarrierListView(APIView):
    required_permissions = perms("carrier", GET="view", POST="add")

    @extend_schema(tags=TAGS, responses=StrippedCarriersSerializer)
    def get(self, request):
        carriers, total = list_carriers(
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(request.query_params.get("size")),
        )
        carriers_data = StrippedCarrierSerializer(carriers, many=True).data
        return Response({"carriers": carriers_data, "total": total})

    @extend_schema(
        tags=TAGS, request=CarrierForCreationSerializer, responses={201: CarrierSerializer}
    )
    def post(self, request):
        data = validated(CarrierInputSerializer, request.data, mode="create")
        carrier = create_carrier(data)
        return Response(CarrierSerializer(carrier).data, status=status.HTTP_201_CREATED)


class CarrierDetailView(APIView):
    required_permissions = perms("carrier", GET="view", PATCH="change")

    @extend_schema(tags=TAGS, responses=CarrierSerializer)
    def get(self, request, carrier_id):
        return Response(CarrierSerializer(get_carrier(carrier_id)).data)

    @extend_schema(tags=TAGS, request=CarrierPatchActionsSerializer, responses=CarrierSerializer)
    def patch(self, request, carrier_id):
        body = validated(CarrierPatchActionsSerializer, request.data)
        actions = validated_each(CarrierInputSerializer, body["actions"], "actions", mode="modify")
        carrier = modify_carrier(carrier_id, body["version"], actions)
        return Response(CarrierSerializer(carrier).data)


class CarrierConfigurationView(APIView):
    """Read-only view of the carrier's configuration: its country service mappings and the
    `version` that mapping writes send back as `carrierConfigurationVersion`."""

    required_permissions = perms("carrier", GET="view")

    @extend_schema(tags=TAGS, responses={200: dict})
    def get(self, request, carrier_id):
        carrier = get_carrier(carrier_id)
        mappings = list_country_service_mappings(carrier)
        timestamp = serializers.DateTimeField()
        return Response(
            {
                "id": str(carrier.id),
                "carrierRef": str(carrier.id),
                "version": carrier.configuration_version,
                "returnLabel": False,
                "created": timestamp.to_representation(carrier.created),
                "lastModified": timestamp.to_representation(carrier.last_modified),
                "countryServiceMappings": CountryServiceMappingSerializer(mappings, many=True).data,
            }
        )


class CountryServiceMappingListView(APIView):
    required_permissions = perms("carriercountryservicemapping", GET="view", POST="add")

    @extend_schema(tags=TAGS, responses=CountryServiceMappingSerializer(many=True))
    def get(self, request, carrier_id):
        mappings = list_country_service_mappings(get_carrier(carrier_id))
        return Response(CountryServiceMappingSerializer(mappings, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=CountryServiceMappingInputSerializer,
        responses={201: CountryServiceMappingSerializer},
    )
    def post(self, request, carrier_id):
        carrier = get_carrier(carrier_id)
        data = validated(CountryServiceMappingInputSerializer, request.data)
        mapping = create_country_service_mapping(carrier, data)
        return Response(
            CountryServiceMappingSerializer(mapping).data, status=status.HTTP_201_CREATED
        )


class CountryServiceMappingDetailView(APIView):
    required_permissions = perms(
        "carriercountryservicemapping", GET="view", PATCH="change", DELETE="delete"
    )

    @extend_schema(tags=TAGS, responses=CountryServiceMappingSerializer)
    def get(self, request, carrier_id, mapping_id):
        mapping = get_country_service_mapping(get_carrier(carrier_id), mapping_id)
        return Response(CountryServiceMappingSerializer(mapping).data)

    @extend_schema(
        tags=TAGS,
        request=CountryServiceMappingInputSerializer,
        responses=CountryServiceMappingSerializer,
    )
    def patch(self, request, carrier_id, mapping_id):
        carrier = get_carrier(carrier_id)
        data = validated(CountryServiceMappingInputSerializer, request.data, partial=True)
        mapping = update_country_service_mapping(carrier, mapping_id, data)
        return Response(CountryServiceMappingSerializer(mapping).data)

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, carrier_id, mapping_id):
        delete_country_service_mapping(get_carrier(carrier_id), mapping_id)
        return Response(status=status.HTTP_200_OK)
