"""The Idempotency-Key header on POST /api/orders (the promise endpoint is covered in
test_promise_concurrency.py)."""

import contextlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config.api import idempotency
from config.models import IdempotencyKey, IdempotencyKeyState
from orders.models import Order
from tests.conftest import make_token_client
from tests.database import second_connection
from tests.promises.helpers import example_promise

URL = "/api/orders"

pytestmark = pytest.mark.django_db


def order_body(tenant_order_id="R1"):
    body = example_promise(tenantOrderId=tenant_order_id)
    return body


def post(client, body, key):
    return client.post(URL, body, format="json", headers={"Idempotency-Key": key})


def test_retry_with_same_key_and_body_replays_the_first_response(api_client):
    first = post(api_client, order_body(), "key-1")
    retry = post(api_client, order_body(), "key-1")

    assert first.status_code == 201
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Location"] == first["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_same_key_with_another_body_is_422(api_client):
    post(api_client, order_body("R1"), "key-1")

    response = post(api_client, order_body("R2"), "key-1")

    assert response.status_code == 422
    assert "different request body" in response.json()[0]["summary"]
    assert Order.objects.count() == 1


def test_same_key_while_the_first_is_running_is_409(api_client):
    record = IdempotencyKey.objects.create(
        user=api_client.user,
        endpoint="orders.create",
        key="key-1",
        request_fingerprint=_fingerprint(api_client, order_body()),
        expires_at=timezone.now() + timedelta(hours=1),
    )

    with _still_working(record):
        response = post(api_client, order_body(), "key-1")

    assert response.status_code == 409
    assert "still being processed" in response.json()[0]["summary"]
    assert not Order.objects.exists()


@contextlib.contextmanager
def _still_working(record):
    """What a request still working on its claim holds: on PostgreSQL, the advisory lock of its
    work transaction (SQLite goes by the claim's age)."""
    if connection.vendor != "postgresql":
        yield
        return
    with second_connection() as worker:
        worker.execute("SELECT pg_advisory_xact_lock(%s)", [idempotency._advisory_lock_id(record)])
        yield


def _fingerprint(client, body):
    # Claim the key through a request, read its fingerprint, then reset the row to running.
    post(client, body, "probe")
    record = IdempotencyKey.objects.get(key="probe")
    Order.objects.all().delete()
    record.delete()
    return record.request_fingerprint


def test_keys_are_per_user(api_client):
    other = make_token_client("other-shop")
    post(api_client, order_body("R1"), "key-1")

    response = post(other, order_body("R2"), "key-1")

    assert response.status_code == 201
    assert Order.objects.count() == 2


def test_a_failed_request_is_replayed_as_failed_and_stored_with_its_status(api_client):
    bad = order_body()
    del bad["orderDate"]

    first = post(api_client, bad, "key-1")
    retry = post(api_client, bad, "key-1")

    assert first.status_code == retry.status_code == 400
    assert retry.json() == first.json()
    record = IdempotencyKey.objects.get(key="key-1")
    assert record.state == IdempotencyKeyState.COMPLETED
    assert record.response_status == 400


def test_an_expired_key_can_be_used_again(api_client):
    post(api_client, order_body("R1"), "key-1")
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    api_client.post(
        f"/api/orders/{Order.objects.get().id}/actions",
        {"name": "CANCEL", "version": 1},
        format="json",
    )

    response = post(api_client, order_body("R1"), "key-1")

    assert response.status_code == 201
    assert Order.objects.count() == 2


def test_without_the_header_nothing_is_stored(api_client):
    api_client.post(URL, order_body(), format="json")

    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", " ", "x" * 256])
def test_bad_keys_are_400(api_client, key):
    response = post(api_client, order_body(), key)

    assert response.status_code == 400
    assert not Order.objects.exists()


def test_keys_expire_after_24_hours(api_client):
    post(api_client, order_body(), "key-1")

    record = IdempotencyKey.objects.get()
    assert abs(record.expires_at - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)


def test_a_key_abandoned_by_a_dead_request_can_be_claimed_again(api_client):
    record = IdempotencyKey.objects.create(
        user=api_client.user,
        endpoint="orders.create",
        key="key-1",
        request_fingerprint=_fingerprint(api_client, order_body()),
        expires_at=timezone.now() + timedelta(hours=23),
    )
    IdempotencyKey.objects.filter(id=record.id).update(
        created=timezone.now() - timedelta(minutes=5)
    )

    response = post(api_client, order_body(), "key-1")

    assert response.status_code == 201
    assert Order.objects.count() == 1
    assert IdempotencyKey.objects.get(key="key-1").state == IdempotencyKeyState.COMPLETED


def test_a_claim_whose_request_has_ended_is_taken_over_at_once_on_postgresql(api_client):
    """A request whose connection died could not release its claim; its advisory lock died
    with it, so a retry a moment later is processed instead of waiting out the 2 minutes."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite goes by the claim's age")
    IdempotencyKey.objects.create(
        user=api_client.user,
        endpoint="orders.create",
        key="key-1",
        request_fingerprint=_fingerprint(api_client, order_body()),
        expires_at=timezone.now() + timedelta(hours=23),
    )

    response = post(api_client, order_body(), "key-1")

    assert response.status_code == 201
    assert IdempotencyKey.objects.get(key="key-1").state == IdempotencyKeyState.COMPLETED
