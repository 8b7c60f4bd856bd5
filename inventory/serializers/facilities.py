"""Facilities on the wire: `ManagedFacility` / `Supplier` for creation, replacement (PUT) and
modification (PATCH, including the deprecated ModifyFacility actions), and their renderings."""

from rest_framework import serializers

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
)
from config.api.serializers import StrictSerializer
from inventory import models
from inventory.serializers.wire import (
    CountryCodeField,
    IsoDateTimeStringField,
    PatchActionsSerializer,
    VersionedEntitySerializer,
    WireSerializer,
    enum,
    merge_extra,
)


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
    default_mode = "create"
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


class FacilityPatchActionsSerializer(PatchActionsSerializer):
    pass


class FacilityIdentitySerializer(VersionedEntitySerializer):
    """What both renderings of a facility start with."""

    name = StrictCharField()
    tenantFacilityId = StrictCharField(source="tenant_facility_id", allow_null=True)
    type = StrictCharField()
    locationType = StrictCharField(source="location_type")
    status = StrictCharField()

    def to_representation(self, facility):
        data = super().to_representation(facility)
        if data["tenantFacilityId"] is None:
            data.pop("tenantFacilityId")
        return data


class FacilitySerializer(FacilityIdentitySerializer):
    """`ManagedFacility` / `Supplier`."""

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
        return merge_extra(data, facility.extra)


class StrippedFacilitySerializer(FacilityIdentitySerializer):
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

    def to_representation(self, facility):
        data = super().to_representation(facility)
        for name in self.ADDRESS_FIELDS:
            if name in facility.address:
                data[name] = facility.address[name]
        return data


# --- Names for the OpenAPI schema ------------------------------------------------------------


class FacilityForReplacementSerializer(FacilityInputSerializer):
    default_mode = "replace"


class FacilityForModificationSerializer(FacilityInputSerializer):
    default_mode = "modify"


class StrippedFacilitiesSerializer(serializers.Serializer):
    facilities = StrippedFacilitySerializer(many=True)
    total = StrictIntegerField()
