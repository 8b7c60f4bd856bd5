"""Writes to the inventory. Reservation writes lock stock rows through inventory.locking."""

import datetime
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from config import clock
from config.db import insert_instances
from config.errors import Conflict, InvalidInput, NotFound, PromiseExpired, VersionConflict
from events.services import record_stock_event, record_stock_events
from inventory.locking import (
    lock_stocks,
    lock_stocks_by_ids,
    lock_stocks_by_ids_and_keys,
    lock_stocks_of_order,
)
from inventory.models import (
    Carrier,
    CarrierCountryServiceMapping,
    CarrierStatus,
    Facility,
    FacilityCarrierConnection,
    FacilityDailyOrders,
    Listing,
    ListingStatus,
    OutOfStockBehaviour,
    Reservation,
    Stock,
)
from inventory.selectors import (
    UUID_ARRAY_SQL,
    active_reservations,
    as_uuid,
    get_carrier,
    get_connection,
    get_country_service_mapping,
    get_listing,
    reserved_by_stock,
    resolve_facility,
    resolve_facility_ids,
    uuid_array,
)


@dataclass(frozen=True)
class Allocation:
    """`quantity` units of an article at a facility, for one order line."""

    facility_id: object
    tenant_article_id: str
    quantity: int
    order_line_item_id: object = None


@dataclass(frozen=True)
class Shortage:
    facility_id: object
    tenant_article_id: str
    requested: int
    available: int


class InsufficientStock(InvalidInput):
    def __init__(self, shortages):
        self.shortages = shortages
        details = "; ".join(
            f"{shortage.tenant_article_id}: requested {shortage.requested}, "
            f"available {shortage.available}"
            for shortage in shortages
        )
        super().__init__("Not enough stock.", details)


def reserve_stock(allocations, *, valid_until):
    """Reserve every allocation or nothing.

    Locks the stock rows in id order, then re-reads availability under the lock, so two
    checkouts racing for the last unit cannot both get it. Its own transaction, or part of the
    caller's without a savepoint (a checkout would pay two more round trips): a shortage is
    raised after the block, when nothing has been written.
    """
    requested = defaultdict(int)
    for allocation in allocations:
        if allocation.quantity <= 0:
            raise InvalidInput("A reservation needs a positive quantity.")
        requested[(allocation.facility_id, allocation.tenant_article_id)] += allocation.quantity

    with transaction.atomic(savepoint=False):
        stocks = lock_stocks(requested)
        # Read after the locks: a reservation that expired while we waited is free.
        reserved = reserved_by_stock([stock.id for stock in stocks.values()], now=clock.now())

        shortages = []
        for key, quantity in sorted(
            requested.items(), key=lambda item: (str(item[0][0]), item[0][1])
        ):
            stock = stocks.get(key)
            available = stock.value - reserved.get(stock.id, 0) if stock else 0
            if quantity > available:
                shortages.append(Shortage(key[0], key[1], quantity, max(available, 0)))
        if not shortages:
            return insert_instances(
                Reservation(
                    stock=stocks[(allocation.facility_id, allocation.tenant_article_id)],
                    facility_id=allocation.facility_id,
                    tenant_article_id=allocation.tenant_article_id,
                    quantity=allocation.quantity,
                    order_line_item_id=allocation.order_line_item_id,
                    valid_until=valid_until,
                )
                for allocation in allocations
            )
    raise InsufficientStock(shortages)


@transaction.atomic
def release_order_reservations(order_id):
    """Free everything an order holds. Returns the number of reservations removed.

    Releasing only ever raises availability, so it needs no stock lock. The order no longer
    weighs on the daily capacity of the facilities it held stock at.
    """
    deleted, facility_days = _delete_order_reservations(order_id)
    uncount_facility_orders(dict.fromkeys(facility_days, 1))
    return deleted


def delete_order_reservations(order_id):
    """Delete what an order holds but leave its daily counters to the caller: a re-route
    adjusts them after its new reservations, so that counter rows stay the last locks it
    takes. Returns the {(facility_id, UTC day)} the order was counted on."""
    return _delete_order_reservations(order_id)[1]


