"""Wire shapes of the inventory API (reference names, camelCase).

Input serializers validate and return plain dicts for the services; output serializers render
model instances. Wire fields that have no behaviour behind them (contact, tags, customAttributes,
...) are accepted as they are, stored in the model's `extra` and echoed back unchanged.
"""

import re

from django.utils import timezone
from rest_framework import serializers

from config.api.fields import (
    JSONValueField,
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    reference_property_field,
)
from config.api.serializers import StrictSerializer, WholeObjectSerializer
from inventory import models

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def enum(choices, **kwargs):
    """A ChoiceField whose error names the allowed values (unknown enum value → 400)."""
    field = serializers.ChoiceField(choices=choices, **kwargs)
    allowed = ", ".join(value for value, _ in choices)
    field.error_messages["invalid_choice"] = f'"{{input}}" is not one of: {allowed}.'
    return field


class CountryCodeField(StrictCharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not COUNTRY_CODE.match(value):
            raise serializers.ValidationError("Expected an ISO 3166-1 alpha-2 code such as NL.")
        return value


class CurrencyField(StrictCharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not CURRENCY_CODE.match(value):
            raise serializers.ValidationError("Expected an ISO 4217 code such as EUR.")
        return value


class IsoDateTimeStringField(serializers.DateTimeField):
    """Validated as a date-time, kept as the ISO string for JSON storage."""

    def to_internal_value(self, value):
        return super().to_internal_value(value).isoformat()


class WireSerializer(StrictSerializer):
    """Strict serializer that also accepts the names in `passthrough` and returns them under
    `extra` (stored and echoed unchanged), each validated as the reference schema named in
    `reference_schema` defines it."""

    passthrough = ()
    reference_schema = None

    def get_fields(self):
        fields = super().get_fields()
        for name in self.passthrough:
            if self.reference_schema:
                field = reference_property_field(
                    self.reference_schema, name, required=False, allow_null=True
                )
            else:
                field = JSONValueField(required=False, allow_null=True)
            fields.setdefault(name, field)
        return fields

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        validated["extra"] = {
            name: validated.pop(name) for name in self.passthrough if name in validated
        }
        return validated


def iso_datetime(value):
    """What DRF's DateTimeField renders (ISO 8601 in the current time zone, UTC as "Z"),
    without its per-call overhead: bulk responses render a thousand of these."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def merge_extra(representation, extra):
    for name, value in (extra or {}).items():
        representation.setdefault(name, value)
    return representation


# --- Facilities -----------------------------------------------------------------------------


class CoordinatesSerializer(StrictSerializer):
    lat = StrictFloatField(min_value=-90, max_value=90)
    lon = StrictFloatField(min_value=-180, max_value=180)


class FacilityAddressSerializer(WireSerializer):
    """`FacilityAddressForCreation` (managed facilities) and `SupplierAddressForCreation`:
    the facility serializer enforces the managed facility's extra required fields."""

    passthrough = ("phoneNumbers", "emailAddresses", "customAttributes", "resolvedTimeZone")
    reference_schema = "FacilityAddressForCreation"

    companyName = StrictCharField(max_length=255)
    street = StrictCharField(max_length=255, required=False)
    houseNumber = StrictCharField(max_length=64, required=False, allow_blank=True)
    postalCode = StrictCharField(max_length=32, required=False)
    city = StrictCharField(max_length=255, required=False)
    country = CountryCodeField()
    province = StrictCharField(max_length=255, required=False, allow_blank=True)
    additionalAddressInfo = StrictCharField(required=False, allow_blank=True)
    resolvedCoordinates = CoordinatesSerializer(required=False)

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        extra = validated.pop("extra")
        return {**validated, **extra}


class TimeStampSerializer(StrictSerializer):
    hour = StrictIntegerField(min_value=0, max_value=23)
    minute = StrictIntegerField(min_value=0, max_value=59)


class TimeRangeSerializer(StrictSerializer):
    start = TimeStampSerializer()
    end = TimeStampSerializer()
    capacity = StrictIntegerField(min_value=0, required=False)

    def validate(self, attrs):
        start = (attrs["start"]["hour"], attrs["start"]["minute"])
        end = (attrs["end"]["hour"], attrs["end"]["minute"])
        if end <= start:
            raise serializers.ValidationError("A picking time range must end after it starts.")
        return attrs


class PickingTimesSerializer(StrictSerializer):
    monday = serializers.ListField(child=TimeRangeSerializer(), required=False)
    tuesday = serializers.ListField(child=TimeRangeSerializer(), required=False)
    wednesday = serializers.ListField(child=TimeRangeSerializer(), required=False)
    thursday = serializers.ListField(child=TimeRangeSerializer(), required=False)
    friday = serializers.ListField(child=TimeRangeSerializer(), required=False)
    saturday = serializers.ListField(child=TimeRangeSerializer(), required=False)
    sunday = serializers.ListField(child=TimeRangeSerializer(), required=False)

    def validate(self, attrs):
        for day, ranges in attrs.items():
            ordered = sorted(
                ((r["start"]["hour"], r["start"]["minute"]), (r["end"]["hour"], r["end"]["minute"]))
                for r in ranges
            )
            for (_, previous_end), (next_start, _) in zip(ordered, ordered[1:], strict=False):
                if next_start < previous_end:
                    raise serializers.ValidationError({day: ["Picking time ranges overlap."]})
        return attrs


class ClosingDaySerializer(StrictSerializer):
    date = IsoDateTimeStringField()
    reason = StrictCharField()
    recurrence = enum([("YEARLY", "YEARLY"), ("NONRECURRING", "NONRECURRING")])


class FacilityServiceSerializer(StrictSerializer):
    type = enum(models.FacilityService.choices)


class FacilityInputSerializer(WireSerializer):
    """ManagedFacility/Supplier ForCreation (mode "create"), ForReplacement ("replace", PUT)
    and ForModification / ModifyFacility ("modify", PATCH)."""

    passthrough = (
        "customAttributes",
        "contact",
        "tags",
        "operativeCosts",
        "pickingMethods",
        "scanningRule",
        "configs",
        "capacityPlanningTimeframe",
    )
    reference_schema = "ManagedFacilityForCreation"
    REQUIRED = {
        "create": {"name"},
        "replace": {
            "name",
            "address",
            "capacityEnabled",
            "fulfillmentProcessBuffer",
            "locationType",
            "status",
            "type",
            "version",
        },
        "modify": set(),
    }

    version = StrictIntegerField(min_value=1)
    name = StrictCharField(max_length=255)
    tenantFacilityId = StrictCharField(source="tenant_facility_id", max_length=255, allow_null=True)
    type = enum(models.FacilityType.choices)
    locationType = enum(models.LocationType.choices, source="location_type")
    status = enum(models.FacilityStatus.choices)
    address = FacilityAddressSerializer()
    services = serializers.ListField(child=FacilityServiceSerializer(), allow_null=True)
    pickingTimes = PickingTimesSerializer(source="picking_times", allow_null=True)
    closingDays = serializers.ListField(
        child=ClosingDaySerializer(), source="closing_days", allow_null=True
    )
    fulfillmentProcessBuffer = StrictIntegerField(
        source="fulfillment_process_buffer", min_value=0, allow_null=True
    )
    capacityEnabled = StrictBooleanField(source="capacity_enabled", allow_null=True)

    def __init__(self, *args, mode="create", **kwargs):
        self.mode = mode
        super().__init__(*args, **kwargs)

    def get_fields(self):
        fields = super().get_fields()
        required = self.REQUIRED[self.mode]
        for name, field in fields.items():
            field.required = name in required
        if self.mode == "create":
            del fields["version"]
        return fields

    def validate(self, attrs):
        facility_type = attrs.get("type", getattr(self.instance, "type", None))
        address = attrs.get("address")
        if facility_type != models.FacilityType.SUPPLIER:
            if self.mode == "create" and not address:
                raise serializers.ValidationError({"address": ["This field is required."]})
            if address:
                missing = [k for k in ("street", "postalCode", "city") if not address.get(k)]
                if missing:
                    raise serializers.ValidationError(
                        {f"address.{name}": ["This field is required."] for name in missing}
                    )
        return attrs


class FacilityModifyActionSerializer(FacilityInputSerializer):
    """One `ModifyFacility` action of the (deprecated) FacilityPatchActions body."""

    action = enum([("ModifyFacility", "ModifyFacility")])

    def get_fields(self):
        fields = super().get_fields()
        fields["action"].required = True
        fields.pop("version", None)
        fields.pop("type", None)
        return fields


class FacilityPatchActionsSerializer(StrictSerializer):
    version = StrictIntegerField(min_value=1)
    actions = serializers.ListField(child=serializers.DictField(), min_length=1)


class FacilitySerializer(serializers.Serializer):
    """`ManagedFacility` / `Supplier`."""

    id = StrictCharField()
    version = StrictIntegerField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")
    name = StrictCharField()
    tenantFacilityId = StrictCharField(source="tenant_facility_id", allow_null=True)
    type = StrictCharField()
    locationType = StrictCharField(source="location_type")
    status = StrictCharField()
    address = serializers.JSONField()
    services = serializers.JSONField()
    pickingTimes = serializers.JSONField(source="picking_times")
    closingDays = serializers.JSONField(source="closing_days")
    fulfillmentProcessBuffer = StrictIntegerField(source="fulfillment_process_buffer")
    capacityEnabled = serializers.SerializerMethodField()

    def get_capacityEnabled(self, facility) -> bool:
        return bool(facility.extra.get("capacityEnabled", False))

    def to_representation(self, facility):
        data = super().to_representation(facility)
        if facility.type == models.FacilityType.SUPPLIER and not facility.address:
            data.pop("address")
        if data["tenantFacilityId"] is None:
            data.pop("tenantFacilityId")
        return merge_extra(data, facility.extra)


class StrippedFacilitySerializer(serializers.Serializer):
    """`StrippedManagedFacility`: the address fields flattened next to the identity."""

    ADDRESS_FIELDS = (
        "street",
        "houseNumber",
        "postalCode",
        "city",
        "country",
        "province",
        "additionalAddressInfo",
        "phoneNumbers",
        "customAttributes",
    )

    id = StrictCharField()
    version = StrictIntegerField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")
    name = StrictCharField()
    tenantFacilityId = StrictCharField(source="tenant_facility_id", allow_null=True)
    type = StrictCharField()
    locationType = StrictCharField(source="location_type")
    status = StrictCharField()

    def to_representation(self, facility):
        data = super().to_representation(facility)
        if data["tenantFacilityId"] is None:
            data.pop("tenantFacilityId")
        for name in self.ADDRESS_FIELDS:
            if name in facility.address:
                data[name] = facility.address[name]
        return data


# --- Carriers -------------------------------------------------------------------------------

CARRIER_STATUS = models.CarrierStatus.choices
DELIVERY_TYPES = [("SAMEDAY", "SAMEDAY"), ("DELIVERY", "DELIVERY")]
LIFECYCLES = [("GA", "GA"), ("BETA", "BETA"), ("ALPHA", "ALPHA")]
CARRIER_DEFAULTS = {
    "defaultParcelHeightInCm": 10,
    "defaultParcelLengthInCm": 25,
    "defaultParcelWidthInCm": 35,
    "defaultParcelWeightInGram": 1000,
}


class CarrierInputSerializer(WireSerializer):
    """`CarrierForCreation` (mode "create") and `ModifyCarrier` ("modify")."""

    passthrough = ("credentials", "parcelLabelClassifications", "logoUrl", "productValueNeeded")
    reference_schema = "CarrierForCreation"

    key = StrictCharField(max_length=64)
    name = StrictCharField(max_length=255)
    status = enum(CARRIER_STATUS)
    deliveryType = enum(DELIVERY_TYPES)
    lifecycle = enum(LIFECYCLES)
    defaultParcelHeightInCm = StrictFloatField(min_value=1)
    defaultParcelLengthInCm = StrictFloatField(min_value=1)
    defaultParcelWidthInCm = StrictFloatField(min_value=1)
    defaultParcelWeightInGram = StrictFloatField(min_value=1)

    def __init__(self, *args, mode="create", **kwargs):
        self.mode = mode
        super().__init__(*args, **kwargs)

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.required = self.mode == "create" and name in ("key", "name")
        if self.mode == "modify":
            del fields["key"]
            fields["action"] = enum([("ModifyCarrier", "ModifyCarrier")])
        return fields

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        validated.pop("action", None)
        # Wire-only carrier attributes live in `extra` with the pass-through fields.
        for name in ("deliveryType", "lifecycle", *CARRIER_DEFAULTS):
            if name in validated:
                validated["extra"][name] = validated.pop(name)
        return validated


class CarrierPatchActionsSerializer(StrictSerializer):
    version = StrictIntegerField(min_value=1)
    actions = serializers.ListField(child=serializers.DictField(), min_length=1)


class StrippedCarrierSerializer(serializers.Serializer):
    id = StrictCharField()
    version = StrictIntegerField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")
    key = StrictCharField()
    name = StrictCharField()
    status = StrictCharField()

    def to_representation(self, carrier):
        data = super().to_representation(carrier)
        for name in ("deliveryType", "lifecycle"):
            if name in carrier.extra:
                data[name] = carrier.extra[name]
        return data


class CarrierSerializer(StrippedCarrierSerializer):
    def to_representation(self, carrier):
        data = super().to_representation(carrier)
        data.update({name: carrier.extra.get(name, d) for name, d in CARRIER_DEFAULTS.items()})
        extra = {k: v for k, v in carrier.extra.items() if k != "credentials"}
        return merge_extra(data, extra)


class RegionInformationSerializer(WholeObjectSerializer):
    countryCode = CountryCodeField()
    postalCodes = serializers.ListField(child=StrictCharField(), max_length=100, required=False)


class TransitTimeSerializer(WholeObjectSerializer):
    minTransitDays = StrictIntegerField(min_value=0)
    maxTransitDays = StrictIntegerField(min_value=0)

    def validate(self, attrs):
        if attrs["maxTransitDays"] < attrs["minTransitDays"]:
            raise serializers.ValidationError("maxTransitDays must not be below minTransitDays.")
        return attrs


class DeliveryCostSerializer(WholeObjectSerializer):
    cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = CurrencyField()

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        return {"cost": float(validated["cost"]), "currency": validated["currency"]}


class CountryServiceMappingInputSerializer(WireSerializer):
    """`CarrierCountryServiceMappingForCreation` / `…ForUpdate` (partial)."""

    passthrough = (
        "additionalShippingArticleAttributes",
        "additionalShippingAttributes",
        "mandatoryShippingArticleAttributes",
        "mandatoryShippingAttributes",
        "mandatoryShippingItemAttributes",
        "countAsTransitDayBefore",
        "products",
        "carrierServices",
    )
    reference_schema = "CarrierCountryServiceMappingForCreation"

    carrierConfigurationVersion = StrictIntegerField(min_value=1)
    source = RegionInformationSerializer()
    sourceCountry = CountryCodeField()
    destinations = serializers.ListField(child=RegionInformationSerializer(), min_length=1)
    destinationCountries = serializers.ListField(child=CountryCodeField(), min_length=1)
    carrierProductCategory = enum(models.CarrierProductCategory.choices)
    transitTime = TransitTimeSerializer()
    deliveryCosts = serializers.ListField(
        child=DeliveryCostSerializer(), min_length=1, max_length=1
    )

    def get_fields(self):
        fields = super().get_fields()
        creating = not self.partial
        for name, field in fields.items():
            field.required = name == "carrierConfigurationVersion" or (
                creating and name in ("source", "destinations")
            )
        return fields

    def validate(self, attrs):
        source = attrs.get("source")
        if (
            source
            and attrs.get("sourceCountry")
            and attrs["sourceCountry"] != source["countryCode"]
        ):
            raise serializers.ValidationError(
                {"sourceCountry": ["Differs from source.countryCode."]}
            )
        return attrs


class CountryServiceMappingSerializer(serializers.Serializer):
    id = StrictCharField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")
    carrierProductCategory = StrictCharField(source="carrier_product_category")

    def to_representation(self, mapping):
        data = super().to_representation(mapping)
        extra = dict(mapping.extra)
        destinations = extra.pop("destinations", None) or [
            {"countryCode": country} for country in mapping.destination_countries
        ]
        data.update(
            {
                "source": {"countryCode": mapping.source_country},
                "sourceCountry": mapping.source_country,
                "destinations": destinations,
                "destinationCountries": mapping.destination_countries,
                "transitTime": {
                    "minTransitDays": mapping.min_transit_days,
                    "maxTransitDays": mapping.max_transit_days,
                },
                "deliveryCosts": mapping.delivery_costs,
            }
        )
        return merge_extra(data, extra)


class CutoffTimeSerializer(StrictSerializer):
    hour = StrictIntegerField(min_value=0, max_value=23)
    minute = StrictIntegerField(min_value=0, max_value=59)


class DeliveryAreaSerializer(StrictSerializer):
    country = CountryCodeField()
    postalCode = StrictCharField()


class ConnectionInputSerializer(WireSerializer):
    """`FacilityCarrierConnectionForCreation` / `…ForModification` (with `version`)."""

    passthrough = (
        "configuration",
        "credentials",
        "cutoffTimes",
        "name",
        "parcelLabelClassifications",
        "tags",
    )
    reference_schema = "FacilityCarrierConnectionForCreation"

    version = StrictIntegerField(min_value=1)
    status = enum(CARRIER_STATUS)
    cutoffTime = CutoffTimeSerializer()
    validDeliveryTargets = serializers.ListField(
        child=enum([("SHIP_TO_CUSTOMER", "SHIP_TO_CUSTOMER"), ("SHIP_TO_STORE", "SHIP_TO_STORE")])
    )
    deliveryAreas = serializers.ListField(child=DeliveryAreaSerializer())

    def __init__(self, *args, mode="create", **kwargs):
        self.mode = mode
        super().__init__(*args, **kwargs)

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.required = self.mode == "modify" and name == "version"
        if self.mode == "create":
            del fields["version"]
        return fields


class ConnectionSerializer(serializers.Serializer):
    """`FacilityCarrierConnection`. Credentials are stored but never echoed."""

    id = StrictCharField()
    version = StrictIntegerField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")
    carrierRef = StrictCharField(source="carrier_id")
    facilityRef = StrictCharField(source="facility_id")
    key = StrictCharField(source="carrier.key")
    status = StrictCharField()
    validDeliveryTargets = serializers.JSONField(source="valid_delivery_targets")
    deliveryAreas = serializers.JSONField(source="delivery_areas")

    def to_representation(self, connection):
        data = super().to_representation(connection)
        data["cutoffTime"] = {"hour": connection.cutoff_hour, "minute": connection.cutoff_minute}
        if "deliveryType" in connection.carrier.extra:
            data["deliveryType"] = connection.carrier.extra["deliveryType"]
        extra = {k: v for k, v in connection.extra.items() if k != "credentials"}
        extra.setdefault("name", connection.carrier.name)
        return merge_extra(data, extra)


# --- Listings -------------------------------------------------------------------------------

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

    tenantArticleId = StrictCharField(source="tenant_article_id", max_length=255)
    title = StrictCharField(max_length=512)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True)
    currency = CurrencyField(allow_null=True)
    outOfStockBehaviour = enum(models.OutOfStockBehaviour.choices, source="out_of_stock_behaviour")
    status = enum(models.ListingStatus.choices)
    version = StrictIntegerField(min_value=1)

    def __init__(self, *args, mode="replace", **kwargs):
        self.mode = mode
        super().__init__(*args, **kwargs)

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


class ListingPatchActionsSerializer(StrictSerializer):
    version = StrictIntegerField(min_value=1)
    actions = serializers.ListField(child=serializers.DictField(), min_length=1)


class ListingSerializer(serializers.Serializer):
    id = StrictCharField()
    version = StrictIntegerField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")
    facilityId = StrictCharField(source="facility_id")
    tenantArticleId = StrictCharField(source="tenant_article_id")
    title = StrictCharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = StrictCharField(allow_null=True)
    outOfStockBehaviour = StrictCharField(source="out_of_stock_behaviour")
    status = StrictCharField()

    def to_representation(self, listing):
        data = super().to_representation(listing)
        # Unset optional fields are left out (the reference forbids an empty title).
        for name in ("price", "currency", "title"):
            if data[name] in (None, ""):
                data.pop(name)
        return merge_extra(data, listing.extra)


# --- Stocks and reservations ----------------------------------------------------------------

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


class StockSerializer(serializers.Serializer):
    """`Stock`; `reserved` and `available` come from the availability selector's annotation
    (or are set on the instance by the service that computed them)."""

    id = StrictCharField()
    version = StrictIntegerField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")
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


class ReservationSerializer(serializers.Serializer):
    """`Reservation`, plus `validUntil` (null: permanent), `active` and `orderLineItemRef`
    (our additions: the reference has no field for a temporary hold)."""

    id = StrictCharField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")
    facilityRef = StrictCharField(source="facility_id")
    tenantArticleId = StrictCharField(source="tenant_article_id")
    quantity = StrictIntegerField()
    validUntil = serializers.DateTimeField(source="valid_until", allow_null=True)
    orderLineItemRef = StrictCharField(source="order_line_item_id", allow_null=True)

    def to_representation(self, reservation):
        data = super().to_representation(reservation)
        data["version"] = 1
        data["host"] = {"type": "STOCK", "reference": str(reservation.stock_id)}
        line = reservation.order_line_item
        data["relatedRefs"] = {"orderRefs": [str(line.order_id)] if line else []}
        data["active"] = reservation.is_active
        return data


# --- Names for the OpenAPI schema (drf-spectacular): one component per wire shape ------------


class FacilityForReplacementSerializer(FacilityInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, mode="replace", **kwargs)


class FacilityForModificationSerializer(FacilityInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, mode="modify", **kwargs)


class CarrierForCreationSerializer(CarrierInputSerializer):
    pass


class ConnectionForModificationSerializer(ConnectionInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, mode="modify", **kwargs)


class StrippedFacilitiesSerializer(serializers.Serializer):
    facilities = StrippedFacilitySerializer(many=True)
    total = StrictIntegerField()


class StrippedCarriersSerializer(serializers.Serializer):
    carriers = StrippedCarrierSerializer(many=True)
    total = StrictIntegerField()


class StrippedListingsSerializer(serializers.Serializer):
    listings = ListingSerializer(many=True)
    total = StrictIntegerField()


class ListingBulkOperationResultSerializer(serializers.Serializer):
    status = StrictCharField()
    listing = ListingSerializer()


class InventoryPageInfoSerializer(serializers.Serializer):
    startCursor = StrictCharField()
    endCursor = StrictCharField()
    hasNextPage = StrictBooleanField()
    hasPreviousPage = StrictBooleanField()


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


class ReservationsPaginatedResultSerializer(serializers.Serializer):
    reservations = ReservationSerializer(many=True)
    total = StrictIntegerField()
    pageInfo = InventoryPageInfoSerializer()
