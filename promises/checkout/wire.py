"""The wire shapes of the checkout options (reference `CheckoutOptions…` schemas) made from
routing decisions: dates, carriers with their non-delivery days, availabilities."""

from __future__ import annotations

import datetime as dt

from config.api.fields import format_wire_datetime
from promises.serializers import promise_carrier
from routing import delivery
from routing.types import RoutingDecision, ShippingDestination

# How far ahead a carrier's non-delivery days are listed: the engine's own horizon.
NON_DELIVERY_HORIZON_DAYS = delivery.HORIZON_DAYS


def local_midnight(day: dt.date, zone) -> str:
    """A date as the wire's date-time: its start in `zone`, in UTC (as sourcing options do)."""
    return format_wire_datetime(dt.datetime.combine(day, dt.time(), tzinfo=zone))


def delivery_days(node, destination: ShippingDestination) -> delivery.CarrierDays:
    """When the node's carrier delivers at the destination (the engine's rule)."""
    connection = None
    if node.carrier is not None:
        connection = next(
            (
                c
                for c in node.facility.carrier_connections
                if c.carrier_id == node.carrier.carrier_id
            ),
            None,
        )
    return delivery.carrier_days(
        connection, destination.country, destination.subdivision, destination.public_holidays
    )


def _non_delivery_days(days: delivery.CarrierDays, today: dt.date) -> list[str]:
    ahead = (today + dt.timedelta(days=offset) for offset in range(NON_DELIVERY_HORIZON_DAYS))
    return [day.isoformat() for day in ahead if not days.works(day)]


def available_carrier(node, days: delivery.CarrierDays, today: dt.date) -> dict:
    """`…AvailableCarrier`: the node's carrier, its latest picking start, its non-delivery
    days at the destination over the next weeks."""
    carrier = {
        "carrierRef": node.carrier.carrier_id if node.carrier else "",
        "name": node.carrier.carrier_name if node.carrier else "",
        "nonDeliveryDays": _non_delivery_days(days, today),
    }
    if node.estimate is not None:
        carrier["latestPickingStartDate"] = format_wire_datetime(node.estimate.latest_picking_start)
    return carrier


def earliest_delivery_item(article, decision: RoutingDecision, destination, today, not_before):
    """`CheckoutOptionsDeliveryEarliestResponseItem` for one unit of `article`."""
    item = {"tenantArticleId": article, "availableCarriers": []}
    if not decision.nodes or decision.unassigned:
        return item
    [node] = decision.nodes  # one unit comes from one facility
    days = delivery_days(node, destination)
    earliest = node.estimate.earliest_delivery_date
    if not_before is not None and not_before > earliest:
        earliest = next_delivery_day(not_before, days)
    item["earliestPredictedDeliveryDate"] = local_midnight(
        earliest, node.estimate.picking_start.tzinfo
    )
    if node.carrier is not None:
        item["availableCarriers"] = [available_carrier(node, days, today)]
    return item


def next_delivery_day(day: dt.date, days: delivery.CarrierDays) -> dt.date:
    for _ in range(4 * NON_DELIVERY_HORIZON_DAYS):
        if days.works(day):
            return day
        day += dt.timedelta(days=1)
    return day


def period_day(day: dt.date, zone, decision: RoutingDecision, destination, today) -> dict:
    """`CheckoutOptionsDeliveryTimePeriodResponseItem`: ALL when every unit of the basket can
    be delivered on `day` (each parcel's latest estimated delivery day has passed and its
    carrier delivers that day), PARTIAL when some parcel can, NONE otherwise."""
    ready = []
    for node in decision.nodes:
        days = delivery_days(node, destination)
        if (
            node.estimate is not None
            and node.estimate.latest_delivery_date <= day
            and days.works(day)
        ):
            ready.append((node, days))
    if ready and len(ready) == len(decision.nodes) and not decision.unassigned:
        status = "ALL"
    else:
        status = "PARTIAL" if ready else "NONE"
    carriers = {}
    for node, days in ready:
        if node.carrier is not None:
            carriers.setdefault(node.carrier.carrier_id, available_carrier(node, days, today))
    return {
        "date": local_midnight(day, zone),
        "overallStatus": status,
        "availableCarriers": list(carriers.values()),
    }