def _delete_order_reservations(order_id):
    reservations = Reservation.objects.filter(order_line_item__order_id=order_id)
    facility_days = set(
        reservations.annotate(day=TruncDate("created", tzinfo=datetime.UTC)).values_list(
            "facility_id", "day"
        )
    )
    deleted, _ = reservations.delete()
    return deleted, facility_days


def _daily_orders_row(facility_id, day, orders):
    facility_key = FacilityDailyOrders._meta.get_field("facility").target_field
    return (
        facility_key.get_db_prep_value(as_uuid(facility_id), connection),
        connection.ops.adapt_datefield_value(day),
        orders,
    )


class DailyCapacityReached(InvalidInput):
    """A facility took its last order of the day while this one was being routed."""

    def __init__(self, facility_ids):
        self.facility_ids = sorted(facility_ids, key=str)
        super().__init__(
            "A facility reached its daily order capacity.",
            "No capacity left today at facility " + ", ".join(map(str, self.facility_ids)) + ".",
        )


# Stands for "no daily capacity set": more orders than a facility takes in a day.
_UNLIMITED = 2**31 - 1


def count_facility_orders(facility_ids, *, day, enforce_capacity=True):
    """One more order on `day` at each facility (an order reserved stock there).

    One conditional upsert: a counter already at its facility's `daily_order_capacity` is not
    raised, and DailyCapacityReached names those facilities. The caller's transaction must
    then roll back (the other counters were raised in it); the promise re-routes. Call it as
    the transaction's last write: the counter rows stay locked until the commit, and they are
    taken in facility order, as everywhere, so writers never deadlock. The same statement
    runs on PostgreSQL and SQLite (both have INSERT ... ON CONFLICT ... WHERE ... RETURNING).
    """
    facilities = sorted(set(facility_ids), key=str)
    if not facilities:
        return
    table = FacilityDailyOrders._meta.db_table
    facility_table = Facility._meta.db_table
    capacity_column = Facility._meta.get_field("daily_order_capacity").column
    capacity = (
        f"COALESCE(facility.{capacity_column}, {_UNLIMITED})"
        if enforce_capacity
        else str(_UNLIMITED)
    )
    facility_key = FacilityDailyOrders._meta.get_field("facility").target_field
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (facility_id, day, orders)"
            f" SELECT facility.id, %s, 1 FROM {facility_table} AS facility"
            f" WHERE facility.id IN ({', '.join(['%s'] * len(facilities))}) AND {capacity} > 0"
            " ORDER BY facility.id"
            f" ON CONFLICT (facility_id, day) DO UPDATE SET orders = {table}.orders + 1"
            f" WHERE {table}.orders < (SELECT {capacity} FROM {facility_table} AS facility"
            f" WHERE facility.id = {table}.facility_id)"
            " RETURNING facility_id",
            [
                connection.ops.adapt_datefield_value(day),
                *(facility_key.get_db_prep_value(as_uuid(f), connection) for f in facilities),
            ],
        )
        counted = {uuid.UUID(str(row[0])) for row in cursor.fetchall()}
    refused = [facility for facility in facilities if as_uuid(facility) not in counted]
    if refused:
        raise DailyCapacityReached(refused)


def uncount_facility_orders(orders_by_facility_day):
    """Subtract cancelled or expired orders: {(facility_id, day): orders}. Never below zero
    (orders reserved before the counter existed were never counted)."""
    rows = [
        _daily_orders_row(facility_id, day, orders)
        for (facility_id, day), orders in sorted(orders_by_facility_day.items())
    ]
    if not rows:
        return
    table = FacilityDailyOrders._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET orders = CASE WHEN orders > %s THEN orders - %s ELSE 0 END"
            " WHERE facility_id = %s AND day = %s",
            [(orders, orders, facility_id, day) for facility_id, day, orders in rows],
        )


def _lock_active_reservations_of_order(order_id):
    """Lock the order's stock rows, then confirm its temporary reservations are still active.
    Returns (reservations, the time read after the locks).

    Under the lock no concurrent reservation can have counted them as expired and taken the
    stock after this check, so turning them permanent (or extending them) cannot oversell.
    """
    lock_stocks_of_order(order_id)
    now = clock.now()
    reservations = Reservation.objects.filter(order_line_item__order_id=order_id)
    if reservations.expired(now).exists():
        raise PromiseExpired()
    return reservations, now


