"""The routing engine's input and output: plain frozen dataclasses, no Django.

Input: a `RoutingRequest` (cart lines, destination, candidate facilities with their carrier
connections, availability, configuration, `now`, resource investment).
Output: a `RoutingDecision` (source nodes with allocations, transfers into a pickup store,
backordered and non-assignable quantities, rating results explaining the choice).

Identifiers are strings (the adapter passes UUIDs as `str`). Times are aware datetimes;
a facility's picking times are wall-clock times in the facility's `timezone`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Union

# Delivery targets of a facility–carrier connection.
SHIP_TO_CUSTOMER = "SHIP_TO_CUSTOMER"
SHIP_TO_STORE = "SHIP_TO_STORE"

# Facility services.
SHIP_FROM_STORE = "SHIP_FROM_STORE"
PICKUP = "PICKUP"

# Facility location types.
STORE = "STORE"
WAREHOUSE = "WAREHOUSE"
EXTERNAL = "EXTERNAL"

ONLINE = "ONLINE"

SHIPPING = "SHIPPING"
COLLECT = "COLLECT"


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class OrderLine:
    """One cart line. `allows_backorder` comes from the listing's out-of-stock behaviour."""

    line_id: str
    tenant_article_id: str
    quantity: int
    allows_backorder: bool = False


@dataclass(frozen=True)
class ShippingDestination:
    """Ship to the consumer. Coordinates are optional (no distance rating without them);
    `coordinates_source` says where they came from (the address, or the offline resolution of
    its city or country, config/geocoding.py). `subdivision` is the region's code in the
    `holidays` package ("NW"), `public_holidays` the region's public holidays: no carrier
    delivers there on those days."""

    country: str
    latitude: float | None = None
    longitude: float | None = None
    postal_code: str = ""
    subdivision: str = ""
    public_holidays: frozenset[dt.date] = frozenset()
    coordinates_source: str = ""


@dataclass(frozen=True)
class CollectDestination:
    """Click-and-collect at `facility_id` (which must be among the candidate facilities)."""

    facility_id: str


Destination = Union[ShippingDestination, CollectDestination]  # noqa: UP007


@dataclass(frozen=True)
class PickingWindow:
    """A picking window on one weekday, local wall-clock time of the facility."""

    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class CarrierService:
    """A carrier product from `source_country` to `destination_countries` (a country-service
    mapping): transit days and the cost of one parcel."""

    source_country: str
    destination_countries: frozenset[str]
    product_category: str = "STANDARD"
    min_transit_days: int = 1
    max_transit_days: int = 1
    cost: float | None = None
    currency: str = "EUR"


# A carrier that configures nothing for a country does not deliver there on Sundays.
DEFAULT_NON_DELIVERY_WEEKDAYS = frozenset({6})


@dataclass(frozen=True)
class NonDeliveryDays:
    """Days a carrier neither collects nor delivers in a region (the reference's
    `nonDeliveryDaysPerCountryAndProvince`): `country` ("" = every country), `province`
    ("" = the whole country, else a subdivision code or name), weekdays (Monday=0) and dates.
    For a region, the weekdays of its country's entries apply (Sunday when the carrier has no
    entry for the country), plus those of its province's entries; all matching dates apply."""

    country: str = ""
    province: str = ""
    weekdays: frozenset[int] = frozenset()
    dates: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class CarrierConnection:
    """A facility's connection to a carrier. `active` = connection AND carrier active.
    Empty `valid_delivery_targets` means every target is allowed. `non_delivery_days`: the
    carrier's calendar (empty: no delivery on Sundays anywhere). `priority`: the carrier's
    configured priority, lower preferred where its options are otherwise equal; None: not
    prioritised (after every prioritised carrier)."""

    carrier_id: str
    carrier_key: str
    carrier_name: str
    active: bool = True
    cutoff_hour: int = 16
    cutoff_minute: int = 0
    valid_delivery_targets: frozenset[str] = frozenset()
    services: tuple[CarrierService, ...] = ()
    non_delivery_days: tuple[NonDeliveryDays, ...] = ()
    priority: float | None = None


@dataclass(frozen=True)
class Facility:
    """A candidate facility.

    `picking_times`: 7 tuples (Monday=0 … Sunday=6) of windows; all empty = always picking.
    `closing_days`: days it neither picks nor hands parcels over: its own closing days and
    the public holidays of its region (`country` and `subdivision`, a code of the `holidays`
    package), merged by the adapter.
    `remaining_capacity`: orders it can still take today; None = unlimited.
    `fulfillment_process_buffer`: minutes from picking start until a parcel is ready.
    """

    facility_id: str
    name: str = ""
    tenant_facility_id: str | None = None
    type: str = "MANAGED_FACILITY"
    location_type: str = STORE
    status: str = ONLINE
    services: frozenset[str] = frozenset()
    latitude: float | None = None
    longitude: float | None = None
    country: str = ""
    subdivision: str = ""
    timezone: str = "UTC"
    picking_times: tuple[tuple[PickingWindow, ...], ...] = ((),) * 7
    closing_days: frozenset[dt.date] = frozenset()
    fulfillment_process_buffer: int = 240
    remaining_capacity: int | None = None
    carrier_connections: tuple[CarrierConnection, ...] = ()


