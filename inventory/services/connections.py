"""Facility–carrier connections: connect a carrier to a facility, change the connection."""

from django.db import transaction

from config.errors import Conflict
from inventory.models import FacilityCarrierConnection
from inventory.selectors.carriers import get_carrier, get_connection
from inventory.selectors.facilities import resolve_facility
from inventory.services.changes import check_version


def _apply_connection(connection, data):
    if "status" in data:
        connection.status = data["status"]
    if "cutoffTime" in data:
        connection.cutoff_hour = data["cutoffTime"]["hour"]
        connection.cutoff_minute = data["cutoffTime"]["minute"]
    if "validDeliveryTargets" in data:
        connection.valid_delivery_targets = data["validDeliveryTargets"]
    if "deliveryAreas" in data:
        connection.delivery_areas = data["deliveryAreas"]
    connection.extra = {**connection.extra, **data.get("extra", {})}


@transaction.atomic
def connect_carrier(facility_reference, carrier_reference, data):
    facility = resolve_facility(facility_reference)
    carrier = get_carrier(carrier_reference)
    if FacilityCarrierConnection.objects.filter(facility=facility, carrier=carrier).exists():
        raise Conflict(
            "Carrier already connected.",
            "Use PUT to change the connection of this carrier to this facility.",
        )
    connection = FacilityCarrierConnection(facility=facility, carrier=carrier)
    _apply_connection(connection, data)
    connection.save()
    return connection


@transaction.atomic
def update_connection(facility_reference, carrier_reference, data):
    connection = get_connection(
        resolve_facility(facility_reference), get_carrier(carrier_reference)
    )
    connection = (
        FacilityCarrierConnection.objects.select_for_update()
        .select_related("carrier")
        .get(id=connection.id)
    )
    check_version(connection, data["version"])
    _apply_connection(connection, data)
    connection.version += 1
    connection.save()
    return connection
