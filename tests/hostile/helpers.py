"""The catalogue's machinery: a malformed request, what it must answer, and proof that it
changed nothing."""

import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps

# Every table a write endpoint could touch.
APP_LABELS = ("orders", "inventory", "promises", "events")
API_ERROR_KEYS = {"summary", "description", "version", "requestVersion"}


@dataclass(frozen=True)
class Case:
    """A request the API must refuse. `path`, and any string of `body` that is exactly such a
    placeholder, may name the fixture world's objects as {facility}, {tenant_facility},
    {carrier}, {mapping}, {stock}, {order}, {line}."""

    name: str
    method: str
    path: str
    body: object = None
    status: int = 400
    raw: bytes | None = None
    content_type: str = "application/json"
    mentioning: str | None = None
    headers: dict = field(default_factory=dict)

    def param(self):
        return pytest.param(self, id=self.name)


def snapshot():
    """Every row of every table the API writes, as plain values."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
    }


def send(client, case, world):
    path = case.path.format(**world)
    if case.raw is not None:
        body = case.raw
    elif case.body is not None:
        body = json.dumps(_placed(case.body, world))
    else:
        body = None
    method = getattr(client, case.method.lower())
    if body is None:
        return method(path, **case.headers)
    return method(path, data=body, content_type=case.content_type, **case.headers)


def _placed(body, world):
    if isinstance(body, dict):
        return {key: _placed(value, world) for key, value in body.items()}
    if isinstance(body, list):
        return [_placed(value, world) for value in body]
    if isinstance(body, str) and body.startswith("{") and body.strip("{}") in world:
        return str(world[body.strip("{}")])
    return body


def assert_refused(client, case, world):
    """The request answers `case.status` with an ApiError body and changes no row."""
    before = snapshot()
    response = send(client, case, world)
    assert response.status_code == case.status, (response.status_code, response.content[:500])
    body = response.json()
    assert isinstance(body, list) and body, body
    for item in body:
        assert set(item) <= API_ERROR_KEYS, item
        assert isinstance(item["summary"], str) and item["summary"], item
    if case.mentioning:
        assert case.mentioning in json.dumps(body), body
    assert snapshot() == before, f"{case.name} changed the database"
    return body


def nested(levels, leaf=1):
    """`levels` objects inside each other."""
    value = leaf
    for _ in range(levels):
        value = {"a": value}
    return value
