"""Facility writes: create, replace (PUT), modify (PATCH) and delete."""

from django.db import transaction

from config import geocoding
from config.errors import Conflict
from inventory.models import Facility, Reservation
from inventory.selectors.availability import active_reservations
from inventory.selectors.facilities import resolve_facility
from inventory.services.changes import apply_fields, check_version, merged_extra

# Fields a PUT resets when they are not sent (other fields are required or have no default).
FACILITY_DEFAULTS = {
    "services": [],
    "picking_times": {},
    "closing_days": [],
    "fulfillment_process_buffer": 240,
}


def _locked_facility(reference):
    facility = resolve_facility(reference)
    return Facility.objects.select_for_update().get(id=facility.id)


def _daily_order_capacity(picking_times, capacity_enabled):
    """With capacity planning on, the smallest day total of the picking ranges' capacities
    (routing must not promise more than the weakest picking day can carry)."""
    if not capacity_enabled:
        return None
    totals = [
        sum(time_range.get("capacity", 0) for time_range in ranges)
        for ranges in (picking_times or {}).values()
        if ranges and all("capacity" in time_range for time_range in ranges)
    ]
    return min(totals) if totals else None


def _apply_facility(facility, data, *, replace):
    for name in ("name", "type", "location_type", "status", "tenant_facility_id"):
        if name in data:
            setattr(facility, name, data[name])
    apply_fields(facility, data, FACILITY_DEFAULTS, replace=replace)
    if "address" in data or replace:
        _apply_address(facility, data.get("address") or {})
    extra = merged_extra({} if replace else facility.extra, data.get("extra"))
    if "capacity_enabled" in data:
        extra["capacityEnabled"] = bool(data["capacity_enabled"])
    facility.extra = extra
    facility.daily_order_capacity = _daily_order_capacity(
        facility.picking_times, extra.get("capacityEnabled", False)
    )
    if facility.tenant_facility_id:
        _refuse_taken_tenant_facility_id(facility)


def _apply_address(facility, address):
    """The wire address, and the columns routing reads from it (a point from its city when
    the client sent none)."""
    address = geocoding.with_resolved_coordinates(address)
    facility.address = address
    coordinates = address.get("resolvedCoordinates") or {}
    facility.country = address.get("country", "")
    facility.postal_code = address.get("postalCode", "")
    facility.city = address.get("city", "")
    facility.latitude = coordinates.get("lat")
    facility.longitude = coordinates.get("lon")


def _refuse_taken_tenant_facility_id(facility):
    taken = Facility.objects.filter(tenant_facility_id=facility.tenant_facility_id)
    if taken.exclude(id=facility.id).exists():
        raise Conflict(
            "tenantFacilityId already in use.",
            f"Another facility has tenantFacilityId {facility.tenant_facility_id!r}.",
        )


@transaction.atomic
def create_facility(data):
    facility = Facility()
    _apply_facility(facility, data, replace=True)
    facility.save()
    return facility


@transaction.atomic
def replace_facility(reference, data):
    """PUT: every field not sent goes back to its default."""
    facility = _locked_facility(reference)
    check_version(facility, data["version"])
    _apply_facility(facility, data, replace=True)
    facility.version += 1
    facility.save()
    return facility


@transaction.atomic
def modify_facility(reference, version, changes):
    """PATCH: `changes` is one partial update or a list of them (ModifyFacility actions),
    applied in order under one version check."""
    facility = _locked_facility(reference)
    check_version(facility, version)
    for change in changes if isinstance(changes, list) else [changes]:
        _apply_facility(facility, change, replace=False)
    facility.version += 1
    facility.save()
    return facility


@transaction.atomic
def delete_facility(reference):
    """Deleting a facility removes its listings, stock and carrier connections. Refused while
    reservations hold its stock: those belong to open orders and promises."""
    facility = _locked_facility(reference)
    active = active_reservations().filter(facility=facility)
    if active.exists():
        raise Conflict(
            "Facility holds reserved stock.",
            "Release or fulfil the orders holding stock here before deleting the facility.",
        )
    Reservation.objects.filter(facility=facility).delete()  # only expired ones are left
    facility.delete()
