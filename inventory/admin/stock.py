"""Back office for what the network holds: listings, stock (with reserved and available from
inventory.selectors) and reservations (read only: only the services make them)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from config import clock
from config.admin_support import EstimatedCountPaginator, ServiceBackedAdmin
from inventory.admin.filters import LOW_STOCK_THRESHOLD, ReservationStateFilter, StockLevelFilter
from inventory.models import Listing, Reservation, Stock
from inventory.selectors.availability import with_stock_levels
from inventory.services.listings import delete_listing, modify_listing, upsert_listings
from inventory.services.stocks import create_stock, delete_stock, update_stock

LISTING_FIELDS = ["title", "price", "currency", "out_of_stock_behaviour", "status", "safety_stock"]


class FacilityArticleAdmin(ServiceBackedAdmin):
    """Rows named by facility and article (listings, stock): many of them, and both names fixed
    once the row exists."""

    list_select_related = ["facility"]
    autocomplete_fields = ["facility"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return [*self.readonly_fields, "facility", "tenant_article_id"]
        return self.readonly_fields


@admin.register(Listing)
class ListingAdmin(FacilityArticleAdmin):
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
    search_fields = ["tenant_article_id", "title", "facility__name"]
    fields = ["id", "version", "facility", "tenant_article_id", *LISTING_FIELDS]
    readonly_fields = ["id", "version"]

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


@admin.register(Stock)
class StockAdmin(FacilityArticleAdmin):
    list_display = ["tenant_article_id", "facility", "on_hand", "reserved", "available_display"]
    list_filter = [StockLevelFilter, "facility"]
    search_fields = ["tenant_article_id", "facility__name", "facility__tenant_facility_id"]
    fields = ["id", "version", "facility", "tenant_article_id", "value", "reserved", "available"]
    readonly_fields = ["id", "version", "reserved", "available"]

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
