"""factory-boy factories for the inventory network. Other areas reuse them: keep defaults
valid and realistic (an online Dutch store with pickup, an active carrier, EUR prices)."""

from decimal import Decimal

import factory

from inventory import models

WEEKDAY_PICKING_TIMES = {
    day: [{"start": {"hour": 9, "minute": 0}, "end": {"hour": 18, "minute": 0}}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
}


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Facility

    tenant_facility_id = factory.Sequence(lambda n: f"STORE-{n:04d}")
    name = factory.Sequence(lambda n: f"Store {n}")
    type = models.FacilityType.MANAGED_FACILITY
    location_type = models.LocationType.STORE
    status = models.FacilityStatus.ONLINE
    country = "NL"
    postal_code = "1012 AB"
    city = "Amsterdam"
    latitude = 52.3731
    longitude = 4.8922
    address = factory.LazyAttribute(
        lambda facility: {
            "companyName": facility.name,
            "street": "Damrak",
            "houseNumber": "1",
            "postalCode": facility.postal_code,
            "city": facility.city,
            "country": facility.country,
            "resolvedCoordinates": {"lat": facility.latitude, "lon": facility.longitude},
        }
    )
    services = factory.LazyFunction(lambda: [{"type": "SHIP_FROM_STORE"}, {"type": "PICKUP"}])
    picking_times = factory.LazyFunction(lambda: dict(WEEKDAY_PICKING_TIMES))
    closing_days = factory.LazyFunction(list)
    fulfillment_process_buffer = 240


class WarehouseFactory(FacilityFactory):
    tenant_facility_id = factory.Sequence(lambda n: f"WH-{n:04d}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    location_type = models.LocationType.WAREHOUSE
    services = factory.LazyFunction(list)


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Carrier

    key = factory.Sequence(lambda n: f"CARRIER_{n}")
    name = factory.Sequence(lambda n: f"Carrier {n}")
    status = models.CarrierStatus.ACTIVE


class CountryServiceMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.CarrierCountryServiceMapping

    carrier = factory.SubFactory(CarrierFactory)
    source_country = "NL"
    destination_countries = factory.LazyFunction(lambda: ["NL"])
    carrier_product_category = models.CarrierProductCategory.STANDARD
    min_transit_days = 1
    max_transit_days = 2
    delivery_costs = factory.LazyFunction(lambda: [{"cost": 4.95, "currency": "EUR"}])


class FacilityCarrierConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FacilityCarrierConnection

    facility = factory.SubFactory(FacilityFactory)
    carrier = factory.SubFactory(CarrierFactory)
    status = models.CarrierStatus.ACTIVE
    cutoff_hour = 16
    cutoff_minute = 0
    valid_delivery_targets = factory.LazyFunction(lambda: ["SHIP_TO_CUSTOMER", "SHIP_TO_STORE"])
    delivery_areas = factory.LazyFunction(list)


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Listing

    facility = factory.SubFactory(FacilityFactory)
    tenant_article_id = factory.Sequence(lambda n: f"ARTICLE-{n:05d}")
    title = factory.LazyAttribute(lambda listing: f"Article {listing.tenant_article_id}")
    price = Decimal("19.95")
    currency = "EUR"
    out_of_stock_behaviour = models.OutOfStockBehaviour.NONE
    status = models.ListingStatus.ACTIVE


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Stock

    facility = factory.SubFactory(FacilityFactory)
    tenant_article_id = factory.Sequence(lambda n: f"ARTICLE-{n:05d}")
    value = 10
