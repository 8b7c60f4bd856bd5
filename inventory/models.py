"""The network: facilities, carriers and their connections, listings, stock and reservations.

Availability of an article at a facility = stock value − quantity of *active* reservations,
where a reservation is active while `valid_until` is null (permanent) or in the future.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast


class FacilityType(models.TextChoices):
    MANAGED_FACILITY = "MANAGED_FACILITY"
    SUPPLIER = "SUPPLIER"


class LocationType(models.TextChoices):
    STORE = "STORE"
    WAREHOUSE = "WAREHOUSE"
    EXTERNAL = "EXTERNAL"


class FacilityStatus(models.TextChoices):
    ONLINE = "ONLINE"
    SUSPENDED = "SUSPENDED"
    OFFLINE = "OFFLINE"


class FacilityService(models.TextChoices):
    SHIP_FROM_STORE = "SHIP_FROM_STORE"
    PICKUP = "PICKUP"


class Facility(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    tenant_facility_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    name = models.CharField(max_length=255)
    type = models.CharField(
        max_length=32, choices=FacilityType.choices, default=FacilityType.MANAGED_FACILITY
    )
    location_type = models.CharField(
        max_length=16, choices=LocationType.choices, default=LocationType.STORE
    )
    status = models.CharField(
        max_length=16, choices=FacilityStatus.choices, default=FacilityStatus.ONLINE
    )
    # Wire `address` object; country and coordinates are also columns for routing queries.
    address = models.JSONField(default=dict, blank=True)
    country = models.CharField(max_length=2, blank=True, default="")
    postal_code = models.CharField(max_length=32, blank=True, default="")
    city = models.CharField(max_length=255, blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    services = models.JSONField(default=list, blank=True)  # [{"type": "SHIP_FROM_STORE"}, ...]
    picking_times = models.JSONField(default=dict, blank=True)  # {"monday": [{start,end}], ...}
    closing_days = models.JSONField(default=list, blank=True)
    fulfillment_process_buffer = models.PositiveIntegerField(default=240)  # minutes
    daily_order_capacity = models.PositiveIntegerField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "facilities"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="facility_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="facility_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name


class CarrierStatus(models.TextChoices):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class CarrierProductCategory(models.TextChoices):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"
    VALUE = "VALUE"
    FORWARDING = "FORWARDING"


class Carrier(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=CarrierStatus.choices, default=CarrierStatus.ACTIVE
    )
    # Wire `carrierConfigurationVersion`: optimistic locking of the carrier's configuration
    # (its country service mappings and the fields below), separate from `version` (the
    # carrier's own fields).
    configuration_version = models.PositiveIntegerField(default=1)
    # The configuration's `thresholdPriceValue`: {"priority": 1, "priceRange": {...}}; null
    # when the carrier is not prioritised. Routing prefers the lower priority on a tie.
    threshold_price_value = models.JSONField(null=True, blank=True)
    # The configuration's other wire fields (returnLabel, nonDeliveryDays..., no behaviour).
    configuration = models.JSONField(default=dict, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def priority(self):
        """The configured priority (lower is preferred), or None: not prioritised."""
        return (self.threshold_price_value or {}).get("priority")


class CarrierCountryServiceMapping(models.Model):
    """A carrier product from one source country to a set of destination countries."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="country_service_mappings"
    )
    source_country = models.CharField(max_length=2)
    destination_countries = models.JSONField(default=list)  # ["NL", "DE"]
    carrier_product_category = models.CharField(
        max_length=16,
        choices=CarrierProductCategory.choices,
        default=CarrierProductCategory.STANDARD,
    )
    min_transit_days = models.PositiveIntegerField(default=1)
    max_transit_days = models.PositiveIntegerField(default=1)
    # [{"cost": 4.95, "currency": "EUR"}]
    delivery_costs = models.JSONField(default=list, blank=True)
    # Wire fields without behaviour behind them (destinations with postal codes, services, ...).
    extra = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_transit_days__gte=F("min_transit_days")),
                name="mapping_transit_days_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.carrier_id} {self.source_country}→{self.destination_countries}"


class FacilityCarrierConnection(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="carrier_connections"
    )
    carrier = models.ForeignKey(
        Carrier, on_delete=models.CASCADE, related_name="facility_connections"
    )
    status = models.CharField(
        max_length=16, choices=CarrierStatus.choices, default=CarrierStatus.ACTIVE
    )
    cutoff_hour = models.PositiveSmallIntegerField(default=16)
    cutoff_minute = models.PositiveSmallIntegerField(default=0)
    valid_delivery_targets = models.JSONField(default=list, blank=True)
    delivery_areas = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "carrier"], name="unique_facility_carrier"),
        ]

    def __str__(self):
        return f"{self.facility_id} → {self.carrier_id}"


class OutOfStockBehaviour(models.TextChoices):
    NONE = "NONE"
    BACKORDER = "BACKORDER"
    PREORDER = "PREORDER"
    RESTOCK = "RESTOCK"
    PREORDER_AND_RESTOCK = "PREORDER_AND_RESTOCK"


