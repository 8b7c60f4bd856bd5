"""Back office for orders: browse, inspect, and run the order actions through the services.

Nothing here decides anything: the buttons call orders.services / promises.services exactly as
the API does, and a refusal (config.errors.ServiceError) is shown to the user as a message.
"""

import uuid

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from config.admin_support import (
    EstimatedCountPaginator,
    placeholder_when_unreadable,
    pretty_json,
    report_service_error,
    service_error_text,
    short_time_left,
)
from config.errors import ServiceError
from inventory.models import Facility, Reservation
from orders import services as order_services
from orders.models import Order, OrderLineItem, OrderModificationConfiguration, OrderStatus
from promises import services as promise_services

STATUS_COLOURS = {
    OrderStatus.OPEN: "#1e7d32",
    OrderStatus.PROMISED: "#1565c0",
    OrderStatus.LOCKED: "#b26a00",
    OrderStatus.CANCELLED: "#b71c1c",
    OrderStatus.OBSOLETE: "#616161",
}

ACTION_PERMISSION = "orders.perform_order_actions"


def status_badge(status):
    colour = STATUS_COLOURS.get(status, "#616161")
    return format_html(
        '<span class="doms-badge" style="background:{}">{}</span>', colour, status or "—"
    )


class DeliveryMethodFilter(admin.SimpleListFilter):
    title = "delivery method"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("ship", "Ship to consumer"), ("collect", "Click & collect")]

    def queryset(self, request, queryset):
        # deliveryPreferences.collect is present exactly for click & collect orders.
        if self.value() == "collect":
            return queryset.filter(delivery_preferences__has_key="collect")
        if self.value() == "ship":
            return queryset.exclude(delivery_preferences__has_key="collect")
        return queryset


