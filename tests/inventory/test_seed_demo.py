"""The demo network: realistic, idempotent, and shaped so the documents' example order needs a
warehouse or a split."""

import io

import pytest
from django.core.management import call_command

from inventory.models import (
    Carrier,
    CarrierCountryServiceMapping,
    Facility,
    FacilityCarrierConnection,
    Listing,
    Stock,
)
from inventory.selectors.availability import availability
from promises.models import PromisesConfiguration, RoutingConfiguration

pytestmark = pytest.mark.django_db

EXAMPLE_ORDER = {"TSHIRT-W-2468": 10, "JEANS-B-2605": 3, "SNEAK-W-4891": 1}
MODELS = (
    Facility,
    Carrier,
    CarrierCountryServiceMapping,
    FacilityCarrierConnection,
    Listing,
    Stock,
)


def seed(**options):
    call_command("seed_demo", stdout=io.StringIO(), **options)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_gives_the_same_network():
    seed()
    first = counts()
    first_ids = set(Facility.objects.values_list("id", flat=True))
    seed()
    assert counts() == first
    assert set(Facility.objects.values_list("id", flat=True)) == first_ids
    assert PromisesConfiguration.objects.filter(id=1).exists()
    assert RoutingConfiguration.objects.filter(id=1).exists()


def test_demo_network_is_realistic():
    seed()
    stores = Facility.objects.filter(location_type="STORE")
    warehouses = Facility.objects.filter(location_type="WAREHOUSE")
    assert stores.count() >= 30 and warehouses.count() >= 3
    assert set(Facility.objects.values_list("country", flat=True)) == {"NL", "DE"}
    for store in stores:
        assert {"type": "PICKUP"} in store.services and {
            "type": "SHIP_FROM_STORE"
        } in store.services
        assert 47 < store.latitude < 55 and 3 < store.longitude < 15  # NL / DE
        assert set(store.picking_times) == {
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
        }
    assert Carrier.objects.count() == 2
    categories = set(
        CarrierCountryServiceMapping.objects.values_list("carrier_product_category", flat=True)
    )
    assert categories == {"STANDARD", "EXPRESS"}
    mappings = list(CarrierCountryServiceMapping.objects.all())
    cross_border = [m for m in mappings if set(m.destination_countries) - {m.source_country}]
    assert {m.source_country for m in cross_border} == {"NL", "DE"}
    assert cross_border
    assert all(
        c["currency"] == "EUR"
        for m in CarrierCountryServiceMapping.objects.all()
        for c in m.delivery_costs
    )
    assert (
        FacilityCarrierConnection.objects.filter(valid_delivery_targets__isnull=False).count() >= 37
    )
    assert Listing.objects.values("tenant_article_id").distinct().count() >= 500
    assert Listing.objects.filter(out_of_stock_behaviour="BACKORDER").exists()
    assert not Listing.objects.filter(title="").exists()


def test_example_order_needs_a_warehouse_or_a_split():
    seed()
    levels = availability(list(EXAMPLE_ORDER))
    facilities = {f.id: f for f in Facility.objects.all()}

    def can_serve(facility_id):
        return all(
            (level := levels.get((facility_id, article))) and level.available >= quantity
            for article, quantity in EXAMPLE_ORDER.items()
        )

    serving = [facilities[f] for f in facilities if can_serve(f)]
    assert serving and all(f.location_type == "WAREHOUSE" for f in serving)
    assert "WH-NL-AMS" in {f.tenant_facility_id for f in serving}
    store_total = {
        article: sum(
            level.available
            for (facility_id, a), level in levels.items()
            if a == article and facilities[facility_id].location_type == "STORE"
        )
        for article in EXAMPLE_ORDER
    }
    assert all(store_total[a] >= q for a, q in EXAMPLE_ORDER.items())  # a split of stores can


def test_synthetic_network_for_benchmarks():
    seed(facilities=60, articles=40)
    assert Facility.objects.count() == 60
    assert Listing.objects.values("tenant_article_id").distinct().count() == 43
    assert Facility.objects.values("tenant_facility_id").distinct().count() == 60