def collect_item(article, store, decision: RoutingDecision, available, desired) -> dict:
    """`CheckoutOptionsCollectEarliestResponseItem` for one unit of `article` at `store`:
    `available` is what the store itself holds (0 when it cannot be ready by `desired`)."""
    item = {"tenantArticleId": article, "facilityRef": store.facility_id, "available": available}
    if store.tenant_facility_id:
        item["tenantFacilityId"] = store.tenant_facility_id
    target = decision.collect_target_time
    if target is None or decision.unassigned:
        item["available"] = 0
        return item
    item["earliestPredictedProvisioningDate"] = format_wire_datetime(target)
    starts = [node.estimate.latest_picking_start for node in decision.nodes if node.estimate]
    if starts:
        item["latestPickingStartDate"] = format_wire_datetime(min(starts))
    if desired is not None and target > desired:
        item["available"] = 0
    return item


def availability(article, facility_id, request, node=None) -> dict:
    """`CheckoutOptionsAvailability` of `article` at a facility (what it holds now)."""
    line = next(line for line in request.lines if line.tenant_article_id == article)
    entry = {
        "tenantArticleId": article,
        "available": max(request.availability.get((facility_id, article), 0), 0),
        "isBackOrderable": line.allows_backorder,
    }
    if node is not None and node.estimate is not None:
        entry["latestPickingStart"] = format_wire_datetime(node.estimate.latest_picking_start)
    if node is not None and node.carrier is not None:
        entry["carrier"] = {
            "carrierRef": node.carrier.carrier_id,
            "carrierProductCategory": node.carrier.product_category,
        }
    return entry


def ship_from_facility(node, request) -> dict:
    """`CheckoutOptionsFacilityForSFS`: a facility that can ship (part of) the cart."""
    facility = node.facility
    articles = dict.fromkeys(line.tenant_article_id for line in request.lines)
    return {
        "facilityRef": facility.facility_id,
        "name": facility.name or facility.facility_id,
        "availabilities": [
            availability(article, facility.facility_id, request, node) for article in articles
        ],
        "deliveryOptions": (
            [promise_carrier(node.carrier, node.estimate)] if node.carrier is not None else []
        ),
        "customServices": [],
    }


def collect_facility(row, decision: RoutingDecision, request) -> dict:
    """`CheckoutOptionsFacilityForCNC`: a pickup store (its database row) and when the cart
    can be collected there."""
    facility_id = str(row.id)
    articles = dict.fromkeys(line.tenant_article_id for line in request.lines)
    zone = delivery.zone(decision.pickup_facility.timezone)
    local = request.now.astimezone(zone)
    address = {
        **(row.address or {}),
        # The reference's resolved `TimeZone`: the zone routing used, its name and offset now.
        "resolvedTimeZone": {
            "timeZoneId": decision.pickup_facility.timezone,
            "timeZoneName": local.tzname() or decision.pickup_facility.timezone,
            "offsetInSeconds": int(local.utcoffset().total_seconds()),
        },
    }
    pickup = next((node for node in decision.nodes if node.is_pickup_location), None)
    rendered = {
        "facilityRef": facility_id,
        "name": row.name,
        "address": address,
        "closingDays": row.closing_days or [],
        "pickingTimes": row.picking_times or {},
        "availabilities": [
            availability(article, facility_id, request, pickup) for article in articles
        ],
        "customServices": [],
    }
    if decision.collect_target_time is not None:
        rendered["targetTime"] = format_wire_datetime(decision.collect_target_time)
    return rendered
