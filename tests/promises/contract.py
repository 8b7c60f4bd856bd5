"""Validate bodies against the structural copy of the promise contract."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator

SCHEMAS = Path(__file__).resolve().parents[1] / "contract" / "deliverypromise_schema.json"


@cache
def _definitions():
    return json.loads(SCHEMAS.read_text())["definitions"]


def contract_errors(schema_name, document):
    validator = Draft7Validator(
        {"$ref": f"#/definitions/{schema_name}", **{"definitions": _definitions()}}
    )
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(document)]
