"""Builds the routing engine's input (routing.types.RoutingRequest) from the database.

A bounded number of queries whatever the network size (no N+1): the routing configuration,
facility references, listings, availability (inventory.selectors.availability), facilities,
carrier connections with their carriers, country-service mappings, and — only when a facility
has a daily order capacity — today's order counter per facility.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time

from django.conf import settings
from django.db import connection as database
from django.utils import timezone

from config.errors import InvalidInput
from inventory.models import (
    CarrierCountryServiceMapping,
    CarrierStatus,
    Facility,
    FacilityCarrierConnection,
)
from inventory.selectors import (
    availability_and_backorders,
    facility_orders_on,
    resolve_facility_ids,
)
from promises.models import RoutingConfiguration as StoredRoutingConfiguration
from routing import types

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


# ---------------------------------------------------------------- configuration


def routing_configuration() -> types.RoutingConfiguration:
    """The stored configuration merged over the engine's defaults (one query, no write)."""
    stored = StoredRoutingConfiguration.objects.filter(id=1).first()
    return merge_configuration(stored)


def _number(value, default, *, minimum):
    """A stored number, or the default when it is missing or unusable (hand-edited JSON)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        return default
    return float(value)


def merge_configuration(stored) -> types.RoutingConfiguration:
    fences = dict.fromkeys(types.FENCE_NAMES, True)
    ratings = types.default_ratings()
    if stored is None:
        return types.RoutingConfiguration(fences=fences, ratings=ratings)
    for name, value in (stored.fences or {}).items():
        if name in fences and isinstance(value, dict) and "active" in value:
            fences[name] = bool(value["active"])
    for name, value in (stored.ratings or {}).items():
        if name not in ratings or not isinstance(value, dict):
            continue
        default = ratings[name]
        ratings[name] = types.RatingSetting(
            active=bool(value.get("active", default.active)),
            max_penalty=_number(value.get("maxPenalty"), default.max_penalty, minimum=0),
            threshold=_number(value.get("threshold"), default.threshold, minimum=1e-9),
        )
    return types.RoutingConfiguration(
        fences=fences, ratings=ratings, max_split_count=max(1, stored.max_split_count)
    )


# ---------------------------------------------------------------- facility conversion


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


def _closing_days(raw, now: dt.datetime, intern) -> frozenset[dt.date]:
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
        return frozenset(days)

    return intern(("closing", now.year, json.dumps(raw, sort_keys=True, default=str)), build)


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


# The network (facilities, carriers, connections, country-service mappings) and the routing
# configuration change rarely and are read on every checkout, so each process keeps them
# converted. One cheap query per checkout (`checkout_snapshot`) tells whether anything changed
# and, in the same round trip, reads the small settings a checkout needs fresh (the promise
# duration, which events have subscribers). The TTL also catches writes that bypass
# `version`/`last_modified` (raw SQL, bulk tools).
NETWORK_CACHE_SECONDS = 60
_network_cache: dict = {}

NETWORK_TABLES = (
    "inventory_facility",
    "inventory_facilitycarrierconnection",
    "inventory_carrier",
    "inventory_carriercountryservicemapping",
    "promises_routingconfiguration",
)
# Row count, sum of versions and latest change per table: any insert, delete or edit moves it.
NETWORK_STAMP_SQL = ", ".join(
    f"(SELECT CAST(COUNT(*) AS TEXT) || '/' || CAST(COALESCE(SUM(version), 0) AS TEXT) || '/' "
    f"|| COALESCE(CAST(MAX(last_modified) AS TEXT), '') FROM {table})"
    for table in NETWORK_TABLES
)
SETTINGS_SQL = (
    "(SELECT invalid_after_time FROM promises_promisesconfiguration WHERE id = 1), "
    "(SELECT {aggregate} FROM (SELECT DISTINCT event FROM events_subscription) AS subscribed)"
)


@dataclasses.dataclass(frozen=True)
class CheckoutSnapshot:
    """What a checkout reads besides stock, in one query: the converted network, the routing
    configuration, the stored promise duration (None: never configured) and the events that
    have at least one subscription."""

    facilities: dict  # {facility id: routing Facility without capacity}
    capacities: dict  # {facility id: daily order capacity}
    routing_configuration: types.RoutingConfiguration
    invalid_after_time: str | None
    subscribed_events: frozenset


def clear_network_cache():
    _network_cache.clear()


def checkout_snapshot(now=None) -> CheckoutSnapshot:
    now = now or timezone.now()
    aggregate = (
        "string_agg(event, ',')" if database.vendor == "postgresql" else "group_concat(event)"
    )
    with database.cursor() as cursor:
        cursor.execute(f"SELECT {NETWORK_STAMP_SQL}, {SETTINGS_SQL.format(aggregate=aggregate)}")
        *stamp, invalid_after_time, subscribed = cursor.fetchone()
    key = (database.alias, database.settings_dict["NAME"], *stamp, now.year)
    cached = _network_cache.get("network")
    if cached and cached[0] == key and time.monotonic() - cached[1] < NETWORK_CACHE_SECONDS:
        facilities, capacities, configuration = cached[2]
    else:
        rows = list(Facility.objects.order_by("id"))
        facilities = _convert_facilities(rows, now)
        capacities = {
            str(row.id): row.daily_order_capacity
            for row in rows
            if row.daily_order_capacity is not None
        }
        configuration = routing_configuration()
        _network_cache["network"] = (
            key,
            time.monotonic(),
            (facilities, capacities, configuration),
        )
    return CheckoutSnapshot(
        facilities=facilities,
        capacities=capacities,
        routing_configuration=configuration,
        invalid_after_time=invalid_after_time,
        subscribed_events=frozenset(subscribed.split(",")) if subscribed else frozenset(),
    )


def _with_remaining_capacity(facility: types.Facility, remaining: int) -> types.Facility:
    """`dataclasses.replace(facility, remaining_capacity=remaining)` without re-running the
    constructor: a checkout does this for every facility with a daily capacity."""
    copied = object.__new__(types.Facility)
    copied.__dict__.update(facility.__dict__, remaining_capacity=remaining)
    return copied


def load_facilities(facility_ids, *, now, snapshot=None) -> dict[str, types.Facility]:
    """{facility id (str): routing Facility}: the cached network plus today's capacity."""
    wanted = {str(facility_id) for facility_id in facility_ids}
    if not wanted:
        return {}
    snapshot = snapshot or checkout_snapshot(now)
    network, capacities = snapshot.facilities, snapshot.capacities
    limited = {
        facility_id: capacities[facility_id] for facility_id in wanted if facility_id in capacities
    }
    remaining = _remaining_capacities(limited, now)
    result = {}
    for facility_id in sorted(wanted):
        facility = network.get(facility_id)
        if facility is None:
            continue
        if facility_id in remaining:
            facility = _with_remaining_capacity(facility, remaining[facility_id])
        result[facility_id] = facility
    return result


