"""Facilities: list, create, read, replace (PUT), modify (PATCH), delete."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import require_object, validated, validated_each
from inventory.models import FacilityStatus, FacilityType
from inventory.selectors.facilities import list_facilities, resolve_facility
from inventory.selectors.pages import page_size
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
from inventory.services.facilities import (
    create_facility,
    delete_facility,
    modify_facility,
    replace_facility,
)
from inventory.views.shared import perms, query_enum

TAGS = ["inventory: facilities"]


class FacilityListView(APIView):
    required_permissions = perms("facility", GET="view", POST="add")

    @extend_schema(tags=TAGS, responses=StrippedFacilitiesSerializer)
    def get(self, request):
        facilities, total = list_facilities(
            statuses=query_enum(request, "status", FacilityStatus.choices),
            types=query_enum(request, "type", FacilityType.choices),
            tenant_facility_id=request.query_params.get("tenantFacilityId"),
            order_by=request.query_params.get("orderBy"),
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(request.query_params.get("size")),
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
    def get(self, request, facility_id):
        return Response(FacilitySerializer(resolve_facility(facility_id)).data)

    @extend_schema(
        tags=TAGS, request=FacilityForReplacementSerializer, responses=FacilitySerializer
    )
    def put(self, request, facility_id):
        data = validated(FacilityInputSerializer, request.data, mode="replace")
        facility = replace_facility(facility_id, data)
        return Response(FacilitySerializer(facility).data)

    @extend_schema(
        tags=TAGS, request=FacilityForModificationSerializer, responses=FacilitySerializer
    )
    def patch(self, request, facility_id):
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
        facility = modify_facility(facility_id, version, changes)
        return Response(FacilitySerializer(facility).data)

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, facility_id):
        delete_facility(facility_id)
        return Response(status=status.HTTP_200_OK)