class FulfillingFacilityFilter(admin.SimpleListFilter):
    title = "fulfilling facility"
    parameter_name = "facility"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Facility.objects.values_list("id", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            facility_id = uuid.UUID(value)
        except ValueError:
            return queryset.none()
        reserved_there = Reservation.objects.filter(
            order_line_item__order=OuterRef("pk"), facility_id=facility_id
        )
        return queryset.filter(Exists(reserved_there))


class OrderLineItemInline(admin.TabularInline):
    model = OrderLineItem
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ["position", "tenant_article_id", "title", "quantity", "line_custom_attributes", "id"]
    readonly_fields = fields
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="title")
    def title(self, line):
        return line.article.get("title", "") if isinstance(line.article, dict) else ""

    @admin.display(description="custom attributes")
    def line_custom_attributes(self, line):
        return pretty_json(line.custom_attributes)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "tenant_order_id_display",
        "status_display",
        "order_date",
        "consumer_name",
        "consumer_email",
        "line_count",
        "unit_count",
        "fulfilling_facilities",
        "time_left",
    ]
    list_display_links = ["tenant_order_id_display"]
    list_filter = ["status", "order_date", DeliveryMethodFilter, FulfillingFacilityFilter]
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
        ("Fulfilment", {"fields": ["reservations_table", "routing_decision"]}),
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

    # --- queryset -------------------------------------------------------------------------

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
        try:
            # The order id is a UUID: match it exactly, and only when the term is one.
            return queryset.filter(pk=uuid.UUID(term)), False
        except ValueError:
            pass
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

    # --- list columns ---------------------------------------------------------------------

    @admin.display(description="tenantOrderId", ordering="tenant_order_id")
    def tenant_order_id_display(self, order):
        return order.tenant_order_id or f"({str(order.id)[:8]}…)"

    @admin.display(description="status", ordering="status")
    def status_display(self, order):
        return status_badge(order.status)

    @admin.display(description="lines")
    def line_count(self, order):
        return len(order.order_line_items.all())

    @admin.display(description="units")
    def unit_count(self, order):
        return sum(line.quantity for line in order.order_line_items.all())

    @admin.display(description="facilities")
    def fulfilling_facilities(self, order):
        names = sorted(
            {
                reservation.facility.name
                for line in order.order_line_items.all()
                for reservation in line.reservations.all()
            }
        )
        return ", ".join(names) or "—"

    @admin.display(description="time left", ordering="promise_valid_until")
    @placeholder_when_unreadable
    def time_left(self, order):
        if order.status != OrderStatus.PROMISED or order.promise_valid_until is None:
            return "—"
        return short_time_left(order.promise_valid_until - timezone.now())

    # --- detail fields --------------------------------------------------------------------

    @admin.display(description="consumer")
    def consumer_json(self, order):
        return pretty_json(order.consumer)

    @admin.display(description="deliveryPreferences")
    def delivery_preferences_json(self, order):
        return pretty_json(order.delivery_preferences)

    @admin.display(description="paymentInfo")
    def payment_info_json(self, order):
        return pretty_json(order.payment_info)

    @admin.display(description="promisesOptions")
    def promises_options_json(self, order):
        return pretty_json(order.promises_options)

    @admin.display(description="cancelationReason")
    def cancelation_reason_json(self, order):
        return pretty_json(order.cancelation_reason)

    @admin.display(description="statusReasons")
    def status_reasons_json(self, order):
        return pretty_json(order.status_reasons)

    @admin.display(description="customAttributes")
    def custom_attributes_json(self, order):
        return pretty_json(order.custom_attributes)

    @admin.display(description="tags")
    def tags_json(self, order):
        return pretty_json(order.tags)

    @admin.display(description="stickers")
    def stickers_json(self, order):
        return pretty_json(order.stickers)

    @admin.display(description="other wire fields")
    def extra_json(self, order):
        return pretty_json(order.extra)

    @admin.display(description="reservations")
    @placeholder_when_unreadable
    def reservations_table(self, order):
        now = timezone.now()
        rows = []
        for line in order.order_line_items.all():
            for reservation in line.reservations.all():
                if reservation.valid_until is None:
                    state = "permanent"
                elif reservation.valid_until > now:
                    state = f"until {reservation.valid_until:%Y-%m-%d %H:%M} UTC"
                else:
                    state = "expired"
                rows.append(
                    (
                        reservation.facility.name,
                        reservation.tenant_article_id,
                        reservation.quantity,
                        state,
                    )
                )
        if not rows:
            return "No reservations."
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            '<table class="doms-table"><thead><tr><th>facility</th><th>article</th>'
            "<th>quantity</th><th>holds stock</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    @admin.display(description="routing decision")
    def routing_decision(self, order):
        decision = _stored_routing_decision(order)
        if not decision:
            return "No routing decision stored for this order."
        return _render_routing_decision(decision)

    @admin.display(description="updateDetails")
    def update_history(self, order):
        entries = order.update_details or []
        if not entries:
            return "No modifications."
        rows = [
            (
                entry.get("created", ""),
                entry.get("user", ""),
                entry.get("comment", ""),
                pretty_json(entry.get("changes")),
            )
            for entry in entries
            if isinstance(entry, dict)
        ]
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            '<table class="doms-table"><thead><tr><th>when</th><th>who</th><th>comment</th>'
            "<th>changes</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    # --- order actions --------------------------------------------------------------------

    def get_urls(self):
        urls = super().get_urls()
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/actions/<slug:action>/",
                self.admin_site.admin_view(self.order_action_view),
                name="{}_{}_action".format(*info),
            ),
            *urls,
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context.setdefault("title", "Order")
        extra_context["order_actions"] = (
            ORDER_ACTIONS if request.user.has_perm(ACTION_PERMISSION) else {}
        )
        return super().change_view(request, object_id, form_url, extra_context)

    # --- bulk actions on the list (same services, same confirmation step) -------------------

    actions = ["extend_selected_promises", "cancel_selected_orders"]

    def has_perform_order_actions_permission(self, request):
        return request.user.has_perm(ACTION_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        # Every list action acts on orders: refuse it outright, rather than Django's
        # "no action selected" page, for users who may not act.
        if (
            request.method == "POST"
            and "action" in request.POST
            and not self.has_perform_order_actions_permission(request)
        ):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    @admin.action(description="Extend selected promises", permissions=["perform_order_actions"])
    def extend_selected_promises(self, request, queryset):
        return self._bulk_order_action(request, queryset, "extend-promise")

    @admin.action(description="Cancel selected orders", permissions=["perform_order_actions"])
    def cancel_selected_orders(self, request, queryset):
        return self._bulk_order_action(request, queryset, "cancel")

    def _bulk_order_action(self, request, queryset, slug):
        """First call: a confirmation page listing the orders with the versions shown. Second
        call (post=yes): the service for each order with the version the user confirmed;
        each order succeeds or fails on its own and both are reported."""
        spec = ORDER_ACTIONS[slug]
        orders = list(queryset.order_by("-order_date", "-id")[: BULK_ACTION_LIMIT + 1])
        if len(orders) > BULK_ACTION_LIMIT:
            messages.error(request, f"Select at most {BULK_ACTION_LIMIT} orders at a time.")
            return None
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"{spec['label']}: {len(orders)} orders",
                "action": spec,
                "action_name": request.POST.get("action"),
                "orders": orders,
                "select_across": request.POST.get("select_across", "0"),
            }
            return TemplateResponse(
                request, "admin/orders/order/bulk_action_confirmation.html", context
            )
        service = spec["service"]
        done, refused = [], []
        for order in orders:
            try:
                version = int(request.POST.get(f"version_{order.pk}", ""))
                service(order.pk, version=version, user=request.user)
            except ValueError:
                refused.append(f"{order}: the page did not send its version")
            except ServiceError as error:
                refused.append(f"{order}: {service_error_text(error)}")
            else:
                done.append(str(order))
        if done:
            messages.success(request, f"{spec['label']}: done for {', '.join(done)}.")
        for text in refused:
            messages.error(request, text)
        return None

    def order_action_view(self, request, object_id, action):
        if not request.user.has_perm(ACTION_PERMISSION):
            raise PermissionDenied
        spec = ORDER_ACTIONS.get(action)
        if spec is None:
            raise PermissionDenied
        order = self.get_object(request, object_id)
        change_url = reverse("admin:orders_order_changelist")
        if order is None:
            messages.error(request, "This order does not exist.")
            return HttpResponseRedirect(change_url)
        change_url = reverse("admin:orders_order_change", args=[order.pk])

        if request.method == "POST":
            try:
                version = int(request.POST.get("version", ""))
            except ValueError:
                messages.error(request, "The page did not send the order's version; reload it.")
                return HttpResponseRedirect(change_url)
            arguments = {"version": version, "user": request.user}
            for form_field, argument in spec["inputs"].items():
                value = request.POST.get(form_field, "").strip()
                if value:
                    arguments[argument] = value
            try:
                spec["service"](order.pk, **arguments)
            except ServiceError as error:
                report_service_error(request, error)
            else:
                messages.success(request, spec["done"].format(order=order))
            return HttpResponseRedirect(change_url)

        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": order,
            "title": f"{spec['label']}: {order}",
            "action": spec,
            "version": request.GET.get("version", order.version),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/orders/order/action_confirmation.html", context)


