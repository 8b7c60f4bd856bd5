"""Builds the routing engine's input (routing.types.RoutingRequest) for a wire order.

A bounded number of queries whatever the network size (no N+1): facility references, stock
availability with the backorderable articles (inventory.selectors.availability_and_backorders),
and the checkout snapshot (promises/snapshot.py: the cached network, today's capacities).
"""

from __future__ import annotations

from config import clock, geocoding
from config.errors import InvalidInput
from inventory.selectors.availability import availability_and_backorders
from inventory.selectors.facilities import resolve_facility_ids
from promises.snapshot import checkout_snapshot, load_facilities
from routing import calendar, types


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
    data, *, now=None, resource_investment=None, snapshot=None, also_load=()
) -> types.RoutingRequest:
    """The engine input for a wire order (`PromiseRequest` / `OrderForSourcingOptionsRequest`
    shape, already validated): `orderLineItems`, `consumer.addresses`, `deliveryPreferences`,
    and `additionalInfo.resourceInvestment.level` unless `resource_investment` is given.

    Line ids are the line positions as strings ("0", "1", …). Facility references accept our
    id (`facilityRef`) or `tenantFacilityId`; an unknown one is a 400 InvalidInput.
    `also_load`: facility ids to include besides those stocking the cart (checkout options
    compare pickup stores that may hold none of it).
    """
    now = now or clock.now()
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
        destination = _shipping_destination(data.get("consumer"), now)
        preselected_ids = _resolve(preselected, resolved, "shipping.preselectedFacilities")
        supplying_ids = frozenset()
        facility_ids = {facility_id for facility_id, _ in stock}

    facilities = load_facilities(facility_ids | set(also_load), now=now, snapshot=snapshot)
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


def shipping_destination(address, now) -> types.ShippingDestination:
    """The engine's destination for a consumer address (`country` required): its coordinates,
    else those of its city or country (config/geocoding.py); its region (the province, else
    the city's) and that region's public holidays (routing/calendar.py). Per-process caches
    answer all of it after the first time."""
    country = address["country"]
    coordinates = address.get("coordinates") or {}
    location = geocoding.resolve(
        country, address.get("city") or "", coordinates.get("lat"), coordinates.get("lon")
    )
    subdivision = calendar.subdivision_code(country, address.get("province") or "")
    if not subdivision and country in geocoding.GEONAMES_STATES:
        city = geocoding.locate(country, address.get("city") or "")
        subdivision = city.subdivision if city is not None else ""
    return types.ShippingDestination(
        country=country,
        latitude=location.latitude if location is not None else None,
        longitude=location.longitude if location is not None else None,
        postal_code=address.get("postalCode") or "",
        subdivision=subdivision,
        public_holidays=calendar.public_holidays(country, subdivision, now.year),
        coordinates_source=location.describe() if location is not None else "",
    )


def _shipping_destination(consumer, now) -> types.ShippingDestination:
    return shipping_destination(_shipping_address(consumer), now)
