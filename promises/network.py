"""The network as the routing engine sees it: facility rows, their carrier connections and
country-service mappings converted to routing.types, in three queries for any network size.

The calendar enters here as plain data: a facility's closing days include the public holidays
of its region (routing/calendar.py), and each carrier connection carries the carrier's
non-delivery days (`nonDeliveryDaysPerCountryAndProvince` of the carrier's configuration,
`Carrier.configuration`, set by PUT /api/carriers/{carrierId}/configuration) and its priority
(the configuration's `thresholdPriceValue`)."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings

from config import geocoding
from inventory.models import (
    Carrier,
    CarrierCountryServiceMapping,
    CarrierStatus,
    Facility,
    FacilityCarrierConnection,
)
from routing import calendar, types

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Facilities without an explicit `timeZone` take their country's zone (else settings.TIME_ZONE).
COUNTRY_TIME_ZONES = {
    "NL": "Europe/Amsterdam",
    "DE": "Europe/Berlin",
    "BE": "Europe/Brussels",
    "LU": "Europe/Luxembourg",
    "FR": "Europe/Paris",
    "AT": "Europe/Vienna",
    "CH": "Europe/Zurich",
    "DK": "Europe/Copenhagen",
    "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague",
    "IT": "Europe/Rome",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "FI": "Europe/Helsinki",
}


class _Interner:
    """Identical schedules and connection lists become the same objects, so the engine's
    per-solve caches (keyed by identity) hit across facilities."""

    def __init__(self):
        self.objects = {}

    def __call__(self, key, build):
        if key not in self.objects:
            self.objects[key] = build()
        return self.objects[key]


def _time(value) -> dt.time:
    hour = int(value.get("hour", 0))
    minute = int(value.get("minute", 0))
    if hour >= 24:
        return dt.time(23, 59, 59)
    return dt.time(hour, minute)


def _picking_times(raw, intern) -> tuple[tuple[types.PickingWindow, ...], ...]:
    raw = raw if isinstance(raw, dict) else {}

    def build():
        days = []
        for day in WEEKDAYS:
            windows = []
            for window in raw.get(day) or []:
                try:
                    start, end = _time(window["start"]), _time(window["end"])
                except (KeyError, TypeError, ValueError, AttributeError):
                    continue
                if end > start:
                    windows.append(types.PickingWindow(start, end))
            days.append(tuple(sorted(windows, key=lambda w: (w.start, w.end))))
        return tuple(days)

    return intern(("picking", json.dumps(raw, sort_keys=True, default=str)), build)


def _closing_days(raw, now: dt.datetime, intern, region=("", "")) -> frozenset[dt.date]:
    """The facility's own closing days (YEARLY ones this year and next) and the public
    holidays of its `region` (country, subdivision)."""
    raw = raw if isinstance(raw, list) else []

    def build():
        days = set()
        for entry in raw:
            try:
                value = entry["date"] if isinstance(entry, dict) else entry
                day = dt.date.fromisoformat(str(value)[:10])
            except (KeyError, TypeError, ValueError):
                continue
            if isinstance(entry, dict) and entry.get("recurrence") == "YEARLY":
                for year in (now.year, now.year + 1):
                    try:
                        days.add(day.replace(year=year))
                    except ValueError:  # 29 February
                        continue
            else:
                days.add(day)
        return frozenset(days) | calendar.public_holidays(*region, now.year)

    return intern(
        ("closing", now.year, region, json.dumps(raw, sort_keys=True, default=str)), build
    )


def _subdivision(facility: Facility) -> str:
    """The facility's region as the `holidays` package names it: from its address' province,
    else (German states) from its city."""
    address = facility.address if isinstance(facility.address, dict) else {}
    code = calendar.subdivision_code(facility.country, str(address.get("province") or ""))
    if code or facility.country not in geocoding.GEONAMES_STATES or not facility.city:
        return code
    location = geocoding.locate(facility.country, facility.city)
    return location.subdivision if location is not None else ""


WEEKDAY_NAMES = {name.upper(): number for number, name in enumerate(WEEKDAYS)}


def _non_delivery_dates(entries, now: dt.datetime) -> frozenset[dt.date]:
    """`NonDeliveryDays` entries: SINGLE dates as given, RECURRING ones this year and next."""
    days = set()
    for entry in entries if isinstance(entries, list) else []:
        try:
            day = dt.date.fromisoformat(str(entry["nonDeliveryDay"])[:10])
        except (KeyError, TypeError, ValueError):
            continue
        if entry.get("nonDeliveryType") == "RECURRING":
            for year in (now.year, now.year + 1):
                try:
                    days.add(day.replace(year=year))
                except ValueError:  # 29 February
                    continue
        else:
            days.add(day)
    return frozenset(days)


def _weekdays(names) -> frozenset[int]:
    names = names if isinstance(names, list) else []
    return frozenset(WEEKDAY_NAMES[name] for name in names if name in WEEKDAY_NAMES)


def _carrier_calendar(carrier: Carrier, now: dt.datetime) -> tuple[types.NonDeliveryDays, ...]:
    """The carrier's `nonDeliveryDaysPerCountryAndProvince`, country entries then provinces."""
    configured = (carrier.configuration or {}).get("nonDeliveryDaysPerCountryAndProvince")
    result = []
    for entry in configured if isinstance(configured, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("country"), str):
            continue
        country = entry["country"].upper()
        result.append(
            types.NonDeliveryDays(
                country,
                "",
                _weekdays(entry.get("recurringNonDeliveryWeekdays")),
                _non_delivery_dates(entry.get("nonDeliveryDays"), now),
            )
        )
        provinces = entry.get("nonDeliveryDaysPerProvince")
        for province in provinces if isinstance(provinces, list) else []:
            if not isinstance(province, dict) or not isinstance(province.get("province"), str):
                continue
            name = province["province"]
            result.append(
                types.NonDeliveryDays(
                    country,
                    calendar.subdivision_code(country, name) or name,
                    _weekdays(province.get("recurringNonDeliveryWeekdays")),
                    _non_delivery_dates(province.get("nonDeliveryDays"), now),
                )
            )
    return tuple(result)


