"""Listings on the wire: `ListingForReplacement` (bulk PUT), `ModifyListing` (PATCH) and
`Listing`."""

from rest_framework import serializers

from config.api.fields import ReferenceSchemaField, StrictCharField, StrictIntegerField
from config.api.serializers import StrictSerializer
from inventory import models
from inventory.serializers.wire import (
    CurrencyField,
    PatchActionsSerializer,
    VersionedEntitySerializer,
    WireSerializer,
    enum,
    merge_extra,
)

LISTING_PASSTHROUGH = (
    "titleLocalized",
    "attributes",
    "availabilityTimeframe",
    "categoryRefs",
    "customAttributes",
    "imageUrl",
    "legal",
    "measurementUnitKey",
    "outOfStockBehaviourByContexts",
    "outOfStockConfig",
    "partialStocks",
    "recordableAttributes",
    "scannableCodes",
    "scanningRule",
    "stockAvailableUntil",
    "stockinformation",
    "stockProperties",
    "weight",
    "tags",
    "subtitle",
)


class ListingInputSerializer(WireSerializer):
    """`ListingForReplacement` (bulk PUT, mode "replace") and `ModifyListing` ("modify")."""

    passthrough = LISTING_PASSTHROUGH
    reference_schema = "ListingForReplacement"
    default_mode = "replace"

    tenantArticleId = StrictCharField(source="tenant_article_id", max_length=255)
    title = StrictCharField(max_length=512)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True)
    currency = CurrencyField(allow_null=True)
    outOfStockBehaviour = enum(models.OutOfStockBehaviour.choices, source="out_of_stock_behaviour")
    status = enum(models.ListingStatus.choices)
    # Ours (the reference has no input for it; its stock summaries report it): units of this
    # facility's stock that are never promised.
    safetyStock = StrictIntegerField(source="safety_stock", min_value=0, max_value=2**31 - 1)
    version = StrictIntegerField(min_value=1)

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.required = self.mode == "replace" and name == "tenantArticleId"
        if self.mode == "modify":
            del fields["tenantArticleId"]
            del fields["version"]
            fields["action"] = enum([("ModifyListing", "ModifyListing")])
        return fields

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        validated.pop("action", None)
        if "currency" in validated and validated["currency"] is None:
            validated["currency"] = ""
        if "weight" in validated["extra"] and validated["extra"]["weight"] is not None:
            weight = validated["extra"]["weight"]
            if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
                raise serializers.ValidationError({"weight": ["Expected a number ≥ 0."]})
        return validated


class FacilityReferenceSelectorSerializer(StrictSerializer):
    """`FacilityRefSelector` or `TenantFacilityIdSelector`: exactly one of the two."""

    facilityRef = StrictCharField(required=False)
    tenantFacilityId = StrictCharField(required=False)

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError("Give either facilityRef or tenantFacilityId.")
        return next(iter(attrs.values()))


class ListingFacilitySelectorSerializer(StrictSerializer):
    facility = FacilityReferenceSelectorSerializer()
    version = StrictIntegerField(min_value=1, required=False)


# Entries × the facilities each targets, per call.
MAX_BULK_UPSERT_TARGETS = 25


class ListingForBulkUpsertSerializer(ListingInputSerializer):
    """`ListingForBulkUpsertByFacility` (targetingStrategy SINGLE_FACILITY: `facility`) and
    `ListingForBulkUpsertBySelector` (MULTI_SELECTOR: `selector`, one or more facilities, each
    with its own optional version). Validates to the listing's fields plus `targets`:
    [(facility reference, version or None)]."""

    default_mode = "replace"

    targetingStrategy = enum(
        [("SINGLE_FACILITY", "SINGLE_FACILITY"), ("MULTI_SELECTOR", "MULTI_SELECTOR")]
    )
    facility = FacilityReferenceSelectorSerializer(required=False)
    selector = ListingFacilitySelectorSerializer(many=True, required=False, min_length=1)

    def get_fields(self):
        fields = super().get_fields()
        for name in ("title", "targetingStrategy"):
            fields[name].required = True
        fields["tenantArticleId"].required = True
        return fields

    def validate(self, attrs):
        strategy = attrs.pop("targetingStrategy")
        facility, selector = attrs.pop("facility", None), attrs.pop("selector", None)
        version = attrs.pop("version", None)
        if strategy == "SINGLE_FACILITY":
            if facility is None or selector is not None:
                raise serializers.ValidationError(
                    {"facility": ["SINGLE_FACILITY names one facility (and no selector)."]}
                )
            attrs["targets"] = [(facility, version)]
        else:
            if selector is None or facility is not None or version is not None:
                raise serializers.ValidationError(
                    {"selector": ["MULTI_SELECTOR names its facilities (with their versions)."]}
                )
            attrs["targets"] = [(target["facility"], target.get("version")) for target in selector]
        return attrs


