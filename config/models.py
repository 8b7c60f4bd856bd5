"""Models of the shared API plumbing."""

from django.conf import settings
from django.db import models


class IdempotencyKeyState(models.TextChoices):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


class IdempotencyKey(models.Model):
    """The first response to a request sent with an `Idempotency-Key` header, replayed on retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    endpoint = models.CharField(max_length=128)
    key = models.CharField(max_length=255)
    request_fingerprint = models.CharField(max_length=64)
    state = models.CharField(
        max_length=16, choices=IdempotencyKeyState.choices, default=IdempotencyKeyState.IN_PROGRESS
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        # The table it has had since it lived in the promises app.
        db_table = "promises_idempotencykey"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="unique_idempotency_key_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.endpoint} {self.key}"
