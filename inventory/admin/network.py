"""Back office for the network itself: facilities, carriers and their connections."""

from django.contrib import admin

from config.admin_support import ServiceBackedAdmin, html_table
from inventory.admin.filters import FacilityServiceFilter
from inventory.models import Carrier, Facility, FacilityCarrierConnection
from inventory.services.carriers import create_carrier, modify_carrier
from inventory.services.connections import connect_carrier, update_connection
from inventory.services.facilities import create_facility, delete_facility, modify_facility

FACILITY_FIELDS = [
    "name",
    "tenant_facility_id",
    "type",
    "location_type",
    "status",
    "services",
    "address",
    "picking_times",
    "closing_days",
    "fulfillment_process_buffer",
]


@admin.register(Facility)
class FacilityAdmin(ServiceBackedAdmin):
    list_display = [
        "name",
        "tenant_facility_id",
        "type",
        "location_type",
        "status",
        "city",
        "country",
        "service_list",
    ]
    list_filter = ["type", "location_type", "status", FacilityServiceFilter, "country"]
    search_fields = ["name", "tenant_facility_id", "city", "postal_code"]
    readonly_fields = [
        "id",
        "version",
        "country",
        "postal_code",
        "city",
        "latitude",
        "longitude",
        "daily_order_capacity",
        "carrier_connections_table",
        "created",
        "last_modified",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["id", "version", "name", "tenant_facility_id", "type", "location_type"]},
        ),
        ("Status and services", {"fields": ["status", "services", "daily_order_capacity"]}),
        (
            "Location (country, city and coordinates are read from the address)",
            {"fields": ["address", "country", "postal_code", "city", "latitude", "longitude"]},
        ),
        ("Times", {"fields": ["picking_times", "closing_days", "fulfillment_process_buffer"]}),
        ("Carriers", {"fields": ["carrier_connections_table"]}),
        ("Other", {"classes": ["collapse"], "fields": ["created", "last_modified"]}),
    ]

    def service_save(self, request, form, *, adding):
        if adding:
            return create_facility({name: form.cleaned_data[name] for name in FACILITY_FIELDS})
        return modify_facility(
            form.instance.pk,
            form.cleaned_data["seen_version"],
            form.changed_values(FACILITY_FIELDS),
        )

    def service_delete(self, request, facility):
        delete_facility(facility.pk)

    @admin.display(description="services")
    def service_list(self, facility):
        facility_services = facility.services if isinstance(facility.services, list) else []
        return ", ".join(
            service.get("type", "") for service in facility_services if isinstance(service, dict)
        )

    @admin.display(description="carrier connections")
    def carrier_connections_table(self, facility):
        rows = [
            (connection.carrier.name, connection.status, _cutoff(connection))
            for connection in facility.carrier_connections.select_related("carrier")
        ]
        return html_table(["carrier", "status", "cut-off"], rows) if rows else "—"


@admin.register(Carrier)
class CarrierAdmin(ServiceBackedAdmin):
    list_display = ["name", "key", "status", "configuration_version"]
    list_filter = ["status"]
    search_fields = ["name", "key"]
    readonly_fields = [
        "id",
        "version",
        "configuration_version",
        "country_service_mappings_table",
        "created",
        "last_modified",
    ]
    fields = [
        "id",
        "version",
        "key",
        "name",
        "status",
        "configuration_version",
        "country_service_mappings_table",
        "created",
        "last_modified",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The key names the carrier in the API; it is set once.
        return [*self.readonly_fields, "key"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # The API has no carrier deletion either: set the carrier INACTIVE instead.
        return False

    def service_save(self, request, form, *, adding):
        if adding:
            return create_carrier(
                {name: form.cleaned_data[name] for name in ("key", "name", "status")}
            )
        return modify_carrier(
            form.instance.pk,
            form.cleaned_data["seen_version"],
            [form.changed_values(["name", "status"])],
        )

    @admin.display(description="country service mappings")
    def country_service_mappings_table(self, carrier):
        rows = [
            (
                mapping.source_country,
                ", ".join(mapping.destination_countries or []),
                mapping.carrier_product_category,
                f"{mapping.min_transit_days}–{mapping.max_transit_days}",
                ", ".join(
                    f"{cost.get('cost')} {cost.get('currency', '')}"
                    for cost in mapping.delivery_costs or []
                    if isinstance(cost, dict)
                ),
            )
            for mapping in carrier.country_service_mappings.all()
        ]
        headers = ["from", "to", "product", "transit days", "delivery costs"]
        return html_table(headers, rows) if rows else "—"


@admin.register(FacilityCarrierConnection)
class FacilityCarrierConnectionAdmin(ServiceBackedAdmin):
    list_display = ["facility", "carrier", "status", "cutoff"]
    list_filter = ["status", "carrier"]
    list_select_related = ["facility", "carrier"]
    search_fields = ["facility__name", "carrier__name", "carrier__key"]
    autocomplete_fields = ["facility", "carrier"]
    fields = [
        "id",
        "version",
        "facility",
        "carrier",
        "status",
        "cutoff_hour",
        "cutoff_minute",
        "valid_delivery_targets",
        "delivery_areas",
    ]
    readonly_fields = ["id", "version"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "facility", "carrier"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # No disconnect in the API either: set the connection INACTIVE instead.
        return False

    def service_save(self, request, form, *, adding):
        data = form.cleaned_data
        wire = {
            "status": data["status"],
            "cutoffTime": {"hour": data["cutoff_hour"], "minute": data["cutoff_minute"]},
            "validDeliveryTargets": data["valid_delivery_targets"],
            "deliveryAreas": data["delivery_areas"],
        }
        if adding:
            return connect_carrier(data["facility"].pk, data["carrier"].pk, wire)
        connection = form.instance
        return update_connection(
            connection.facility_id,
            connection.carrier_id,
            {**wire, "version": data["seen_version"]},
        )

    @admin.display(description="cut-off")
    def cutoff(self, connection):
        return _cutoff(connection)


def _cutoff(connection):
    return f"{connection.cutoff_hour:02d}:{connection.cutoff_minute:02d}"
