"""Carriers (by id or key), their country service mappings and their facility connections."""

from django.db.models import Q

from config.errors import NotFound
from config.identifiers import parse_uuid
from inventory.models import Carrier, CarrierCountryServiceMapping, FacilityCarrierConnection
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
