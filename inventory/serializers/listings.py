"""Listings on the wire: `ListingForReplacement` (bulk PUT), `ModifyListing` (PATCH) and
`Listing`."""

from rest_framework import serializers

from config.api.fields import StrictCharField, StrictIntegerField
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


class ListingsForReplacementSerializer(StrictSerializer):
    listings = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=500)


class ListingPatchActionsSerializer(PatchActionsSerializer):
    pass


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
