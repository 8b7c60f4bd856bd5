"""List filters of the order admin."""

import uuid

from django.contrib import admin
from django.db.models import Exists, OuterRef

from inventory.models import Facility, Reservation


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