def _time_zone(facility: Facility) -> str:
    configured = (facility.extra or {}).get("timeZone")
    if isinstance(configured, dict) and configured.get("timeZoneId"):
        return str(configured["timeZoneId"])
    return COUNTRY_TIME_ZONES.get(facility.country, settings.TIME_ZONE)


def _services(raw) -> frozenset[str]:
    names = set()
    for service in raw or []:
        name = service.get("type") if isinstance(service, dict) else service
        if name:
            names.add(str(name))
    return frozenset(names)


def _carrier_service(mapping: CarrierCountryServiceMapping) -> types.CarrierService:
    costs = [c for c in (mapping.delivery_costs or []) if isinstance(c, dict) and "cost" in c]
    first = costs[0] if costs else None
    return types.CarrierService(
        source_country=mapping.source_country,
        destination_countries=frozenset(mapping.destination_countries or []),
        product_category=mapping.carrier_product_category,
        min_transit_days=mapping.min_transit_days,
        max_transit_days=mapping.max_transit_days,
        cost=float(first["cost"]) if first else None,
        currency=str(first.get("currency") or "EUR") if first else "EUR",
    )


def _priority(carrier) -> float | None:
    """The carrier's configured priority as a number for the engine (None: not prioritised;
    a hand-edited value that is no number counts as none)."""
    priority = carrier.priority
    if isinstance(priority, bool) or not isinstance(priority, (int, float)):
        return None
    return float(priority)


def convert_facilities(rows, now) -> dict[str, types.Facility]:
    """Routing Facilities (capacity left open) for facility rows, in three queries."""
    facility_ids = {row.id for row in rows}
    if not facility_ids:
        return {}
    connections = list(
        FacilityCarrierConnection.objects.filter(facility_id__in=facility_ids)
        .select_related("carrier")
        .order_by("carrier__key", "id")
    )
    carrier_ids = {connection.carrier_id for connection in connections}
    services_by_carrier: dict = {}
    for mapping in CarrierCountryServiceMapping.objects.filter(carrier_id__in=carrier_ids).order_by(
        "source_country", "carrier_product_category", "id"
    ):
        services_by_carrier.setdefault(mapping.carrier_id, []).append(_carrier_service(mapping))
    intern = _Interner()
    calendars = {
        connection.carrier_id: _carrier_calendar(connection.carrier, now)
        for connection in connections
    }
    connections_by_facility: dict = {}
    for connection in connections:
        carrier = connection.carrier
        converted = intern(
            (
                "connection",
                connection.carrier_id,
                connection.status,
                carrier.status,
                connection.cutoff_hour,
                connection.cutoff_minute,
                tuple(sorted(connection.valid_delivery_targets or [])),
                carrier.priority,
            ),
            lambda connection=connection, carrier=carrier: types.CarrierConnection(
                carrier_id=str(carrier.id),
                carrier_key=carrier.key,
                carrier_name=carrier.name,
                active=(
                    connection.status == CarrierStatus.ACTIVE
                    and carrier.status == CarrierStatus.ACTIVE
                ),
                cutoff_hour=connection.cutoff_hour,
                cutoff_minute=connection.cutoff_minute,
                valid_delivery_targets=frozenset(connection.valid_delivery_targets or []),
                services=tuple(services_by_carrier.get(carrier.id, ())),
                non_delivery_days=calendars[carrier.id],
                priority=_priority(carrier),
            ),
        )
        connections_by_facility.setdefault(connection.facility_id, []).append(converted)
    result = {}
    for row in rows:
        own_connections = connections_by_facility.get(row.id, [])
        subdivision = _subdivision(row)
        result[str(row.id)] = types.Facility(
            facility_id=str(row.id),
            name=row.name,
            tenant_facility_id=row.tenant_facility_id,
            type=row.type,
            location_type=row.location_type,
            status=row.status,
            services=_services(row.services),
            latitude=row.latitude,
            longitude=row.longitude,
            country=row.country,
            subdivision=subdivision,
            timezone=_time_zone(row),
            picking_times=_picking_times(row.picking_times, intern),
            closing_days=_closing_days(row.closing_days, now, intern, (row.country, subdivision)),
            fulfillment_process_buffer=row.fulfillment_process_buffer,
            remaining_capacity=None,
            carrier_connections=intern(
                ("connections", tuple(map(id, own_connections))), lambda c=own_connections: tuple(c)
            ),
        )
    return result
