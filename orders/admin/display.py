"""How the order admin shows an order: list columns, detail fields and their renderers."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from config import clock
from config.admin_support import (
    html_table,
    placeholder_when_unreadable,
    pretty_json,
    short_time_left,
)
from orders.models import OrderLineItem, OrderStatus, RoutingStatus
from promises.sourcing import option_summary

STATUS_COLOURS = {
    OrderStatus.OPEN: "#1e7d32",
    OrderStatus.PROMISED: "#1565c0",
    OrderStatus.LOCKED: "#b26a00",
    OrderStatus.CANCELLED: "#b71c1c",
    OrderStatus.OBSOLETE: "#616161",
}


def status_badge(status):
    colour = STATUS_COLOURS.get(status, "#616161")
    return format_html(
        '<span class="doms-badge" style="background:{}">{}</span>', colour, status or "—"
    )


def routing_badge(order):
    """NOT_ROUTED orders stand out in the list; flagged ones (waited too long) the most."""
    if order.routing_status != RoutingStatus.NOT_ROUTED:
        return "—"
    if order.routing_flagged_at is not None:
        return format_html(
            '<span class="doms-badge" style="background:#b71c1c" title="flagged {}">'
            "not routed: overdue</span>",
            f"{order.routing_flagged_at:%Y-%m-%d %H:%M} UTC",
        )
    return format_html(
        '<span class="doms-badge" style="background:{}">not routed</span>', "#b26a00"
    )


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


class OrderColumnsMixin:
    """The change list's columns (the queryset prefetches lines and their reservations)."""

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

    @admin.display(description="routing")
    def routing_display(self, order):
        return routing_badge(order)

    @admin.display(description="time left", ordering="promise_valid_until")
    @placeholder_when_unreadable
    def time_left(self, order):
        if order.status != OrderStatus.PROMISED or order.promise_valid_until is None:
            return "—"
        return short_time_left(order.promise_valid_until - timezone.now())


class OrderDetailsMixin:
    """The change page's read-only fields: stored JSON, reservations, routing, history."""

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
        now = clock.now()
        rows = [
            (
                reservation.facility.name,
                reservation.tenant_article_id,
                reservation.quantity,
                _holds_stock(reservation, now),
            )
            for line in order.order_line_items.all()
            for reservation in line.reservations.all()
        ]
        if not rows:
            return "No reservations."
        return html_table(["facility", "article", "quantity", "holds stock"], rows)

    @admin.display(description="routing decision")
    def routing_decision(self, order):
        decision = stored_routing_decision(order)
        if not decision:
            return "No routing decision stored for this order."
        return render_routing_decision(decision)

    @admin.display(description="routing history")
    def routing_history(self, order):
        """Each decision the order was placed by, oldest first: old → new facilities."""
        extra = order.extra if isinstance(order.extra, dict) else {}
        earlier = [entry for entry in extra.get("routingHistory") or [] if isinstance(entry, dict)]
        decisions = [(entry.get("replaced", ""), entry.get("sourcingOption")) for entry in earlier]
        if extra.get("sourcingOption"):
            decisions.append(("current", extra["sourcingOption"]))
        if not decisions:
            return "No routing decision stored for this order."
        rows = []
        for replaced, option in decisions:
            summary = option_summary(option) or {}
            rows.append(
                (
                    ", ".join(summary.get("facilities") or []) or "—",
                    ", ".join(summary.get("carriers") or []) or "—",
                    summary.get("estimatedDeliveryDate") or "—",
                    replaced,
                )
            )
        return html_table(["facilities", "carriers", "estimate", "replaced"], rows)

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
        return html_table(["when", "who", "comment", "changes"], rows)


def _holds_stock(reservation, now):
    if reservation.valid_until is None:
        return "permanent"
    if reservation.is_active(now):
        return f"until {reservation.valid_until:%Y-%m-%d %H:%M} UTC"
    return "expired"


def stored_routing_decision(order):
    """The routing decision the promise flow kept with the order (the wire SourcingOption,
    promises.services.create_delivery_promise), or None."""
    extra = order.extra if isinstance(order.extra, dict) else {}
    return extra.get("sourcingOption") or None


def render_routing_decision(decision):
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
    return format_html(
        '<div class="doms-routing"><p><strong>Total penalty:</strong> {}</p>{}{}'
        "<details><summary>Full sourcing option</summary>{}</details></div>",
        decision.get("totalPenalty", "—"),
        html_table(["node", "type", "line items"], nodes),
        html_table(["rating", "type", "penalty"], ratings, numeric_columns={2}),
        pretty_json(decision),
    )
