"""What a checkout reads besides stock: the converted network and routing configuration,
kept per process and revalidated by one cheap query, plus today's remaining capacities."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time

from django.db import connection

from config import clock
from inventory.models import Facility
from inventory.selectors.capacity import facility_orders_on
from promises.models import RoutingConfiguration as StoredRoutingConfiguration
from promises.network import convert_facilities
from promises.sql import network_stamp_and_settings
from routing import types


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
    fences = types.default_fences()
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


# The network (facilities, carriers, connections, country-service mappings) and the routing
# configuration change rarely and are read on every checkout, so each process keeps them
# converted. One cheap query per checkout (`checkout_snapshot`) tells whether anything changed
# and, in the same round trip, reads the small settings a checkout needs fresh (the promise
# duration, which events have subscribers). The TTL also catches writes that bypass
# `version`/`last_modified` (raw SQL, bulk tools).
NETWORK_CACHE_SECONDS = 60
_network_cache: dict = {}


@dataclasses.dataclass(frozen=True)
class CheckoutSnapshot:
    """What a checkout reads besides stock, in one query: the converted network, the routing
    configuration, the stored promise duration (None: never configured), the events that
    have at least one subscription and the GDPR actor anonymization."""

    facilities: dict  # {facility id: routing Facility without capacity}
    capacities: dict  # {facility id: daily order capacity}
    routing_configuration: types.RoutingConfiguration
    invalid_after_time: str | None
    subscribed_events: frozenset
    # Moves whenever a facility, carrier, connection, mapping or the routing configuration
    # changes: what a cached checkout answer depends on besides stock (checkout options).
    network_version: str = ""
    actor_anonymization: bool = True  # the GDPR setting, read fresh with the stamp


def clear_network_cache():
    _network_cache.clear()


def checkout_snapshot(now=None) -> CheckoutSnapshot:
    now = now or clock.now()
    settings = network_stamp_and_settings()
    # Not keyed by alias: the replica holds the same rows, so both share one conversion.
    key = (connection.settings_dict["NAME"], *settings.stamp, now.year)
    cached = _network_cache.get("network")
    if cached and cached[0] == key and time.monotonic() - cached[1] < NETWORK_CACHE_SECONDS:
        facilities, capacities, configuration = cached[2]
    else:
        rows = list(Facility.objects.order_by("id"))
        facilities = convert_facilities(rows, now)
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
        invalid_after_time=settings.invalid_after_time,
        subscribed_events=settings.subscribed_events,
        actor_anonymization=settings.actor_anonymization,
        network_version=_version(settings.stamp),
    )


def _version(stamp) -> str:
    """A short name of the network stamp (row counts, version sums, latest changes)."""
    return hashlib.blake2b("|".join(map(str, stamp)).encode(), digest_size=8).hexdigest()


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
