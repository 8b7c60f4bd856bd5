"""Back office for the network: facilities, carriers, connections, listings, stock and
reservations. Reserved and available quantities come from inventory.selectors, the one
place availability is defined; reservations are read-only (only the services make them)."""

from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from config.admin_support import EstimatedCountPaginator
from inventory.models import (
    Carrier,
    CarrierCountryServiceMapping,
    Facility,
    FacilityCarrierConnection,
    FacilityService,
    Listing,
    Reservation,
    Stock,
)
from inventory.selectors import active_reservations, with_stock_levels

# "Low stock" in the stock list's filter: at most this many units available.
LOW_STOCK_THRESHOLD = 5


class VersionedAdmin(admin.ModelAdmin):
    """An edit in the admin is a change like any other: API clients holding the old
    `version` must get a conflict rather than overwrite it."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])


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


class CarrierConnectionInline(admin.TabularInline):
    model = FacilityCarrierConnection
    extra = 0
    fields = ["carrier", "status", "cutoff_hour", "cutoff_minute"]
    autocomplete_fields = ["carrier"]


@admin.register(Facility)
class FacilityAdmin(VersionedAdmin):
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
    readonly_fields = ["id", "version", "created", "last_modified"]
    inlines = [CarrierConnectionInline]
    fieldsets = [
        (
            None,
            {"fields": ["id", "version", "name", "tenant_facility_id", "type", "location_type"]},
        ),
        ("Status and services", {"fields": ["status", "services", "daily_order_capacity"]}),
        (
            "Location",
            {"fields": ["address", "country", "postal_code", "city", "latitude", "longitude"]},
        ),
        (
            "Times",
            {"fields": ["picking_times", "closing_days", "fulfillment_process_buffer"]},
        ),
        ("Other", {"classes": ["collapse"], "fields": ["extra", "created", "last_modified"]}),
    ]

    @admin.display(description="services")
    def service_list(self, facility):
        services = facility.services if isinstance(facility.services, list) else []
        return ", ".join(
            service.get("type", "") for service in services if isinstance(service, dict)
        )


class CountryServiceMappingInline(admin.TabularInline):
    model = CarrierCountryServiceMapping
    extra = 0
    fields = [
        "source_country",
        "destination_countries",
        "carrier_product_category",
        "min_transit_days",
        "max_transit_days",
        "delivery_costs",
    ]


@admin.register(Carrier)
class CarrierAdmin(VersionedAdmin):
    list_display = ["name", "key", "status", "configuration_version"]
    list_filter = ["status"]
    search_fields = ["name", "key"]
    readonly_fields = ["id", "version", "configuration_version", "created", "last_modified"]
    inlines = [CountryServiceMappingInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(formset.has_changed() for formset in formsets):
            # The mappings are versioned through the carrier's configuration version.
            Carrier.objects.filter(pk=form.instance.pk).update(
                configuration_version=F("configuration_version") + 1
            )


@admin.register(FacilityCarrierConnection)
class FacilityCarrierConnectionAdmin(VersionedAdmin):
    list_display = ["facility", "carrier", "status", "cutoff"]
    list_filter = ["status", "carrier"]
    list_select_related = ["facility", "carrier"]
    search_fields = ["facility__name", "carrier__name", "carrier__key"]
    autocomplete_fields = ["facility", "carrier"]
    readonly_fields = ["id", "version", "created", "last_modified"]

    @admin.display(description="cut-off")
    def cutoff(self, connection):
        return f"{connection.cutoff_hour:02d}:{connection.cutoff_minute:02d}"


@admin.register(Listing)
class ListingAdmin(VersionedAdmin):
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
    readonly_fields = ["id", "version", "created", "last_modified"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False


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
class StockAdmin(VersionedAdmin):
    list_display = ["tenant_article_id", "facility", "on_hand", "reserved", "available_display"]
    list_filter = [StockLevelFilter, "facility"]
    list_select_related = ["facility"]
    search_fields = ["tenant_article_id", "facility__name", "facility__tenant_facility_id"]
    autocomplete_fields = ["facility"]
    fields = ["id", "version", "facility", "tenant_article_id", "value", "reserved", "available"]
    readonly_fields = ["id", "version", "reserved", "available"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

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
        now = timezone.now()
        active = active_reservations(now).values("pk")
        if self.value() == "active":
            return queryset.filter(pk__in=active)
        if self.value() == "expired":
            return queryset.exclude(pk__in=active)
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
        return "active" if reservation.valid_until > timezone.now() else "expired"
