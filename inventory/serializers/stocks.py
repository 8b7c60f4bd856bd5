"""Stocks on the wire: one item of POST or bulk PUT /api/stocks, PUT /api/stocks/{id}, and
`Stock` rendered with its levels."""

from rest_framework import serializers

from config.api.fields import StrictCharField, StrictIntegerField
from config.api.serializers import StrictSerializer
from inventory.serializers.wire import (
    InventoryPageInfoSerializer,
    VersionedEntitySerializer,
    WireSerializer,
    iso_datetime,
    merge_extra,
)

STOCK_PASSTHROUGH = (
    "availableUntil",
    "conditions",
    "customAttributes",
    "locationRef",
    "properties",
    "receiptDate",
    "tenantStockId",
    "traitConfig",
)


class FacilitySelectorSerializer(StrictSerializer):
    facilityRef = StrictCharField(required=False)
    tenantFacilityId = StrictCharField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give facilityRef or tenantFacilityId.")
        return attrs


class StockInputSerializer(WireSerializer):
    """One item of POST /api/stocks (`StockForCreation`) or of PUT /api/stocks: either a
    facility + article (`StockForCreation`) or an existing stock `id` (+ optional `version`)."""

    passthrough = STOCK_PASSTHROUGH
    reference_schema = "StockForCreation"

    id = StrictCharField(required=False)
    version = StrictIntegerField(min_value=1, required=False)
    facilityRef = StrictCharField(required=False)
    tenantFacilityId = StrictCharField(required=False)
    facility = FacilitySelectorSerializer(required=False)
    tenantArticleId = StrictCharField(max_length=255, required=False)
    value = StrictIntegerField(min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, allow_id=False, **kwargs):
        self.allow_id = allow_id
        super().__init__(*args, **kwargs)

    def get_fields(self):
        fields = super().get_fields()
        if not self.allow_id:
            del fields["id"]
            del fields["version"]
        return fields

    FAST_KEYS = frozenset(
        ("id", "version", "facilityRef", "tenantFacilityId", "tenantArticleId", "value")
    )

    def run_validation(self, data=serializers.empty):
        # Bulk feeds send thousands of plain items: accept those that are plainly valid without
        # the field machinery; anything else takes the full path (and its error messages).
        attrs = self._plainly_valid(data)
        if attrs is None:
            return super().run_validation(data)
        try:
            return self.validate(attrs)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(
                detail=serializers.as_serializer_error(error)
            ) from None

    def _plainly_valid(self, data):
        if not isinstance(data, dict) or not data.keys() <= self.FAST_KEYS:
            return None
        if not self.allow_id and ("id" in data or "version" in data):
            return None
        value = data.get("value")
        if type(value) is not int or not 0 <= value <= 2**31 - 1:
            return None
        if "version" in data and (type(data["version"]) is not int or data["version"] < 1):
            return None
        for name in ("id", "facilityRef", "tenantFacilityId", "tenantArticleId"):
            text = data.get(name, "x")
            if type(text) is not str or not text or text != text.strip() or len(text) > 255:
                return None
        return {**data, "extra": {}}

    def validate(self, attrs):
        if attrs.get("id"):
            return attrs
        if "version" in attrs:
            raise serializers.ValidationError({"id": ["Required together with version."]})
        if not attrs.get("tenantArticleId"):
            raise serializers.ValidationError({"tenantArticleId": ["This field is required."]})
        selector = attrs.pop("facility", None) or {}
        facility_ref = attrs.pop("facilityRef", None) or selector.get("facilityRef")
        tenant_facility_id = attrs.pop("tenantFacilityId", None) or selector.get("tenantFacilityId")
        if not facility_ref and not tenant_facility_id:
            raise serializers.ValidationError(
                {"facilityRef": ["Give facilityRef, tenantFacilityId or facility."]}
            )
        attrs["facility_reference"] = facility_ref or tenant_facility_id
        return attrs


class StocksForUpsertSerializer(StrictSerializer):
    # One child serializer validates every item (a serializer per item is 5× slower).
    stocks = StockInputSerializer(many=True, allow_id=True, min_length=1, max_length=500)


class StockForUpdateSerializer(WireSerializer):
    passthrough = STOCK_PASSTHROUGH
    reference_schema = "StockForUpdate"

    value = StrictIntegerField(min_value=0, max_value=2**31 - 1)
    version = StrictIntegerField(min_value=1, required=False)


class StockSerializer(VersionedEntitySerializer):
    """`Stock`; `reserved` and `available` come from the availability selector's annotation
    (or are set on the instance by the service that computed them)."""

    facilityRef = StrictCharField(source="facility_id")
    tenantArticleId = StrictCharField(source="tenant_article_id")
    value = StrictIntegerField()
    reserved = StrictIntegerField()
    available = StrictIntegerField()

    def to_representation(self, stock):
        # Built directly: bulk upserts render 500 of these per request. The rows of one batch
        # share their facility and mostly their timestamps, so this instance (one rendering,
        # one time zone) remembers what it rendered of those.
        rendered = self.__dict__.setdefault("_rendered", {})
        facility_ref = rendered.get(stock.facility_id)
        if facility_ref is None:
            facility_ref = rendered[stock.facility_id] = str(stock.facility_id)
        created = rendered.get(stock.created)
        if created is None:
            created = rendered[stock.created] = iso_datetime(stock.created)
        last_modified = rendered.get(stock.last_modified)
        if last_modified is None:
            last_modified = rendered[stock.last_modified] = iso_datetime(stock.last_modified)
        facility = {"facilityRef": facility_ref}
        tenant_facility_id = getattr(stock, "tenant_facility_id", None)
        if tenant_facility_id:
            facility["tenantFacilityId"] = tenant_facility_id
        data = {
            "id": str(stock.id),
            "version": stock.version,
            "created": created,
            "lastModified": last_modified,
            "facilityRef": facility_ref,
            "facility": facility,
            "tenantArticleId": stock.tenant_article_id,
            "value": stock.value,
            "reserved": stock.reserved,
            "facilityWideReserved": stock.reserved,
            "available": stock.available,
            "serializedProperties": "{}",
            "traits": ["PICKABLE", "ACCESSIBLE", "OUTBOUND"],
        }
        return merge_extra(data, stock.extra)


# --- Names for the OpenAPI schema ------------------------------------------------------------


class StockPaginatedResultSerializer(serializers.Serializer):
    stocks = StockSerializer(many=True)
    total = StrictIntegerField()
    pageInfo = InventoryPageInfoSerializer()


class StockUpsertOperationResultSerializer(serializers.Serializer):
    status = StrictCharField()
    stock = StockSerializer()


class StockSummariesSerializer(serializers.Serializer):
    stockSummaries = serializers.ListField(child=serializers.DictField())
    total = StrictIntegerField()
