"""The sourcing options' msgspec struct (promises/structs.py) against
SourcingOptionsRequestSerializer, the schema's source: the same fields at every level, and
whatever the struct accepts the serializer accepts too, with the same validated data (the
checkout's struct is held to its serializer the same way in tests/config/test_structs.py)."""

import copy
import json

import msgspec
import msgspec.inspect as types
import orjson
import pytest
from rest_framework import serializers

from config.api.validation import validated_data
from promises.serializers import SourcingOptionsRequestSerializer
from promises.structs import SourcingOptionsRequest
from tests.config.test_structs import (
    COLLECT_PREFERENCES,
    FULL_BODY,
    HOSTILE_VALUES,
    _compare_fields,
    _mutated,
    _paths,
    comparable,
)

# The checkout's full body is an order with every field, less the checkout's own.
FULL_ORDER = {
    key: value for key, value in FULL_BODY.items() if key not in ("additionalInfo", "status")
}
# Every field of the SourcingOptionsRequest, with a value the serializer accepts.
FULL_REQUEST = {
    "order": {**FULL_ORDER, "status": "OPEN"},
    "resourceInvestment": {"level": 0.5},
    "optimizationHints": {"includeCalculationHints": True, "requestedResultCount": 3},
    "additionalInfo": {"includeListingCustomAttributes": False},
}
MINIMAL_REQUEST = {
    "order": {
        "consumer": {"addresses": [{"country": "NL"}]},
        "orderLineItems": [{"article": {"tenantArticleId": "A-1", "title": "A"}, "quantity": 1}],
    }
}


def serializer_data(body):
    try:
        return validated_data(SourcingOptionsRequestSerializer, body)
    except serializers.ValidationError:
        return None


def struct_data(raw):
    try:
        return msgspec.json.decode(raw, type=SourcingOptionsRequest).validated_data()
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def assert_same_outcome(body):
    raw = json.dumps(body).encode()
    from_struct = struct_data(raw)
    if from_struct is None:
        return False  # the serializer answers: nothing to compare
    from_serializer = serializer_data(orjson.loads(raw))
    assert from_serializer is not None, f"the struct accepted what the serializer refuses: {body}"
    assert comparable(from_struct) == comparable(from_serializer)
    assert from_struct["order"].get("orderDate") == from_serializer["order"].get("orderDate")
    return True


def test_the_struct_has_the_serializers_fields_at_every_level():
    compared = []
    _compare_fields(
        SourcingOptionsRequestSerializer(),
        types.type_info(SourcingOptionsRequest),
        "SourcingOptionsRequest",
        compared,
    )
    assert len(compared) > 90


@pytest.mark.parametrize(
    "body",
    [
        FULL_REQUEST,
        {**FULL_REQUEST, "order": {**FULL_REQUEST["order"], "status": "PROMISED"}},
        {**FULL_REQUEST, "order": {**FULL_ORDER, "deliveryPreferences": COLLECT_PREFERENCES}},
        MINIMAL_REQUEST,
        {**MINIMAL_REQUEST, "resourceInvestment": {"level": 0}},
    ],
    ids=["every field", "promised status", "collect", "minimal", "level 0"],
)
def test_the_struct_takes_these_bodies_with_the_serializers_result(body):
    assert assert_same_outcome(body), "the fast path should take this body"


@pytest.mark.parametrize(
    "change",
    [
        {"order": {**FULL_ORDER, "orderLineItems": []}},
        {"order": {**FULL_ORDER, "orderDate": "yesterday"}},
        {"order": {**FULL_ORDER, "tags": [{"id": "routingStatus", "value": "x"}]}},
        {"order": {**FULL_ORDER, "source": {}}},
        {"order": {**FULL_ORDER, "consumer": {"addresses": [{"city": "Amsterdam"}]}}},
        {"resourceInvestment": {"level": 1.5}},
        {"resourceInvestment": {}},
        {"optimizationHints": {"requestedResultCount": 21}},
        {"surprise": 1},
    ],
)
def test_bodies_the_serializer_refuses_are_refused_by_the_struct_too(change):
    body = {**FULL_REQUEST, **change}
    assert serializer_data(copy.deepcopy(body)) is None
    assert struct_data(json.dumps(body).encode()) is None


@pytest.mark.parametrize("part", ["order", "rest"])
def test_whatever_the_struct_accepts_the_serializer_accepts_with_the_same_data(part, monkeypatch):
    """Every field replaced by each hostile value, removed, or given an unknown sibling."""
    monkeypatch.setattr("tests.config.test_structs.BASES", [FULL_REQUEST])
    taken = tried = 0
    for path in _paths(FULL_REQUEST):
        if not path or (path[0] == "order") != (part == "order"):
            continue
        changes = [("delete", None), ("add", 1)] + [("replace", v) for v in HOSTILE_VALUES]
        for action, value in changes:
            tried += 1
            taken += assert_same_outcome(_mutated(0, path, action, value))
    assert 0 < taken < tried
