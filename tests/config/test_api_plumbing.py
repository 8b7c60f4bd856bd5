import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.conftest import make_token_client

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_an_api_error_404(api_client):
    response = api_client.get("/api/does-not-exist")
    assert response.status_code == 404
    body = response.json()
    assert isinstance(body, list) and body[0]["summary"]


def test_schema_and_docs_are_served_without_a_token(anonymous_client):
    assert anonymous_client.get("/api/schema/").status_code == 200
    assert anonymous_client.get("/api/docs/").status_code == 200


def test_create_api_token_prints_a_working_token_as_last_line(capsys):
    call_command("create_api_token", "shop")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert Token.objects.get(key=token).user.username == "shop"
    assert Token.objects.get(key=token).user.user_permissions.filter(codename="add_order").exists()


def test_create_api_token_twice_reuses_the_user_and_token(capsys):
    call_command("create_api_token", "shop")
    first = capsys.readouterr().out.strip().splitlines()[-1]
    call_command("create_api_token", "shop")
    second = capsys.readouterr().out.strip().splitlines()[-1]
    assert first == second


def test_invalid_bearer_token_is_401_api_error():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get("/api/orders")
    assert response.status_code == 401
    assert response.json()[0]["summary"]


def test_api_rights_granted_to_a_group_in_the_admin_apply_to_its_members():
    from django.contrib.auth.models import Group, Permission

    client = make_token_client("clerk", permissions=[])
    assert client.get("/api/orders").status_code == 403
    assert client.get("/api/orders").json()[0]["summary"]

    clerks = Group.objects.create(name="Clerks")
    clerks.permissions.add(Permission.objects.get(codename="view_order"))
    client.user.groups.add(clerks)
    assert client.get("/api/orders").status_code == 200
    assert client.post("/api/orders", {}, format="json").status_code == 403


def test_every_operation_in_the_schema_has_its_own_operation_id(anonymous_client):
    import collections

    schema = anonymous_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation_ids = [
        operation["operationId"]
        for methods in schema["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    duplicates = [name for name, n in collections.Counter(operation_ids).items() if n > 1]
    assert duplicates == []
    assert "stocks_list" in operation_ids and "stocks_retrieve" in operation_ids


def test_a_trailing_slash_on_a_read_redirects_to_the_endpoint_keeping_the_query(api_client):
    response = api_client.get("/api/orders/?size=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/orders?size=1"
    assert api_client.get(response["Location"]).status_code == 200


def test_a_trailing_slash_on_a_write_is_a_404_naming_the_endpoint(api_client):
    response = api_client.post("/api/orders/", {}, format="json")
    assert response.status_code == 404
    assert "did you mean /api/orders?" in response.json()[0]["description"]
    assert api_client.get("/api/nothing-here/").status_code == 404
