"""GET /healthz and /readyz, in process. A database that does not answer, under gunicorn:
tests/config/test_gunicorn.py."""

import json

import pytest
import redis
from django.db.migrations.executor import MigrationExecutor

from config import health


@pytest.fixture(autouse=True)
def migrations_checked_again(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def assert_no_internals(response):
    text = response.content.decode()
    for internal in ("postgres", "sqlite", "127.0.0.1", "5432", "Django", "password", "doms"):
        assert internal.lower() not in text.lower(), text


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would fail this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_migrations_without_authentication(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert_no_internals(response)


@pytest.mark.django_db
def test_readyz_is_503_while_migrations_are_missing(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("orders", "9999_next")]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["migrations"]
    assert body["checks"] == {"database": "ok", "migrations": "1 not applied"}
    assert_no_internals(response)


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert response.json()["checks"]["broker"] == "unavailable"
    assert_no_internals(response)


@pytest.mark.django_db
def test_readyz_asks_the_broker_when_redis_is_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["checks"]["broker"] == "ok"
