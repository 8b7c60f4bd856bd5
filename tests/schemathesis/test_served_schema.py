"""Schemathesis over the schema this server serves: every operation, generated requests
(valid and not), no answer may be a 5xx or a status code the schema does not declare.

Bounded and opt-in: it runs when SCHEMATHESIS_MAX_EXAMPLES is set (examples per operation),
through the WSGI application in-process, with a real bearer token on the test database:

    SCHEMATHESIS_MAX_EXAMPLES=10 pytest -q -p no:cacheprovider tests/schemathesis
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, status_code_conformance

from config.wsgi import application
from tests.conftest import make_token_client

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES") or 0)
if not MAX_EXAMPLES:
    pytest.skip("set SCHEMATHESIS_MAX_EXAMPLES to run", allow_module_level=True)

pytestmark = pytest.mark.slow


def served_schema():
    """The schema GET /api/schema/ serves, generated once at collection (no database needed)."""
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    schema.app = application
    return schema


@pytest.fixture
def wsgi_requests_keep_the_test_transaction(db):
    # Requests go through the WSGI handler, not Django's test client: keep the handler from
    # closing the test transaction's connection at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db):
    client = make_token_client("schemathesis")
    return f"Bearer {Token.objects.get(user=client.user).key}"


schema = served_schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_is_a_server_error(
    case, bearer, wsgi_requests_keep_the_test_transaction
):
    case.call_and_validate(
        headers={"Authorization": bearer}, checks=[not_a_server_error, status_code_conformance]
    )