def _convert_facilities(rows, now) -> dict[str, types.Facility]:
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
            ),
        )
        connections_by_facility.setdefault(connection.facility_id, []).append(converted)
    result = {}
    for row in rows:
        own_connections = connections_by_facility.get(row.id, [])
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
            timezone=_time_zone(row),
            picking_times=_picking_times(row.picking_times, intern),
            closing_days=_closing_days(row.closing_days, now, intern),
            fulfillment_process_buffer=row.fulfillment_process_buffer,
            remaining_capacity=None,
            carrier_connections=intern(
                ("connections", tuple(map(id, own_connections))), lambda c=own_connections: tuple(c)
            ),
        )
    return result


def _remaining_capacities(limited, now) -> dict:
    """{facility id: daily order capacity minus the orders counted there today (UTC)}, for
    `limited` = {facility id: capacity}."""
    if not limited:
        return {}
    used = {
        str(facility_id): orders
        for facility_id, orders in facility_orders_on(
            now.astimezone(dt.UTC).date(), limited
        ).items()
    }
    return {
        facility_id: capacity - used.get(facility_id, 0)
        for facility_id, capacity in limited.items()
    }


# ---------------------------------------------------------------- the request


def _reference(entry) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        return entry.get("facilityRef") or entry.get("tenantFacilityId")
    return None


def _resolve(references, resolved, what) -> frozenset[str]:
    ids = set()
    for reference in references:
        facility_id = resolved.get(str(reference))
        if facility_id is None:
            raise InvalidInput(
                f"{what}: unknown facility.",
                f"No facility with facilityRef or tenantFacilityId {reference!r}.",
            )
        ids.add(str(facility_id))
    return frozenset(ids)


def _shipping_address(consumer) -> dict:
    addresses = (consumer or {}).get("addresses") or []
    for address in addresses:
        if address.get("addressType") != "INVOICE_ADDRESS" and address.get("country"):
            return address
    raise InvalidInput(
        "consumer.addresses: a shipping address with a country is required.",
        "Shipping needs the consumer's country to find carriers; "
        "send deliveryPreferences.collect for click-and-collect.",
    )


def _level(value) -> float:
    if value is None:
        return 0.0
    try:
        level = float(value)
    except (TypeError, ValueError):
        raise InvalidInput("resourceInvestment.level must be a number from 0 to 1.") from None
    if not 0 <= level <= 1:
        raise InvalidInput("resourceInvestment.level must be a number from 0 to 1.")
    return level


