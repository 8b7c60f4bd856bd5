"""The search payloads of stocks, reservations and listings (`POST /api/…/search`), as the
reference names their filters and sorts, and their paginated results. Filters the reference has
and we cannot answer (no data or no behaviour behind them) are refused with a 400 saying so,
never ignored. config/api/search/ holds the operators and the paging they share."""

from rest_framework import serializers

from config.api.fields import StrictIntegerField, UnsupportedField
from config.api.search.pages import PageInfoSerializer
from config.api.search.payload import (
    DateFilterSerializer,
    NumberFilterSerializer,
    SearchPayloadSerializer,
    SearchQuerySerializer,
    StringFilterSerializer,
    StringListFilterSerializer,
    enum_filter,
    sort_serializer,
)
from config.api.serializers import StrictSerializer
from inventory.models import ListingStatus, OutOfStockBehaviour
from inventory.serializers.listings import ListingSerializer
from inventory.serializers.reservations import ReservationSerializer
from inventory.serializers.stocks import StockSerializer


def _unsupported(name, supported):
    return UnsupportedField(f"Searching by {name} is not supported; use {supported}.")


def _unsupported_sort(name, supported):
    return UnsupportedField(f"Sorting by {name} is not supported; sort by {supported}.")


def _string():
    return StringFilterSerializer(required=False)


def _sorting(names, unsupported, name):
    supported = ", ".join(names)
    return sort_serializer(
        names,
        name,
        unsupported={field: _unsupported_sort(field, supported) for field in unsupported},
    )(many=True, required=False, min_length=1, max_length=1)


# --- stocks ------------------------------------------------------------------------------------

STOCK_FILTERS = (
    "id, facilityRef, tenantFacilityId, tenantArticleId, locationRef, tenantStockId, value"
)


class StockSearchQuerySerializer(SearchQuerySerializer):
    id = _string()
    facilityRef = _string()
    tenantFacilityId = _string()
    tenantArticleId = _string()
    locationRef = _string()
    tenantStockId = _string()
    value = NumberFilterSerializer(required=False)
    availableUntil = _unsupported("availableUntil", STOCK_FILTERS)
    receiptDate = _unsupported("receiptDate", STOCK_FILTERS)
    conditions = _unsupported("conditions", STOCK_FILTERS)
    customAttributes = _unsupported("customAttributes", STOCK_FILTERS)
    properties = _unsupported("properties", STOCK_FILTERS)
    scannableCodes = _unsupported("scannableCodes", STOCK_FILTERS)
    traits = _unsupported("traits", STOCK_FILTERS)


class StockSearchPayloadSerializer(SearchPayloadSerializer):
    query = StockSearchQuerySerializer()
    sort = _sorting(
        ["tenantArticleId", "value", "lastModified"],
        ["locationName", "customAttributes"],
        "StockSortSerializer",
    )


class StockSearchResultSerializer(serializers.Serializer):
    stocks = StockSerializer(many=True)
    pageInfo = PageInfoSerializer()
    total = StrictIntegerField(required=False)


# --- reservations ------------------------------------------------------------------------------

RESERVATION_FILTERS = "id, facilityRef, tenantArticleId, relatedRefs.orderRefs"


class ReservationRelatedRefsFilterSerializer(StrictSerializer):
    orderRefs = StringListFilterSerializer(required=False)
    pickJobRefs = _unsupported("relatedRefs.pickJobRefs", RESERVATION_FILTERS)
    routingPlanRefs = _unsupported("relatedRefs.routingPlanRefs", RESERVATION_FILTERS)
    transferRefs = _unsupported("relatedRefs.transferRefs", RESERVATION_FILTERS)


class ReservationSearchQuerySerializer(SearchQuerySerializer):
    id = _string()
    facilityRef = _string()
    tenantArticleId = _string()
    relatedRefs = ReservationRelatedRefsFilterSerializer(required=False)


class ReservationSearchPayloadSerializer(SearchPayloadSerializer):
    query = ReservationSearchQuerySerializer()
    sort = _sorting(["created", "lastModified"], [], "ReservationSortSerializer")


class ReservationSearchResultSerializer(serializers.Serializer):
    reservations = ReservationSerializer(many=True)
    pageInfo = PageInfoSerializer()
    total = StrictIntegerField(required=False)


# --- listings ----------------------------------------------------------------------------------

LISTING_FILTERS = "id, facilityRef, tenantArticleId, status, outOfStockBehaviour, price, created"


class ListingSearchQuerySerializer(SearchQuerySerializer):
    id = _string()
    facilityRef = _string()
    tenantArticleId = _string()
    status = enum_filter(ListingStatus.choices, "ListingStatusFilterSerializer")(required=False)
    outOfStockBehaviour = enum_filter(
        OutOfStockBehaviour.choices, "ListingOutOfStockBehaviourFilterSerializer"
    )(required=False)
    price = NumberFilterSerializer(required=False)
    created = DateFilterSerializer(required=False)
    availabilityTimeframe = _unsupported("availabilityTimeframe", LISTING_FILTERS)
    categoryRefs = _unsupported("categoryRefs", LISTING_FILTERS)
    customAttributes = _unsupported("customAttributes", LISTING_FILTERS)
    measurementUnitKey = _unsupported("measurementUnitKey", LISTING_FILTERS)
    tags = _unsupported("tags", LISTING_FILTERS)
    weight = _unsupported("weight", LISTING_FILTERS)


class ListingSearchPayloadSerializer(SearchPayloadSerializer):
    query = ListingSearchQuerySerializer()
    sort = _sorting(
        ["tenantArticleId", "lastModified"], ["customAttributes"], "ListingSortSerializer"
    )


class ListingSearchResultSerializer(serializers.Serializer):
    listings = ListingSerializer(many=True)
    pageInfo = PageInfoSerializer()
    total = StrictIntegerField(required=False)
