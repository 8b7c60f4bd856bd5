"""Eventing: subscriptions, the transactional outbox and webhook deliveries.

An `OutboxEvent` is written in the same transaction as the change it reports. Delivery work
is split per subscription into `Delivery` rows (created when the event is fanned out, after
commit), and every HTTP call made for a delivery is kept as a `DeliveryAttempt`.
"""

import secrets
import uuid

from django.db import models
from django.db.models import Q


class EventName(models.TextChoices):
    ORDER_CREATED = "ORDER_CREATED", "An order was created (status OPEN or PROMISED)."
    ORDER_MODIFIED = "ORDER_MODIFIED", "An order was modified."
    ORDER_CANCELLED = "ORDER_CANCELLED", "An order was cancelled."
    ORDER_CANCELLED_BY_EXPIRY = (
        "ORDER_CANCELLED_BY_EXPIRY",
        "A promised order was cancelled because its promise expired.",
    )
    DELIVERY_PROMISE_CREATED = (
        "DELIVERY_PROMISE_CREATED",
        "A delivery promise was made: a PROMISED order holds reserved stock.",
    )
    ORDER_CREATED_FROM_PROMISE = (
        "ORDER_CREATED_FROM_PROMISE",
        "A promised order was confirmed and is now OPEN.",
    )
    ORDER_ROUTING_OVERDUE = (
        "ORDER_ROUTING_OVERDUE",
        "An order accepted without stock could still not be routed after the configured time "
        "(UNROUTED_ORDER_FLAG_AFTER_MINUTES); staff should look at it.",
    )
    INVENTORY_FACILITY_STOCK_CHANGED = (
        "INVENTORY_FACILITY_STOCK_CHANGED",
        "The stock value of an article at a facility changed.",
    )


class TargetType(models.TextChoices):
    WEBHOOK = "WEBHOOK"


def new_signing_secret():
    return secrets.token_hex(32)


class Subscription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    event = models.CharField(max_length=64, choices=EventName.choices, db_index=True)
    target_type = models.CharField(
        max_length=16, choices=TargetType.choices, default=TargetType.WEBHOOK
    )
    callback_url = models.URLField(max_length=2048)
    headers = models.JSONField(default=list, blank=True)  # wire CallbackHeader: [{key, value}]
    contexts = models.JSONField(default=list, blank=True)  # wire SubscriptionContext list
    # Key of the HMAC-SHA256 signature of every delivery; shown in the admin, never on the API.
    signing_secret = models.CharField(max_length=128, default=new_signing_secret)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return f"{self.name} ({self.event})"


class OutboxEvent(models.Model):
    """One occurrence of an event. Its id is the `eventId` receivers deduplicate on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=64, choices=EventName.choices)
    payload = models.JSONField()
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set once a Delivery row exists for every subscription that matched at that moment.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(
                fields=["created"],
                condition=Q(fanned_out_at__isnull=True),
                name="outbox_pending_fan_out_idx",
            )
        ]

    def __str__(self):
        return f"{self.event} {self.id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING"  # waiting for its (next) attempt
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # gave up after the maximum number of attempts


class Delivery(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    outbox_event = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker owns the delivery until this time (a lease, so a crashed worker's claim expires).
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["outbox_event", "subscription"], name="unique_delivery_per_subscription"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="PENDING"),
                name="delivery_due_idx",
            )
        ]

    def __str__(self):
        return f"{self.outbox_event_id} → {self.subscription_id} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    succeeded = models.BooleanField()

    class Meta:
        ordering = ["-attempted_at"]

    def __str__(self):
        outcome = "ok" if self.succeeded else "failed"
        return f"attempt {self.number} of {self.delivery_id}: {outcome}"