@transaction.atomic
def make_order_reservations_permanent(order_id):
    reservations, _ = _lock_active_reservations_of_order(order_id)
    return reservations.update(valid_until=None, last_modified=timezone.now())


@transaction.atomic
def extend_order_reservations(order_id, duration):
    """Hold the order's temporary reservations for `duration` from now; returns the new
    validUntil."""
    reservations, now = _lock_active_reservations_of_order(order_id)
    reservations.filter(valid_until__isnull=False).update(
        valid_until=now + duration, last_modified=timezone.now()
    )
    return now + duration


@transaction.atomic
def shrink_line_reservations(order_line_item_id, new_quantity):
    """Reduce what a line holds to at most `new_quantity` units (largest reservations keep
    theirs longest). Shrinking only frees stock, so it needs no stock lock."""
    if new_quantity < 0:
        raise InvalidInput("Quantity cannot be negative.")
    reservations = list(
        Reservation.objects.select_for_update()
        .filter(order_line_item_id=order_line_item_id)
        .order_by("-quantity", "id")
    )
    remaining = new_quantity
    for reservation in reservations:
        if remaining >= reservation.quantity:
            remaining -= reservation.quantity
        elif remaining > 0:
            Reservation.objects.filter(id=reservation.id).update(
                quantity=F("quantity") - (reservation.quantity - remaining),
                last_modified=timezone.now(),
            )
            remaining = 0
        else:
            reservation.delete()


# --- Network writes for the API: facilities, carriers, connections, listings, stock values ---


def _check_version(entity, request_version):
    if request_version is not None and request_version != entity.version:
        raise VersionConflict(version=entity.version, request_version=request_version)


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
    simple = ("name", "type", "location_type", "status", "tenant_facility_id")
    for name in simple:
        if name in data:
            setattr(facility, name, data[name])
    defaults = {
        "services": [],
        "picking_times": {},
        "closing_days": [],
        "fulfillment_process_buffer": 240,
    }
    for name, default in defaults.items():
        if name in data:
            setattr(facility, name, default if data[name] is None else data[name])
        elif replace:
            setattr(facility, name, default)
    if "address" in data or replace:
        address = data.get("address") or {}
        facility.address = address
        coordinates = address.get("resolvedCoordinates") or {}
        facility.country = address.get("country", "")
        facility.postal_code = address.get("postalCode", "")
        facility.city = address.get("city", "")
        facility.latitude = coordinates.get("lat")
        facility.longitude = coordinates.get("lon")

    extra = {} if replace else dict(facility.extra)
    for name, value in data.get("extra", {}).items():
        if value is None:
            extra.pop(name, None)
        else:
            extra[name] = value
    if "capacity_enabled" in data:
        extra["capacityEnabled"] = bool(data["capacity_enabled"])
    facility.extra = extra
    facility.daily_order_capacity = _daily_order_capacity(
        facility.picking_times, extra.get("capacityEnabled", False)
    )
    if facility.tenant_facility_id:
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
    _check_version(facility, data["version"])
    _apply_facility(facility, data, replace=True)
    facility.version += 1
    facility.save()
    return facility


@transaction.atomic
def modify_facility(reference, version, changes):
    """PATCH: `changes` is one partial update or a list of them (ModifyFacility actions),
    applied in order under one version check."""
    facility = _locked_facility(reference)
    _check_version(facility, version)
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


@transaction.atomic
def create_carrier(data):
    if Carrier.objects.filter(key=data["key"]).exists():
        raise Conflict("Carrier key already in use.", f"A carrier with key {data['key']!r} exists.")
    return Carrier.objects.create(
        key=data["key"],
        name=data["name"],
        status=data.get("status", CarrierStatus.ACTIVE),
        extra=data.get("extra", {}),
    )


@transaction.atomic
def modify_carrier(reference, version, actions):
    carrier = Carrier.objects.select_for_update().get(id=get_carrier(reference).id)
    _check_version(carrier, version)
    for action in actions:
        for name in ("name", "status"):
            if name in action:
                setattr(carrier, name, action[name])
        for name, value in action.get("extra", {}).items():
            if value is None:
                carrier.extra.pop(name, None)
            else:
                carrier.extra[name] = value
    carrier.version += 1
    carrier.save()
    return carrier


