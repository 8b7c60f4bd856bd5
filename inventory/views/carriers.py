"""Carriers (list, create, read, modify), their configuration and country service mappings."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import NoQuerySerializer, validated, validated_each, validated_query
from inventory.selectors.carriers import (
    get_carrier,
    get_country_service_mapping,
    list_carriers,
    list_country_service_mappings,
)
from inventory.serializers.carriers import (
    CarrierConfigurationInputSerializer,
    CarrierForCreationSerializer,
    CarrierInputSerializer,
    CarrierPatchActionsSerializer,
    CarrierSerializer,
    CountryServiceMappingInputSerializer,
    CountryServiceMappingSerializer,
    StrippedCarrierSerializer,
    StrippedCarriersSerializer,
    render_carrier_configuration,
)
from inventory.serializers.queries import CarrierListQuerySerializer
from inventory.services.carriers import (
    create_carrier,
    create_country_service_mapping,
    delete_country_service_mapping,
    modify_carrier,
    replace_carrier_configuration,
    update_country_service_mapping,
)
from inventory.views.shared import perms

TAGS = ["inventory: carriers"]


class CarrierListView(APIView):
    required_permissions = perms("carrier", GET="view", POST="add")
    query_serializer = CarrierListQuerySerializer

    @extend_schema(tags=TAGS, parameters=[query_serializer], responses=StrippedCarriersSerializer)
    def get(self, request):
        query = validated_query(self.query_serializer, request)
        carriers, total = list_carriers(
            start_after_id=query.get("startAfterId"), size=query["size"]
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
    def get(self, request, carrierId):
        return Response(CarrierSerializer(get_carrier(carrierId)).data)

    @extend_schema(tags=TAGS, request=CarrierPatchActionsSerializer, responses=CarrierSerializer)
    def patch(self, request, carrierId):
        body = validated(CarrierPatchActionsSerializer, request.data)
        actions = validated_each(CarrierInputSerializer, body["actions"], "actions", mode="modify")
        carrier = modify_carrier(carrierId, body["version"], actions)
        return Response(CarrierSerializer(carrier).data)


class CarrierConfigurationView(APIView):
    """The carrier's configuration: its country service mappings, its prioritisation
    (`thresholdPriceValue`) and the fields without behaviour, under the `version` that mapping
    writes send back as `carrierConfigurationVersion`."""

    required_permissions = perms("carrier", GET="view", PUT="change")

    @extend_schema(tags=TAGS, operation_id="getCarrierConfiguration", responses={200: dict})
    def get(self, request, carrierId):
        carrier = get_carrier(carrierId)
        mappings = list_country_service_mappings(carrier)
        return Response(render_carrier_configuration(carrier, mappings))

    @extend_schema(
        tags=TAGS,
        operation_id="putCarrierConfiguration",
        request=CarrierConfigurationInputSerializer,
        responses={200: dict},
    )
    def put(self, request, carrierId):
        data = validated(CarrierConfigurationInputSerializer, request.data)
        carrier = replace_carrier_configuration(carrierId, data)
        mappings = list_country_service_mappings(carrier)
        return Response(render_carrier_configuration(carrier, mappings))


class CountryServiceMappingListView(APIView):
    required_permissions = perms("carriercountryservicemapping", GET="view", POST="add")
    query_serializer = NoQuerySerializer

    @extend_schema(
        tags=TAGS,
        responses=CountryServiceMappingSerializer(many=True),
    )
    def get(self, request, carrierId):
        validated_query(self.query_serializer, request)
        mappings = list_country_service_mappings(get_carrier(carrierId))
        return Response(CountryServiceMappingSerializer(mappings, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=CountryServiceMappingInputSerializer,
        responses={201: CountryServiceMappingSerializer},
    )
    def post(self, request, carrierId):
        carrier = get_carrier(carrierId)
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
    def get(self, request, carrierId, countryServiceMappingId):
        mapping = get_country_service_mapping(get_carrier(carrierId), countryServiceMappingId)
        return Response(CountryServiceMappingSerializer(mapping).data)

    @extend_schema(
        tags=TAGS,
        request=CountryServiceMappingInputSerializer,
        responses=CountryServiceMappingSerializer,
    )
    def patch(self, request, carrierId, countryServiceMappingId):
        carrier = get_carrier(carrierId)
        data = validated(CountryServiceMappingInputSerializer, request.data, partial=True)
        mapping = update_country_service_mapping(carrier, countryServiceMappingId, data)
        return Response(CountryServiceMappingSerializer(mapping).data)

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, carrierId, countryServiceMappingId):
        delete_country_service_mapping(get_carrier(carrierId), countryServiceMappingId)
        return Response(status=status.HTTP_200_OK)
