"""A facility's listings: list, bulk replace (PUT), read, modify (PATCH), delete one or all."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import validated, validated_each
from inventory.selectors.facilities import resolve_facility
from inventory.selectors.listings import get_listing, list_listings
from inventory.selectors.pages import page_size
from inventory.serializers.listings import (
    ListingBulkOperationResultSerializer,
    ListingInputSerializer,
    ListingPatchActionsSerializer,
    ListingSerializer,
    ListingsForReplacementSerializer,
    StrippedListingsSerializer,
)
from inventory.services.listings import (
    delete_listing,
    delete_listings,
    modify_listing,
    upsert_listings,
)
from inventory.views.shared import perms, query_list

TAGS = ["inventory: listings"]


class ListingListView(APIView):
    required_permissions = perms("listing", GET="view", PUT="change", DELETE="delete")

    @extend_schema(tags=TAGS, responses=StrippedListingsSerializer)
    def get(self, request, facility_id):
        listings, total = list_listings(
            resolve_facility(facility_id),
            tenant_article_ids=query_list(request, "tenantArticleIds"),
            scannable_code=request.query_params.get("scannableCode"),
            start_after_id=request.query_params.get("startAfterId"),
            size=page_size(request.query_params.get("size")),
        )
        return Response({"listings": ListingSerializer(listings, many=True).data, "total": total})

    @extend_schema(
        tags=TAGS,
        request=ListingsForReplacementSerializer,
        responses=ListingBulkOperationResultSerializer(many=True),
    )
    def put(self, request, facility_id):
        body = validated(ListingsForReplacementSerializer, request.data)
        items = validated_each(ListingInputSerializer, body["listings"], "listings")
        results = upsert_listings(facility_id, items)
        return Response(
            [
                {"status": result, "listing": ListingSerializer(listing).data}
                for listing, result in results
            ]
        )

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, facility_id):
        delete_listings(facility_id)
        return Response(status=status.HTTP_200_OK)


class ListingDetailView(APIView):
    required_permissions = perms("listing", GET="view", PATCH="change", DELETE="delete")

    @extend_schema(tags=TAGS, responses=ListingSerializer)
    def get(self, request, facility_id, tenant_article_id):
        listing = get_listing(resolve_facility(facility_id), tenant_article_id)
        return Response(ListingSerializer(listing).data)

    @extend_schema(
        tags=TAGS, request=ListingPatchActionsSerializer, responses=ListingSerializer(many=True)
    )
    def patch(self, request, facility_id, tenant_article_id):
        body = validated(ListingPatchActionsSerializer, request.data)
        actions = validated_each(ListingInputSerializer, body["actions"], "actions", mode="modify")
        listing = modify_listing(facility_id, tenant_article_id, body["version"], actions)
        # The reference answers PATCH with an array of listings.
        return Response([ListingSerializer(listing).data])

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, facility_id, tenant_article_id):
        delete_listing(facility_id, tenant_article_id)
        return Response(status=status.HTTP_200_OK)