@dataclass(frozen=True)
class RatingSetting:
    """A rating: when active it adds up to `max_penalty`; `threshold` is the metric value at
    which the full penalty is reached (unit depends on the rating, see routing/ratings.py)."""

    active: bool = True
    max_penalty: float = 100.0
    threshold: float | None = None


# Fence names (active by default, except those in FENCES_OFF_BY_DEFAULT).
FENCE_FACILITY_STATUS = "facilityStatus"
FENCE_FACILITY_SERVICE = "facilityService"
FENCE_CARRIER = "carrier"
FENCE_PRESELECTED_FACILITIES = "preselectedFacilities"
FENCE_CAPACITY = "capacity"
FENCE_COMPLETE_STOCK = "completeStock"
FENCE_FACILITY_COUNTRY = "facilityCountry"
FENCE_NAMES = (
    FENCE_FACILITY_STATUS,
    FENCE_FACILITY_SERVICE,
    FENCE_CARRIER,
    FENCE_PRESELECTED_FACILITIES,
    FENCE_CAPACITY,
    FENCE_COMPLETE_STOCK,
    FENCE_FACILITY_COUNTRY,
)
# Fences a network has to switch on: on by default they would change existing decisions
# (facilityCountry would stop every cross-border parcel).
FENCES_OFF_BY_DEFAULT = frozenset({FENCE_FACILITY_COUNTRY})


def default_fences() -> dict[str, bool]:
    return {name: name not in FENCES_OFF_BY_DEFAULT for name in FENCE_NAMES}


# Rating names.
RATING_GEO_DISTANCE = "geoDistance"
RATING_NUMBER_OF_DELIVERIES = "numberOfDeliveries"
RATING_DELIVERY_COSTS = "deliveryCosts"
RATING_DELIVERY_TIME = "deliveryTime"
RATING_STOCK_BALANCING = "stockBalancing"
RATING_PREFER_STORE = "preferStore"
RATING_PREFER_WAREHOUSE = "preferWarehouse"
RATING_WORKLOAD_BALANCING = "workloadBalancing"


def default_ratings() -> dict[str, RatingSetting]:
    return {
        RATING_GEO_DISTANCE: RatingSetting(True, 100.0, 1000.0),  # km
        RATING_NUMBER_OF_DELIVERIES: RatingSetting(True, 200.0, None),  # splits/(max−1)
        RATING_DELIVERY_COSTS: RatingSetting(True, 100.0, 30.0),  # currency units
        RATING_DELIVERY_TIME: RatingSetting(True, 100.0, 7.0),  # days
        RATING_STOCK_BALANCING: RatingSetting(True, 50.0, 20.0),  # units left
        RATING_PREFER_STORE: RatingSetting(False, 50.0, None),
        RATING_PREFER_WAREHOUSE: RatingSetting(False, 50.0, None),
        RATING_WORKLOAD_BALANCING: RatingSetting(True, 50.0, 10.0),  # orders left today
    }


@dataclass(frozen=True)
class RoutingConfiguration:
    """Active fences, ratings and `max_split_count` (max number of source facilities)."""

    fences: dict[str, bool] = field(default_factory=default_fences)
    ratings: dict[str, RatingSetting] = field(default_factory=default_ratings)
    max_split_count: int = 3

    def fence_active(self, name: str) -> bool:
        return self.fences.get(name, name not in FENCES_OFF_BY_DEFAULT)

    def rating(self, name: str) -> RatingSetting:
        return self.ratings.get(name) or default_ratings()[name]


@dataclass(frozen=True)
class RoutingRequest:
    """Everything the engine needs. `availability[(facility_id, tenant_article_id)]` = units
    available now (missing = 0). `preselected_facility_ids`: shipping may only use these
    (empty = any). `supplying_facility_ids`: for collect, which facilities may transfer into
    the pickup store (empty = any). `resource_investment` 0..1: 0 = greedy, higher = exact
    search with a larger budget."""

    lines: tuple[OrderLine, ...]
    destination: Destination
    facilities: tuple[Facility, ...]  # unique facility ids
    availability: dict[tuple[str, str], int]
    now: dt.datetime
    configuration: RoutingConfiguration = field(default_factory=RoutingConfiguration)
    carrier_product_category: str | None = None
    service_level: str | None = None  # "DELIVERY" | "SAMEDAY"
    preferred_carrier_keys: frozenset[str] = frozenset()
    preselected_facility_ids: frozenset[str] = frozenset()
    supplying_facility_ids: frozenset[str] = frozenset()
    resource_investment: float = 0.0


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class Allocation:
    """`quantity` units of line `line_id` taken from `facility_id`: reserve exactly this."""

    line_id: str
    tenant_article_id: str
    facility_id: str
    quantity: int