# Each order is its own service call and transaction; keep a bulk action to a screenful.
BULK_ACTION_LIMIT = 100

ORDER_ACTIONS = {
    "confirm-promise": {
        "slug": "confirm-promise",
        "label": "Confirm promise",
        "service": promise_services.confirm_promise,
        "statuses": promise_services.PROMISE_ACTION_STATUSES,
        "question": "The order becomes OPEN and its reservations become permanent.",
        "inputs": {"tenant_order_id": "tenant_order_id"},
        "done": "Promise {order} confirmed.",
    },
    "extend-promise": {
        "slug": "extend-promise",
        "label": "Extend promise",
        "service": promise_services.extend_promise,
        "statuses": promise_services.PROMISE_ACTION_STATUSES,
        "question": "The promise and its reservations are kept for another full promise "
        "duration from now.",
        "inputs": {},
        "done": "Promise {order} extended.",
    },
    "cancel": {
        "slug": "cancel",
        "label": "Cancel order",
        "service": order_services.cancel_order,
        "statuses": order_services.CANCELLABLE_STATUSES,
        "question": "The order is cancelled and its reserved stock released.",
        "inputs": {"reason": "reason"},
        "done": "Order {order} cancelled.",
    },
}


def _stored_routing_decision(order):
    """Wherever the promise flow kept the routing decision (the wire SourcingOption)."""
    extra = order.extra if isinstance(order.extra, dict) else {}
    for key in ("sourcingOption", "routingDecision"):
        if extra.get(key):
            return extra[key]
    return None


def _render_routing_decision(decision):
    if not isinstance(decision, dict):
        return pretty_json(decision)
    ratings = [
        (item.get("name") or item.get("id", ""), item.get("type", ""), item.get("penalty", ""))
        for item in decision.get("ratingResults") or []
        if isinstance(item, dict)
    ]
    nodes = [
        (
            node.get("tenantFacilityId") or node.get("facilityRef") or node.get("id", ""),
            node.get("type", ""),
            ", ".join(
                f"{item.get('quantity', '')} × {item.get('tenantArticleId', '')}"
                for item in node.get("lineItems") or []
                if isinstance(item, dict)
            ),
        )
        for node in decision.get("nodes") or []
        if isinstance(node, dict)
    ]
    rating_rows = format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td class='doms-num'>{}</td></tr>", ratings
    )
    node_rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", nodes)
    return format_html(
        '<div class="doms-routing"><p><strong>Total penalty:</strong> {}</p>'
        '<table class="doms-table"><thead><tr><th>node</th><th>type</th><th>line items</th>'
        "</tr></thead><tbody>{}</tbody></table>"
        '<table class="doms-table"><thead><tr><th>rating</th><th>type</th><th>penalty</th>'
        "</tr></thead><tbody>{}</tbody></table>"
        "<details><summary>Full sourcing option</summary>{}</details></div>",
        decision.get("totalPenalty", "—"),
        node_rows,
        rating_rows,
        pretty_json(decision),
    )


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
