"""Promise-side configuration.

The routing engine itself (routing/) is pure Python; its configuration is stored here.
"""

from django.db import models


class PromisesConfiguration(models.Model):
    """Singleton (id=1): how long a promise holds its stock unless confirmed or extended."""

    version = models.PositiveIntegerField(default=1)
    # ISO 8601 duration as the client sent it; a positive multiple of 60 seconds.
    invalid_after_time = models.CharField(max_length=64, default="PT8H")
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "promises configuration"
        verbose_name_plural = "promises configuration"

    def __str__(self):
        return f"Promises valid for {self.invalid_after_time}"


class RoutingConfiguration(models.Model):
    """Singleton (id=1): which fences and ratings the routing engine applies.

    `fences` = {name: {"active": bool}}, `ratings` = {name: {"active": bool, "maxPenalty": n}};
    names missing here take the engine's defaults (routing/), so an empty row is a valid config.
    """

    version = models.PositiveIntegerField(default=1)
    max_split_count = models.PositiveIntegerField(default=3)
    fences = models.JSONField(default=dict, blank=True)
    ratings = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "routing configuration"
        verbose_name_plural = "routing configuration"

    def __str__(self):
        return "Routing configuration"