def build_routing_request(
    data, *, now=None, resource_investment=None, snapshot=None
) -> types.RoutingRequest:
    """The engine input for a wire order (`PromiseRequest` / `OrderForSourcingOptionsRequest`
    shape, already validated): `orderLineItems`, `consumer.addresses`, `deliveryPreferences`,
    and `additionalInfo.resourceInvestment.level` unless `resource_investment` is given.

    Line ids are the line positions as strings ("0", "1", …). Facility references accept our
    id (`facilityRef`) or `tenantFacilityId`; an unknown one is a 400 InvalidInput.
    """
    now = now or timezone.now()
    lines = _order_lines(data)
    if resource_investment is None:
        resource_investment = (
            (data.get("additionalInfo") or {}).get("resourceInvestment") or {}
        ).get("level")
    level = _level(resource_investment)
    preferences = data.get("deliveryPreferences") or {}
    collect = (preferences.get("collect") or [None])[0]
    shipping = {} if collect else preferences.get("shipping") or {}
    pickup_reference, supplying, preselected = _facility_references(collect, preferences, shipping)
    references = [pickup_reference, *supplying] if collect else preselected
    resolved = resolve_facility_ids(references) if references else {}

    snapshot = snapshot or checkout_snapshot(now)
    levels, backorderable = availability_and_backorders(
        sorted({article for _, article, _ in lines}), now=now
    )
    stock = {
        (str(facility_id), article): level.available
        for (facility_id, article), level in levels.items()
        if level.available > 0
    }
    if collect:
        [pickup_id] = _resolve([pickup_reference], resolved, "deliveryPreferences.collect")
        destination = types.CollectDestination(pickup_id)
        supplying_ids = _resolve(supplying, resolved, "supplyingFacilities")
        preselected_ids = frozenset()
        facility_ids = {facility_id for facility_id, _ in stock} | {pickup_id}
    else:
        destination = _shipping_destination(data.get("consumer"))
        preselected_ids = _resolve(preselected, resolved, "shipping.preselectedFacilities")
        supplying_ids = frozenset()
        facility_ids = {facility_id for facility_id, _ in stock}

    facilities = load_facilities(facility_ids, now=now, snapshot=snapshot)
    return types.RoutingRequest(
        lines=tuple(
            types.OrderLine(line_id, article, quantity, article in backorderable)
            for line_id, article, quantity in lines
        ),
        destination=destination,
        facilities=tuple(facilities[key] for key in sorted(facilities)),
        availability=stock,
        now=now,
        configuration=snapshot.routing_configuration,
        carrier_product_category=shipping.get("carrierProductCategory"),
        service_level=shipping.get("serviceLevel"),
        preferred_carrier_keys=frozenset(shipping.get("preferredCarriers") or []),
        preselected_facility_ids=preselected_ids,
        supplying_facility_ids=supplying_ids,
        resource_investment=level,
    )


def _order_lines(data) -> list[tuple[str, str, int]]:
    """(line id, tenantArticleId, quantity) per line item, the line id being its position."""
    items = data.get("orderLineItems") or []
    if not items:
        raise InvalidInput("orderLineItems: at least one line item is required.")
    lines = []
    for position, item in enumerate(items):
        article = (item.get("article") or {}).get("tenantArticleId")
        quantity = item.get("quantity")
        if not article or not isinstance(quantity, int) or quantity < 1:
            raise InvalidInput(
                f"orderLineItems[{position}]: article.tenantArticleId and a quantity ≥ 1 "
                "are required."
            )
        lines.append((str(position), article, quantity))
    return lines


def _references(entries) -> list[str]:
    return [reference for reference in map(_reference, entries or []) if reference]


def _facility_references(collect, preferences, shipping):
    """(pickup store, supplying facilities, preselected facilities) as the client referenced
    them: the first two for click-and-collect, the last for shipping."""
    if not collect:
        return None, [], _references(shipping.get("preselectedFacilities"))
    pickup_reference = _reference(collect)
    if not pickup_reference:
        raise InvalidInput(
            "deliveryPreferences.collect[0]: facilityRef or tenantFacilityId is required."
        )
    supplying = [
        *_references(collect.get("supplyingFacilities")),
        *_references(collect.get("supplyingFacilitiesConfigurations")),
        *_references(preferences.get("supplyingFacilities")),
    ]
    return pickup_reference, supplying, []


def _shipping_destination(consumer) -> types.ShippingDestination:
    address = _shipping_address(consumer)
    coordinates = address.get("coordinates") or {}
    return types.ShippingDestination(
        country=address["country"],
        latitude=coordinates.get("lat"),
        longitude=coordinates.get("lon"),
        postal_code=address.get("postalCode") or "",
    )
