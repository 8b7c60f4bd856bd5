"""Back office for the network: facilities, carriers, connections, listings, stock and
reservations. Every add, change and delete goes through inventory.services, exactly as the API's
do (so e.g. stock can never be set below what reservations hold); reserved and available come
from inventory.selectors; reservations are read-only (only the services make them)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from config import clock
from config.admin_support import EstimatedCountPaginator, ServiceBackedAdmin
from inventory.models import (
    Carrier,
    Facility,
    FacilityCarrierConnection,
    FacilityService,
    Listing,
    Reservation,
    Stock,
)
from inventory.selectors.availability import with_stock_levels
from inventory.services.carriers import create_carrier, modify_carrier
from inventory.services.connections import connect_carrier, update_connection
from inventory.services.facilities import create_facility, delete_facility, modify_facility
from inventory.services.listings import delete_listing, modify_listing, upsert_listings
from inventory.services.stocks import create_stock, delete_stock, update_stock

# "Low stock" in the stock list's filter: at most this many units available.
LOW_STOCK_THRESHOLD = 5


class FacilityServiceFilter(admin.SimpleListFilter):
    title = "service"
    parameter_name = "service"

    def lookups(self, request, model_admin):
        return FacilityService.choices

    def queryset(self, request, queryset):
        if self.value() in FacilityService.values:
            # services is [{"type": "PICKUP"}, ...]; a quoted text match works on every backend.
            return queryset.filter(services__icontains=f'"{self.value()}"')
        return queryset


def _table(headers, rows):
    if not rows:
        return "—"
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    cells = "".join("<td>{}</td>" for _ in headers)
    body = format_html_join("", "<tr>" + cells + "</tr>", rows)
    return format_html(
        '<table class="doms-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body
    )


FACILITY_FIELDS = [
    "name",
    "tenant_facility_id",
    "type",
    "location_type",
    "status",
    "services",
    "address",
    "picking_times",
    "closing_days",
    "fulfillment_process_buffer",
]


@admin.register(Facility)
class FacilityAdmin(ServiceBackedAdmin):
    list_display = [
        "name",
        "tenant_facility_id",
        "type",
        "location_type",
        "status",
        "city",
        "country",
        "service_list",
    ]
    list_filter = ["type", "location_type", "status", FacilityServiceFilter, "country"]
    search_fields = ["name", "tenant_facility_id", "city", "postal_code"]
    readonly_fields = [
        "id",
        "version",
        "country",
        "postal_code",
        "city",
        "latitude",
        "longitude",
        "daily_order_capacity",
        "carrier_connections_table",
        "created",
        "last_modified",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["id", "version", "name", "tenant_facility_id", "type", "location_type"]},
        ),
        ("Status and services", {"fields": ["status", "services", "daily_order_capacity"]}),
        (
            "Location (country, city and coordinates are read from the address)",
            {"fields": ["address", "country", "postal_code", "city", "latitude", "longitude"]},
        ),
        ("Times", {"fields": ["picking_times", "closing_days", "fulfillment_process_buffer"]}),
        ("Carriers", {"fields": ["carrier_connections_table"]}),
        ("Other", {"classes": ["collapse"], "fields": ["created", "last_modified"]}),
    ]

    def service_save(self, request, form, *, adding):
        if adding:
            return create_facility({name: form.cleaned_data[name] for name in FACILITY_FIELDS})
        return modify_facility(
            form.instance.pk,
            form.cleaned_data["seen_version"],
            form.changed_values(FACILITY_FIELDS),
        )

    def service_delete(self, request, facility):
        delete_facility(facility.pk)

    @admin.display(description="services")
    def service_list(self, facility):
        facility_services = facility.services if isinstance(facility.services, list) else []
        return ", ".join(
            service.get("type", "") for service in facility_services if isinstance(service, dict)
        )

    @admin.display(description="carrier connections")
    def carrier_connections_table(self, facility):
        connections = facility.carrier_connections.select_related("carrier")
        return _table(
            ["carrier", "status", "cut-off"],
            [
                (
                    connection.carrier.name,
                    connection.status,
                    f"{connection.cutoff_hour:02d}:{connection.cutoff_minute:02d}",
                )
                for connection in connections
            ],
        )


@admin.register(Carrier)
class CarrierAdmin(ServiceBackedAdmin):
    list_display = ["name", "key", "status", "configuration_version"]
    list_filter = ["status"]
    search_fields = ["name", "key"]
    readonly_fields = [
        "id",
        "version",
        "configuration_version",
        "country_service_mappings_table",
        "created",
        "last_modified",
    ]
    fields = [
        "id",
        "version",
        "key",
        "name",
        "status",
        "configuration_version",
        "country_service_mappings_table",
        "created",
        "last_modified",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The key names the carrier in the API; it is set once.
        return [*self.readonly_fields, "key"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # The API has no carrier deletion either: set the carrier INACTIVE instead.
        return False

    def service_save(self, request, form, *, adding):
        if adding:
            return create_carrier(
                {name: form.cleaned_data[name] for name in ("key", "name", "status")}
            )
        return modify_carrier(
            form.instance.pk,
            form.cleaned_data["seen_version"],
            [form.changed_values(["name", "status"])],
        )

    @admin.display(description="country service mappings")
    def country_service_mappings_table(self, carrier):
        return _table(
            ["from", "to", "product", "transit days", "delivery costs"],
            [
                (
                    mapping.source_country,
                    ", ".join(mapping.destination_countries or []),
                    mapping.carrier_product_category,
                    f"{mapping.min_transit_days}–{mapping.max_transit_days}",
                    ", ".join(
                        f"{cost.get('cost')} {cost.get('currency', '')}"
                        for cost in mapping.delivery_costs or []
                        if isinstance(cost, dict)
                    ),
                )
                for mapping in carrier.country_service_mappings.all()
            ],
        )


@admin.register(FacilityCarrierConnection)
class FacilityCarrierConnectionAdmin(ServiceBackedAdmin):
    list_display = ["facility", "carrier", "status", "cutoff"]
    list_filter = ["status", "carrier"]
    list_select_related = ["facility", "carrier"]
    search_fields = ["facility__name", "carrier__name", "carrier__key"]
    autocomplete_fields = ["facility", "carrier"]
    fields = [
        "id",
        "version",
        "facility",
        "carrier",
        "status",
        "cutoff_hour",
        "cutoff_minute",
        "valid_delivery_targets",
        "delivery_areas",
    ]
    readonly_fields = ["id", "version"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "facility", "carrier"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # No disconnect in the API either: set the connection INACTIVE instead.
        return False

    def service_save(self, request, form, *, adding):
        data = form.cleaned_data
        wire = {
            "status": data["status"],
            "cutoffTime": {"hour": data["cutoff_hour"], "minute": data["cutoff_minute"]},
            "validDeliveryTargets": data["valid_delivery_targets"],
            "deliveryAreas": data["delivery_areas"],
        }
        if adding:
            return connect_carrier(data["facility"].pk, data["carrier"].pk, wire)
        connection = form.instance
        return update_connection(
            connection.facility_id,
            connection.carrier_id,
            {**wire, "version": data["seen_version"]},
        )

    @admin.display(description="cut-off")
    def cutoff(self, connection):
        return f"{connection.cutoff_hour:02d}:{connection.cutoff_minute:02d}"


LISTING_FIELDS = ["title", "price", "currency", "out_of_stock_behaviour", "status"]


@admin.register(Listing)
class ListingAdmin(ServiceBackedAdmin):
    list_display = [
        "tenant_article_id",
        "title",
        "facility",
        "price",
        "currency",
        "status",
        "out_of_stock_behaviour",
    ]
    list_filter = ["status", "out_of_stock_behaviour", "facility"]
    list_select_related = ["facility"]
    search_fields = ["tenant_article_id", "title", "facility__name"]
    autocomplete_fields = ["facility"]
    fields = ["id", "version", "facility", "tenant_article_id", *LISTING_FIELDS]
    readonly_fields = ["id", "version"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return [*self.readonly_fields, "facility", "tenant_article_id"]
        return self.readonly_fields

    def service_save(self, request, form, *, adding):
        data = form.cleaned_data
        if adding:
            item = {"tenant_article_id": data["tenant_article_id"]}
            item.update({name: data[name] for name in LISTING_FIELDS})
            [(listing, _)] = upsert_listings(data["facility"].pk, [item])
            return listing
        listing = form.instance
        return modify_listing(
            listing.facility_id,
            listing.tenant_article_id,
            data["seen_version"],
            [form.changed_values(LISTING_FIELDS)],
        )

    def service_delete(self, request, listing):
        delete_listing(listing.facility_id, listing.tenant_article_id)


class StockLevelFilter(admin.SimpleListFilter):
    title = "stock level"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [
            ("out", "Out of stock (nothing available)"),
            ("low", f"Low stock (≤ {LOW_STOCK_THRESHOLD} available)"),
            ("in", "In stock"),
        ]

    def queryset(self, request, queryset):
        # `available` is annotated by StockAdmin.get_queryset via inventory.selectors.
        if self.value() == "out":
            return queryset.filter(available__lte=0)
        if self.value() == "low":
            return queryset.filter(available__lte=LOW_STOCK_THRESHOLD)
        if self.value() == "in":
            return queryset.filter(available__gt=0)
        return queryset


@admin.register(Stock)
class StockAdmin(ServiceBackedAdmin):
    list_display = ["tenant_article_id", "facility", "on_hand", "reserved", "available_display"]
    list_filter = [StockLevelFilter, "facility"]
    list_select_related = ["facility"]
    search_fields = ["tenant_article_id", "facility__name", "facility__tenant_facility_id"]
    autocomplete_fields = ["facility"]
    fields = ["id", "version", "facility", "tenant_article_id", "value", "reserved", "available"]
    readonly_fields = ["id", "version", "reserved", "available"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return [*self.readonly_fields, "facility", "tenant_article_id"]
        return self.readonly_fields

    def service_save(self, request, form, *, adding):
        data = form.cleaned_data
        if adding:
            return create_stock(
                {
                    "facility_reference": str(data["facility"].pk),
                    "tenantArticleId": data["tenant_article_id"],
                    "value": data["value"],
                }
            )
        return update_stock(
            form.instance.pk, {"value": data["value"], "version": data["seen_version"]}
        )

    def service_delete(self, request, stock):
        delete_stock(stock.pk)

    def get_queryset(self, request):
        return with_stock_levels(super().get_queryset(request))

    @admin.display(description="on hand", ordering="value")
    def on_hand(self, stock):
        return stock.value

    @admin.display(description="reserved", ordering="reserved")
    def reserved(self, stock):
        return getattr(stock, "reserved", None)

    @admin.display(description="available")
    def available(self, stock):
        return getattr(stock, "available", None)

    @admin.display(description="available", ordering="available")
    def available_display(self, stock):
        if stock.available <= LOW_STOCK_THRESHOLD:
            return format_html('<span class="doms-low">{}</span>', stock.available)
        return stock.available


class ReservationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("active", "Active (holding stock)"),
            ("expired", "Expired"),
            ("permanent", "Permanent (confirmed orders)"),
        ]

    def queryset(self, request, queryset):
        now = clock.now()
        if self.value() == "active":
            return queryset.active(now)
        if self.value() == "expired":
            return queryset.expired(now)
        if self.value() == "permanent":
            return queryset.filter(valid_until__isnull=True)
        return queryset


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = [
        "tenant_article_id",
        "facility",
        "quantity",
        "order_link",
        "valid_until",
        "state",
        "created",
    ]
    list_filter = [ReservationStateFilter, "facility"]
    list_select_related = ["facility", "order_line_item"]
    search_fields = ["tenant_article_id", "facility__name"]
    date_hierarchy = "created"
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="order")
    def order_link(self, reservation):
        line = reservation.order_line_item
        if line is None:
            return "—"
        url = reverse("admin:orders_order_change", args=[line.order_id])
        return format_html('<a href="{}">{}</a>', url, str(line.order_id)[:8])

    @admin.display(description="state")
    def state(self, reservation):
        if reservation.valid_until is None:
            return "permanent"
        return "active" if reservation.is_active else "expired"

    def get_queryset(self, request):
        return super().get_queryset(request).with_active_flag(clock.now())
