"""The OpenAPI schema is a document a shop's developer reads: it builds without warnings, its
enums carry the reference's names, and no internal docstring leaks into it."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    # --fail-on-warn: an enum collision or an unresolvable field fails the build (and this test).
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_the_schema_builds_without_warnings_and_validates(schema):
    assert schema["openapi"].startswith("3.")


def test_enums_are_named_as_the_reference_names_them(schema):
    components = schema["components"]["schemas"]
    for name in ("OrderStatus", "FacilityStatus", "FacilityType", "CarrierStatus"):
        assert name in components
    hashed = [name for name in components if name[-7:-4].isalnum() and name.endswith("Enum")]
    assert not [name for name in hashed if any(c.isdigit() for c in name[-7:-4])], hashed


def test_no_component_description_is_an_internal_docstring(schema):
    described = {
        name: component["description"]
        for name, component in schema["components"]["schemas"].items()
        if "description" in component and "enum" not in component
    }
    assert described == {}


def test_every_api_operation_declares_its_error_statuses_with_the_api_error_body(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "429", "503"):
                body = responses[status]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ApiError"}, (path, method, status)
            if method in ("post", "put", "patch"):
                assert {"409", "413", "415"} <= set(responses), (path, method)


def test_an_error_an_operation_declares_itself_has_the_api_error_body_too(schema):
    # A partial MOVE_TO_LOCATION is a 422 (docs/decisions.md, "Reference surface").
    response = schema["paths"]["/api/stocks/actions"]["post"]["responses"]["422"]
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiError"
    }
