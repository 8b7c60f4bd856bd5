"""The table of stale-tolerant reads names real endpoints, and never one that reserves."""

from django.urls import resolve

from config.db_router import STALE_TOLERANT_READS


def test_every_stale_tolerant_read_is_a_served_route():
    for _method, route in STALE_TOLERANT_READS:
        assert resolve(f"/{route}").route == route


def test_checkout_and_order_reads_by_id_stay_on_the_primary():
    routes = {route for _method, route in STALE_TOLERANT_READS}
    assert "api/promises/deliverypromise" not in routes
    assert resolve("/api/orders/00000000-0000-0000-0000-000000000000").route not in routes
    # The order list's POST creates an order: only its GET is listed.
    assert ("POST", "api/orders") not in STALE_TOLERANT_READS
