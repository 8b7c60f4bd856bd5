"""Sourcing options: the wire `SourcingOption` of a routing decision, and the "what if" of
POST /api/routing/sourcingoptions (the engine runs on the order, nothing is reserved; the
answer is kept for the promise duration, promises/sourcing_store.py, so GET
…/sourcingoptions/{id} can read it again; the views are in promises/views.py).

Shape (reference `SourcingOption`): facility nodes plus, for shipping, a CUSTOMER node;
`transfers` carry the goods between nodes — facility → customer when shipping, facility →
pickup store for click-and-collect — each with its carrier and a `TransferTimeLine`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from config import metrics
from promises.adapter import build_routing_request
from routing import solve_options
from routing.types import COLLECT, RATING_GEO_DISTANCE, RoutingDecision, RoutingRequest

RATING_TYPE = "StandardRating"
ROUTING_STRATEGY_NODE = "default"
CUSTOMER_NODE_ID = "customer"


def _timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _node_id(facility_id: str) -> str:
    return f"facility-{facility_id}"


def _handled_items(allocations) -> list[dict]:
    quantities: dict[str, int] = defaultdict(int)
    for allocation in allocations:
        quantities[allocation.tenant_article_id] += allocation.quantity
    return [
        {"tenantArticleId": article, "quantity": quantity}
        for article, quantity in quantities.items()
        if quantity > 0
    ]


def _money(amount: float, currency: str) -> dict:
    # Money in major units (4.95 EUR), decimalPlaces saying how many decimals are meaningful.
    return {"value": round(amount, 2), "currency": currency, "decimalPlaces": 2}


def _carrier(choice) -> dict | None:
    if choice is None:
        return None
    return {"carrierKey": choice.carrier_key, "carrierName": choice.carrier_name}


def _rating(result, destination=None) -> dict:
    rendered = {
        "id": result.name,
        "name": result.title,
        "type": RATING_TYPE,
        "routingStrategyNodeId": ROUTING_STRATEGY_NODE,
        "penalty": result.penalty,
        # Not in the reference schema (which allows extra properties): why this penalty.
        "metric": result.metric,
        "threshold": result.threshold,
        "maxPenalty": result.max_penalty,
        "explanation": result.explanation,
    }
    if result.name == RATING_GEO_DISTANCE and getattr(destination, "coordinates_source", ""):
        # Not in the reference schema either: the consumer's point distance was measured from,
        # and where it came from (the address, or its city or country resolved offline).
        rendered["destinationCoordinates"] = {
            "lat": destination.latitude,
            "lon": destination.longitude,
            "source": destination.coordinates_source,
        }
    return rendered


def _facility_node(facility, allocations, *, is_pickup=False) -> dict:
    node = {
        "id": _node_id(facility.facility_id),
        "type": facility.type,
        "facilityRef": facility.facility_id,
        "lineItems": _handled_items(allocations),
        "isPickUpLocation": is_pickup,
    }
    if facility.tenant_facility_id:
        node["tenantFacilityId"] = facility.tenant_facility_id
    return node


def sourcing_option(
    decision: RoutingDecision,
    request: RoutingRequest,
    *,
    run_id: str | None = None,
    valid_until: dt.datetime | None = None,
) -> dict:
    """The wire `SourcingOption` for `decision` (made from `request`)."""
    run_id = run_id or str(uuid.uuid4())
    if decision.method == COLLECT:
        nodes, transfers = _collect_nodes(decision), _collect_transfers(decision)
    else:
        nodes, transfers = _shipping_nodes(decision), _shipping_transfers(decision, request)
    option = {
        "id": str(uuid.uuid4()),
        "runId": run_id,
        "totalPenalty": decision.total_penalty,
        "nodes": nodes,
        "transfers": transfers,
        "ratingResults": [
            _rating(result, request.destination) for result in decision.rating_results
        ],
        "priorityRatingResults": [],
        "nonAssignedOrderLineItems": _non_assigned_items(decision),
    }
    if decision.estimated_delivery_date is not None:
        key = "estimatedPickupDate" if decision.method == COLLECT else "estimatedDeliveryDate"
        option[key] = decision.estimated_delivery_date.isoformat()
    option["totalCosts"] = _total_costs(decision)
    if valid_until is not None:
        option["validUntil"] = _timestamp(valid_until)
    return option


def option_summary(option) -> dict | None:
    """Where a stored SourcingOption places the order, in a few words for the order's history:
    {"facilities": [tenantFacilityId or id], "carriers": [carrierKey],
    "estimatedDeliveryDate": date} (the pickup date for click and collect)."""
    if not isinstance(option, dict):
        return None
    facilities = [
        node.get("tenantFacilityId") or node.get("facilityRef")
        for node in option.get("nodes") or []
        if isinstance(node, dict) and node.get("facilityRef") and node.get("lineItems")
    ]
    carriers = sorted(
        {
            transfer["carrier"].get("carrierKey")
            for transfer in option.get("transfers") or []
            if isinstance(transfer, dict) and isinstance(transfer.get("carrier"), dict)
        }
        - {None}
    )
    return {
        "facilities": facilities,
        "carriers": carriers,
        "estimatedDeliveryDate": option.get("estimatedDeliveryDate")
        or option.get("estimatedPickupDate"),
    }


def _collect_nodes(decision) -> list[dict]:
    """The pickup store first (it hands out everything the consumer collects), then the
    facilities that send goods to it."""
    nodes = [
        _facility_node(node.facility, node.allocations)
        for node in decision.nodes
        if not node.is_pickup_location
    ]
    if decision.pickup_facility is not None:
        nodes.insert(
            0, _facility_node(decision.pickup_facility, decision.allocations, is_pickup=True)
        )
    return nodes


def _collect_transfers(decision) -> list[dict]:
    transfers = []
    for transfer in decision.transfers:
        rendered = {
            "sourceNodeRef": _node_id(transfer.source_facility_id),
            "targetNodeRef": _node_id(transfer.target_facility_id),
            "lineItems": _handled_items(transfer.allocations),
            "packagingInformation": [],
            "timeLine": _transfer_time_line(transfer.time_line),
        }
        if transfer.carrier is not None:
            rendered["carrier"] = _carrier(transfer.carrier)
        transfers.append(rendered)
    return transfers


def _transfer_time_line(line) -> dict:
    time_line = {
        "calculationStartPoint": _timestamp(line.calculation_start_point),
        "earliestPickingStart": _timestamp(line.earliest_picking_start),
        "latestPickingStart": _timestamp(line.latest_picking_start),
        "targetTime": _timestamp(line.target_time),
    }
    if line.earliest_possible_delivery_time is not None:
        time_line["earliestPossibleDeliveryTime"] = _timestamp(line.earliest_possible_delivery_time)
    if line.used_transit_time_in_days is not None:
        time_line["usedTransitTimeInDays"] = line.used_transit_time_in_days
    return time_line


def _shipping_nodes(decision) -> list[dict]:
    """The facilities, then the CUSTOMER node that receives everything shipped."""
    nodes = [_facility_node(node.facility, node.allocations) for node in decision.nodes]
    if decision.allocations:
        nodes.append(
            {
                "id": CUSTOMER_NODE_ID,
                "type": "CUSTOMER",
                "lineItems": _handled_items(decision.allocations),
                "isPickUpLocation": False,
            }
        )
    return nodes


def _shipping_transfers(decision, request) -> list[dict]:
    transfers = []
    for node in decision.nodes:
        rendered = {
            "sourceNodeRef": _node_id(node.facility_id),
            "targetNodeRef": CUSTOMER_NODE_ID,
            "lineItems": _handled_items(node.allocations),
            "packagingInformation": [],
        }
        if node.carrier is not None:
            rendered["carrier"] = _carrier(node.carrier)
        if node.estimate is not None:
            rendered["timeLine"] = _shipping_time_line(node, request.now)
        transfers.append(rendered)
    return transfers


def _shipping_time_line(node, calculation_start) -> dict:
    estimate = node.estimate
    earliest_delivery = dt.datetime.combine(
        estimate.earliest_delivery_date, dt.time(), tzinfo=estimate.picking_start.tzinfo
    )
    return {
        "calculationStartPoint": _timestamp(calculation_start),
        "earliestPickingStart": _timestamp(estimate.picking_start),
        "latestPickingStart": _timestamp(estimate.latest_picking_start),
        "targetTime": _timestamp(estimate.ready_at),
        "earliestPossibleDeliveryTime": _timestamp(earliest_delivery),
        "usedTransitTimeInDays": node.carrier.max_transit_days if node.carrier is not None else 1,
    }


def _non_assigned_items(decision) -> list[dict]:
    unassigned: dict[str, int] = defaultdict(int)
    for item in decision.unassigned:
        unassigned[item.tenant_article_id] += item.quantity
    return [
        {"tenantArticleId": article, "quantity": quantity}
        for article, quantity in unassigned.items()
    ]


def _total_costs(decision) -> dict:
    costs = {"salesPrices": []}
    if decision.total_costs is not None:
        total = _money(decision.total_costs.amount, decision.total_costs.currency)
        costs["totalCosts"] = total
        costs["totalShippingCosts"] = {"totalTransportCostAmount": dict(total)}
    return costs


def sourcing_options(data, *, now=None, valid_until=None, snapshot=None) -> dict:
    """`SourcingOptionsResponse` for a validated `SourcingOptionsRequest` (reads only; the
    service that keeps it is promises.services.create_sourcing_options)."""
    level = (data.get("resourceInvestment") or {}).get("level", 0.0)
    count = (data.get("optimizationHints") or {}).get("requestedResultCount", 1)
    routing_request = build_routing_request(
        data["order"], now=now, resource_investment=level, snapshot=snapshot
    )
    with metrics.routing_solve_timer("sourcing_options", routing_request.resource_investment):
        decisions = solve_options(routing_request, count)
    run_id = str(uuid.uuid4())
    return {
        "id": run_id,
        "result": {
            "options": [
                sourcing_option(decision, routing_request, run_id=run_id, valid_until=valid_until)
                for decision in decisions
            ]
        },
    }
