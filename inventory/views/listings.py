"""A facility's listings: list, bulk replace (PUT), read, modify (PATCH), delete one or all."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import validated, validated_each, validated_query
from inventory.selectors.facilities import resolve_facility
from inventory.selectors.listings import get_listing, list_listings
from inventory.serializers.listings import (
    ListingBulkOperationResultSerializer,
    ListingInputSerializer,
    ListingPatchActionsSerializer,
    ListingSerializer,
    ListingsForReplacementSerializer,
    StrippedListingsSerializer,
)
from inventory.serializers.queries import ListingListQuerySerializer
from inventory.services.listings import (
    delete_listing,
    delete_listings,
    modify_listing,
    upsert_listings,
)
from inventory.views.shared import perms

TAGS = ["inventory: listings"]


class ListingListView(APIView):
    required_permissions = perms("listing", GET="view", PUT="change", DELETE="delete")
    query_serializer = ListingListQuerySerializer

    @extend_schema(tags=TAGS, parameters=[query_serializer], responses=StrippedListingsSerializer)
    def get(self, request, facilityId):
        query = validated_query(self.query_serializer, request)
        listings, total = list_listings(
            resolve_facility(facilityId),
            tenant_article_ids=query.get("tenantArticleIds", ()),
            scannable_code=query.get("scannableCode"),
            start_after_id=query.get("startAfterId"),
            size=query["size"],
        )
        return Response({"listings": ListingSerializer(listings, many=True).data, "total": total})

    @extend_schema(
        tags=TAGS,
        request=ListingsForReplacementSerializer,
        responses=ListingBulkOperationResultSerializer(many=True),
    )
    def put(self, request, facilityId):
        body = validated(ListingsForReplacementSerializer, request.data)
        items = validated_each(ListingInputSerializer, body["listings"], "listings")
        results = upsert_listings(facilityId, items)
        return Response(
            [
                {"status": result, "listing": ListingSerializer(listing).data}
                for listing, result in results
            ]
        )

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, facilityId):
        delete_listings(facilityId)
        return Response(status=status.HTTP_200_OK)


class ListingDetailView(APIView):
    required_permissions = perms("listing", GET="view", PATCH="change", DELETE="delete")

    @extend_schema(tags=TAGS, responses=ListingSerializer)
    def get(self, request, facilityId, tenantArticleId):
        listing = get_listing(resolve_facility(facilityId), tenantArticleId)
        return Response(ListingSerializer(listing).data)

    @extend_schema(
        tags=TAGS, request=ListingPatchActionsSerializer, responses=ListingSerializer(many=True)
    )
    def patch(self, request, facilityId, tenantArticleId):
        body = validated(ListingPatchActionsSerializer, request.data)
        actions = validated_each(ListingInputSerializer, body["actions"], "actions", mode="modify")
        listing = modify_listing(facilityId, tenantArticleId, body["version"], actions)
        # The reference answers PATCH with an array of listings.
        return Response([ListingSerializer(listing).data])

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, facilityId, tenantArticleId):
        delete_listing(facilityId, tenantArticleId)
        return Response(status=status.HTTP_200_OK)
