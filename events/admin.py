from django.contrib import admin, messages
from django.db.models import Count, Q

from events.delivery import retry_deliveries
from events.models import Delivery, DeliveryAttempt, DeliveryStatus, OutboxEvent, Subscription
from events.payloads import RENDER_ERROR_KEY


class ReadOnlyAdminMixin:
    """Subscriptions are created through the API (it enforces the per-event limit); deliveries
    and attempts are records of what happened."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "event", "callback_url", "pending", "failed", "created"]
    list_filter = ["event"]
    search_fields = ["name", "callback_url", "id"]
    readonly_fields = [
        "id",
        "name",
        "event",
        "target_type",
        "callback_url",
        "headers",
        "contexts",
        "signing_secret",
        "created",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                pending_count=Count("deliveries", filter=Q(deliveries__status="PENDING")),
                failed_count=Count("deliveries", filter=Q(deliveries__status="FAILED")),
            )
        )

    @admin.display(description="pending deliveries", ordering="pending_count")
    def pending(self, subscription):
        return subscription.pending_count

    @admin.display(description="failed deliveries", ordering="failed_count")
    def failed(self, subscription):
        return subscription.failed_count


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "attempted_at", "status_code", "duration_ms", "succeeded", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created",
        "event_name",
        "subscription",
        "status",
        "attempt_count",
        "last_status_code",
        "short_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "outbox_event__event", "subscription"]
    list_select_related = ["subscription", "outbox_event"]
    search_fields = ["id", "outbox_event__id", "subscription__name"]
    date_hierarchy = "created"
    readonly_fields = [
        "id",
        "outbox_event",
        "subscription",
        "status",
        "attempt_count",
        "next_attempt_at",
        "claimed_until",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created",
        "last_modified",
    ]
    exclude = ["claim_token"]
    inlines = [DeliveryAttemptInline]
    actions = ["retry"]

    @admin.display(description="event", ordering="outbox_event__event")
    def event_name(self, delivery):
        return delivery.outbox_event.event

    @admin.display(description="last error")
    def short_error(self, delivery):
        return delivery.last_error[:120]

    @admin.action(description="Retry selected deliveries now", permissions=["retry"])
    def retry(self, request, queryset):
        ids = list(queryset.exclude(status=DeliveryStatus.DELIVERED).values_list("id", flat=True))
        attempts = retry_deliveries(ids)
        succeeded = sum(1 for attempt in attempts if attempt.succeeded)
        level = messages.SUCCESS if succeeded == len(attempts) else messages.WARNING
        self.message_user(
            request,
            f"Retried {len(attempts)} deliveries: {succeeded} delivered, "
            f"{len(attempts) - succeeded} failed (scheduled for another attempt).",
            level,
        )

    def has_retry_permission(self, request):
        return request.user.has_perm("events.change_delivery")


class RenderErrorFilter(admin.SimpleListFilter):
    title = "payload"
    parameter_name = "payload"

    def lookups(self, request, model_admin):
        return [("minimal", "Minimal: the entity could not be rendered")]

    def queryset(self, request, queryset):
        if self.value() == "minimal":
            return queryset.filter(payload__has_key=RENDER_ERROR_KEY)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created", "event", "id", "fanned_out_at", "render_error"]
    list_filter = ["event", RenderErrorFilter]
    search_fields = ["id"]
    date_hierarchy = "created"
    readonly_fields = ["id", "event", "payload", "created", "fanned_out_at"]

    @admin.display(description="render error")
    def render_error(self, event):
        """Why the payload is minimal (events.payloads.order_payload_or_minimal), if it is."""
        payload = event.payload
        return payload.get(RENDER_ERROR_KEY, "") if isinstance(payload, dict) else ""