class ListingBulkUpsertPayloadSerializer(StrictSerializer):
    listings = ListingForBulkUpsertSerializer(many=True, min_length=1)

    def validate(self, attrs):
        targets = sum(len(entry["targets"]) for entry in attrs["listings"])
        if targets > MAX_BULK_UPSERT_TARGETS:
            raise serializers.ValidationError(
                {
                    "listings": [
                        f"{targets} facility listings: at most {MAX_BULK_UPSERT_TARGETS} per "
                        "call (entries × the facilities each selects)."
                    ]
                }
            )
        return attrs


class ListingsForReplacementSerializer(StrictSerializer):
    listings = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=500)


class ListingPatchActionsSerializer(PatchActionsSerializer):
    pass


# --- Partial stocks (deprecated by the reference in favour of /api/stocks) -------------------


def _partial_stocks(**kwargs):
    return ReferenceSchemaField("PartialStockForCreation", many=True, **kwargs)


class PartialStocksForReplacementSerializer(StrictSerializer):
    partialStocks = _partial_stocks(min_items=1)
    version = StrictIntegerField(min_value=1)


class ModifyPartialStockSerializer(StrictSerializer):
    action = enum([("ModifyPartialStock", "ModifyPartialStock")])
    partialStocks = _partial_stocks(required=False)


class PartialStockPatchActionsSerializer(StrictSerializer):
    version = StrictIntegerField(min_value=1)
    actions = ModifyPartialStockSerializer(many=True, min_length=1, max_length=1)


def partial_stocks_as_stored(partial_stocks):
    """Partial stocks as kept on the listing: the reference ignores a `reserved` sent (only
    reservations reserve), so it is not kept; each id at most once."""
    kept, seen = [], set()
    for partial_stock in partial_stocks:
        identifier = partial_stock["tenantPartialStockId"]
        if identifier in seen:
            raise serializers.ValidationError(
                {"partialStocks": [f"tenantPartialStockId {identifier!r} appears twice."]}
            )
        seen.add(identifier)
        information = {
            name: value
            for name, value in partial_stock["stockinformation"].items()
            if name != "reserved"
        }
        kept.append({**partial_stock, "stockinformation": information})
    return kept


def render_partial_stocks(listing):
    """`PartialStock`s of a listing: what was stored, with `available` = its stock (partial
    stocks are not reserved against: reservations hold the stock rows of /api/stocks)."""
    rendered = []
    for partial_stock in (listing.extra or {}).get("partialStocks") or []:
        information = dict(partial_stock.get("stockinformation") or {})
        units = information.get("stock", 0)
        information.update(reserved=0, available=units)
        rendered.append({**partial_stock, "stockinformation": information})
    return rendered


class ListingSerializer(VersionedEntitySerializer):
    facilityId = StrictCharField(source="facility_id")
    tenantArticleId = StrictCharField(source="tenant_article_id")
    title = StrictCharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = StrictCharField(allow_null=True)
    outOfStockBehaviour = StrictCharField(source="out_of_stock_behaviour")
    status = StrictCharField()
    safetyStock = StrictIntegerField(source="safety_stock")

    def to_representation(self, listing):
        data = super().to_representation(listing)
        # Unset optional fields are left out (the reference forbids an empty title).
        for name in ("price", "currency", "title"):
            if data[name] in (None, ""):
                data.pop(name)
        return merge_extra(data, listing.extra)


# --- Names for the OpenAPI schema ------------------------------------------------------------


class StrippedListingsSerializer(serializers.Serializer):
    listings = ListingSerializer(many=True)
    total = StrictIntegerField()


class ListingBulkOperationResultSerializer(serializers.Serializer):
    status = StrictCharField()
    listing = ListingSerializer()


class ListingBulkUpsertSuccessSerializer(serializers.Serializer):
    status = StrictCharField()
    result = ListingSerializer()


class BulkUpsertSummarySerializer(serializers.Serializer):
    created = StrictIntegerField()
    updated = StrictIntegerField()
    unchanged = StrictIntegerField()


class ListingBulkUpsertResponseSerializer(serializers.Serializer):
    listings = ListingBulkUpsertSuccessSerializer(many=True)
    summary = BulkUpsertSummarySerializer()
