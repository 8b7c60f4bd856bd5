"""Checkout options: what the product page and the cart show before anything is promised
(POST /api/promises/checkoutoptions and its delivery/earliest, delivery/timeperiod,
delivery/timepoint and collect/earliest variants).

Reads only: no order, no reservation, no write of any kind. Each answer is made by the same
adapter (`promises.adapter.build_routing_request`, on one checkout snapshot) and the same engine
(`routing.solve`, `routing.solve_options`) as a promise, so a promise made right after, for the
same cart and address, is placed and dated the same way. Every answer carries the network
version it was computed on (`CheckoutAnswer.network_version`, the view's ETag).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from config import clock
from config.api.fields import format_wire_datetime
from config.errors import InvalidInput
from inventory.models import Facility as FacilityRow
from promises.adapter import build_routing_request
from promises.checkout import wire
from promises.network import COUNTRY_TIME_ZONES
from promises.snapshot import checkout_snapshot
from routing import delivery, solve, solve_options
from routing.types import ONLINE, PICKUP, CollectDestination

DEFAULT_PERIOD_DAYS = 14
MAX_PERIOD_DAYS = 62


@dataclass(frozen=True)
class CheckoutAnswer:
    body: dict
    network_version: str


def _order(lines, *, address=None, collect_at=None, shipping=None) -> dict:
    """The order-shaped input the adapter reads, for (tenantArticleId, quantity) lines."""
    data = {
        "orderLineItems": [
            {"article": {"tenantArticleId": article}, "quantity": quantity}
            for article, quantity in lines
        ],
        "deliveryPreferences": {},
    }
    if address is not None:
        # The checkout address has no INVOICE/shipping distinction to make: it is where to go.
        data["consumer"] = {
            "addresses": [{key: value for key, value in address.items() if key != "addressType"}]
        }
    if collect_at is not None:
        data["deliveryPreferences"]["collect"] = [{"facilityRef": collect_at}]
    if shipping:
        data["deliveryPreferences"]["shipping"] = shipping
    return data


def _articles(tenant_article_ids) -> list[tuple[str, int]]:
    return [(article, 1) for article in dict.fromkeys(tenant_article_ids)]


def _basket(items) -> list[tuple[str, int]]:
    quantities: dict[str, int] = {}
    for item in items:
        article = item["tenantArticleId"]
        quantities[article] = quantities.get(article, 0) + item["quantity"]
    return list(quantities.items())


def _hints(include, article, decision) -> list[str]:
    if not include:
        return []
    hints = [
        f"{article}: {result.title}: {result.explanation}" for result in decision.rating_results
    ]
    hints += [
        f"{article}: facility {facility_id} excluded by the {fence} fence."
        for facility_id, fence in decision.excluded_facilities.items()
    ]
    hints += [f"{article}: {item.reason}" for item in decision.unassigned]
    return hints


def _today(request) -> dt.date:
    return request.now.astimezone(_zone(request.destination.country)).date()


def _zone(country: str):
    return delivery.zone(COUNTRY_TIME_ZONES.get(country, settings.TIME_ZONE))


def delivery_earliest(data) -> CheckoutAnswer:
    """The product page: per article, the earliest delivery of one unit to the address."""
    now = clock.now()
    snapshot = checkout_snapshot(now)
    request = build_routing_request(
        _order(_articles(data["tenantArticleIds"]), address=data["consumerAddress"]),
        now=now,
        snapshot=snapshot,
    )
    today = _today(request)
    not_before = data.get("earliestDeliveryDate")
    not_before = (
        not_before.astimezone(_zone(request.destination.country)).date() if not_before else None
    )
    items, hints = [], []
    for line in request.lines:
        single = request if len(request.lines) == 1 else dataclasses.replace(request, lines=(line,))
        decision = solve(single)
        items.append(
            wire.earliest_delivery_item(
                line.tenant_article_id, decision, request.destination, today, not_before
            )
        )
        hints += _hints(data.get("includeCalculationHints"), line.tenant_article_id, decision)
    body = {"checkoutOptions": items}
    if data.get("includeCalculationHints"):
        body["calculationHints"] = hints
    return CheckoutAnswer(body, snapshot.network_version)


def delivery_time_period(data) -> CheckoutAnswer:
    """The cart: for each day of the period, whether the whole basket can be delivered."""
    now = clock.now()
    snapshot = checkout_snapshot(now)
    request = build_routing_request(
        _order(
            _basket(data["basket"]),
            address=data["consumerAddress"],
            shipping=data.get("deliveryPreferences"),
        ),
        now=now,
        snapshot=snapshot,
    )
    zone = _zone(request.destination.country)
    start = data.get("startDate") or now
    end = data.get("endDate") or start + dt.timedelta(days=DEFAULT_PERIOD_DAYS)
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    if last < first:
        raise InvalidInput("endDate must not be before startDate.")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"The period may span at most {MAX_PERIOD_DAYS} days.")
    decision = solve(request)
    today = _today(request)
    days = (first + dt.timedelta(days=offset) for offset in range((last - first).days + 1))
    body = {
        "checkoutOptions": [
            wire.period_day(day, zone, decision, request.destination, today) for day in days
        ]
    }
    if data.get("includeCalculationHints"):
        body["calculationHints"] = _hints(True, "basket", decision)
    return CheckoutAnswer(body, snapshot.network_version)


def _facility_ids(references, snapshot) -> list[str]:
    """Our ids for facility references (id or tenantFacilityId), in order, from the checkout
    snapshot; an unknown one is a 400."""
    by_tenant_id = {
        facility.tenant_facility_id: facility_id
        for facility_id, facility in snapshot.facilities.items()
        if facility.tenant_facility_id
    }
    ids = []
    for reference in references:
        facility_id = reference if reference in snapshot.facilities else by_tenant_id.get(reference)
        if facility_id is None:
            raise InvalidInput(
                "facilities: unknown facility.", f"No facility with reference {reference!r}."
            )
        ids.append(facility_id)
    return ids


def delivery_time_point(data) -> CheckoutAnswer:
    """Whether each facility can still start picking by the latest picking start the shop
    holds for it (and before the desired delivery), with what it has of each article."""
    now = clock.now()
    snapshot = checkout_snapshot(now)
    pairs = data["facilities"]
    ids = _facility_ids([pair["facilityRef"] for pair in pairs], snapshot)
    request = build_routing_request(
        _order(_articles(data["tenantArticleIds"]), collect_at=ids[0]),
        now=now,
        snapshot=snapshot,
        also_load=ids,
    )
    facilities = {facility.facility_id: facility for facility in request.facilities}
    desired = data["desiredDeliveryDate"]
    items = []
    for facility_id, pair in zip(ids, pairs, strict=True):
        facility = facilities.get(facility_id)
        latest = pair["latestPickingStart"]
        start = delivery.next_picking_start(facility, now) if facility is not None else None
        in_time = (
            facility is not None
            and facility.status == ONLINE
            and start is not None
            and start <= latest <= desired
        )
        for article, _ in _articles(data["tenantArticleIds"]):
            units = max(request.availability.get((facility_id, article), 0), 0)
            items.append(
                {
                    "tenantArticleId": article,
                    "facilityRef": facility_id,
                    "available": units if in_time else 0,
                    "latestPickingStart": format_wire_datetime(latest),
                }
            )
    return CheckoutAnswer({"items": items}, snapshot.network_version)


def _pickup_stores(snapshot) -> list[str]:
    return [
        facility_id
        for facility_id, facility in sorted(snapshot.facilities.items())
        if facility.status == ONLINE and PICKUP in facility.services
    ]


def collect_earliest(data) -> CheckoutAnswer:
    """Per pickup store (those asked for, else every online store offering PICKUP) and
    article: when one unit can be collected there, and what the store holds itself."""
    now = clock.now()
    snapshot = checkout_snapshot(now)
    references = [
        entry.get("facilityRef") or entry.get("tenantFacilityRef")
        for entry in data.get("facilities") or []
    ]
    stores = (
        list(dict.fromkeys(_facility_ids(references, snapshot)))
        if references
        else _pickup_stores(snapshot)
    )
    if not stores:
        return CheckoutAnswer({"checkoutOptions": []}, snapshot.network_version)
    request = build_routing_request(
        _order(_articles(data["tenantArticleIds"]), collect_at=stores[0]),
        now=now,
        snapshot=snapshot,
        also_load=stores,
    )
    facilities = {facility.facility_id: facility for facility in request.facilities}
    items, hints = [], []
    for store_id in stores:
        store = facilities[store_id]
        for line in request.lines:
            decision = solve(
                dataclasses.replace(
                    request, destination=CollectDestination(store_id), lines=(line,)
                )
            )
            article = line.tenant_article_id
            held = max(request.availability.get((store_id, article), 0), 0)
            items.append(
                wire.collect_item(article, store, decision, held, data.get("desiredCollectDate"))
            )
            hints += _hints(data.get("includeCalculationHints"), article, decision)
    body = {"checkoutOptions": items}
    if data.get("includeCalculationHints"):
        body["calculationHints"] = hints
    return CheckoutAnswer(body, snapshot.network_version)


def checkout_options(data) -> CheckoutAnswer:
    """The (deprecated) whole-cart options: for shipping, each facility that can ship the cart
    or part of it with its carrier, costs and dates (ResponseForSFSCheckoutOptions); for a
    collect, the pickup store and when the cart can be collected (ResponseForCNCCheckoutOptions)."""
    now = clock.now()
    snapshot = checkout_snapshot(now)
    lines = _basket(
        {"tenantArticleId": item["article"]["tenantArticleId"], "quantity": item["quantity"]}
        for item in data["orderLineItems"]
    )
    preferences = data["deliveryPreferences"]
    order = _order(lines, address=data.get("consumerAddress"))
    order["deliveryPreferences"] = preferences
    request = build_routing_request(order, now=now, snapshot=snapshot)
    if preferences.get("collect"):
        decision = solve(request)
        pickup = decision.pickup_facility
        facilities = []
        if pickup is not None and decision.collect_target_time is not None:
            row = FacilityRow.objects.get(id=pickup.facility_id)
            facilities.append(wire.collect_facility(row, decision, request))
        return CheckoutAnswer({"facilities": facilities}, snapshot.network_version)
    decisions = solve_options(request, len(request.facilities) + 1)
    seen, facilities = set(), []
    for decision in decisions:
        for node in decision.nodes:
            if node.facility_id not in seen:
                seen.add(node.facility_id)
                facilities.append(wire.ship_from_facility(node, request))
    return CheckoutAnswer({"facilities": facilities}, snapshot.network_version)
