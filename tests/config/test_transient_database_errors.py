"""Transient database errors answer 503 with Retry-After, and a request they cut short is run
once more inside the same HTTP request when that is safe."""

import psycopg
import pytest
from django.db import OperationalError, connection
from django.db.utils import IntegrityError, ProgrammingError
from rest_framework.response import Response

from config.api.errors import api_exception_handler, is_transient_database_error
from config.models import IdempotencyKey
from orders import services as order_services
from orders.models import Order
from tests.conftest import make_token_client
from tests.database import second_connection
from tests.promises.helpers import example_promise

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="kills a PostgreSQL backend"
)


def terminate_own_backend():
    """What a PostgreSQL restart does to the request's connection, for real."""
    pid = connection.connection.info.backend_pid
    with second_connection(autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def kill_connection_on_first_calls(monkeypatch, times):
    """Make create_order lose its database connection on its first `times` calls."""
    real_create_order = order_services.create_order
    calls = []

    def create_order(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            connection.ensure_connection()
            terminate_own_backend()
        return real_create_order(*args, **kwargs)

    monkeypatch.setattr(order_services, "create_order", create_order)
    return calls


def post_order(client, tenant_order_id, **headers):
    return client.post(
        "/api/orders",
        example_promise(tenantOrderId=tenant_order_id),
        format="json",
        headers=headers,
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_once_is_retried_and_the_client_never_notices(monkeypatch):
    client = make_token_client("shop")
    calls = kill_connection_on_first_calls(monkeypatch, times=1)

    response = post_order(client, "WEB-RETRIED", **{"Idempotency-Key": "k-1"})

    assert response.status_code == 201, response.content
    assert len(calls) == 2
    assert list(Order.objects.values_list("tenant_order_id", flat=True)) == ["WEB-RETRIED"]
    # The key belongs to the retried request: a replay, not a 409 "still in progress".
    replay = post_order(client, "WEB-RETRIED", **{"Idempotency-Key": "k-1"})
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == response.json()["id"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_twice_answers_503_with_retry_after_and_stores_nothing(monkeypatch):
    client = make_token_client("shop")
    calls = kill_connection_on_first_calls(monkeypatch, times=2)

    response = post_order(client, "WEB-LOST", **{"Idempotency-Key": "k-2"})

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    [error] = response.json()
    assert error["summary"] == "The database is briefly unavailable: retry the request."
    assert "Idempotency-Key" in error["description"]
    assert len(calls) == 2  # retried once, not in a loop
    assert not Order.objects.exists()
    # The client's own retry with the same key goes through.
    assert not IdempotencyKey.objects.filter(key="k-2", response_status=None).exists()
    retry = post_order(client, "WEB-LOST", **{"Idempotency-Key": "k-2"})
    assert retry.status_code == 201, retry.content


@pytest.mark.django_db
def test_inside_an_open_transaction_the_request_is_not_retried(monkeypatch, api_client):
    # The test's own transaction is still open: re-running the view is not ours to decide.
    calls = []

    def create_order(*args, **kwargs):
        calls.append(1)
        raise OperationalError(
            "server closed the connection unexpectedly"
        ) from psycopg.errors.AdminShutdown()

    monkeypatch.setattr(order_services, "create_order", create_order)

    response = post_order(api_client, "WEB-ONCE")

    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert len(calls) == 1


def real_serialization_failure():
    """Two transactions updating the same row under REPEATABLE READ: PostgreSQL refuses the
    second with 40001."""
    first, second = second_connection(autocommit=True), second_connection(autocommit=True)
    try:
        first.execute("CREATE TABLE IF NOT EXISTS transient_probe (id int primary key, v int)")
        first.execute("INSERT INTO transient_probe VALUES (1, 0) ON CONFLICT DO NOTHING")
        first.autocommit = second.autocommit = False
        first.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        first.execute("SELECT v FROM transient_probe WHERE id = 1").fetchone()
        second.execute("UPDATE transient_probe SET v = v + 1 WHERE id = 1")
        second.commit()
        try:
            first.execute("UPDATE transient_probe SET v = v + 1 WHERE id = 1")
        except psycopg.errors.SerializationFailure as error:
            return error
        raise AssertionError("no serialization failure")
    finally:
        first.rollback()
        first.autocommit = True
        first.execute("DROP TABLE IF EXISTS transient_probe")
        first.close()
        second.close()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_real_serialization_failure_maps_to_503():
    try:
        raise OperationalError(str(cause := real_serialization_failure())) from cause
    except OperationalError as wrapped:
        response = api_exception_handler(wrapped, {})

    assert isinstance(response, Response)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.SerializationFailure(),
        psycopg.errors.DeadlockDetected(),
        psycopg.errors.AdminShutdown(),
        psycopg.errors.CannotConnectNow(),
        psycopg.errors.TooManyConnections(),
        psycopg.OperationalError("consuming input failed: server closed the connection"),
        psycopg.InterfaceError("the connection is closed"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_transient_errors_are_recognised_raw_and_wrapped_by_django(error):
    assert is_transient_database_error(error)
    try:
        raise OperationalError(str(error)) from error
    except OperationalError as wrapped:
        assert is_transient_database_error(wrapped)
        response = api_exception_handler(wrapped, {})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data[0]["summary"].startswith("The database is briefly unavailable")


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.ProgramLimitExceeded(),
        psycopg.errors.UniqueViolation(),
        IntegrityError("duplicate key"),
        ProgrammingError("relation does not exist"),
        ValueError("a bug"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_other_errors_stay_500(error):
    assert not is_transient_database_error(error)
    response = api_exception_handler(error, {})
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_locked_sqlite_database_is_transient():
    import sqlite3

    try:
        raise OperationalError("database is locked") from sqlite3.OperationalError(
            "database is locked"
        )
    except OperationalError as wrapped:
        assert is_transient_database_error(wrapped)
    assert not is_transient_database_error(sqlite3.OperationalError("no such table: x"))
