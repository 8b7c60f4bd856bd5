"""Orders as the reference API describes them.

Top-level fields that we filter, sort or enforce rules on are columns; nested wire structures
(consumer, deliveryPreferences, paymentInfo, ...) are kept as JSON in their wire (camelCase) shape.
"""

import uuid

from django.db import models
from django.db.models import Q


class OrderStatus(models.TextChoices):
    OPEN = "OPEN"
    CANCELLED = "CANCELLED"
    PROMISED = "PROMISED"
    LOCKED = "LOCKED"
    OBSOLETE = "OBSOLETE"


# While an order is in one of these states, its tenantOrderId may not be reused.
TENANT_ORDER_ID_BLOCKING_STATUSES = (OrderStatus.OPEN, OrderStatus.LOCKED, OrderStatus.PROMISED)
# A promise past its validUntil is gone for every action, whether the sweep has cancelled it
# (CANCELLED, validUntil kept) or not yet (still PROMISED).
EXPIRED_PROMISE_STATUSES = (OrderStatus.PROMISED, OrderStatus.CANCELLED)


class RoutingStatus(models.TextChoices):
    """Whether an order holds stock for its lines. Orders from before orders were routed on
    creation have neither (""): nothing re-routes or retries them until someone asks."""

    ROUTED = "ROUTED"
    # Accepted without stock (the network could not serve it): the retry task routes it later.
    NOT_ROUTED = "NOT_ROUTED"


# The statuses in which a NOT_ROUTED order waits for stock (the retry task's queue).
UNROUTED_WAITING_STATUSES = (OrderStatus.OPEN, OrderStatus.LOCKED)


class OrderQuerySet(models.QuerySet):
    def promises_to_release(self, now):
        """What the expiry sweep cancels: promises past their validUntil, not yet swept."""
        return self.filter(status=OrderStatus.PROMISED, promise_valid_until__lte=now)


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    process_id = models.UUIDField(default=uuid.uuid4, editable=False)
    tenant_order_id = models.CharField(max_length=255, null=True, blank=True)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    order_date = models.DateTimeField()

    consumer = models.JSONField(default=dict, blank=True)
    # Denormalised from `consumer` for filtering and admin search.
    consumer_id = models.CharField(max_length=255, blank=True, default="")
    consumer_email = models.CharField(max_length=320, blank=True, default="")
    consumer_name = models.CharField(max_length=512, blank=True, default="")

    delivery_preferences = models.JSONField(default=dict, blank=True)
    custom_attributes = models.JSONField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    stickers = models.JSONField(default=list, blank=True)
    status_reasons = models.JSONField(default=list, blank=True)
    payment_info = models.JSONField(null=True, blank=True)
    promises_options = models.JSONField(null=True, blank=True)
    cancelation_reason = models.JSONField(null=True, blank=True)
    preferred_handling_time = models.DateTimeField(null=True, blank=True)
    update_details = models.JSONField(default=list, blank=True)
    # Other accepted wire fields we carry but do not act on (source, customServices, pricing, ...).
    extra = models.JSONField(default=dict, blank=True)

    # Set while the order is PROMISED: when its reservations stop counting.
    promise_valid_until = models.DateTimeField(null=True, blank=True)
    routing_status = models.CharField(
        max_length=16, choices=RoutingStatus.choices, blank=True, default=""
    )
    # When staff were told that this not-routed order has waited too long for stock.
    routing_flagged_at = models.DateTimeField(null=True, blank=True)

    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-order_date", "-id"]
        constraints = [
            # The database, not just the service, guarantees the tenantOrderId rule
            # even when two requests race.
            models.UniqueConstraint(
                fields=["tenant_order_id"],
                condition=Q(status__in=TENANT_ORDER_ID_BLOCKING_STATUSES),
                name="unique_active_tenant_order_id",
            ),
        ]
        indexes = [
            models.Index(fields=["order_date", "id"], name="order_date_id_idx"),
            models.Index(fields=["status", "order_date", "id"], name="order_status_date_id_idx"),
            models.Index(fields=["tenant_order_id"], name="order_tenant_order_id_idx"),
            models.Index(fields=["consumer_id"], name="order_consumer_id_idx"),
            models.Index(fields=["consumer_email"], name="order_consumer_email_idx"),
            models.Index(
                fields=["promise_valid_until"],
                condition=Q(status="PROMISED"),
                name="order_promise_expiry_idx",
            ),
            # The retry task's queue: not-routed orders, oldest first.
            models.Index(
                fields=["created", "id"],
                condition=Q(routing_status="NOT_ROUTED"),
                name="order_not_routed_idx",
            ),
        ]
        permissions = [
            ("perform_order_actions", "Can perform order actions (cancel, unlock, promises)"),
        ]

    def __str__(self):
        return self.tenant_order_id or str(self.id)

    def is_expired_promise(self, now):
        return (
            self.status in EXPIRED_PROMISE_STATUSES
            and self.promise_valid_until is not None
            and self.promise_valid_until <= now
        )


class OrderLineItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="order_line_items")
    position = models.PositiveIntegerField(default=0)
    tenant_article_id = models.CharField(max_length=255)
    # Wire `article` object (tenantArticleId, title, imageUrl, attributes, ...).
    article = models.JSONField(default=dict, blank=True)
    quantity = models.PositiveIntegerField()
    custom_attributes = models.JSONField(null=True, blank=True)
    # Other accepted wire fields (measurementUnitKey, scannableCodes, shopPrice, tags, ...).
    extra = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "position"]
        indexes = [models.Index(fields=["tenant_article_id"], name="line_article_idx")]

    def __str__(self):
        return f"{self.quantity} × {self.tenant_article_id}"


class OrderModificationConfiguration(models.Model):
    """Singleton (id=1): whether order line items may be modified after creation."""

    version = models.PositiveIntegerField(default=1)
    # The documents say the feature "must be activated": off until a tenant turns it on.
    allow_order_line_item_modification = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "order modification configuration"

    def __str__(self):
        return "Order modification configuration"


class GdprConfiguration(models.Model):
    """Singleton (id=1): the GDPR settings. With `actor_anonymization` (the default) no change
    of an order records who made it (`updateDetails[].user` is left out)."""

    version = models.PositiveIntegerField(default=1)
    actor_anonymization = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "GDPR configuration"
        verbose_name_plural = "GDPR configuration"

    def __str__(self):
        return "GDPR configuration"
