"""Carriers (by id or key), their country service mappings, their facility connections, and
which of a facility's carriers its prioritisation recommends."""

from dataclasses import dataclass

from django.db.models import Q

from config.errors import NotFound
from config.identifiers import parse_uuid
from inventory.models import (
    Carrier,
    CarrierCountryServiceMapping,
    CarrierStatus,
    FacilityCarrierConnection,
)
from inventory.selectors.pages import after


def get_carrier(reference):
    """A carrier by id or by its `key`."""
    carrier_id = parse_uuid(reference)
    carrier = Carrier.objects.filter(Q(id=carrier_id) if carrier_id else Q(key=reference)).first()
    if carrier is None and carrier_id:
        carrier = Carrier.objects.filter(key=reference).first()
    if carrier is None:
        raise NotFound("Carrier not found.", f"No carrier with id or key {reference!r}.")
    return carrier


def list_carriers(*, start_after_id=None, size=25, facility=None):
    carriers = Carrier.objects.all()
    if facility is not None:
        carriers = carriers.filter(facility_connections__facility=facility)
    total = carriers.count()
    return list(after(carriers, Carrier, start_after_id).order_by("id")[:size]), total


def list_country_service_mappings(carrier):
    return list(carrier.country_service_mappings.order_by("created", "id"))


def get_country_service_mapping(carrier, mapping_id):
    mapping_uuid = parse_uuid(mapping_id)
    mapping = (
        CarrierCountryServiceMapping.objects.filter(carrier=carrier, id=mapping_uuid).first()
        if mapping_uuid
        else None
    )
    if mapping is None:
        raise NotFound("Country service mapping not found.")
    return mapping


def get_connection(facility, carrier):
    connection = (
        FacilityCarrierConnection.objects.select_related("carrier")
        .filter(facility=facility, carrier=carrier)
        .first()
    )
    if connection is None:
        raise NotFound(
            "Carrier not connected to this facility.",
            f"Facility {facility.id} has no connection to carrier {carrier.key}.",
        )
    return connection


@dataclass(frozen=True)
class CarrierRecommendation:
    carrier: Carrier
    priority: float
    price_range: dict


def _in_price_range(price_range, product_value):
    """Whether a parcel of `product_value` ({value, currency, decimalPlaces}) falls in the
    range; both count in their currency's smallest unit, each with its own decimal places."""
    if price_range["currency"] != product_value["currency"]:
        return False
    value = product_value["value"] / 10 ** product_value["decimalPlaces"]
    scale = 10 ** price_range["decimalPlaces"]
    return price_range["from"] / scale <= value <= price_range["to"] / scale


def carrier_priorities(facility, product_value=None):
    """(recommended, others): the facility's active, prioritised carriers (their
    configuration's thresholdPriceValue) as CarrierRecommendations, best first. Recommended:
    the parcel's value is in the carrier's price range (every prioritised carrier when no
    value is given). A carrier without a priority is in neither: it is not prioritised."""
    connections = FacilityCarrierConnection.objects.filter(
        facility=facility,
        status=CarrierStatus.ACTIVE,
        carrier__status=CarrierStatus.ACTIVE,
        carrier__threshold_price_value__isnull=False,
    ).select_related("carrier")
    recommendations = sorted(
        (
            CarrierRecommendation(
                connection.carrier,
                connection.carrier.priority,
                connection.carrier.threshold_price_value["priceRange"],
            )
            for connection in connections
        ),
        key=lambda recommendation: (recommendation.priority, recommendation.carrier.key),
    )
    recommended, others = [], []
    for recommendation in recommendations:
        matches = product_value is None or _in_price_range(
            recommendation.price_range, product_value
        )
        (recommended if matches else others).append(recommendation)
    return recommended, others
