import pytest

from orders.models import OrderModificationConfiguration
from tests.inventory.factories import (
    CarrierFactory,
    CountryServiceMappingFactory,
    FacilityCarrierConnectionFactory,
    FacilityFactory,
    ListingFactory,
    StockFactory,
)
from tests.orders.conftest import DOCUMENT_EXAMPLE_ORDER


@pytest.fixture
def world(api_client):
    """One of everything a write endpoint can name, as the path placeholders of a Case."""
    facility = FacilityFactory(tenant_facility_id="AMS-01")
    carrier = CarrierFactory(key="POSTNL")
    mapping = CountryServiceMappingFactory(carrier=carrier)
    FacilityCarrierConnectionFactory(facility=facility, carrier=carrier)
    ListingFactory(facility=facility, tenant_article_id="TSHIRT-W-2468")
    stock = StockFactory(facility=facility, tenant_article_id="TSHIRT-W-2468", value=5)
    # Line items may change, so a refused line change is refused for its own fault.
    OrderModificationConfiguration.objects.update_or_create(
        id=1, defaults={"allow_order_line_item_modification": True}
    )
    response = api_client.post("/api/orders", DOCUMENT_EXAMPLE_ORDER, format="json")
    assert response.status_code == 201, response.content
    order = response.json()
    return {
        "facility": facility.id,
        "tenant_facility": facility.tenant_facility_id,
        "carrier": carrier.id,
        "carrier_key": carrier.key,
        "mapping": mapping.id,
        "stock": stock.id,
        "order": order["id"],
        "line": order["orderLineItems"][0]["id"],
    }
