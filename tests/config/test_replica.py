"""Reads that tolerate stale data come from a real streaming replica; checkout never does.

Runs only with DATABASE_REPLICA_URL set to a hot standby of the test server (`.ci/run` creates
one with `.ci/replica` and runs this module against it). Replay on the standby is paused where a
test needs the replica to be visibly behind the primary: a read that misses the newest row came
from the replica, one that sees it came from the primary.
"""

import contextlib
import logging
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config import db_router
from inventory.models import Stock
from orders.models import Order
from promises.services import get_promises_configuration
from tests.config.scrape import TOKEN, parse_scrape, sample
from tests.conftest import make_token_client
from tests.promises.helpers import example_promise, small_network

pytestmark = [
    pytest.mark.skipif(
        "replica" not in settings.DATABASES,
        reason="needs DATABASE_REPLICA_URL: a PostgreSQL streaming replica of the test server "
        "(.ci/replica creates one on port 5433; .ci/run runs this module against it)",
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


def _scalar(alias, sql, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def wait_for_replica(timeout=30.0):
    """Until the replica has replayed everything the primary has written so far (at the start
    of the run that includes creating the test database itself)."""
    target = _scalar("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if _scalar("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
                return
        except OperationalError:  # the test database is not on the replica yet
            connections["replica"].close()
        time.sleep(0.02)
    raise AssertionError("the replica did not catch up with the primary")


@contextlib.contextmanager
def replay_paused():
    """The replica stops applying the primary's changes: it shows the data of this moment."""
    wait_for_replica()
    _scalar("replica", "SELECT pg_wal_replay_pause()::text")
    try:
        while _scalar("replica", "SELECT pg_get_wal_replay_pause_state()") != "paused":
            time.sleep(0.01)
        yield
    finally:
        _scalar("replica", "SELECT pg_wal_replay_resume()::text")


@pytest.fixture
def shop():
    """An API client, once the replica has everything written so far (its token included)."""
    client = make_token_client("replica-reader")
    wait_for_replica()
    return client


def tenant_order_ids(response):
    assert response.status_code == 200, response.content
    return {order["tenantOrderId"] for order in response.json()["orders"]}


def create_order(client, tenant_order_id):
    body = example_promise(tenantOrderId=tenant_order_id)
    response = client.post("/api/orders", body, format="json")
    assert response.status_code == 201, response.content


def search(client):
    return client.post("/api/orders/search", {"query": {}, "size": 50}, format="json")


def test_the_replica_is_a_hot_standby_of_the_primary(shop):
    assert _scalar("replica", "SELECT pg_is_in_recovery()") is True
    assert _scalar("default", "SELECT pg_is_in_recovery()") is False
    assert (
        connections["replica"].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]
    )


def test_order_search_and_list_read_from_the_replica(shop):
    create_order(shop, "BEFORE-PAUSE")
    with replay_paused():
        create_order(shop, "WHILE-PAUSED")
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            searched = tenant_order_ids(search(shop))
            listed = tenant_order_ids(shop.get("/api/orders"))
        # The replica still shows the moment replay stopped.
        assert searched == listed == {"BEFORE-PAUSE"}
        assert any("orders_order" in query["sql"] for query in on_replica.captured_queries)
        # The connection those reads used is the standby's.
        assert _scalar("replica", "SELECT pg_is_in_recovery()") is True
        # Reading an order by id is not stale-tolerant: the primary answers.
        [new] = Order.objects.filter(tenant_order_id="WHILE-PAUSED")
        assert shop.get(f"/api/orders/{new.id}").status_code == 200
    wait_for_replica()
    assert tenant_order_ids(search(shop)) == {"BEFORE-PAUSE", "WHILE-PAUSED"}


def test_a_promise_never_reads_availability_from_the_replica(shop):
    network = small_network({"TSHIRT-W-2468": 0, "JEANS-B-2605": 10, "SNEAK-W-4891": 5})
    # As after the first checkout: the configuration row exists. (Creating it would be a write,
    # after which the request reads its own writes from the primary.)
    get_promises_configuration()
    wait_for_replica()
    lines = [("TSHIRT-W-2468", 2)]
    with replay_paused():
        # Stock arrives on the primary; the paused replica still has none.
        Stock.objects.filter(pk=network["stocks"]["TSHIRT-W-2468"].pk).update(value=4)
        sourcing = shop.post(
            "/api/routing/sourcingoptions",
            {"order": example_promise(lines)},
            format="json",
        )
        assert sourcing.status_code == 201, sourcing.content
        [option] = sourcing.json()["result"]["options"]
        assert option["nonAssignedOrderLineItems"] == [
            {"tenantArticleId": "TSHIRT-W-2468", "quantity": 2}
        ], "sourcing options read the replica's (stale) stock"

        with CaptureQueriesContext(connections["replica"]) as on_replica:
            promise = shop.post(
                "/api/promises/deliverypromise", example_promise(lines), format="json"
            )
        assert promise.status_code == 201, promise.content
        assert on_replica.captured_queries == []


def test_a_read_after_a_write_in_the_same_request_sees_the_write(shop):
    with replay_paused(), db_router.stale_reads_allowed():
        assert db_router.read_alias() == "replica"
        assert not Order.objects.filter(tenant_order_id="OWN-WRITE").exists()
        Order.objects.create(tenant_order_id="OWN-WRITE", order_date="2024-01-19T08:45:50Z")
        assert db_router.read_alias() == "default"
        assert Order.objects.filter(tenant_order_id="OWN-WRITE").exists()


def test_a_read_inside_a_transaction_goes_to_the_primary(shop):
    with db_router.stale_reads_allowed(), transaction.atomic():
        assert db_router.read_alias() == "default"
        assert Order.objects.all().db == "default"


def test_an_unreachable_replica_falls_back_to_the_primary(shop, monkeypatch, caplog):
    create_order(shop, "ON-THE-PRIMARY")
    replica = connections["replica"]
    replica.close()
    monkeypatch.setitem(replica.settings_dict, "PORT", "1")  # nothing listens there
    monkeypatch.setattr(db_router, "_replica_down_until", 0.0)
    with caplog.at_level(logging.WARNING, logger="config.db_router"):
        assert tenant_order_ids(search(shop)) == {"ON-THE-PRIMARY"}
        assert tenant_order_ids(search(shop)) == {"ON-THE-PRIMARY"}
    warnings = [record for record in caplog.records if "replica unreachable" in record.message]
    assert len(warnings) == 1, "tried once, then left alone for REPLICA_RETRY_SECONDS"
    replica.close()


def test_stock_summaries_and_the_back_office_lists_read_from_the_replica(shop):
    network = small_network({"TSHIRT-W-2468": 3})
    create_order(shop, "LISTED-BEFORE")
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("replica-admin"))
    with replay_paused():
        Stock.objects.filter(pk=network["stocks"]["TSHIRT-W-2468"].pk).update(value=7)
        create_order(shop, "LISTED-WHILE-PAUSED")
        summaries = shop.get("/api/stocks/summaries?tenantArticleIds=TSHIRT-W-2468").json()
        assert [summary["details"]["stockOnHand"] for summary in summaries["stockSummaries"]] == [3]
        order_list = staff.get("/admin/orders/order/").content.decode()
        assert "LISTED-BEFORE" in order_list and "LISTED-WHILE-PAUSED" not in order_list
    wait_for_replica()
    summaries = shop.get("/api/stocks/summaries?tenantArticleIds=TSHIRT-W-2468").json()
    assert [summary["details"]["stockOnHand"] for summary in summaries["stockSummaries"]] == [7]


def test_checkout_options_read_the_network_and_stock_from_the_replica(shop):
    small_network()
    get_promises_configuration()
    wait_for_replica()
    body = {
        "consumerAddress": {"postalCode": "1052 XM", "city": "Amsterdam", "country": "NL"},
        "tenantArticleIds": ["TSHIRT-W-2468"],
    }
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = shop.post("/api/promises/checkoutoptions/delivery/earliest", body, format="json")
    assert response.status_code == 200, response.content
    assert any("inventory_stock" in query["sql"] for query in on_replica.captured_queries)
    assert not any("inventory_" in query["sql"] for query in on_primary.captured_queries)


def test_readiness_and_metrics_report_the_replica(shop, client, settings):
    settings.REDIS_URL = ""
    settings.METRICS_TOKEN = TOKEN
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json()["checks"]["replica"] == "ok"
    wait_for_replica()
    scraped = parse_scrape(
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    )
    assert 0 <= sample(scraped, "doms_replica_lag_bytes") < 16 * 1024 * 1024


def test_readiness_stays_ok_when_the_replica_does_not_answer(shop, client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setitem(connections["replica"].settings_dict, "PORT", "1")
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json()["checks"]["replica"] == "unavailable (its reads go to the primary)"
    assert "failed" not in ready.json()
