"""Carriers and their country service mappings on the wire."""

from rest_framework import serializers

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
)
from config.api.serializers import StrictSerializer, WholeObjectSerializer
from inventory import models
from inventory.serializers.wire import (
    CountryCodeField,
    CurrencyField,
    EntitySerializer,
    PatchActionsSerializer,
    VersionedEntitySerializer,
    WireSerializer,
    enum,
    merge_extra,
)

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
    default_mode = "create"

    key = StrictCharField(max_length=64)
    name = StrictCharField(max_length=255)
    status = enum(CARRIER_STATUS)
    deliveryType = enum(DELIVERY_TYPES)
    lifecycle = enum(LIFECYCLES)
    defaultParcelHeightInCm = StrictFloatField(min_value=1)
    defaultParcelLengthInCm = StrictFloatField(min_value=1)
    defaultParcelWidthInCm = StrictFloatField(min_value=1)
    defaultParcelWeightInGram = StrictFloatField(min_value=1)

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


class CarrierPatchActionsSerializer(PatchActionsSerializer):
    pass


class StrippedCarrierSerializer(VersionedEntitySerializer):
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


class CountryServiceMappingSerializer(EntitySerializer):
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


# --- The carrier's configuration (GET/PUT …/configuration) ---------------------------------


class PriceRangeSerializer(WholeObjectSerializer):
    """Parcel values, in the currency's smallest unit (cents with decimalPlaces 2)."""

    currency = CurrencyField()
    decimalPlaces = StrictIntegerField(min_value=0, max_value=6)

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword.
        fields["from"] = StrictFloatField(min_value=0)
        fields["to"] = StrictFloatField(min_value=1)
        return fields

    def validate(self, attrs):
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError("`to` must not be below `from`.")
        return attrs


class ThresholdPriceValueSerializer(WholeObjectSerializer):
    priority = StrictFloatField(min_value=1)
    priceRange = PriceRangeSerializer()


class ConfigurationMappingSerializer(CountryServiceMappingInputSerializer):
    """A country service mapping inside a PUT of the whole configuration: as created one by
    one, without the per-mapping configuration version (the PUT's `version` covers them), and
    with the `id` of the mapping it replaces, if any."""

    passthrough = (*CountryServiceMappingInputSerializer.passthrough, "staticCCSMRef")

    id = StrictCharField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        del fields["carrierConfigurationVersion"]
        return fields


# The configuration's wire fields without behaviour: stored and echoed (carrier-specific
# configurations add their own, accepted as given).
CONFIGURATION_PASSTHROUGH = (
    "additionalWeightInPercent",
    "alternativeReturnAddress",
    "alternativeReturnAddressLocationId",
    "alternativeSendAddress",
    "alternativeSendAddressLocationId",
    "defaultPickUpTime",
    "fallBackTrackAndTraceEmail",
    "mustBeWeighed",
    "nonDeliveryDaysPerCountryAndProvince",
    "serviceUrl",
    "trackAndTraceUrl",
    "trackAndTraceWsdlUrl",
)


class CarrierConfigurationInputSerializer(WireSerializer):
    """`CarrierConfiguration` (and the carrier-specific variants) as PUT: the whole
    configuration, under the carrier's configuration `version`."""

    passthrough = CONFIGURATION_PASSTHROUGH
    reference_schema = "CarrierConfiguration"

    version = StrictIntegerField(min_value=1)
    carrierRef = StrictCharField()
    returnLabel = StrictBooleanField()
    thresholdPriceValue = ThresholdPriceValueSerializer(required=False, allow_null=True)
    countryServiceMappings = ConfigurationMappingSerializer(
        many=True, required=False, max_length=100
    )
    # Read-only in the reference's entity; a GET's body sent back is accepted.
    id = StrictCharField(required=False)
    created = StrictCharField(required=False)
    lastModified = StrictCharField(required=False)


def render_carrier_configuration(carrier, mappings):
    """`CarrierConfiguration`: the stored fields, the mappings and the configuration
    `version` (sent back as `version` here, as `carrierConfigurationVersion` by mapping
    writes)."""
    timestamp = serializers.DateTimeField()
    data = {
        "id": str(carrier.id),
        "carrierRef": str(carrier.id),
        "version": carrier.configuration_version,
        "returnLabel": False,
        **carrier.configuration,
        "created": timestamp.to_representation(carrier.created),
        "lastModified": timestamp.to_representation(carrier.last_modified),
        "countryServiceMappings": CountryServiceMappingSerializer(mappings, many=True).data,
    }
    if carrier.threshold_price_value:
        data["thresholdPriceValue"] = carrier.threshold_price_value
    return data


class CarrierRecommendationSerializer(serializers.Serializer):
    """`CarrierRecommendationResult`."""

    carrier = CarrierSerializer()
    priority = StrictFloatField()
    threshold = PriceRangeSerializer(required=False)


class CarrierPriorityResultSerializer(serializers.Serializer):
    recommendedCarriers = CarrierRecommendationSerializer(many=True)
    otherCarriers = CarrierRecommendationSerializer(many=True)


class ParcelProductValueSerializer(StrictSerializer):
    value = StrictIntegerField(min_value=1)
    currency = CurrencyField()
    decimalPlaces = StrictIntegerField(min_value=0, max_value=6)


class CarrierPriorityCalculationRequestSerializer(StrictSerializer):
    productValue = ParcelProductValueSerializer(required=False)


# --- Names for the OpenAPI schema ------------------------------------------------------------


class CarrierForCreationSerializer(CarrierInputSerializer):
    pass


class StrippedCarriersSerializer(serializers.Serializer):
    carriers = StrippedCarrierSerializer(many=True)
    total = StrictIntegerField()
