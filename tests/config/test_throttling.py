"""Per-token rate limits by endpoint group: 429 ApiError with Retry-After, then served again.
(Shared by two gunicorn workers through Redis: tests/config/test_gunicorn.py.)"""

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from config.api import throttling
from config.api.throttling import Rate, check_rate_settings, parse_rate
from tests.conftest import make_token_client
from tests.orders.helpers import assert_api_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_counters():
    caches[throttling.CACHE_ALIAS].clear()
    yield
    caches[throttling.CACHE_ALIAS].clear()


@pytest.fixture
def frozen_time(monkeypatch):
    """Windows are on the clock: start each test at the beginning of a window."""
    now = {"value": 300 * 3600.0}
    monkeypatch.setattr(throttling.time, "time", lambda: now["value"])
    return now


def test_limits_are_off_by_default(api_client):
    for _ in range(30):
        assert api_client.get("/api/orders").status_code == 200


def test_over_the_limit_is_429_with_retry_after_then_served_again(
    api_client, settings, frozen_time
):
    settings.API_RATE_LIMIT_READS = "3/10s"
    assert [api_client.get("/api/orders").status_code for _ in range(3)] == [200] * 3
    frozen_time["value"] += 4
    refused = api_client.get("/api/orders")
    body = assert_api_error(refused, 429)
    assert body[0]["summary"].startswith("Too many requests")
    assert refused["Retry-After"] == "6"
    frozen_time["value"] += 6
    assert api_client.get("/api/orders").status_code == 200


def test_each_token_and_each_group_has_its_own_count(api_client, settings, frozen_time):
    settings.API_RATE_LIMIT_READS = "1/min"
    settings.API_RATE_LIMIT_WRITES = "1/min"
    other = make_token_client("other-shop")
    assert api_client.get("/api/orders").status_code == 200
    assert api_client.get("/api/orders").status_code == 429
    assert other.get("/api/orders").status_code == 200
    # Search is a read; a write has its own limit (here: 400 for an empty body, not 429).
    assert api_client.post("/api/orders/search", {"query": {}}, format="json").status_code == 429
    assert api_client.post("/api/orders", {}, format="json").status_code == 400
    assert api_client.post("/api/orders", {}, format="json").status_code == 429


def test_the_inventory_searches_and_the_carrier_ranking_count_as_reads(
    api_client, settings, frozen_time
):
    settings.API_RATE_LIMIT_READS = "4/min"
    settings.API_RATE_LIMIT_WRITES = "1/min"
    posts = [
        ("/api/stocks/search", {"query": {}}),
        ("/api/reservations/search", {"query": {}}),
        ("/api/listings/search", {"query": {}}),
        ("/api/facilities/NOPE/carriers/prioritization", {}),
    ]
    assert [api_client.post(url, body, format="json").status_code for url, body in posts] == [
        200,
        200,
        200,
        404,
    ]
    assert api_client.get("/api/orders").status_code == 429
    assert api_client.post("/api/orders", {}, format="json").status_code == 400


def test_checkout_has_its_own_limit(api_client, settings, frozen_time):
    settings.API_RATE_LIMIT_CHECKOUT = "1/h"
    assert api_client.post("/api/promises/deliverypromise", {}, format="json").status_code == 400
    refused = api_client.post("/api/promises/deliverypromise", {}, format="json")
    assert_api_error(refused, 429)
    assert int(refused["Retry-After"]) == 3600
    assert api_client.get("/api/orders").status_code == 200


def test_an_unreachable_cache_lets_requests_through(api_client, settings, monkeypatch):
    settings.API_RATE_LIMIT_READS = "1/min"

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(throttling, "_increment", broken)
    assert [api_client.get("/api/orders").status_code for _ in range(3)] == [200] * 3


def test_rates_are_read_as_documented(settings):
    assert parse_rate("600/min") == Rate(600, 60)
    assert parse_rate("20/10s") == Rate(20, 10)
    assert parse_rate("10000/day") == Rate(10000, 86400)
    assert parse_rate("") is None
    settings.API_RATE_LIMIT_READS = "lots"
    with pytest.raises(ImproperlyConfigured, match="API_RATE_LIMIT_READS"):
        check_rate_settings()
