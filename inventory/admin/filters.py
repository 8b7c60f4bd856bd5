"""The network admins' list filters."""

from django.contrib import admin

from config import clock
from inventory.models import FacilityService

# "Low stock" in the stock list's filter: at most this many units available.
LOW_STOCK_THRESHOLD = 5


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
        now = clock.now()
        if self.value() == "active":
            return queryset.active(now)
        if self.value() == "expired":
            return queryset.expired(now)
        if self.value() == "permanent":
            return queryset.filter(valid_until__isnull=True)
        return queryset
