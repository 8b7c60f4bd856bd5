"""Back office for orders: browse, inspect, and run the order actions through the services.

Nothing here decides anything: the buttons call orders.services / promises.services exactly as
the API does (orders.admin.actions). What a page shows is in orders.admin.display, the list
filters in orders.admin.filters; this module registers the admins.
"""

from django.contrib import admin
from django.db.models import Prefetch, Q

from config.admin_support import EstimatedCountPaginator, ServiceBackedAdmin
from config.identifiers import parse_uuid
from inventory.models import Reservation
from orders import services as order_services
from orders.admin.actions import OrderActionsMixin
from orders.admin.display import OrderColumnsMixin, OrderDetailsMixin, OrderLineItemInline
from orders.admin.filters import DeliveryMethodFilter, FulfillingFacilityFilter, RoutingFilter
from orders.admin.modification import OrderModificationMixin
from orders.models import (
    GdprConfiguration,
    Order,
    OrderLineItem,
    OrderModificationConfiguration,
)


@admin.register(Order)
class OrderAdmin(
    OrderModificationMixin,
    OrderActionsMixin,
    OrderColumnsMixin,
    OrderDetailsMixin,
    admin.ModelAdmin,
):
    list_display = [
        "tenant_order_id_display",
        "status_display",
        "order_date",
        "consumer_name",
        "consumer_email",
        "line_count",
        "unit_count",
        "fulfilling_facilities",
        "routing_display",
        "time_left",
    ]
    list_display_links = ["tenant_order_id_display"]
    list_filter = [
        "status",
        "order_date",
        DeliveryMethodFilter,
        FulfillingFacilityFilter,
        RoutingFilter,
    ]
    # Searched by get_search_results; listed here so the admin shows the search box.
    search_fields = ["tenant_order_id", "consumer_email", "consumer_name", "consumer_id"]
    search_help_text = (
        "Order id, tenantOrderId, consumer e-mail or consumerId (exact), or part of the name."
    )
    date_hierarchy = "order_date"
    ordering = ["-order_date", "-id"]
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [OrderLineItemInline]
    change_form_template = "admin/orders/order/change_form.html"

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "tenant_order_id",
                    "status_display",
                    "version",
                    "order_date",
                    "promise_valid_until",
                    "time_left",
                    "process_id",
                    "created",
                    "last_modified",
                ]
            },
        ),
        (
            "Consumer",
            {"fields": ["consumer_id", "consumer_name", "consumer_email", "consumer_json"]},
        ),
        (
            "Delivery and payment",
            {
                "fields": [
                    "delivery_preferences_json",
                    "preferred_handling_time",
                    "payment_info_json",
                    "promises_options_json",
                ]
            },
        ),
        (
            "Fulfilment",
            {
                "fields": [
                    "routing_display",
                    "reservations_table",
                    "routing_history",
                    "routing_decision",
                ]
            },
        ),
        (
            "History",
            {"fields": ["update_history", "cancelation_reason_json", "status_reasons_json"]},
        ),
        (
            "Other attributes",
            {
                "classes": ["collapse"],
                "fields": [
                    "custom_attributes_json",
                    "tags_json",
                    "stickers_json",
                    "extra_json",
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        line_items = OrderLineItem.objects.order_by("position").prefetch_related(
            Prefetch("reservations", queryset=Reservation.objects.select_related("facility"))
        )
        # Lines and units are counted from this prefetch too: a correlated subquery per row
        # would also run for every row an OFFSET skips on later pages.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("order_line_items", queryset=line_items))
        )

    def get_search_results(self, request, queryset, search_term):
        """Exact matches on the indexed identifiers, a substring match on the name only, so a
        search stays an index lookup plus one scan of one column on 100,000 orders."""
        term = search_term.strip()
        if not term:
            return queryset, False
        # The order id is a UUID: match it exactly, and only when the term is one.
        order_id = parse_uuid(term)
        if order_id is not None:
            return queryset.filter(pk=order_id), False
        if "@" in term:
            return queryset.filter(consumer_email__in={term, term.lower()}), False
        return (
            queryset.filter(
                Q(tenant_order_id=term) | Q(consumer_id=term) | Q(consumer_name__icontains=term)
            ),
            False,
        )

    def has_add_permission(self, request):
        # Orders come in through the API (create_order runs the tenantOrderId rule and more).
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would drop reservations behind the services' back: cancel instead.
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]


@admin.register(OrderModificationConfiguration)
class OrderModificationConfigurationAdmin(admin.ModelAdmin):
    """Shown read-only: the API's versioned PUT is the one way to change it."""

    list_display = ["__str__", "allow_order_line_item_modification", "version", "last_modified"]
    readonly_fields = ["allow_order_line_item_modification", "version", "created", "last_modified"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GdprConfiguration)
class GdprConfigurationAdmin(ServiceBackedAdmin):
    """One row, changed through orders.services.update_gdpr_configuration (versioned: a stale
    page gets the conflict and nothing is saved). With actor anonymization on (the default)
    order changes record no user in updateDetails; off, they name the API user or staff."""

    fields = ["actor_anonymization"]
    list_display = ["__str__", "actor_anonymization", "version", "last_modified"]

    def changelist_view(self, request, extra_context=None):
        # A singleton: the list is its one row, there from the first look.
        GdprConfiguration.objects.get_or_create(pk=1)
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, form, *, adding):
        return order_services.update_gdpr_configuration(
            version=form.cleaned_data["seen_version"],
            actor_anonymization=form.cleaned_data["actor_anonymization"],
        )