def _locked_carrier_configuration(carrier, configuration_version):
    carrier = Carrier.objects.select_for_update().get(id=carrier.id)
    if configuration_version != carrier.configuration_version:
        raise VersionConflict(
            version=carrier.configuration_version, request_version=configuration_version
        )
    carrier.configuration_version += 1
    carrier.save(update_fields=["configuration_version", "last_modified"])
    return carrier


def _apply_mapping(mapping, data):
    extra = dict(mapping.extra)
    extra.update(data.get("extra", {}))
    if "source" in data:
        mapping.source_country = data["source"]["countryCode"]
        if data["source"].get("postalCodes"):
            extra["sourcePostalCodes"] = data["source"]["postalCodes"]
    elif "sourceCountry" in data:
        mapping.source_country = data["sourceCountry"]
    if "destinations" in data or "destinationCountries" in data:
        destinations = data.get("destinations") or []
        countries = [destination["countryCode"] for destination in destinations]
        for country in data.get("destinationCountries") or []:
            if country not in countries:
                countries.append(country)
                destinations.append({"countryCode": country})
        mapping.destination_countries = countries
        extra["destinations"] = destinations
    if "carrierProductCategory" in data:
        mapping.carrier_product_category = data["carrierProductCategory"]
    if "transitTime" in data:
        mapping.min_transit_days = data["transitTime"]["minTransitDays"]
        mapping.max_transit_days = data["transitTime"]["maxTransitDays"]
    if "deliveryCosts" in data:
        mapping.delivery_costs = data["deliveryCosts"]
    mapping.extra = extra


@transaction.atomic
def create_country_service_mapping(carrier, data):
    carrier = _locked_carrier_configuration(carrier, data["carrierConfigurationVersion"])
    mapping = CarrierCountryServiceMapping(carrier=carrier)
    _apply_mapping(mapping, data)
    mapping.save()
    return mapping


@transaction.atomic
def update_country_service_mapping(carrier, mapping_id, data):
    mapping = get_country_service_mapping(carrier, mapping_id)
    _locked_carrier_configuration(carrier, data["carrierConfigurationVersion"])
    _apply_mapping(mapping, data)
    if mapping.max_transit_days < mapping.min_transit_days:
        raise InvalidInput("transitTime: maxTransitDays must not be below minTransitDays.")
    mapping.version += 1
    mapping.save()
    return mapping


@transaction.atomic
def delete_country_service_mapping(carrier, mapping_id):
    mapping = get_country_service_mapping(carrier, mapping_id)
    carrier = Carrier.objects.select_for_update().get(id=carrier.id)
    carrier.configuration_version += 1
    carrier.save(update_fields=["configuration_version", "last_modified"])
    mapping.delete()


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
    _check_version(connection, data["version"])
    _apply_connection(connection, data)
    connection.version += 1
    connection.save()
    return connection


LISTING_DEFAULTS = {
    "title": "",
    "price": None,
    "currency": "",
    "out_of_stock_behaviour": OutOfStockBehaviour.NONE,
    "status": ListingStatus.ACTIVE,
}


def _apply_listing(listing, data, *, replace):
    """Returns True when something changed."""
    before = (
        listing.title,
        listing.price,
        listing.currency,
        listing.out_of_stock_behaviour,
        listing.status,
        listing.extra,
    )
    for name, default in LISTING_DEFAULTS.items():
        if name in data:
            setattr(listing, name, default if data[name] is None else data[name])
        elif replace:
            setattr(listing, name, default)
    extra = {} if replace else dict(listing.extra)
    for name, value in data.get("extra", {}).items():
        if value is None:
            extra.pop(name, None)
        else:
            extra[name] = value
    listing.extra = extra
    after = (
        listing.title,
        listing.price,
        listing.currency,
        listing.out_of_stock_behaviour,
        listing.status,
        listing.extra,
    )
    return before != after


