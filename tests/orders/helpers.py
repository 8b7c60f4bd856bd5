"""Assertions shared by the orders API tests."""

import json
from pathlib import Path

from jsonschema import Draft7Validator

CONTRACT = json.loads((Path(__file__).parents[1] / "contract" / "orders.json").read_text())


def assert_matches_contract(body, schema_name):
    """The body validates against the reference schema (structural copy in tests/contract)."""
    validator = Draft7Validator({**CONTRACT, "$ref": f"#/definitions/{schema_name}"})
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors


def assert_api_error(response, status, *, mentioning=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body, body
    assert all(isinstance(item.get("summary"), str) and item["summary"] for item in body)
    if mentioning:
        text = json.dumps(body)
        assert mentioning in text, body
    return body
