"""Small builders for engine inputs (no database)."""

import datetime as dt

from routing.types import (
    PICKUP,
    SHIP_FROM_STORE,
    STORE,
    WAREHOUSE,
    CarrierConnection,
    CarrierService,
    Facility,
    PickingWindow,
)

AMSTERDAM = "Europe/Amsterdam"
# Monday 23 November 2026, 09:00 UTC = 10:00 in Amsterdam.
MONDAY_MORNING = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def week(start=9, end=18, days=6):
    """Picking 9–18 Monday to Saturday (default)."""
    window = (PickingWindow(dt.time(start), dt.time(end)),)
    return tuple(window if day < days else () for day in range(7))


WEEK = week()


def postnl(cutoff_hour=16, targets=frozenset(), cost=4.95, transit=(1, 2), countries=("NL",)):
    return CarrierConnection(
        carrier_id="carrier-postnl",
        carrier_key="POSTNL",
        carrier_name="PostNL",
        cutoff_hour=cutoff_hour,
        valid_delivery_targets=frozenset(targets),
        services=(
            CarrierService("NL", frozenset(countries), "STANDARD", *transit, cost, "EUR"),
            CarrierService("NL", frozenset(countries), "EXPRESS", 0, 1, 9.95, "EUR"),
        ),
    )


def dhl_de(cost=6.50):
    return CarrierConnection(
        carrier_id="carrier-dhl",
        carrier_key="DHL",
        carrier_name="DHL",
        cutoff_hour=17,
        services=(CarrierService("DE", frozenset({"DE", "NL"}), "STANDARD", 1, 3, cost, "EUR"),),
    )


def store(facility_id, lat=52.37, lon=4.89, *, services=(SHIP_FROM_STORE, PICKUP), **kwargs):
    kwargs.setdefault("carrier_connections", (postnl(),))
    return Facility(
        facility_id=facility_id,
        name=kwargs.pop("name", facility_id),
        tenant_facility_id=kwargs.pop("tenant_facility_id", facility_id.upper()),
        location_type=kwargs.pop("location_type", STORE),
        services=frozenset(services),
        latitude=lat,
        longitude=lon,
        country=kwargs.pop("country", "NL"),
        timezone=kwargs.pop("timezone", AMSTERDAM),
        picking_times=kwargs.pop("picking_times", WEEK),
        **kwargs,
    )


def warehouse(facility_id, lat=52.09, lon=5.12, **kwargs):
    return store(facility_id, lat, lon, services=(), location_type=WAREHOUSE, **kwargs)
