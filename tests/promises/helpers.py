"""Small builders for promise tests: a promised order holding reservations, and availability."""

from datetime import timedelta

from django.utils import timezone

from config import clock
from inventory.selectors.availability import availability
from inventory.services.reservations import Allocation, reserve_stock
from orders.models import Order, OrderLineItem, OrderStatus
from tests.inventory.factories import FacilityFactory, ListingFactory, StockFactory


def stocked_article(article="TSHIRT-W-2468", value=5, facility=None, **listing):
    facility = facility or FacilityFactory()
    ListingFactory(facility=facility, tenant_article_id=article, **listing)
    return StockFactory(facility=facility, tenant_article_id=article, value=value)


def promised_order(stock, quantity=1, *, valid_until=None, now=None):
    """A PROMISED order reserving `quantity` of `stock` until `valid_until` (default +1 h)."""
    now = now or timezone.now()
    valid_until = valid_until or now + timedelta(hours=1)
    order = Order.objects.create(
        status=OrderStatus.PROMISED,
        order_date=now,
        promise_valid_until=valid_until,
        promises_options={"validUntil": valid_until.isoformat()},
    )
    line = OrderLineItem.objects.create(
        order=order,
        tenant_article_id=stock.tenant_article_id,
        article={"tenantArticleId": stock.tenant_article_id, "title": "Article"},
        quantity=quantity,
    )
    with clock.frozen_at(now):
        reserve_stock(
            [Allocation(stock.facility_id, stock.tenant_article_id, quantity, line.id)],
            valid_until=valid_until,
        )
    return order


def available(stock, now=None):
    level = availability([stock.tenant_article_id], [stock.facility_id], now=now)
    return level[(stock.facility_id, stock.tenant_article_id)].available


EXAMPLE_ARTICLES = {"TSHIRT-W-2468": 20, "JEANS-B-2605": 10, "SNEAK-W-4891": 5}


def small_network(articles=None, *, warehouse_articles=None):
    """A Dutch store (ship-from-store and pickup) and a warehouse, both connected to one carrier
    delivering in NL, with listings and stock for `articles` ({article: units}) at the store and
    `warehouse_articles` at the warehouse."""
    from tests.inventory.factories import (
        CarrierFactory,
        CountryServiceMappingFactory,
        FacilityCarrierConnectionFactory,
        WarehouseFactory,
    )

    articles = EXAMPLE_ARTICLES if articles is None else articles
    store = FacilityFactory(name="Amsterdam Centrum", tenant_facility_id="AMS-01")
    warehouse = WarehouseFactory(
        name="Utrecht DC",
        tenant_facility_id="UTR-DC",
        city="Utrecht",
        postal_code="3511 AA",
        latitude=52.0907,
        longitude=5.1214,
        services=[{"type": "SHIP_FROM_STORE"}],
    )
    carrier = CarrierFactory(key="POSTNL", name="PostNL")
    CountryServiceMappingFactory(carrier=carrier)
    for facility in (store, warehouse):
        FacilityCarrierConnectionFactory(facility=facility, carrier=carrier)
    stocks = {}
    for article, value in articles.items():
        stocks[article] = stocked_article(article, value, facility=store)
    for article, value in (warehouse_articles or {}).items():
        stocked_article(article, value, facility=warehouse)
    return {"store": store, "warehouse": warehouse, "carrier": carrier, "stocks": stocks}


def example_promise(lines=None, **overrides):
    """The documents' example order (004_…) as a PromiseRequest."""
    lines = lines or [("TSHIRT-W-2468", 10), ("JEANS-B-2605", 3), ("SNEAK-W-4891", 1)]
    body = {
        "consumer": {
            "addresses": [
                {
                    "salutation": "Meneer",
                    "firstName": "David",
                    "lastName": "van den Boomgaard",
                    "street": "Rombout Hogerbeetsstraat",
                    "houseNumber": "96",
                    "postalCode": "1052 XM",
                    "province": "Noord-Holland",
                    "city": "Amsterdam",
                    "country": "NL",
                }
            ],
            "email": "david@example.com",
        },
        "orderDate": "2024-01-19T08:45:50.525Z",
        "orderLineItems": [
            {"article": {"tenantArticleId": article, "title": article.title()}, "quantity": qty}
            for article, qty in lines
        ],
        "deliveryPreferences": {"shipping": {"serviceLevel": "DELIVERY"}},
    }
    body.update(overrides)
    return body


MUNICH_ADDRESS = {
    "firstName": "David",
    "lastName": "van den Boomgaard",
    "street": "Marienplatz",
    "houseNumber": "8",
    "postalCode": "80331",
    "city": "München",
    "country": "DE",
}


def munich_warehouse(articles):
    """A warehouse in Munich shipping within Germany with its own carrier (DHL, 2–3 days),
    stocked with `articles` ({article: units}); the small network's carrier only serves NL."""
    from tests.inventory.factories import (
        CarrierFactory,
        CountryServiceMappingFactory,
        FacilityCarrierConnectionFactory,
        WarehouseFactory,
    )

    warehouse = WarehouseFactory(
        name="München Lager",
        tenant_facility_id="MUC-01",
        country="DE",
        city="München",
        postal_code="80331",
        latitude=48.1374,
        longitude=11.5755,
        services=[{"type": "SHIP_FROM_STORE"}],
    )
    carrier = CarrierFactory(key="DHL", name="DHL")
    CountryServiceMappingFactory(
        carrier=carrier,
        source_country="DE",
        destination_countries=["DE"],
        min_transit_days=2,
        max_transit_days=3,
    )
    FacilityCarrierConnectionFactory(facility=warehouse, carrier=carrier)
    for article, value in articles.items():
        stocked_article(article, value, facility=warehouse)
    return warehouse
