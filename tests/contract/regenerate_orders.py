"""Regenerate the structural copies of the reference schemas the API validates against.

    python tests/contract/regenerate_orders.py [path/to/reference-api-subset.openapi.json]

Writes two files (names, types, enums, required, bounds; no prose):
- config/api/reference_schemas.json: sub-schemas the serializers validate deep, rarely used
  request parts against at run time (customServices, pricing, article attributes, inventory
  pass-through fields, ...);
- tests/contract/orders.json: the response and request schemas the contract tests check.

`allOf` bases are merged into the schema that extends them (the contract means the union of
their properties, even where a base says `additionalProperties: false`), and OpenAPI's
`nullable` becomes a JSON Schema type union, so a plain JSON Schema validator can use them.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = ROOT.parent / "shared" / "spec" / "reference-api-subset.openapi.json"

KEPT_KEYS = {
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "format",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "additionalProperties",
    "oneOf",
    "anyOf",
    "allOf",
    "$ref",
    "nullable",
}

RUNTIME_ROOTS = [
    "CustomServiceReferenceForCreation",
    "OrderPricingForCreation",
    "Substitute",
    "MeasurementValidation",
    "OrderArticleAttributeItem",
    "LocaleString",
    "Coordinates",
    "PreferredCarrierWithProduct",
    "PreselectedFacility",
    "DeliveryReservationPreferences",
    "SupplyingFacilityConfiguration",
    "CarrierServices",
    # Inventory request bodies: their free-form ("passthrough") properties are validated
    # against these (config.api.fields.reference_property_field).
    "ListingForReplacement",
    "StockForCreation",
    "StockForUpdate",
    "CarrierForCreation",
    "ManagedFacilityForCreation",
    "FacilityAddressForCreation",
    "CarrierCountryServiceMappingForCreation",
    "FacilityCarrierConnectionForCreation",
    "CarrierConfiguration",
]

CONTRACT_ROOTS = [
    "Order",
    "BulkOrderActionResult",
    "BulkOrderActionsParameter",
    "OrderForCreation",
    "OrderForUpdate",
    "StrippedOrders",
    "OrderPaginatedResult",
    "OrderSearchPayload",
    "OrderModificationConfiguration",
    "OrderActionsParameter",
    "OrderLineItemActionsParameter",
    "ApiError",
]


def _ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def _strip(node):
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key not in KEPT_KEYS:
            continue
        if key == "properties":
            out[key] = {name: _strip(prop) for name, prop in value.items()}
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = _strip(value)
        else:
            out[key] = _strip(value)
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def _merge_all_of(node, schemas):
    """Fold `allOf` parts into the node: properties and required are united."""
    if isinstance(node, list):
        return [_merge_all_of(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _merge_all_of(value, schemas) for key, value in node.items()}
    if "properties" in node:
        node["properties"] = {
            name: _merge_all_of(prop, schemas) for name, prop in node["properties"].items()
        }
    parts = node.pop("allOf", None)
    if not parts:
        return node
    merged = {}
    for part in parts:
        if "$ref" in part:
            part = _merge_all_of(schemas[_ref_name(part["$ref"])], schemas)
        for key, value in part.items():
            if key == "properties":
                merged.setdefault("properties", {}).update(value)
            elif key == "required":
                merged.setdefault("required", [])
                merged["required"] += [name for name in value if name not in merged["required"]]
            else:
                merged.setdefault(key, value)
    for key, value in node.items():
        if key == "properties":
            merged.setdefault("properties", {}).update(value)
        elif key == "required":
            merged.setdefault("required", [])
            merged["required"] += [name for name in value if name not in merged["required"]]
        else:
            merged[key] = value
    return merged


def _references(node, found):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(_ref_name(value))
            else:
                _references(value, found)
    elif isinstance(node, list):
        for item in node:
            _references(item, found)


def closure(roots, schemas):
    selected, pending = {}, list(roots)
    while pending:
        name = pending.pop()
        if name in selected:
            continue
        selected[name] = schemas[name]
        found = set()
        _references(schemas[name], found)
        pending.extend(sorted(found - set(selected)))
    return dict(sorted(selected.items()))


def structural(roots, source):
    spec = json.loads(Path(source).read_text())
    stripped = {name: _strip(schema) for name, schema in spec["components"]["schemas"].items()}
    merged = {name: _merge_all_of(schema, stripped) for name, schema in stripped.items()}
    return {"definitions": closure(roots, merged)}


def _dump(document):
    # Refs point into "definitions" so jsonschema resolves them within the document.
    text = json.dumps(document, indent=1, sort_keys=True)
    return text.replace("#/components/schemas/", "#/definitions/") + "\n"


def main(source=DEFAULT_SOURCE):
    targets = {
        ROOT / "config" / "api" / "reference_schemas.json": RUNTIME_ROOTS,
        ROOT / "tests" / "contract" / "orders.json": CONTRACT_ROOTS,
    }
    for target, roots in targets.items():
        target.write_text(_dump(structural(roots, source)))
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
