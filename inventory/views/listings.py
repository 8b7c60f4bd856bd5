"""Listings: a facility's (list, bulk replace, read, modify, delete one or all, partial
stocks), and across facilities (bulk upsert, search)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.search.pages import render_search_page
from config.api.validation import (
    NoQuerySerializer,
    require_object,
    validated,
    validated_each,
    validated_query,
)
from inventory.selectors.facilities import resolve_facility
from inventory.selectors.listings import get_listing, list_listings
from inventory.selectors.search import search_listings
from inventory.serializers.listings import (
    ListingBulkOperationResultSerializer,
    ListingBulkUpsertPayloadSerializer,
    ListingBulkUpsertResponseSerializer,
    ListingInputSerializer,
    ListingPatchActionsSerializer,
    ListingSerializer,
    ListingsForReplacementSerializer,
    PartialStockPatchActionsSerializer,
    PartialStocksForReplacementSerializer,
    StrippedListingsSerializer,
    partial_stocks_as_stored,
    render_partial_stocks,
)
from inventory.serializers.queries import ListingListQuerySerializer
from inventory.serializers.search import (
    ListingSearchPayloadSerializer,
    ListingSearchResultSerializer,
)
from inventory.services.listings import (
    delete_listing,
    delete_listings,
    delete_partial_stocks,
    merge_partial_stocks,
    modify_listing,
    replace_partial_stocks,
    upsert_listings,
    upsert_listings_at,
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


class ListingBulkUpsertView(APIView):
    required_permissions = perms("listing", PUT="change")

    @extend_schema(
        tags=TAGS,
        operation_id="bulkUpsertListings",
        request=ListingBulkUpsertPayloadSerializer,
        responses=ListingBulkUpsertResponseSerializer,
    )
    def put(self, request):
        entries = validated(ListingBulkUpsertPayloadSerializer, request.data)["listings"]
        targets = [
            (facility, {**entry, "version": version})
            for entry in entries
            for facility, version in entry.pop("targets")
        ]
        results = upsert_listings_at(targets)
        summary = {"created": 0, "updated": 0, "unchanged": 0}
        for _, result in results:
            summary[result.lower()] += 1
        rendered = [
            {"status": result, "result": ListingSerializer(listing).data}
            for listing, result in results
        ]
        return Response({"listings": rendered, "summary": summary})


class ListingSearchView(APIView):
    required_permissions = perms("listing", POST="view")

    @extend_schema(
        tags=TAGS,
        operation_id="searchListing",
        request=ListingSearchPayloadSerializer,
        responses=ListingSearchResultSerializer,
    )
    def post(self, request):
        payload = validated(ListingSearchPayloadSerializer, require_object(request.data))
        page = search_listings(payload)
        rendered = ListingSerializer(page.rows, many=True).data
        return Response(render_search_page("listings", rendered, page))


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


class PartialStocksView(APIView):
    """Deprecated by the reference (use /api/stocks): partial stocks are kept on the listing
    and echoed; availability comes from the listing's stock row."""

    required_permissions = perms(
        "listing", GET="view", PUT="change", PATCH="change", DELETE="change"
    )
    query_serializer = NoQuerySerializer

    @extend_schema(tags=TAGS, operation_id="getFacilityListingPartialStock", responses={200: dict})
    def get(self, request, facilityId, tenantArticleId):
        validated_query(self.query_serializer, request)
        listing = get_listing(resolve_facility(facilityId), tenantArticleId)
        return Response(render_partial_stocks(listing))

    @extend_schema(
        tags=TAGS,
        operation_id="putFacilityListingPartialStock",
        request=PartialStocksForReplacementSerializer,
        responses={200: None},
    )
    def put(self, request, facilityId, tenantArticleId):
        body = validated(PartialStocksForReplacementSerializer, request.data)
        partial_stocks = partial_stocks_as_stored(body["partialStocks"])
        replace_partial_stocks(facilityId, tenantArticleId, body["version"], partial_stocks)
        return Response(status=status.HTTP_200_OK)

    @extend_schema(
        tags=TAGS,
        operation_id="patchFacilityListingPartialStock",
        request=PartialStockPatchActionsSerializer,
        responses={200: None},
    )
    def patch(self, request, facilityId, tenantArticleId):
        body = validated(PartialStockPatchActionsSerializer, request.data)
        partial_stocks = partial_stocks_as_stored(body["actions"][0].get("partialStocks", []))
        merge_partial_stocks(facilityId, tenantArticleId, body["version"], partial_stocks)
        return Response(status=status.HTTP_200_OK)

    @extend_schema(
        tags=TAGS, operation_id="deleteFacilityListingPartialStock", responses={200: None}
    )
    def delete(self, request, facilityId, tenantArticleId):
        delete_partial_stocks(facilityId, tenantArticleId)
        return Response(status=status.HTTP_200_OK)