@dataclass(frozen=True)
class CarrierChoice:
    carrier_id: str
    carrier_key: str
    carrier_name: str
    product_category: str
    min_transit_days: int
    max_transit_days: int
    cost: float | None
    currency: str


@dataclass(frozen=True)
class DeliveryEstimate:
    """When a parcel leaves a facility and reaches its recipient.

    `min_delivery_days` / `max_delivery_days` count calendar days from `now`'s date.
    """

    picking_start: dt.datetime
    latest_picking_start: dt.datetime
    ready_at: dt.datetime
    ship_date: dt.date
    earliest_delivery_date: dt.date
    latest_delivery_date: dt.date
    min_delivery_days: int
    max_delivery_days: int


@dataclass(frozen=True)
class TransferTimeLine:
    calculation_start_point: dt.datetime
    earliest_picking_start: dt.datetime
    latest_picking_start: dt.datetime
    target_time: dt.datetime
    earliest_possible_delivery_time: dt.datetime | None = None
    used_transit_time_in_days: int | None = None


@dataclass(frozen=True)
class FulfillmentNode:
    """A source facility and what it supplies. For shipping, `carrier` and `estimate` describe
    its parcel to the consumer; for collect, the pickup store has `is_pickup_location` and no
    carrier (its stock does not travel), other nodes travel there as a `Transfer`."""

    facility: Facility
    allocations: tuple[Allocation, ...]
    carrier: CarrierChoice | None
    estimate: DeliveryEstimate | None
    distance_km: float | None
    is_pickup_location: bool = False

    @property
    def facility_id(self) -> str:
        return self.facility.facility_id

    @property
    def quantity(self) -> int:
        return sum(allocation.quantity for allocation in self.allocations)


@dataclass(frozen=True)
class Transfer:
    """Stock travelling from `source_facility_id` to the pickup store."""

    source_facility_id: str
    target_facility_id: str
    allocations: tuple[Allocation, ...]
    carrier: CarrierChoice | None
    time_line: TransferTimeLine


@dataclass(frozen=True)
class UnassignedQuantity:
    """Units of a line no facility supplies. `backordered` when the listing allows it."""

    line_id: str
    tenant_article_id: str
    quantity: int
    backordered: bool
    reason: str


@dataclass(frozen=True)
class RatingResult:
    """One rating's contribution: `penalty` = min(metric / threshold, 1) × max_penalty
    (see routing/ratings.py for each metric), with a sentence a person can read."""

    name: str
    title: str
    penalty: float
    metric: float | None
    threshold: float | None
    max_penalty: float
    explanation: str


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str


@dataclass(frozen=True)
class RoutingDecision:
    method: str  # SHIPPING | COLLECT
    nodes: tuple[FulfillmentNode, ...]
    transfers: tuple[Transfer, ...]
    unassigned: tuple[UnassignedQuantity, ...]
    rating_results: tuple[RatingResult, ...]
    total_penalty: float
    total_costs: Money | None
    estimated_delivery_date: dt.date | None
    min_delivery_days: int | None
    max_delivery_days: int | None
    collect_target_time: dt.datetime | None = None
    pickup_facility: Facility | None = None
    excluded_facilities: dict[str, str] = field(default_factory=dict)  # id → fence that failed
    # "greedy" | "exact" | "exact (budget exhausted)" | "exact (time limit)"
    search: str = "greedy"
    # Collect: why the pickup store itself cannot serve (then nothing is sourced), else None.
    pickup_refusal: str | None = None

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        return tuple(a for node in self.nodes for a in node.allocations)

    @property
    def backordered(self) -> tuple[UnassignedQuantity, ...]:
        return tuple(u for u in self.unassigned if u.backordered)

    @property
    def not_assignable(self) -> tuple[UnassignedQuantity, ...]:
        return tuple(u for u in self.unassigned if not u.backordered)

    def reserved_quantities(self) -> dict[tuple[str, str], int]:
        """(facility_id, tenant_article_id) → units to reserve."""
        result: dict[tuple[str, str], int] = {}
        for allocation in self.allocations:
            key = (allocation.facility_id, allocation.tenant_article_id)
            result[key] = result.get(key, 0) + allocation.quantity
        return result
