"""Reads of the inventory. Availability is computed here and only here."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from config import clock
from config.errors import InvalidInput, NotFound
from config.identifiers import parse_uuid
from inventory import sql
from inventory.models import (
    Carrier,
    CarrierCountryServiceMapping,
    Facility,
    FacilityCarrierConnection,
    Listing,
    ListingStatus,
    OutOfStockBehaviour,
    Reservation,
    Stock,
    active_reservation_sql,
)


@dataclass(frozen=True)
class StockLevel:
    value: int
    reserved: int
    available: int


def active_reservations(now=None):
    """Reservations that hold stock at `now` (the rule: `ReservationQuerySet.active`)."""
    return Reservation.objects.active(now or clock.now())


def with_stock_levels(stocks, *, now=None):
    """Annotate a Stock queryset with `reserved` and `available` in the same SQL query."""
    reserved = (
        active_reservations(now)
        .filter(stock=OuterRef("pk"))
        .order_by()
        .values("stock")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return stocks.annotate(
        reserved=Coalesce(Subquery(reserved, output_field=IntegerField()), Value(0))
    ).annotate(available=F("value") - F("reserved"))


# Hand-written SQL on the checkout path (every promise runs these): the ORM spent several times
# longer building these statements than the database spent running them.
_ACTIVE_RESERVED_SQL = (
    f"SELECT SUM(reservation.quantity) FROM {Reservation._meta.db_table} AS reservation"
    f" WHERE reservation.stock_id = stock.id AND {active_reservation_sql('reservation')}"
)


def availability(tenant_article_ids, facility_ids=None, *, now=None):
    """{(facility_id, tenant_article_id): StockLevel} for the given articles, in one query.

    Facilities without a stock row for an article are absent: their availability is 0.
    Same rule as `with_stock_levels`: value minus active reservations.
    """
    articles = sorted(set(tenant_article_ids))
    if not articles:
        return {}
    now = connection.ops.adapt_datetimefield_value(now or clock.now())
    statement = (
        "SELECT stock.facility_id, stock.tenant_article_id, stock.value,"
        f" COALESCE(({_ACTIVE_RESERVED_SQL}), 0)"
        " FROM inventory_stock AS stock"
        f" WHERE stock.tenant_article_id IN ({sql.placeholders(articles)})"
    )
    params = [now, *articles]
    if facility_ids is not None:
        facilities = sql.database_uuids(facility_ids)
        if not facilities:
            return {}
        statement += f" AND stock.facility_id IN ({sql.placeholders(facilities)})"
        params += facilities
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return {
        (parse_uuid(facility_id), article): StockLevel(value, reserved, value - reserved)
        for facility_id, article, value, reserved in rows
    }


def availability_and_backorders(tenant_article_ids, *, now=None):
    """(`availability(tenant_article_ids)`, the articles with an active listing somewhere that
    allows backorders) in one round trip: a checkout needs both before it routes."""
    articles = sorted(set(tenant_article_ids))
    if not articles:
        return {}, set()
    in_articles = sql.placeholders(articles)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stock.facility_id, stock.tenant_article_id, stock.value,"
            f" COALESCE(({_ACTIVE_RESERVED_SQL}), 0)"
            " FROM inventory_stock AS stock"
            f" WHERE stock.tenant_article_id IN ({in_articles})"
            " UNION ALL"
            " SELECT NULL, listing.tenant_article_id, NULL, NULL FROM ("
            "  SELECT DISTINCT tenant_article_id FROM inventory_listing"
            f"  WHERE tenant_article_id IN ({in_articles})"
            "  AND status = %s AND out_of_stock_behaviour = %s"
            " ) AS listing",
            [
                connection.ops.adapt_datetimefield_value(now or clock.now()),
                *articles,
                *articles,
                ListingStatus.ACTIVE,
                OutOfStockBehaviour.BACKORDER,
            ],
        )
        rows = cursor.fetchall()
    levels, backorderable = {}, set()
    for facility_id, article, value, reserved in rows:
        if facility_id is None:  # a row of the second part: a backorderable article
            backorderable.add(article)
        else:
            levels[(parse_uuid(facility_id), article)] = StockLevel(
                value, reserved, value - reserved
            )
    return levels, backorderable


def reserved_by_stock(stock_ids, *, now=None):
    """{stock_id: quantity held by active reservations}, one aggregate query."""
    return sql.reserved_by_stock(stock_ids, now or clock.now())


def facility_orders_on(day, facility_ids):
    """{facility_id: orders counted there on `day`} (FacilityDailyOrders); absent: none."""
    facilities = sql.database_uuids(facility_ids)
    if not facilities:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT facility_id, orders FROM inventory_facilitydailyorders"
            f" WHERE day = %s AND facility_id IN ({sql.placeholders(facilities)})",
            [connection.ops.adapt_datefield_value(day), *facilities],
        )
        return {parse_uuid(facility_id): orders for facility_id, orders in cursor.fetchall()}


# --- Network reads for the API (facilities, carriers, listings, stock pages, reservations) ---

MAX_PAGE_SIZE = 500
# The reference's maximum for stocks, stock summaries and reservations.
STOCK_PAGE_SIZE_MAX = 100


def page_size(value, *, default=25, maximum=MAX_PAGE_SIZE):
    if value in (None, ""):
        return default
    try:
        size = int(float(value))
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput("size: A valid integer is required.") from None
    if size < 1 or size > maximum:
        raise InvalidInput(f"size: Must be between 1 and {maximum}.")
    return size


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
        raise NotFound(
            "Facility not found.", f"No facility with id or tenantFacilityId {reference!r}."
        )
    return facility


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


def _after(queryset, model, start_after_id, order_field="id"):
    """Keyset pagination: the rows after `start_after_id` in (`order_field`, id) order."""
    if not start_after_id:
        return queryset
    after_id = parse_uuid(start_after_id)
    after = model.objects.filter(id=after_id).values(order_field).first() if after_id else None
    if after is None:
        raise InvalidInput(f"startAfterId: unknown id {start_after_id!r}.")
    if order_field == "id":
        return queryset.filter(id__gt=after_id)
    value = after[order_field]
    return queryset.filter(
        Q(**{f"{order_field}__gt": value}) | Q(**{order_field: value, "id__gt": after_id})
    )


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
    page = _after(facilities, Facility, start_after_id, order_field).order_by(order_field, "id")
    return list(page[:size]), total


def get_carrier(reference):
    """A carrier by id or by its `key`."""
    carrier_id = parse_uuid(reference)
    carrier = Carrier.objects.filter(Q(id=carrier_id) if carrier_id else Q(key=reference)).first()
    if carrier is None and carrier_id:
        carrier = Carrier.objects.filter(key=reference).first()
    if carrier is None:
        raise NotFound("Carrier not found.", f"No carrier with id or key {reference!r}.")
    return carrier


def list_carriers(*, start_after_id=None, size=25, facility=None):
    carriers = Carrier.objects.all()
    if facility is not None:
        carriers = carriers.filter(facility_connections__facility=facility)
    total = carriers.count()
    return list(_after(carriers, Carrier, start_after_id).order_by("id")[:size]), total


def list_country_service_mappings(carrier):
    return list(carrier.country_service_mappings.order_by("created", "id"))


def get_country_service_mapping(carrier, mapping_id):
    mapping_uuid = parse_uuid(mapping_id)
    mapping = (
        CarrierCountryServiceMapping.objects.filter(carrier=carrier, id=mapping_uuid).first()
        if mapping_uuid
        else None
    )
    if mapping is None:
        raise NotFound("Country service mapping not found.")
    return mapping


def get_connection(facility, carrier):
    connection = (
        FacilityCarrierConnection.objects.select_related("carrier")
        .filter(facility=facility, carrier=carrier)
        .first()
    )
    if connection is None:
        raise NotFound(
            "Carrier not connected to this facility.",
            f"Facility {facility.id} has no connection to carrier {carrier.key}.",
        )
    return connection


def list_listings(
    facility, *, tenant_article_ids=(), scannable_code=None, start_after_id=None, size=25
):
    listings = Listing.objects.filter(facility=facility)
    if tenant_article_ids:
        listings = listings.filter(tenant_article_id__in=tenant_article_ids)
    if scannable_code:
        # Text match on the JSON list: portable across SQLite and PostgreSQL.
        listings = listings.filter(extra__scannableCodes__icontains=f'"{scannable_code}"')
    total = listings.count()
    return list(_after(listings, Listing, start_after_id).order_by("id")[:size]), total


def get_listing(facility, tenant_article_id):
    listing = Listing.objects.filter(facility=facility, tenant_article_id=tenant_article_id).first()
    if listing is None:
        raise NotFound(
            "Listing not found.",
            f"Article {tenant_article_id!r} is not listed at facility {facility.id}.",
        )
    return listing


def stocks_with_levels(*, now=None):
    """Stock rows with `reserved`, `available` and the facility's `tenant_facility_id`,
    all in the same query."""
    return with_stock_levels(
        Stock.objects.annotate(tenant_facility_id=F("facility__tenant_facility_id")), now=now
    )


def list_stocks(
    *, facility_id=None, tenant_article_ids=(), location_refs=(), start_after_id=None, size=25
):
    stocks = Stock.objects.all()
    if facility_id is not None:
        stocks = stocks.filter(facility_id=facility_id)
    if tenant_article_ids:
        stocks = stocks.filter(tenant_article_id__in=tenant_article_ids)
    if location_refs:
        stocks = stocks.filter(extra__locationRef__in=location_refs)
    total = stocks.count()
    page = _after(stocks_with_levels().filter(pk__in=stocks.values("pk")), Stock, start_after_id)
    page = list(page.order_by("id")[: size + 1])
    return page[:size], total, len(page) > size


def get_stock(stock_id, *, now=None):
    stock_uuid = parse_uuid(stock_id)
    stock = stocks_with_levels(now=now).filter(id=stock_uuid).first() if stock_uuid else None
    if stock is None:
        raise NotFound("Stock not found.", f"No stock with id {stock_id!r}.")
    return stock


def stock_summaries(
    *,
    tenant_article_ids=(),
    facility_ids=None,
    facility_statuses=(),
    facility_service_types=(),
    start_after_id=None,
    size=25,
    now=None,
):
    """Per article, the stock summed over the selected facilities: one page of article ids,
    then one availability aggregate over (article, facility) and one query for titles.

    Returns (summaries, total) where each summary is a dict of article id, title, value,
    reserved, available and the facility ids that hold stock of it.
    """
    stocks = Stock.objects.all()
    if tenant_article_ids:
        stocks = stocks.filter(tenant_article_id__in=tenant_article_ids)
    if facility_ids is not None:
        stocks = stocks.filter(facility_id__in=facility_ids)
    if facility_statuses:
        stocks = stocks.filter(facility__status__in=facility_statuses)
    for service_type in facility_service_types:
        stocks = stocks.filter(facility__services__icontains=f'"{service_type}"')

    if tenant_article_ids and not start_after_id:
        # At most the requested ids: one query gives the figures, the page and the total.
        rows = sql.article_totals(stocks)
        total, rows = len(rows), rows[:size]
    else:
        articles = stocks.values_list("tenant_article_id", flat=True).order_by("tenant_article_id")
        articles = articles.distinct()
        total = articles.count()
        if start_after_id:
            articles = articles.filter(tenant_article_id__gt=start_after_id)
        page = list(articles[:size])
        rows = sql.article_totals(stocks.filter(tenant_article_id__in=page)) if page else []
    if not rows:
        return [], total

    page = [row["tenant_article_id"] for row in rows]
    reserved = dict(
        active_reservations(now)
        .filter(tenant_article_id__in=page, stock__in=stocks.filter(tenant_article_id__in=page))
        .values("tenant_article_id")
        .order_by("tenant_article_id")
        .annotate(total=Sum("quantity"))
        .values_list("tenant_article_id", "total")
    )
    for row in rows:
        row["total_reserved"] = reserved.get(row["tenant_article_id"], 0)
    titles = dict(
        Listing.objects.filter(tenant_article_id__in=page)
        .exclude(title="")
        .values("tenant_article_id")
        .order_by("tenant_article_id")
        .annotate(title=Min("title"))
        .values_list("tenant_article_id", "title")
    )
    summaries = [
        {
            "tenant_article_id": row["tenant_article_id"],
            "title": titles.get(row["tenant_article_id"], row["tenant_article_id"]),
            "value": row["total_value"],
            "reserved": row["total_reserved"],
            "available": row["total_value"] - row["total_reserved"],
            "facility_ids": [str(facility_id) for facility_id in row["facility_ids"]],
        }
        for row in rows
    ]
    return summaries, total


def reservations_with_state(*, now=None):
    """Reservations with `is_active` computed by the database at `now`."""
    return Reservation.objects.select_related("order_line_item").with_active_flag(
        now or clock.now()
    )


def list_reservations(
    *,
    facility_id=None,
    tenant_article_ids=(),
    order_id=None,
    active=None,
    after=None,
    size=25,
    now=None,
):
    now = now or clock.now()
    reservations = Reservation.objects.all()
    if facility_id is not None:
        reservations = reservations.filter(facility_id=facility_id)
    if tenant_article_ids:
        reservations = reservations.filter(tenant_article_id__in=tenant_article_ids)
    if order_id is not None:
        reservations = reservations.filter(order_line_item__order_id=order_id)
    if active is not None:
        reservations = reservations.active(now) if active else reservations.expired(now)
    total = reservations.count()
    page = reservations_with_state(now=now).filter(pk__in=reservations.values("pk"))
    page = list(_after(page, Reservation, after).order_by("id")[: size + 1])
    return page[:size], total, len(page) > size


def get_reservation(reservation_id, *, now=None):
    reservation_uuid = parse_uuid(reservation_id)
    reservation = (
        reservations_with_state(now=now).filter(id=reservation_uuid).first()
        if reservation_uuid
        else None
    )
    if reservation is None:
        raise NotFound("Reservation not found.", f"No reservation with id {reservation_id!r}.")
    return reservation
