"""Facilities: list, create, read, replace (PUT), modify (PATCH), delete."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import require_object, validated, validated_each, validated_query
from inventory.selectors.facilities import list_facilities, resolve_facility
from inventory.serializers.facilities import (
    FacilityForModificationSerializer,
    FacilityForReplacementSerializer,
    FacilityInputSerializer,
    FacilityModifyActionSerializer,
    FacilityPatchActionsSerializer,
    FacilitySerializer,
    StrippedFacilitiesSerializer,
    StrippedFacilitySerializer,
)
from inventory.serializers.queries import FacilityListQuerySerializer
from inventory.services.facilities import (
    create_facility,
    delete_facility,
    modify_facility,
    replace_facility,
)
from inventory.views.shared import perms

TAGS = ["inventory: facilities"]


class FacilityListView(APIView):
    required_permissions = perms("facility", GET="view", POST="add")
    query_serializer = FacilityListQuerySerializer

    @extend_schema(tags=TAGS, parameters=[query_serializer], responses=StrippedFacilitiesSerializer)
    def get(self, request):
        query = validated_query(self.query_serializer, request)
        facilities, total = list_facilities(
            statuses=query.get("status", ()),
            types=query.get("type", ()),
            tenant_facility_id=query.get("tenantFacilityId"),
            order_by=query.get("orderBy"),
            start_after_id=query.get("startAfterId"),
            size=query["size"],
        )
        facilities_data = StrippedFacilitySerializer(facilities, many=True).data
        return Response({"facilities": facilities_data, "total": total})

    @extend_schema(tags=TAGS, request=FacilityInputSerializer, responses={201: FacilitySerializer})
    def post(self, request):
        data = validated(FacilityInputSerializer, request.data, mode="create")
        facility = create_facility(data)
        return Response(FacilitySerializer(facility).data, status=status.HTTP_201_CREATED)


class FacilityDetailView(APIView):
    required_permissions = perms(
        "facility", GET="view", PUT="change", PATCH="change", DELETE="delete"
    )

    @extend_schema(tags=TAGS, responses=FacilitySerializer)
    def get(self, request, facilityId):
        return Response(FacilitySerializer(resolve_facility(facilityId)).data)

    @extend_schema(
        tags=TAGS, request=FacilityForReplacementSerializer, responses=FacilitySerializer
    )
    def put(self, request, facilityId):
        data = validated(FacilityInputSerializer, request.data, mode="replace")
        facility = replace_facility(facilityId, data)
        return Response(FacilitySerializer(facility).data)

    @extend_schema(
        tags=TAGS, request=FacilityForModificationSerializer, responses=FacilitySerializer
    )
    def patch(self, request, facilityId):
        body = require_object(request.data)
        if "actions" in body:
            actions = validated(FacilityPatchActionsSerializer, body)
            changes = validated_each(
                FacilityModifyActionSerializer, actions["actions"], "actions", mode="modify"
            )
            version = actions["version"]
        else:
            changes = validated(FacilityInputSerializer, body, mode="modify")
            version = changes.pop("version", None)
            if version is None:
                raise ValidationError({"version": ["This field is required."]})
        facility = modify_facility(facilityId, version, changes)
        return Response(FacilitySerializer(facility).data)

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, facilityId):
        delete_facility(facilityId)
        return Response(status=status.HTTP_200_OK)
