"""Facilities as clients name them (our id or their tenantFacilityId), and the facility list."""

from django.db.models import Q

from config.errors import InvalidInput, NotFound
from config.identifiers import parse_uuid
from inventory.models import Facility
from inventory.selectors.pages import after


def resolve_facility(reference, *, queryset=None):
    """The facility a client names, by our id (`facilityRef`) or by its `tenantFacilityId`.

    Every endpoint that takes a facility goes through here, so both work everywhere.
    """
    queryset = queryset if queryset is not None else Facility.objects.all()
    facility_id = parse_uuid(reference)
    if facility_id is not None:
        facility = queryset.filter(id=facility_id).first()
        if facility is not None:
            return facility
    facility = queryset.filter(tenant_facility_id=reference).first() if reference else None
    if facility is None:
        raise facility_not_found(reference)
    return facility


def facility_not_found(reference):
    return NotFound(
        "Facility not found.", f"No facility with id or tenantFacilityId {reference!r}."
    )


def resolve_facility_ids(references):
    """{reference: facility_id} for many facility references at once (ids or
    tenantFacilityIds, in one query); unknown references are absent."""
    references = {str(reference) for reference in references if reference}
    ids = {parse_uuid(reference) for reference in references} - {None}
    rows = Facility.objects.filter(Q(id__in=ids) | Q(tenant_facility_id__in=references))
    resolved = {}
    for facility_id, tenant_facility_id in rows.values_list("id", "tenant_facility_id"):
        if tenant_facility_id in references:
            resolved.setdefault(tenant_facility_id, facility_id)
        resolved[str(facility_id)] = facility_id
    return resolved


FACILITY_ORDER = {"NAME": "name", "CREATED": "created", "POSTAL_CODE_ASC": "postal_code"}


def list_facilities(
    *, statuses=(), types=(), tenant_facility_id=None, order_by=None, start_after_id=None, size=25
):
    """(page of facilities, total matching)."""
    if order_by and order_by not in FACILITY_ORDER:
        raise InvalidInput(f"orderBy: must be one of {', '.join(FACILITY_ORDER)}.")
    order_field = FACILITY_ORDER.get(order_by, "id")
    facilities = Facility.objects.all()
    if statuses:
        facilities = facilities.filter(status__in=statuses)
    if types:
        facilities = facilities.filter(type__in=types)
    if tenant_facility_id:
        facilities = facilities.filter(tenant_facility_id=tenant_facility_id)
    total = facilities.count()
    page = after(facilities, Facility, start_after_id, order_field).order_by(order_field, "id")
    return list(page[:size]), total