class ListingStatus(models.TextChoices):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class Listing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="listings")
    tenant_article_id = models.CharField(max_length=255)
    title = models.CharField(max_length=512, blank=True, default="")
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, default="")
    out_of_stock_behaviour = models.CharField(
        max_length=32, choices=OutOfStockBehaviour.choices, default=OutOfStockBehaviour.NONE
    )
    status = models.CharField(
        max_length=16, choices=ListingStatus.choices, default=ListingStatus.ACTIVE
    )
    # Units of the facility's stock of this article that are never promised (kept back for
    # walk-in customers, miscounts): availability subtracts them (selectors/availability.py).
    safety_stock = models.PositiveIntegerField(default=0)
    extra = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "tenant_article_id"], name="unique_listing_per_facility"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant_article_id"], name="listing_article_idx"),
            # Every checkout asks which of its articles may be backordered; few listings can,
            # so this stays small and answers without visiting the other listings.
            models.Index(
                fields=["tenant_article_id"],
                name="listing_backorderable_idx",
                condition=models.Q(status="ACTIVE", out_of_stock_behaviour="BACKORDER"),
            ),
            # Stock summaries look up the few listings that keep a safety stock.
            models.Index(
                fields=["tenant_article_id"],
                name="listing_safety_stock_idx",
                condition=models.Q(safety_stock__gt=0),
            ),
        ]

    def __str__(self):
        return f"{self.tenant_article_id} @ {self.facility_id}"


def stock_extra_text(key):
    """The text of the stock field `key` kept in `extra`: the expression its search index is
    built on, and what searches compare (a plain text comparison on every database)."""
    return Cast(KeyTextTransform(key, "extra"), models.TextField())


class Stock(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    # No index of its own: the unique (facility, article) index serves lookups by facility.
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="stocks", db_index=False
    )
    tenant_article_id = models.CharField(max_length=255)
    value = models.IntegerField(default=0)
    extra = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="stock_value_not_negative"),
            models.UniqueConstraint(
                fields=["facility", "tenant_article_id"], name="unique_stock_per_facility_article"
            ),
        ]
        indexes = [
            # Covering on PostgreSQL: stock summaries and checkout availability read facility and
            # value from the index alone. Other databases get a plain article index.
            models.Index(
                fields=["tenant_article_id"],
                include=["facility", "value"],
                name="stock_article_cover_idx",
            ),
            # Stock searches by these wire fields, kept in `extra`. Partial: rows without the
            # field (most bulk feeds send neither) cost neither space nor index writes.
            models.Index(
                stock_extra_text("locationRef"),
                name="stock_location_ref_idx",
                condition=Q(extra__has_key="locationRef"),
            ),
            models.Index(
                stock_extra_text("tenantStockId"),
                name="stock_tenant_stock_id_idx",
                condition=Q(extra__has_key="tenantStockId"),
            ),
            # The search's sort keys with their id tie-breaker, so that a page of all stock in
            # lastModified or value order (either direction: a backward scan) and the cursor's
            # row comparison read 21 index entries, not the whole table; (value, id) also
            # answers a filter on value alone.
            models.Index(fields=["last_modified", "id"], name="stock_last_modified_idx"),
            models.Index(fields=["value", "id"], name="stock_value_idx"),
        ]

    def __str__(self):
        return f"{self.value} × {self.tenant_article_id} @ {self.facility_id}"


class ReservationQuerySet(models.QuerySet):
    """The rule of this whole product, written once: a reservation holds stock while it has no
    end (its order was confirmed) or its end is still ahead. An expired reservation never
    counts, whether or not the sweep has deleted it yet. `active_reservation_sql` is the same
    rule for hand-written statements."""

    def active(self, now):
        return self.filter(active_reservation_condition(now))

    def expired(self, now):
        return self.exclude(active_reservation_condition(now))

    def with_active_flag(self, now):
        """Each reservation with `is_active`, computed by the database."""
        return self.annotate(
            is_active=models.Case(
                models.When(active_reservation_condition(now), then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


def active_reservation_condition(now):
    return Q(valid_until__isnull=True) | Q(valid_until__gt=now)


def active_reservation_sql(alias):
    """`active_reservation_condition` as SQL on table alias `alias`, with one `%s` for now."""
    column = f"{alias}.{Reservation._meta.get_field('valid_until').column}"
    return f"({column} IS NULL OR {column} > %s)"


class Reservation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: reservation_stock_valid_idx (stock, valid_until) serves it.
    stock = models.ForeignKey(
        Stock, on_delete=models.PROTECT, related_name="reservations", db_index=False
    )
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="reservations")
    tenant_article_id = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField()
    order_line_item = models.ForeignKey(
        "orders.OrderLineItem",
        on_delete=models.CASCADE,
        related_name="reservations",
        null=True,
        blank=True,
    )
    # Null: permanent (a confirmed order). Otherwise the reservation stops counting at this time.
    valid_until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="reservation_quantity_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["stock", "valid_until"], name="reservation_stock_valid_idx"),
            models.Index(fields=["tenant_article_id"], name="reservation_article_idx"),
            # The search's sort keys (see stock's): a page of all reservations by created or
            # lastModified, in either direction, without reading the table.
            models.Index(fields=["created", "id"], name="reservation_created_idx"),
            models.Index(fields=["last_modified", "id"], name="reservation_modified_idx"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.tenant_article_id} @ {self.facility_id}"

    def is_active(self, now):
        """`ReservationQuerySet.active` for one loaded reservation."""
        return self.valid_until is None or self.valid_until > now


class FacilityDailyOrders(models.Model):
    """How many orders hold stock reserved at a facility on a (UTC) day: the load the daily
    order capacity fence compares against.

    Kept as a counter because counting it from reservations on every checkout is a scan that
    grows with the day's orders. A promise adds 1 for each facility it reserves at; cancelling
    or expiring it subtracts 1 again. Rows are changed last in their transactions and in
    (facility, day) order, so the row lock is short and two writers never deadlock.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="daily_orders")
    day = models.DateField()
    orders = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "day"], name="unique_facility_day"),
        ]
        verbose_name_plural = "facility daily orders"

    def __str__(self):
        return f"{self.orders} order(s) @ {self.facility_id} on {self.day}"