@transaction.atomic
def upsert_listings(facility_reference, items):
    """Bulk PUT: create or replace every listing, all or nothing.

    Returns [(listing, "CREATED" | "UPDATED" | "UNCHANGED")] in request order.
    """
    facility = resolve_facility(facility_reference)
    article_ids = [item["tenant_article_id"] for item in items]
    duplicates = sorted({a for a in article_ids if article_ids.count(a) > 1})
    if duplicates:
        raise InvalidInput(f"listings: tenantArticleId sent twice: {', '.join(duplicates)}.")
    existing = {
        listing.tenant_article_id: listing
        for listing in Listing.objects.select_for_update()
        .filter(facility=facility, tenant_article_id__in=article_ids)
        .order_by("id")
    }
    now = timezone.now()
    results, to_create, to_update = [], [], []
    for item in items:
        listing = existing.get(item["tenant_article_id"])
        if listing is None:
            if item.get("version") is not None:
                raise NotFound(
                    "Listing not found.",
                    f"{item['tenant_article_id']}: a version was sent for a listing that does "
                    "not exist.",
                )
            listing = Listing(facility=facility, tenant_article_id=item["tenant_article_id"])
            _apply_listing(listing, item, replace=True)
            listing.created = listing.last_modified = now
            to_create.append(listing)
            results.append((listing, "CREATED"))
            continue
        _check_version(listing, item.get("version"))
        if _apply_listing(listing, item, replace=True):
            listing.version += 1
            listing.last_modified = now
            to_update.append(listing)
            results.append((listing, "UPDATED"))
        else:
            results.append((listing, "UNCHANGED"))
    Listing.objects.bulk_create(to_create)
    Listing.objects.bulk_update(
        to_update,
        [*LISTING_DEFAULTS, "extra", "version", "last_modified"],
    )
    return results


@transaction.atomic
def modify_listing(facility_reference, tenant_article_id, version, actions):
    listing = get_listing(resolve_facility(facility_reference), tenant_article_id)
    listing = Listing.objects.select_for_update().get(id=listing.id)
    _check_version(listing, version)
    for action in actions:
        _apply_listing(listing, action, replace=False)
    listing.version += 1
    listing.save()
    return listing


def _delete_stock_rows(stocks, reason):
    """Delete stock rows (locked by the caller) unless active reservations hold them."""
    reserved = reserved_by_stock([stock.id for stock in stocks])
    held = [stock for stock in stocks if reserved.get(stock.id, 0) > 0]
    if held:
        articles = ", ".join(sorted({stock.tenant_article_id for stock in held}))
        raise InvalidInput(
            f"Stock is reserved: {articles}.",
            f"{reason} Active reservations hold stock of {articles}; release them first.",
        )
    # Only expired reservations are left on these rows; they protect the foreign key.
    Reservation.objects.filter(stock__in=stocks).delete()
    Stock.objects.filter(id__in=[stock.id for stock in stocks]).delete()


@transaction.atomic
def delete_listing(facility_reference, tenant_article_id):
    """Deleting a listing also deletes the facility's stock of that article (stock exists only
    for listed articles); refused while active reservations hold that stock."""
    facility = resolve_facility(facility_reference)
    listing = get_listing(facility, tenant_article_id)
    stocks = lock_stocks([(facility.id, tenant_article_id)])
    _delete_stock_rows(list(stocks.values()), "The listing's stock cannot be deleted.")
    listing.delete()


@transaction.atomic
def delete_listings(facility_reference):
    facility = resolve_facility(facility_reference)
    stock_ids = Stock.objects.filter(facility=facility).values_list("id", flat=True)
    stocks = lock_stocks_by_ids(list(stock_ids))
    _delete_stock_rows(stocks, "The listings' stock cannot be deleted.")
    Listing.objects.filter(facility=facility).delete()


def _refuse_below_reserved(stock, new_value, reserved):
    if new_value < reserved:
        raise InvalidInput(
            f"Stock value below reserved quantity for {stock.tenant_article_id}.",
            f"{stock.tenant_article_id} at facility {stock.facility_id}: value {new_value} is "
            f"below the {reserved} unit(s) held by active reservations.",
        )


def _keys_filter(keys):
    """Exactly the given (facility_id, tenant_article_id) pairs, one index condition per
    facility (a cross product of facilities × articles would over-fetch)."""
    articles_by_facility = defaultdict(set)
    for facility_id, article in keys:
        articles_by_facility[facility_id].add(article)
    condition = Q(pk__in=[])
    for facility_id, articles in articles_by_facility.items():
        condition |= Q(facility_id=facility_id, tenant_article_id__in=articles)
    return condition


