"""The inventory back office: facilities, carriers, connections, listings, stock levels with
reserved / available from one query, and reservations with active / expired filters."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import (
    Carrier,
    Facility,
    FacilityCarrierConnection,
    FacilityStatus,
    FacilityType,
    Listing,
    Reservation,
    Stock,
)
from inventory.services.reservations import Allocation, reserve_stock
from orders.models import OrderStatus
from tests.admin_helpers import make_order, network, role_client, staff_client
from tests.inventory.factories import (
    CarrierFactory,
    CountryServiceMappingFactory,
    FacilityCarrierConnectionFactory,
    FacilityFactory,
    ListingFactory,
    StockFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_():
    return staff_client("boss", superuser=True)


def listed(response):
    return list(response.context["cl"].result_list)


def test_stock_list_shows_on_hand_reserved_and_available(admin_client_):
    facility = network()
    stock = StockFactory(facility=facility, tenant_article_id="TSHIRT", value=20)
    reserve_stock([Allocation(facility.id, "TSHIRT", 3)], valid_until=None)
    reserve_stock(
        [Allocation(facility.id, "TSHIRT", 2)], valid_until=timezone.now() + timedelta(hours=1)
    )
    # An expired reservation holds nothing, whether or not the sweep has run.
    Reservation.objects.create(
        stock=stock,
        facility=facility,
        tenant_article_id="TSHIRT",
        quantity=4,
        valid_until=timezone.now() - timedelta(minutes=1),
    )

    response = admin_client_.get(reverse("admin:inventory_stock_changelist"))

    html = response.content.decode()
    assert '<td class="field-on_hand">20</td>' in html
    assert '<td class="field-reserved">5</td>' in html
    assert '<td class="field-available_display">15</td>' in html
    page = admin_client_.get(reverse("admin:inventory_stock_change", args=[stock.pk]))
    assert page.status_code == 200 and b"Amsterdam Damrak" in page.content


def test_stock_list_query_count_is_constant(admin_client_, django_assert_max_num_queries):
    facility = network()
    StockFactory(facility=facility)
    url = reverse("admin:inventory_stock_changelist")
    with django_assert_max_num_queries(100) as first:
        admin_client_.get(url)
    for _ in range(30):
        stock = StockFactory(facility=FacilityFactory())
        reserve_stock([Allocation(stock.facility_id, stock.tenant_article_id, 1)], valid_until=None)

    with django_assert_max_num_queries(len(first.captured_queries)):
        response = admin_client_.get(url)

    assert len(listed(response)) == 31
    assert len(first.captured_queries) <= 8


def test_low_stock_and_stock_out_filters(admin_client_):
    facility = network()
    plenty = StockFactory(facility=facility, tenant_article_id="PLENTY", value=100)
    low = StockFactory(facility=facility, tenant_article_id="LOW", value=8)
    reserve_stock([Allocation(facility.id, "LOW", 4)], valid_until=None)  # 4 available
    empty = StockFactory(facility=facility, tenant_article_id="EMPTY", value=2)
    reserve_stock([Allocation(facility.id, "EMPTY", 2)], valid_until=None)
    url = reverse("admin:inventory_stock_changelist")

    def articles(level):
        return {
            stock.tenant_article_id for stock in listed(admin_client_.get(url, {"level": level}))
        }

    assert articles("low") == {low.tenant_article_id, empty.tenant_article_id}
    assert articles("out") == {empty.tenant_article_id}
    assert articles("in") == {plenty.tenant_article_id, low.tenant_article_id}


def test_reservation_filters_active_expired_permanent(admin_client_):
    facility = network()
    stock = StockFactory(facility=facility, tenant_article_id="A", value=50)
    make_order(status=OrderStatus.PROMISED, lines=[("A", 1)], facility=facility)
    make_order(status=OrderStatus.OPEN, lines=[("A", 2)], facility=facility)
    Reservation.objects.create(
        stock=stock,
        facility=facility,
        tenant_article_id="A",
        quantity=3,
        valid_until=timezone.now() - timedelta(seconds=1),
    )
    url = reverse("admin:inventory_reservation_changelist")

    def quantities(state):
        response = admin_client_.get(url, {"state": state})
        assert response.status_code == 200
        return sorted(reservation.quantity for reservation in listed(response))

    assert quantities("active") == [1, 2]
    assert quantities("expired") == [3]
    assert quantities("permanent") == [2]
    html = admin_client_.get(url).content.decode()
    assert "/admin/orders/order/" in html  # each reservation links to its order


def test_reservations_are_read_only(admin_client_):
    facility = network()
    make_order(lines=[("A", 1)], facility=facility)
    reservation = Reservation.objects.get()
    assert admin_client_.get(reverse("admin:inventory_reservation_add")).status_code == 403
    change = reverse("admin:inventory_reservation_change", args=[reservation.pk])
    assert admin_client_.post(change, {"quantity": 99}).status_code == 403
    reservation.refresh_from_db()
    assert reservation.quantity == 1


def test_facility_filters_on_type_status_and_service(admin_client_):
    store = FacilityFactory(name="Store with pickup")
    warehouse = WarehouseFactory(name="Warehouse", status=FacilityStatus.SUSPENDED)
    supplier = FacilityFactory(
        name="Supplier", type=FacilityType.SUPPLIER, services=[{"type": "SHIP_FROM_STORE"}]
    )
    url = reverse("admin:inventory_facility_changelist")

    def names(query):
        return {facility.name for facility in listed(admin_client_.get(url, query))}

    assert names({"type__exact": "SUPPLIER"}) == {supplier.name}
    assert names({"status__exact": "SUSPENDED"}) == {warehouse.name}
    assert names({"service": "PICKUP"}) == {store.name}
    assert names({"service": "SHIP_FROM_STORE"}) == {store.name, supplier.name}
    page = admin_client_.get(reverse("admin:inventory_facility_change", args=[store.pk]))
    assert page.status_code == 200


def test_carrier_page_with_country_service_mappings(admin_client_):
    carrier = CarrierFactory(name="DHL", key="DHL")
    CountryServiceMappingFactory(carrier=carrier, destination_countries=["NL", "BE"])
    FacilityCarrierConnectionFactory(carrier=carrier, facility=network())

    page = admin_client_.get(reverse("admin:inventory_carrier_change", args=[carrier.pk]))
    connections = admin_client_.get(reverse("admin:inventory_facilitycarrierconnection_changelist"))
    listings = admin_client_.get(reverse("admin:inventory_listing_changelist"))
    carriers = admin_client_.get(reverse("admin:inventory_carrier_changelist"))

    assert page.status_code == 200
    assert b"NL, BE" in page.content and b"STANDARD" in page.content  # the mappings table
    assert b"Amsterdam Damrak" in connections.content and b"16:00" in connections.content
    assert listings.status_code == 200 and carriers.status_code == 200


def test_network_changelists_have_constant_query_counts(
    admin_client_, django_assert_max_num_queries
):
    names = [
        "facility",
        "carrier",
        "facilitycarrierconnection",
        "listing",
        "reservation",
    ]

    def counts():
        result = {}
        for name in names:
            with django_assert_max_num_queries(100) as captured:
                assert (
                    admin_client_.get(reverse(f"admin:inventory_{name}_changelist")).status_code
                    == 200
                )
            result[name] = len(captured.captured_queries)
        return result

    FacilityCarrierConnectionFactory()
    ListingFactory()
    make_order(facility=network())
    before = counts()
    for _ in range(10):
        FacilityCarrierConnectionFactory()
        ListingFactory()
        make_order(facility=FacilityFactory())
    after = counts()

    assert after == before


def test_inventory_manager_changes_stock_through_the_service():
    manager = role_client("manager", "Inventory managers")
    stock = StockFactory(facility=network(), value=10)
    url = reverse("admin:inventory_stock_change", args=[stock.pk])

    response = manager.post(url, {"value": 25, "seen_version": 1})

    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.value == 25 and stock.version == 2


def test_stock_below_what_reservations_hold_is_refused(admin_client_):
    facility = network()
    stock = StockFactory(facility=facility, tenant_article_id="HELD", value=10)
    reserve_stock([Allocation(facility.id, "HELD", 6)], valid_until=None)
    url = reverse("admin:inventory_stock_change", args=[stock.pk])

    response = admin_client_.post(url, {"value": 5, "seen_version": 1})

    assert response.status_code == 200
    assert "below the 6 unit(s) held by active reservations" in response.content.decode()
    assert 'value="5"' in response.content.decode()  # what the user typed is kept
    stock.refresh_from_db()
    assert stock.value == 10 and stock.version == 1


def test_stale_stock_form_gets_a_version_conflict(admin_client_):
    stock = StockFactory(facility=network(), value=10)
    url = reverse("admin:inventory_stock_change", args=[stock.pk])
    admin_client_.post(url, {"value": 11, "seen_version": 1})

    response = admin_client_.post(url, {"value": 12, "seen_version": 1})

    assert "Version conflict" in response.content.decode()
    stock.refresh_from_db()
    assert stock.value == 11 and stock.version == 2


def test_stock_is_added_only_for_listed_articles(admin_client_):
    facility = network()
    ListingFactory(facility=facility, tenant_article_id="LISTED")
    url = reverse("admin:inventory_stock_add")

    refused = admin_client_.post(
        url, {"facility": facility.pk, "tenant_article_id": "UNLISTED", "value": 3}
    )
    created = admin_client_.post(
        url, {"facility": facility.pk, "tenant_article_id": "LISTED", "value": 3}
    )

    assert "Article not listed at facility" in refused.content.decode()
    assert created.status_code == 302
    assert list(Stock.objects.values_list("tenant_article_id", "value")) == [("LISTED", 3)]


def test_deleting_reserved_stock_is_refused_with_a_message(admin_client_):
    facility = network()
    make_order(lines=[("HELD", 1)], facility=facility)
    stock = Stock.objects.get()
    url = reverse("admin:inventory_stock_delete", args=[stock.pk])

    response = admin_client_.post(url, {"post": "yes"}, follow=True)

    assert Stock.objects.filter(pk=stock.pk).exists()
    assert b"Stock is reserved" in response.content
    free = StockFactory(facility=facility)
    admin_client_.post(reverse("admin:inventory_stock_delete", args=[free.pk]), {"post": "yes"})
    assert not Stock.objects.filter(pk=free.pk).exists()


def test_facility_add_and_change_go_through_the_service(admin_client_):
    address = (
        '{"street": "Oudegracht", "houseNumber": "1", "postalCode": "3511 AA", '
        '"city": "Utrecht", "country": "NL", "resolvedCoordinates": {"lat": 52.09, "lon": 5.12}}'
    )
    response = admin_client_.post(
        reverse("admin:inventory_facility_add"),
        {
            "name": "Utrecht",
            "tenant_facility_id": "STORE-UTR",
            "type": "MANAGED_FACILITY",
            "location_type": "STORE",
            "status": "ONLINE",
            "services": '[{"type": "PICKUP"}]',
            "address": address,
            "picking_times": "{}",
            "closing_days": "[]",
            "fulfillment_process_buffer": 240,
        },
    )
    assert response.status_code == 302
    facility = Facility.objects.get(tenant_facility_id="STORE-UTR")
    assert (facility.city, facility.country, facility.latitude) == ("Utrecht", "NL", 52.09)

    change = reverse("admin:inventory_facility_change", args=[facility.pk])
    form = admin_client_.get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(status="SUSPENDED", seen_version=1)
    assert admin_client_.post(change, data).status_code == 302
    facility.refresh_from_db()
    assert facility.status == "SUSPENDED" and facility.version == 2


def test_carrier_and_connection_and_listing_writes_go_through_the_services(admin_client_):
    facility = network()
    admin_client_.post(
        reverse("admin:inventory_carrier_add"), {"key": "DHL", "name": "DHL", "status": "ACTIVE"}
    )
    carrier = Carrier.objects.get(key="DHL")
    admin_client_.post(
        reverse("admin:inventory_carrier_change", args=[carrier.pk]),
        {"name": "DHL Parcel", "status": "ACTIVE", "seen_version": 1},
    )
    carrier.refresh_from_db()
    assert (carrier.name, carrier.version) == ("DHL Parcel", 2)

    admin_client_.post(
        reverse("admin:inventory_facilitycarrierconnection_add"),
        {
            "facility": facility.pk,
            "carrier": carrier.pk,
            "status": "ACTIVE",
            "cutoff_hour": 15,
            "cutoff_minute": 30,
            "valid_delivery_targets": '["SHIP_TO_CUSTOMER"]',
            "delivery_areas": "[]",
        },
    )
    connection = FacilityCarrierConnection.objects.get()
    assert (connection.cutoff_hour, connection.cutoff_minute) == (15, 30)

    admin_client_.post(
        reverse("admin:inventory_listing_add"),
        {
            "facility": facility.pk,
            "tenant_article_id": "TSHIRT",
            "title": "T-shirt",
            "price": "19.95",
            "currency": "EUR",
            "out_of_stock_behaviour": "NONE",
            "status": "ACTIVE",
            "safety_stock": 0,
        },
    )
    listing = Listing.objects.get()
    admin_client_.post(
        reverse("admin:inventory_listing_change", args=[listing.pk]),
        {
            "title": "T-shirt white",
            "price": "17.50",
            "currency": "EUR",
            "out_of_stock_behaviour": "NONE",
            "status": "ACTIVE",
            "safety_stock": 2,
            "seen_version": 1,
        },
    )
    listing.refresh_from_db()
    assert (listing.title, str(listing.price), listing.version) == ("T-shirt white", "17.50", 2)
    assert listing.safety_stock == 2


def test_viewer_cannot_change_the_network():
    viewer = role_client("viewer", "Order viewers")
    stock = StockFactory(facility=network(), value=10)
    carrier = CarrierFactory()

    assert viewer.get(reverse("admin:inventory_stock_changelist")).status_code == 200
    change = reverse("admin:inventory_stock_change", args=[stock.pk])
    assert viewer.get(change).status_code == 200  # read-only view
    assert viewer.post(change, {"value": 0}).status_code == 403
    assert viewer.get(reverse("admin:inventory_facility_add")).status_code == 403
    delete = reverse("admin:inventory_carrier_delete", args=[carrier.pk])
    assert viewer.post(delete, {"post": "yes"}).status_code == 403
    stock.refresh_from_db()
    assert stock.value == 10 and Carrier.objects.filter(pk=carrier.pk).exists()
    assert Stock.objects.count() == 1


@pytest.mark.parametrize(
    "model", ["facility", "carrier", "facilitycarrierconnection", "listing", "stock"]
)
def test_every_add_page_renders(admin_client_, model):
    response = admin_client_.get(reverse(f"admin:inventory_{model}_add"))
    assert response.status_code == 200
    assert b'name="seen_version"' in response.content


def test_every_change_page_renders_with_its_version(admin_client_):
    connection = FacilityCarrierConnectionFactory(facility=network())
    listing = ListingFactory(facility=connection.facility)
    stock = StockFactory(facility=connection.facility, tenant_article_id=listing.tenant_article_id)
    for model, obj in [
        ("facility", connection.facility),
        ("carrier", connection.carrier),
        ("facilitycarrierconnection", connection),
        ("listing", listing),
        ("stock", stock),
    ]:
        response = admin_client_.get(reverse(f"admin:inventory_{model}_change", args=[obj.pk]))
        assert response.status_code == 200, model
        assert b'name="seen_version" value="1"' in response.content, model
