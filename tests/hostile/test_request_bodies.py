"""Bodies no endpoint can parse: too large, not JSON, not UTF-8, nested too deep, NUL bytes."""

import pytest

from tests.hostile.helpers import Case, assert_refused, nested

pytestmark = pytest.mark.django_db

THREE_MEGABYTES = 3 * 1024 * 1024
DEEP_BRACKETS = b"[" * 100_000 + b"]" * 100_000

CASES = [
    Case("3 MB that is not JSON", "POST", "/api/orders", raw=b"x" * THREE_MEGABYTES, status=413),
    Case(
        "3 MB of valid JSON",
        "POST",
        "/api/orders",
        raw=b'{"customAttributes": {"a": "' + b"x" * THREE_MEGABYTES + b'"}}',
        status=413,
    ),
    Case(
        "3 MB to the promise endpoint",
        "POST",
        "/api/promises/deliverypromise",
        raw=b"{" * THREE_MEGABYTES,
        status=413,
    ),
    Case("3 MB stock feed", "PUT", "/api/stocks", raw=b" " * THREE_MEGABYTES, status=413),
    Case("invalid UTF-8", "POST", "/api/orders", raw=b'{"tenantOrderId": "\xff\xfe"}'),
    Case("Latin-1 bytes", "POST", "/api/facilities", raw='{"name": "Caf\xe9"}'.encode("latin-1")),
    Case("truncated JSON", "POST", "/api/orders", raw=b'{"orderDate": '),
    Case("NaN literal", "POST", "/api/orders", raw=b'{"orderLineItems": [{"quantity": NaN}]}'),
    Case("number beyond a double", "POST", "/api/orders", raw=b'{"a": 1e400}'),
    Case("lone surrogate", "POST", "/api/orders", raw=b'{"tenantOrderId": "\\ud800"}'),
    Case("100,000 nested brackets", "POST", "/api/orders", raw=DEEP_BRACKETS),
    Case("nesting past the body limit", "POST", "/api/carriers", body=nested(100)),
    Case("empty body", "POST", "/api/orders", raw=b"", content_type="application/json"),
    Case("JSON array body", "POST", "/api/orders", body=[1, 2]),
    Case("JSON string body", "POST", "/api/promises/deliverypromise", body="order"),
    Case("JSON null body", "PUT", "/api/configurations/promises", body=None, raw=b"null"),
    Case("NUL in a key of the body", "POST", "/api/subscriptions", body={"na\u0000me": "x"}),
    Case(
        "plain text body",
        "POST",
        "/api/orders",
        raw=b"hello",
        content_type="text/plain",
        status=415,
    ),
    Case(
        "form-encoded body",
        "POST",
        "/api/carriers",
        raw=b"key=DHL&name=DHL",
        content_type="application/x-www-form-urlencoded",
        status=415,
    ),
]


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_unparseable_body_is_refused(api_client, world, case):
    assert_refused(api_client, case, world)
