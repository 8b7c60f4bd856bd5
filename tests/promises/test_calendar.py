"""The calendar with a fixed clock: public holidays per country and region (the `holidays`
package), carrier non-delivery days, facilities closed on their region's holidays."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from config import clock
from promises.adapter import build_routing_request
from promises.snapshot import load_facilities
from routing import solve
from tests.inventory.factories import (
    CarrierFactory,
    CountryServiceMappingFactory,
    FacilityCarrierConnectionFactory,
    StockFactory,
    WarehouseFactory,
)
from tests.promises.helpers import example_promise

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ALL_WEEK = {
    day: [{"start": {"hour": 6, "minute": 0}, "end": {"hour": 22, "minute": 0}}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


def local(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=AMSTERDAM)


def next_day_network(carrier_configuration=None, **warehouse):
    """A Dutch warehouse picking every day 6–22 (so only holidays stop it), PostNL NL → NL in
    exactly one day, cut-off 16:00."""
    carrier = CarrierFactory(key="POSTNL", name="PostNL", configuration=carrier_configuration or {})
    CountryServiceMappingFactory(carrier=carrier, min_transit_days=1, max_transit_days=1)
    facility = WarehouseFactory(picking_times=ALL_WEEK, **warehouse)
    FacilityCarrierConnectionFactory(facility=facility, carrier=carrier)
    StockFactory(facility=facility, tenant_article_id="TSHIRT-W-2468", value=50)
    return facility


def estimate(now, body=None):
    with clock.frozen_at(now):
        request = build_routing_request(body or example_promise([("TSHIRT-W-2468", 1)]))
    decision = solve(request)
    [node] = decision.nodes
    return node.estimate


def test_an_order_on_24_december_is_delivered_after_christmas(api_client):
    next_day_network()
    # Thursday 24 December 2026, 09:00: ready at 13:00, before the cut-off, so it leaves today;
    # 25 and 26 December are public holidays in the Netherlands and the 27th is a Sunday.
    with clock.frozen_at(local(2026, 12, 24)):
        response = api_client.post(
            "/api/promises/deliverypromise",
            example_promise([("TSHIRT-W-2468", 1)]),
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sourcingOption"]["estimatedDeliveryDate"] == "2026-12-28"
    [shipment] = body["shipToCustomer"]
    [product] = shipment["carriers"][0]["products"]
    assert product["estimatedDeliveryTime"] == {"minDeliveryDays": 4, "maxDeliveryDays": 4}


def test_easter_monday_neither_delivers_nor_picks():
    next_day_network()
    # Saturday 4 April 2026: leaves today; Easter Sunday and Easter Monday are no delivery days.
    saturday = estimate(local(2026, 4, 4))
    assert saturday.ship_date == dt.date(2026, 4, 4)
    assert saturday.earliest_delivery_date == dt.date(2026, 4, 7)
    # On Easter Monday itself the Dutch warehouse is closed: picking starts on Tuesday.
    monday = estimate(local(2026, 4, 6))
    assert monday.picking_start.date() == dt.date(2026, 4, 7)
    assert monday.earliest_delivery_date == dt.date(2026, 4, 8)


def test_kings_day_is_a_dutch_holiday_only():
    next_day_network()
    # Saturday 25 April 2026: Sunday, then King's Day (Monday 27 April) are skipped.
    assert estimate(local(2026, 4, 25)).earliest_delivery_date == dt.date(2026, 4, 28)
    # Towards Germany King's Day is an ordinary delivery day.
    carrier = CarrierFactory(key="DHL", name="DHL")
    CountryServiceMappingFactory(
        carrier=carrier, destination_countries=["DE"], min_transit_days=1, max_transit_days=1
    )
    facility = WarehouseFactory(picking_times=ALL_WEEK, tenant_facility_id="WH-TO-DE")
    FacilityCarrierConnectionFactory(facility=facility, carrier=carrier)
    StockFactory(facility=facility, tenant_article_id="JEANS-B-2605", value=5)
    body = example_promise([("JEANS-B-2605", 1)])
    address = body["consumer"]["addresses"][0]
    address.update(country="DE", city="Köln", postalCode="50667", province="")
    assert estimate(local(2026, 4, 25), body).earliest_delivery_date == dt.date(2026, 4, 27)


def test_regional_holidays_follow_the_facility_and_the_destination_region():
    # Corpus Christi (Thursday 4 June 2026) is a holiday in North Rhine-Westphalia, not Berlin.
    cologne = next_day_network(country="DE", city="Köln", postal_code="50667")
    berlin = WarehouseFactory(country="DE", city="Berlin", postal_code="10117")
    with clock.frozen_at(local(2026, 6, 1)):
        request = build_routing_request(example_promise([("TSHIRT-W-2468", 1)]))
    facilities = {facility.facility_id: facility for facility in request.facilities}
    assert facilities[str(cologne.id)].subdivision == "NW"
    assert dt.date(2026, 6, 4) in facilities[str(cologne.id)].closing_days
    [converted] = load_facilities([berlin.id], now=local(2026, 6, 1)).values()
    assert converted.subdivision == "BE"
    assert dt.date(2026, 6, 4) not in converted.closing_days


def test_a_carrier_calendar_adds_weekdays_and_dates():
    calendar = {
        "nonDeliveryDaysPerCountryAndProvince": [
            {
                "country": "NL",
                "recurringNonDeliveryWeekdays": ["SATURDAY", "SUNDAY"],
                "nonDeliveryDays": [
                    {"nonDeliveryDay": "2026-11-24", "nonDeliveryType": "SINGLE"},
                ],
                "nonDeliveryDaysPerProvince": [],
            }
        ]
    }
    next_day_network(carrier_configuration=calendar)
    # Monday 23 November 2026: Tuesday is a non-delivery date of the carrier.
    assert estimate(local(2026, 11, 23)).earliest_delivery_date == dt.date(2026, 11, 25)
    # Friday 27 November: no delivery on Saturday or Sunday with this carrier.
    assert estimate(local(2026, 11, 27)).earliest_delivery_date == dt.date(2026, 11, 30)
