"""Carrier writes and their country service mappings. Mapping writes carry the carrier's
configuration version (`carrierConfigurationVersion`), which every mapping write raises."""

from django.db import transaction

from config.errors import Conflict, InvalidInput, VersionConflict
from config.identifiers import parse_uuid
from inventory.models import Carrier, CarrierCountryServiceMapping, CarrierStatus
from inventory.selectors.carriers import get_carrier, get_country_service_mapping
from inventory.services.changes import check_version, merged_extra


@transaction.atomic
def create_carrier(data):
    if Carrier.objects.filter(key=data["key"]).exists():
        raise Conflict("Carrier key already in use.", f"A carrier with key {data['key']!r} exists.")
    return Carrier.objects.create(
        key=data["key"],
        name=data["name"],
        status=data.get("status", CarrierStatus.ACTIVE),
        extra=data.get("extra", {}),
    )


@transaction.atomic
def modify_carrier(reference, version, actions):
    carrier = Carrier.objects.select_for_update().get(id=get_carrier(reference).id)
    check_version(carrier, version)
    for action in actions:
        for name in ("name", "status"):
            if name in action:
                setattr(carrier, name, action[name])
        carrier.extra = merged_extra(carrier.extra, action.get("extra"))
    carrier.version += 1
    carrier.save()
    return carrier


def _raise_configuration_version(carrier, request_version=None):
    """Lock the carrier and raise its configuration version; a `request_version` sent must
    be the current one."""
    carrier = Carrier.objects.select_for_update().get(id=carrier.id)
    if request_version is not None and request_version != carrier.configuration_version:
        raise VersionConflict(
            version=carrier.configuration_version, request_version=request_version
        )
    carrier.configuration_version += 1
    carrier.save(update_fields=["configuration_version", "last_modified"])
    return carrier


def _apply_mapping(mapping, data):
    extra = {**mapping.extra, **data.get("extra", {})}
    if "source" in data:
        mapping.source_country = data["source"]["countryCode"]
        if data["source"].get("postalCodes"):
            extra["sourcePostalCodes"] = data["source"]["postalCodes"]
    elif "sourceCountry" in data:
        mapping.source_country = data["sourceCountry"]
    if "destinations" in data or "destinationCountries" in data:
        destinations = data.get("destinations") or []
        countries = [destination["countryCode"] for destination in destinations]
        for country in data.get("destinationCountries") or []:
            if country not in countries:
                countries.append(country)
                destinations.append({"countryCode": country})
        mapping.destination_countries = countries
        extra["destinations"] = destinations
    if "carrierProductCategory" in data:
        mapping.carrier_product_category = data["carrierProductCategory"]
    if "transitTime" in data:
        mapping.min_transit_days = data["transitTime"]["minTransitDays"]
        mapping.max_transit_days = data["transitTime"]["maxTransitDays"]
    if "deliveryCosts" in data:
        mapping.delivery_costs = data["deliveryCosts"]
    mapping.extra = extra


@transaction.atomic
def create_country_service_mapping(carrier, data):
    carrier = _raise_configuration_version(carrier, data["carrierConfigurationVersion"])
    mapping = CarrierCountryServiceMapping(carrier=carrier)
    _apply_mapping(mapping, data)
    mapping.save()
    return mapping


@transaction.atomic
def update_country_service_mapping(carrier, mapping_id, data):
    mapping = get_country_service_mapping(carrier, mapping_id)
    _raise_configuration_version(carrier, data["carrierConfigurationVersion"])
    _apply_mapping(mapping, data)
    if mapping.max_transit_days < mapping.min_transit_days:
        raise InvalidInput("transitTime: maxTransitDays must not be below minTransitDays.")
    mapping.version += 1
    mapping.save()
    return mapping


@transaction.atomic
def delete_country_service_mapping(carrier, mapping_id):
    mapping = get_country_service_mapping(carrier, mapping_id)
    _raise_configuration_version(carrier)
    mapping.delete()


@transaction.atomic
def replace_carrier_configuration(reference, data):
    """PUT …/configuration: the whole configuration, under its `version`. Its
    `countryServiceMappings`, when sent, become the carrier's mappings (one with the `id` of
    an existing mapping replaces it, others are created, the rest deleted); when not sent the
    mappings stay as they are."""
    carrier = get_carrier(reference)
    if data["carrierRef"] not in (str(carrier.id), carrier.key):
        raise InvalidInput(
            "carrierRef: names another carrier.", f"This configuration is carrier {carrier.id}'s."
        )
    carrier = _raise_configuration_version(carrier, data["version"])
    carrier.configuration = {"returnLabel": data["returnLabel"], **data.get("extra", {})}
    carrier.threshold_price_value = data.get("thresholdPriceValue")
    carrier.save(update_fields=["configuration", "threshold_price_value", "last_modified"])
    if "countryServiceMappings" in data:
        _replace_mappings(carrier, data["countryServiceMappings"])
    return carrier


def _replace_mappings(carrier, items):
    existing = {mapping.id: mapping for mapping in carrier.country_service_mappings.all()}
    replaced = set()
    for item in items:
        mapping = existing.get(parse_uuid(item.get("id")))
        if mapping is None or mapping.id in replaced:
            mapping = CarrierCountryServiceMapping(carrier=carrier)
        else:
            mapping.version += 1
            replaced.add(mapping.id)
        _apply_mapping(mapping, item)
        mapping.save()
    CarrierCountryServiceMapping.objects.filter(id__in=set(existing) - replaced).delete()
