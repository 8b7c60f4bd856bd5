"""Stocks: list, search, create, bulk upsert (PUT), read, set (PUT), delete, and per-article
summaries."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.search.pages import render_search_page
from config.api.validation import (
    require_object,
    validated,
    validated_by_name,
    validated_query,
)
from inventory.selectors.facilities import resolve_facility_ids
from inventory.selectors.search import search_stocks
from inventory.selectors.stocks import get_stock, list_stocks, stock_summaries
from inventory.serializers.queries import StockListQuerySerializer, StockSummaryQuerySerializer
from inventory.serializers.search import StockSearchPayloadSerializer, StockSearchResultSerializer
from inventory.serializers.stock_actions import (
    STOCK_ACTIONS,
    StockActionBodySerializer,
    StockActionResultSerializer,
    StockActionSerializer,
)
from inventory.serializers.stocks import (
    StockForUpdateSerializer,
    StockInputSerializer,
    StockPaginatedResultSerializer,
    StockSerializer,
    StocksForUpsertSerializer,
    StockSummariesSerializer,
    StockUpsertOperationResultSerializer,
)
from inventory.services.stock_actions import (
    delete_stocks_by_ids,
    delete_stocks_by_locations,
    delete_stocks_by_products,
    move_stock_to_location,
)
from inventory.services.stock_upsert import upsert_stocks
from inventory.services.stocks import create_stock, delete_stock, update_stock
from inventory.views.shared import cursor_page, perms, query_facility_id

TAGS = ["inventory: stocks"]


class StockListView(APIView):
    required_permissions = perms("stock", GET="view", POST="add", PUT="change")
    query_serializer = StockListQuerySerializer

    @extend_schema(
        tags=TAGS, parameters=[query_serializer], responses=StockPaginatedResultSerializer
    )
    def get(self, request):
        query = validated_query(self.query_serializer, request)
        after = query.get("startAfterId")
        stocks, total, has_next = list_stocks(
            facility_id=query_facility_id(query),
            tenant_article_ids=query.get("tenantArticleId", ()),
            location_refs=query.get("locationRef", ()),
            start_after_id=after,
            size=query["size"],
        )
        rendered = StockSerializer(stocks, many=True).data
        return Response(cursor_page("stocks", rendered, stocks, total, has_next, after))

    @extend_schema(tags=TAGS, request=StockInputSerializer, responses={201: StockSerializer})
    def post(self, request):
        stock = create_stock(validated(StockInputSerializer, request.data))
        return Response(StockSerializer(stock).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=StocksForUpsertSerializer,
        responses=StockUpsertOperationResultSerializer(many=True),
    )
    def put(self, request):
        results = upsert_stocks(validated(StocksForUpsertSerializer, request.data)["stocks"])
        serializer = StockSerializer()
        return Response(
            [
                {"status": result, "stock": serializer.to_representation(stock)}
                for stock, result in results
            ]
        )


class StockDetailView(APIView):
    required_permissions = perms("stock", GET="view", PUT="change", DELETE="delete")

    @extend_schema(tags=TAGS, responses=StockSerializer)
    def get(self, request, stockId):
        return Response(StockSerializer(get_stock(stockId)).data)

    @extend_schema(tags=TAGS, request=StockForUpdateSerializer, responses=StockSerializer)
    def put(self, request, stockId):
        update_stock(stockId, validated(StockForUpdateSerializer, request.data))
        return Response(StockSerializer(get_stock(stockId)).data)

    @extend_schema(tags=TAGS, responses={200: None})
    def delete(self, request, stockId):
        delete_stock(stockId)
        return Response(status=status.HTTP_200_OK)


class StockSearchView(APIView):
    # A search is a read.
    required_permissions = perms("stock", POST="view")

    @extend_schema(
        tags=TAGS,
        operation_id="searchStock",
        request=StockSearchPayloadSerializer,
        responses=StockSearchResultSerializer,
    )
    def post(self, request):
        payload = validated(StockSearchPayloadSerializer, require_object(request.data))
        page = search_stocks(payload)
        rendered = StockSerializer(page.rows, many=True).data
        return Response(render_search_page("stocks", rendered, page))


# What each stock action may do to stock, as permissions.
STOCK_ACTION_PERMISSIONS = {
    "DELETE_BY_LOCATIONS": ["inventory.delete_stock"],
    "DELETE_BY_PRODUCTS": ["inventory.delete_stock"],
    "DELETE_BY_IDS": ["inventory.delete_stock"],
    "MOVE_TO_LOCATION": ["inventory.change_stock"],
    "UPDATE_VERSIONLESS": ["inventory.add_stock", "inventory.change_stock"],
}


def _stock_action_permissions(request):
    action = request.data.get("action") if isinstance(request.data, dict) else None
    name = action.get("name") if isinstance(action, dict) else None
    # An unknown action (or a name that is no string) still needs a stock write permission;
    # its 400 comes after.
    if not isinstance(name, str):
        name = None
    return STOCK_ACTION_PERMISSIONS.get(name, ["inventory.change_stock"])


class StockActionsView(APIView):
    required_permissions = staticmethod(_stock_action_permissions)

    @extend_schema(
        tags=TAGS,
        operation_id="performStocksActions",
        request=StockActionSerializer,
        responses={
            200: StockActionResultSerializer,
            422: OpenApiResponse(
                description="MOVE_TO_LOCATION of part of a stock: stock is one row per facility "
                "and article, so all of it moves or none."
            ),
        },
        description="Actions: " + ", ".join(STOCK_ACTIONS) + ".",
    )
    def post(self, request):
        body = validated(StockActionBodySerializer, require_object(request.data))
        name, action = validated_by_name(STOCK_ACTIONS, body["action"])
        return Response({"name": name, "result": _perform(name, action)})


def _perform(name, action):
    if name == "DELETE_BY_LOCATIONS":
        return {"ids": delete_stocks_by_locations(action["locationRefs"])}
    if name == "DELETE_BY_PRODUCTS":
        return {"ids": delete_stocks_by_products(action["facilityRef"], action["tenantArticleIds"])}
    if name == "DELETE_BY_IDS":
        return {"ids": delete_stocks_by_ids(action["ids"])}
    if name == "MOVE_TO_LOCATION":
        stock = move_stock_to_location(
            action["fromStockId"], action["toLocationRef"], action["amount"]
        )
        return {"toStock": StockSerializer(stock).data}
    results = upsert_stocks(action["stocks"])
    serializer = StockSerializer()
    # One result per stock sent (the reference's schema names a single one).
    return {
        "operationResults": [
            {"status": status, "stock": serializer.to_representation(stock)}
            for stock, status in results
        ]
    }


class StockSummaryView(APIView):
    required_permissions = perms("stock", GET="view")
    query_serializer = StockSummaryQuerySerializer

    @extend_schema(tags=TAGS, parameters=[query_serializer], responses=StockSummariesSerializer)
    def get(self, request):
        query = validated_query(self.query_serializer, request)
        facility_ids = None
        if query.get("facilityRefs"):
            facility_ids = set(resolve_facility_ids(query["facilityRefs"]).values())
        summaries, total = stock_summaries(
            tenant_article_ids=query.get("tenantArticleIds", ()),
            facility_ids=facility_ids,
            facility_statuses=query.get("facilityStatus", ()),
            facility_service_types=query.get("facilityServiceTypes", ()),
            start_after_id=query.get("startAfterId"),
            size=query["maxPageSize"] or query["size"],
        )
        return Response(
            {"stockSummaries": [_summary(summary) for summary in summaries], "total": total}
        )


def _summary(summary):
    """One `StockSummary` of the reference, from a `stock_summaries` row."""
    # What may be promised leaves the safety stock out; what is on stock and may be picked
    # (for the orders that reserved it, too) does not.
    return {
        "article": {"tenantArticleId": summary["tenant_article_id"], "title": summary["title"]},
        "details": {
            "stockOnHand": summary["value"],
            "totalAmount": summary["value"],
            "reserved": summary["reserved"],
            "safetyStock": summary["safety_stock"],
            "available": summary["available"],
            "availableToPromise": summary["available"],
            "availableOnStock": summary["unreserved"],
            "availableForPicking": summary["unreserved"],
            "readyToPick": summary["unreserved"],
            # All our stock is pickable and accessible (no storage traits).
            "byTrait": {"PICKABLE": summary["value"], "ACCESSIBLE": summary["value"]},
        },
        "includedFacilityRefs": summary["facility_ids"],
    }