def _require_listings(keys):
    """Stock exists only for articles listed at the facility (unknown article → 404)."""
    keys = set(keys)
    listed = set(
        Listing.objects.filter(_keys_filter(keys)).values_list("facility_id", "tenant_article_id")
    )
    missing = sorted(keys - listed, key=lambda key: (str(key[0]), key[1]))
    if missing:
        names = ", ".join(f"{article} at {facility_id}" for facility_id, article in missing[:10])
        raise NotFound("Article not listed at facility.", f"No listing for {names}.")


def _resolve_facility_reference(reference, resolved):
    facility_id = resolved.get(str(reference))
    if facility_id is None:
        raise NotFound(
            "Facility not found.", f"No facility with id or tenantFacilityId {reference!r}."
        )
    return facility_id


@transaction.atomic
def create_stock(data):
    facility_id = _resolve_facility_reference(
        data["facility_reference"], resolve_facility_ids([data["facility_reference"]])
    )
    _require_listings([(facility_id, data["tenantArticleId"])])
    stock = Stock(
        facility_id=facility_id,
        tenant_article_id=data["tenantArticleId"],
        value=data["value"],
        extra=data.get("extra", {}),
    )
    try:
        with transaction.atomic():
            stock.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            "Stock already exists.",
            f"{data['tenantArticleId']} already has stock at this facility; use PUT.",
        ) from None
    stock.reserved, stock.available = 0, stock.value
    return record_stock_event(stock)


def _apply_stock_extra(stock, extra):
    merged = dict(stock.extra)
    for name, value in (extra or {}).items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


@transaction.atomic
def upsert_stocks(items):
    """Bulk PUT /api/stocks, all or nothing.

    Items name a stock by `id` (optionally with `version`) or by facility + article. New
    facility/article pairs are inserted with `ON CONFLICT DO NOTHING` (in a fixed key order),
    then every other affected row is locked in id order and re-checked against active
    reservations: a value below what reservations hold is refused, so an upsert racing a
    checkout can never push `available` below zero. Returns
    [(stock, "CREATED" | "UPDATED" | "UNCHANGED")]: items by id first, then items by key, each
    in request order.

    A row this transaction inserted needs no lock and no reservation check: until the commit
    no other transaction sees it (a concurrent insert of the same key waits for us), so it is
    ours alone and nothing reserves it. Only existing rows, and keys a concurrent request
    inserted first (their insert conflicted), are locked.
    """
    by_id = [item for item in items if item.get("id")]
    by_key = [item for item in items if not item.get("id")]

    resolved = resolve_facility_ids({item["facility_reference"] for item in by_key})
    keyed = []
    for item in by_key:
        facility_id = _resolve_facility_reference(item["facility_reference"], resolved)
        keyed.append(((facility_id, item["tenantArticleId"]), item))
    keys = [key for key, _ in keyed]
    if len(set(keys)) != len(keys):
        raise InvalidInput("stocks: the same facility and article appear twice.")

    stock_ids = {}
    for item in by_id:
        stock_id = as_uuid(item["id"])
        if stock_id is None or stock_id in stock_ids:
            raise (
                NotFound("Stock not found.", f"No stock with id {item['id']!r}.")
                if stock_id is None
                else InvalidInput(f"stocks: id {item['id']} appears twice.")
            )
        stock_ids[stock_id] = item

    timestamp = timezone.now()
    # Inserts first, in one global key order, before any row lock is taken: an insert may
    # wait for a concurrent insert of the same key, and holding locks while waiting could
    # deadlock with a request locking in id order.
    insert = _insert_new_stocks if connection.vendor == "postgresql" else _insert_new_stocks_generic
    created, to_lock = insert(keyed, timestamp)
    locked = {stock.id: stock for stock in lock_stocks_by_ids_and_keys(stock_ids, to_lock)}
    missing_ids = [str(stock_id) for stock_id in stock_ids if stock_id not in locked]
    if missing_ids:
        raise NotFound("Stock not found.", f"No stock with id {', '.join(missing_ids)}.")
    by_key_locked = {(s.facility_id, s.tenant_article_id): s for s in locked.values()}
    absent = [key for key in to_lock if key not in by_key_locked]
    if absent:
        _require_listings(absent)  # not inserted because not listed: 404
        raise Conflict("Stock changed concurrently.", "A stock row was deleted meanwhile; retry.")
    reserved = reserved_by_stock(list(locked), now=clock.now())

    plan = [(item, locked[stock_id]) for stock_id, item in stock_ids.items()]
    plan += [(item, created.get(key) or by_key_locked[key]) for key, item in keyed]
    results, changed = [], []
    for item, stock in plan:
        if stock.id not in locked:
            stock.reserved, stock.available = 0, stock.value
            results.append((stock, "CREATED"))
            continue
        stock_reserved = reserved.get(stock.id, 0)
        _check_version(stock, item.get("version"))
        _refuse_below_reserved(stock, item["value"], stock_reserved)
        extra = _apply_stock_extra(stock, item.get("extra"))
        stock.original_extra = stock.extra
        if stock.value == item["value"] and stock.extra == extra:
            status = "UNCHANGED"
        else:
            stock.value, stock.extra = item["value"], extra
            stock.version += 1
            stock.last_modified = timestamp
            changed.append(stock)
            status = "UPDATED"
        stock.reserved, stock.available = stock_reserved, stock.value - stock_reserved
        results.append((stock, status))
    if changed:
        _write_stock_values(changed, timestamp)
    record_stock_events(stock for stock, status in results if status != "UNCHANGED")
    return results


