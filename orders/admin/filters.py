"""List filters of the order admin."""

from django.contrib import admin
from django.db.models import Exists, OuterRef

from config.identifiers import parse_uuid
from inventory.models import Facility, Reservation
from orders.models import RoutingStatus


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
        facility_id = parse_uuid(value)
        if facility_id is None:
            return queryset.none()
        reserved_there = Reservation.objects.filter(
            order_line_item__order=OuterRef("pk"), facility_id=facility_id
        )
        return queryset.filter(Exists(reserved_there))


class RoutingFilter(admin.SimpleListFilter):
    """Orders accepted without stock, and those flagged for having waited too long."""

    title = "routing"
    parameter_name = "routing"

    def lookups(self, request, model_admin):
        return [
            ("routed", "Routed"),
            ("not-routed", "Not routed"),
            ("overdue", "Not routed: overdue"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "routed":
            return queryset.filter(routing_status=RoutingStatus.ROUTED)
        if self.value() == "not-routed":
            return queryset.filter(routing_status=RoutingStatus.NOT_ROUTED)
        if self.value() == "overdue":
            return queryset.filter(
                routing_status=RoutingStatus.NOT_ROUTED, routing_flagged_at__isnull=False
            )
        return queryset
