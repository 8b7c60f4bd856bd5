"""The searches of stocks, reservations and listings: which column answers each filter of the
reference's query language, the sort keys, and the rows rendered with what they need.

Stock filters run on indexes: `id` (primary key), `facilityRef` / `tenantFacilityId` (the
unique facility + article index), `tenantArticleId` (the article index), `locationRef` and
`tenantStockId` (partial expression indexes over the stock's extra fields, which is where those
wire fields live). docs/benchmarks.md shows the plans on a million stock rows.
"""

from django.db.models import Q

from config import clock
from config.api.search.filters import DATE, INTEGER, NUMBER, STRING, UUID, filters_to_q, pins
from config.api.search.pages import Sorting, search_page
from inventory.models import Facility, Listing, Reservation, Stock, stock_extra_text
from inventory.selectors.stocks import for_rendering

# Stock fields that travel in `extra` and are searched by an expression index of their own.
STOCK_EXTRA_KEYS = {"locationRef": "location_ref", "tenantStockId": "tenant_stock_id"}


def _extra_text_filter(key):
    """A string filter on `extra[key]`. Matching values require the key, as the partial
    index's condition does, so PostgreSQL may answer from that index."""
    column = STOCK_EXTRA_KEYS[key]

    def condition(spec):
        q = filters_to_q({key: spec}, {key: (column, STRING)})
        if "eq" in spec or "in" in spec:
            q &= Q(extra__has_key=key)
        return q

    return condition


def _tenant_facility_filter(spec):
    """`tenantFacilityId`, handled like `facilityRef` (as the reference says): the facilities
    it names, looked up first, so the stock rows are found by the facility + article index
    (a join would walk the article index filtering facilities)."""
    named = [spec[name] for name in ("eq", "notEq") if name in spec]
    named += [value for name in ("in", "notIn") for value in spec.get(name, ())]
    ids = dict(
        Facility.objects.filter(tenant_facility_id__in=named).values_list(
            "tenant_facility_id", "id"
        )
    )

    def facilities(values):
        return [str(ids[value]) for value in values if value in ids]

    by_id = {}
    for name in ("eq", "notEq"):
        if name in spec:
            # An unknown tenantFacilityId names no facility, as a value that is no id does.
            by_id[name] = str(ids[spec[name]]) if spec[name] in ids else "unknown"
    for name in ("in", "notIn"):
        if name in spec:
            by_id[name] = facilities(spec[name])
    return filters_to_q({"facility": by_id}, {"facility": ("facility_id", UUID)})


STOCK_COLUMNS = {
    "id": ("id", UUID),
    "facilityRef": ("facility_id", UUID),
    "tenantFacilityId": _tenant_facility_filter,
    "tenantArticleId": ("tenant_article_id", STRING),
    "locationRef": _extra_text_filter("locationRef"),
    "tenantStockId": _extra_text_filter("tenantStockId"),
    "value": ("value", INTEGER),
}
# The filters that name their rows through an index of their own (with eq or in).
STOCK_PINNING = ("id", "facilityRef", "tenantFacilityId", "tenantArticleId") + tuple(
    STOCK_EXTRA_KEYS
)
# By default in article order: the article index answers it, and so does the unique (facility,
# article) index for a facility's stock (in id order a facility's rows are scattered over the
# whole primary key, which the database then walks until it has a page). Value and
# lastModified have an index for browsing all stock (stock_value_idx, stock_last_modified_idx).
STOCK_SORTING = Sorting(
    model=Stock,
    keys={
        "tenantArticleId": ("tenant_article_id", "id"),
        "value": ("value", "id"),
        "lastModified": ("last_modified", "id"),
    },
    default=("tenantArticleId", "ASC"),
    browsing_keys=frozenset({"value", "lastModified"}),
)


def search_stocks(payload):
    """A SearchPage of stocks with their levels (reserved, available)."""
    stocks = Stock.objects.annotate(
        **{column: stock_extra_text(key) for key, column in STOCK_EXTRA_KEYS.items()}
    ).filter(filters_to_q(payload["query"], STOCK_COLUMNS))
    now = clock.now()
    return search_page(
        stocks,
        payload,
        STOCK_SORTING,
        fetch=lambda page: for_rendering(page, now=now),
        pinned=pins(payload["query"], STOCK_PINNING),
    )


RESERVATION_COLUMNS = {
    "id": ("id", UUID),
    "facilityRef": ("facility_id", UUID),
    "tenantArticleId": ("tenant_article_id", STRING),
    "relatedRefs": lambda spec: _related_refs_filter(spec),
}
RESERVATION_PINNING = tuple(RESERVATION_COLUMNS)
RESERVATION_SORTING = Sorting(
    model=Reservation,
    keys={
        "id": ("id",),
        "created": ("created", "id"),
        "lastModified": ("last_modified", "id"),
    },
    default=("id", "ASC"),
    browsing_keys=frozenset({"created", "lastModified"}),
)


def _related_refs_filter(spec):
    """`relatedRefs.orderRefs contains {eq | notEq}`: the order the reservation's line
    belongs to (a reservation holds stock for one line)."""
    contains = spec.get("orderRefs", {}).get("contains", {})
    return filters_to_q({"order": contains}, {"order": ("order_line_item__order_id", UUID)})


def reservation_filter(query):
    """A validated ReservationSearchQuery as a Q (search, and the actions' predicate)."""
    return filters_to_q(query, RESERVATION_COLUMNS)


def search_reservations(payload):
    """A SearchPage of reservations, each with `is_active` computed by the database."""
    reservations = Reservation.objects.filter(reservation_filter(payload["query"]))
    now = clock.now()
    return search_page(
        reservations,
        payload,
        RESERVATION_SORTING,
        fetch=lambda page: page.select_related("order_line_item").with_active_flag(now),
        pinned=pins(payload["query"], RESERVATION_PINNING),
    )


LISTING_COLUMNS = {
    "id": ("id", UUID),
    "facilityRef": ("facility_id", UUID),
    "tenantArticleId": ("tenant_article_id", STRING),
    "status": ("status", STRING),
    "outOfStockBehaviour": ("out_of_stock_behaviour", STRING),
    "price": ("price", NUMBER),
    "created": ("created", DATE),
}
# Article order by default, for the same reason as the stock's.
LISTING_SORTING = Sorting(
    model=Listing,
    keys={
        "tenantArticleId": ("tenant_article_id", "id"),
        "lastModified": ("last_modified", "id"),
    },
    default=("tenantArticleId", "ASC"),
)


def search_listings(payload):
    listings = Listing.objects.filter(filters_to_q(payload["query"], LISTING_COLUMNS))
    return search_page(listings, payload, LISTING_SORTING)
