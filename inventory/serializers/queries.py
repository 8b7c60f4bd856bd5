"""The query parameters of the inventory's list endpoints, named as the reference names them.

Each serializer is both the schema's parameter list of its endpoint (`extend_schema(
parameters=[...])`) and what `config.api.validation.validated_query` accepts: a parameter it
does not declare is a 400 naming the declared ones. The reference's parameters we have no
behaviour for are not declared (so they are refused rather than ignored), except
`allowStale`, which asks for nothing our summaries could fail to give.
"""

from rest_framework import serializers

from config.api.validation import QueryListField, QueryPageSizeField
from inventory.models import FacilityService, FacilityStatus, FacilityType
from inventory.selectors.facilities import FACILITY_ORDER
from inventory.selectors.pages import MAX_PAGE_SIZE, STOCK_PAGE_SIZE_MAX
from inventory.serializers.wire import enum


class QueryBooleanField(serializers.BooleanField):
    """`true`/`false` (or 1/0); anything else is a 400, never read as false."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.default_empty_html = serializers.empty

    def to_internal_value(self, data):
        text = str(data).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise serializers.ValidationError("Expected true or false.")


class PagedQuerySerializer(serializers.Serializer):
    startAfterId = serializers.CharField(required=False)
    size = QueryPageSizeField(maximum=MAX_PAGE_SIZE)


class CarrierListQuerySerializer(PagedQuerySerializer):
    pass


class FacilityListQuerySerializer(PagedQuerySerializer):
    status = QueryListField(child=enum(FacilityStatus.choices))
    type = QueryListField(child=enum(FacilityType.choices))
    tenantFacilityId = serializers.CharField(required=False)
    orderBy = enum([(name, name) for name in FACILITY_ORDER], required=False)


class ListingListQuerySerializer(PagedQuerySerializer):
    tenantArticleIds = QueryListField(max_length=500)
    scannableCode = serializers.CharField(required=False)


class FacilitySelectorQuerySerializer(serializers.Serializer):
    """A facility by our id (`facilityRef`) or its `tenantFacilityId`."""

    facilityRef = serializers.CharField(required=False)
    tenantFacilityId = serializers.CharField(required=False)


class StockListQuerySerializer(FacilitySelectorQuerySerializer):
    tenantArticleId = QueryListField(max_length=500)
    locationRef = QueryListField(max_length=500)
    size = QueryPageSizeField(maximum=STOCK_PAGE_SIZE_MAX)
    startAfterId = serializers.CharField(required=False)


class StockSummaryQuerySerializer(serializers.Serializer):
    tenantArticleIds = QueryListField(max_length=500)
    facilityRefs = QueryListField(max_length=500)
    facilityStatus = QueryListField(child=enum(FacilityStatus.choices))
    facilityServiceTypes = QueryListField(child=enum(FacilityService.choices))
    allowStale = QueryBooleanField()
    size = QueryPageSizeField(maximum=STOCK_PAGE_SIZE_MAX)
    maxPageSize = QueryPageSizeField(maximum=STOCK_PAGE_SIZE_MAX, default=None)
    startAfterId = serializers.CharField(required=False)


class ReservationListQuerySerializer(FacilitySelectorQuerySerializer):
    """The reference's `size` and `after`, and our filters: by facility, article, order
    (`orderRef`) and whether the reservation still holds stock (`active`)."""

    tenantArticleId = QueryListField(max_length=500)
    orderRef = serializers.CharField(required=False)
    active = QueryBooleanField()
    size = QueryPageSizeField(maximum=STOCK_PAGE_SIZE_MAX)
    after = serializers.CharField(required=False)
