"""Bearer authentication is remembered for a few seconds per process, and forgotten the moment
this process changes a token, user, group or permission."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from config.api.authentication import forget_authentications
from tests.conftest import make_token_client

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the one-query authentication is PostgreSQL's"
    ),
]
URL = "/api/orders"


@pytest.fixture(autouse=True)
def fresh_memory():
    forget_authentications()
    yield
    forget_authentications()


def authentication_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return [query for query in captured if "authtoken_token" in query["sql"]]


def test_a_second_request_with_the_same_token_skips_the_token_query():
    client = make_token_client("shop")

    assert len(authentication_queries(client)) == 1
    assert authentication_queries(client) == []


def test_a_deleted_token_is_refused_at_once():
    client = make_token_client("shop")
    assert client.get(URL).status_code == 200

    Token.objects.filter(user=client.user).delete()

    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()[0]["summary"]


def test_a_revoked_permission_applies_to_the_next_request():
    client = make_token_client("clerk", permissions=["orders.view_order"])
    assert client.get(URL).status_code == 200

    client.user.user_permissions.remove(Permission.objects.get(codename="view_order"))

    assert client.get(URL).status_code == 403


def test_a_permission_granted_through_a_group_applies_to_the_next_request():
    client = make_token_client("clerk", permissions=[])
    assert client.get(URL).status_code == 403
    clerks = Group.objects.create(name="Clerks")
    client.user.groups.add(clerks)
    assert client.get(URL).status_code == 403

    clerks.permissions.add(Permission.objects.get(codename="view_order"))

    assert client.get(URL).status_code == 200


def test_a_deactivated_user_is_refused_at_once():
    client = make_token_client("shop")
    assert client.get(URL).status_code == 200

    client.user.is_active = False
    client.user.save()

    assert client.get(URL).status_code == 401
