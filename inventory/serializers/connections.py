"""Facility–carrier connections on the wire. Credentials are stored but never echoed."""

from rest_framework import serializers

from config.api.fields import StrictCharField, StrictIntegerField
from config.api.serializers import StrictSerializer
from inventory.serializers.carriers import CARRIER_STATUS
from inventory.serializers.facilities import TimeStampSerializer
from inventory.serializers.wire import (
    CountryCodeField,
    VersionedEntitySerializer,
    WireSerializer,
    enum,
    merge_extra,
)


class CutoffTimeSerializer(TimeStampSerializer):
    pass


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
    default_mode = "create"

    version = StrictIntegerField(min_value=1)
    status = enum(CARRIER_STATUS)
    cutoffTime = CutoffTimeSerializer()
    validDeliveryTargets = serializers.ListField(
        child=enum([("SHIP_TO_CUSTOMER", "SHIP_TO_CUSTOMER"), ("SHIP_TO_STORE", "SHIP_TO_STORE")])
    )
    deliveryAreas = serializers.ListField(child=DeliveryAreaSerializer())

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.required = self.mode == "modify" and name == "version"
        if self.mode == "create":
            del fields["version"]
        return fields


class ConnectionSerializer(VersionedEntitySerializer):
    """`FacilityCarrierConnection`. Credentials are stored but never echoed."""

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


# --- Names for the OpenAPI schema ------------------------------------------------------------


class ConnectionForModificationSerializer(ConnectionInputSerializer):
    default_mode = "modify"