def _in_key_order(keyed):
    return sorted(keyed, key=lambda pair: (str(pair[0][0]), pair[0][1]))


def _insert_new_stocks(keyed, timestamp):
    """PostgreSQL: insert every (key, item) whose article is listed at the facility, with
    `ON CONFLICT DO NOTHING` in key order; `RETURNING id` tells which rows are ours.

    Returns ({key: Stock} inserted by this transaction, [keys of rows that already existed,
    were inserted by a concurrent request meanwhile, or are not listed]). Existing keys cost
    one unique-index probe here, less than a separate query to find them first.
    """
    if not keyed:
        return {}, []
    keyed = _in_key_order(keyed)
    ids = [uuid.uuid4() for _ in keyed]
    extras = [item.get("extra") or {} for _, item in keyed]
    if any(extras):
        encoder = Stock._meta.get_field("extra").encoder
        extra_sql = "(%s::text[])[new.position]::jsonb"
        extra_params = [[json.dumps(extra, cls=encoder) if extra else "{}" for extra in extras]]
    else:  # the usual bulk feed: no extra fields at all
        extra_sql, extra_params = "'{}'::jsonb", []
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_stock"
            " (id, version, facility_id, tenant_article_id, value, extra, created, last_modified)"
            f" SELECT new.id, 1, new.facility_id, new.article, new.value, {extra_sql}, %s, %s"
            f" FROM unnest({UUID_ARRAY_SQL}, {UUID_ARRAY_SQL}, %s::varchar[], %s::integer[])"
            " WITH ORDINALITY AS new(id, facility_id, article, value, position)"
            # Stock exists only for listed articles (an unlisted key becomes a 404 later). A
            # scalar subquery, not EXISTS: that one is planned as a hash join over every
            # listing, this one as one index probe per row.
            " WHERE (SELECT true FROM inventory_listing AS listing"
            " WHERE listing.facility_id = new.facility_id"
            " AND listing.tenant_article_id = new.article LIMIT 1)"
            " ORDER BY new.position"
            " ON CONFLICT (facility_id, tenant_article_id) DO NOTHING RETURNING id",
            [
                *extra_params,
                timestamp,
                timestamp,
                uuid_array(ids),
                uuid_array(key[0] for key, _ in keyed),
                [key[1] for key, _ in keyed],
                [item["value"] for _, item in keyed],
            ],
        )
        inserted = {stock_id for (stock_id,) in cursor.fetchall()}
    created, others = {}, []
    for stock_id, ((facility_id, article), item), extra in zip(ids, keyed, extras, strict=True):
        if stock_id in inserted:
            created[(facility_id, article)] = Stock.from_db(
                connection.alias,
                None,
                (stock_id, 1, facility_id, article, item["value"], extra, timestamp, timestamp),
            )
        else:
            others.append((facility_id, article))
    return created, others


def _insert_new_stocks_generic(keyed, timestamp):
    """`_insert_new_stocks` for databases without `RETURNING` from a conflicting insert (SQLite,
    where a write transaction holds the whole database): insert the keys no row exists for,
    then find out which rows are ours by their ids."""
    if not keyed:
        return {}, []
    keys = [key for key, _ in keyed]
    existing = set(
        Stock.objects.filter(_keys_filter(keys)).values_list("facility_id", "tenant_article_id")
    )
    new_rows = {
        key: Stock(
            id=uuid.uuid4(),
            facility_id=key[0],
            tenant_article_id=key[1],
            value=item["value"],
            extra=item.get("extra", {}),
            created=timestamp,
            last_modified=timestamp,
        )
        for key, item in _in_key_order(keyed)
        if key not in existing
    }
    if new_rows:
        # An existing stock row implies its listing (deleting a listing deletes its stock),
        # so only new rows need the listing check.
        _require_listings(new_rows)
        Stock.objects.bulk_create(list(new_rows.values()), ignore_conflicts=True)
        ours = set(
            Stock.objects.filter(id__in=[stock.id for stock in new_rows.values()]).values_list(
                "id", flat=True
            )
        )
        new_rows = {key: stock for key, stock in new_rows.items() if stock.id in ours}
    return new_rows, [key for key in keys if key not in new_rows]


def _write_stock_values(stocks, timestamp):
    """Write new values (and extras) of locked, existing stock rows in one statement.

    On PostgreSQL an `UPDATE … FROM unnest(ids, values)` by primary key; elsewhere (and for
    rows whose extra fields changed) an INSERT … ON CONFLICT DO UPDATE, which always conflicts
    here. Both are far cheaper than bulk_update's per-row CASE expressions.
    """
    plain = []
    if connection.vendor == "postgresql":
        plain = [stock for stock in stocks if stock.extra == stock.original_extra]
        if plain:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE inventory_stock AS stock"
                    " SET value = new.value, version = new.version, last_modified = %s"
                    f" FROM unnest({UUID_ARRAY_SQL}, %s::integer[], %s::integer[])"
                    " AS new(id, value, version) WHERE stock.id = new.id",
                    [
                        timestamp,
                        uuid_array(stock.id for stock in plain),
                        [stock.value for stock in plain],
                        [stock.version for stock in plain],
                    ],
                )
    plain_ids = {stock.id for stock in plain}
    rest = [stock for stock in stocks if stock.id not in plain_ids]
    if rest:
        created = [stock.created for stock in rest]
        Stock.objects.bulk_create(
            rest,
            update_conflicts=True,
            unique_fields=["facility", "tenant_article_id"],
            update_fields=["value", "extra", "version", "last_modified"],
        )
        # bulk_create stamped `created` (auto_now_add) on the instances, not in the rows.
        for stock, value in zip(rest, created, strict=True):
            stock.created = value


@transaction.atomic
def update_stock(stock_id, data):
    """PUT /api/stocks/{id}: set the value (optimistic `version` when sent), never below
    what active reservations hold."""
    stock_uuid = as_uuid(stock_id)
    locked = lock_stocks_by_ids([stock_uuid]) if stock_uuid else []
    if not locked:
        raise NotFound("Stock not found.", f"No stock with id {stock_id!r}.")
    stock = locked[0]
    _check_version(stock, data.get("version"))
    reserved = reserved_by_stock([stock.id], now=clock.now()).get(stock.id, 0)
    _refuse_below_reserved(stock, data["value"], reserved)
    extra = _apply_stock_extra(stock, data.get("extra"))
    if stock.value != data["value"] or stock.extra != extra:
        stock.value, stock.extra = data["value"], extra
        stock.version += 1
        stock.save()
        record_stock_event(stock, reserved=reserved)
    stock.reserved, stock.available = reserved, stock.value - reserved
    return stock


@transaction.atomic
def delete_stock(stock_id):
    stock_uuid = as_uuid(stock_id)
    locked = lock_stocks_by_ids([stock_uuid]) if stock_uuid else []
    if not locked:
        raise NotFound("Stock not found.", f"No stock with id {stock_id!r}.")
    _delete_stock_rows(locked, "The stock cannot be deleted.")
