"""The Eventing API: /api/subscriptions, /api/subscriptions/{id}, /api/supportedevents."""

import json
import threading
from pathlib import Path

import jsonschema
import pytest
from django.db import connection

from events.models import EventName, Subscription
from tests.conftest import make_token_client
from tests.events.factories import SubscriptionFactory

PUB_SUB_TARGET = {"type": "GOOGLE_CLOUD_PUB_SUB", "projectId": "p", "topicId": "t"}
MISSING_ID = "00000000-0000-4000-8000-000000000000"
CONTRACT = json.loads((Path(__file__).parents[1] / "contract" / "events.json").read_text())


def assert_matches(schema_name, document):
    schema = {**CONTRACT, "$ref": f"#/definitions/{schema_name}"}
    jsonschema.validate(document, schema)


def webhook(url="https://erp.example.com/doms/events", headers=None):
    target = {"type": "WEBHOOK", "callbackUrl": url}
    if headers:
        target["headers"] = headers
    return target


def create(client, **overrides):
    body = {"name": "ERP order feed", "event": "ORDER_CREATED", "target": webhook()}
    body.update(overrides)
    return client.post("/api/subscriptions", body, format="json")


@pytest.mark.django_db
class TestCreate:
    def test_created_subscription_is_returned_in_the_contract_shape(self, api_client):
        response = create(
            api_client,
            target=webhook(headers=[{"key": "Authorization", "value": "Basic abc"}]),
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert_matches("Subscription", body)
        assert body["name"] == "ERP order feed"
        assert body["event"] == "ORDER_CREATED"
        assert body["target"] == {
            "type": "WEBHOOK",
            "callbackUrl": "https://erp.example.com/doms/events",
            "headers": [{"key": "Authorization", "value": "Basic abc"}],
        }
        assert "signingSecret" not in body and "signing_secret" not in body
        stored = Subscription.objects.get(pk=body["id"])
        assert stored.headers == [{"key": "Authorization", "value": "Basic abc"}]
        assert len(stored.signing_secret) == 64

    def test_deprecated_top_level_callback_url_and_headers_are_accepted(self, api_client):
        response = create(
            api_client,
            target=None,
            callbackUrl="http://127.0.0.1:8080/hook",
            headers=[{"key": "X-Shop", "value": "1"}],
        )
        # `target: None` is not a valid target; the deprecated form omits it entirely.
        assert response.status_code == 400
        body = {
            "name": "legacy",
            "event": "ORDER_MODIFIED",
            "callbackUrl": "http://127.0.0.1:8080/hook",
            "headers": [{"key": "X-Shop", "value": "1"}],
        }
        response = api_client.post("/api/subscriptions", body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["target"]["callbackUrl"] == "http://127.0.0.1:8080/hook"
        assert response.json()["headers"] == [{"key": "X-Shop", "value": "1"}]

    def test_at_most_five_subscriptions_per_event(self, api_client):
        for number in range(5):
            assert create(api_client, name=f"feed {number}").status_code == 201
        response = create(api_client, name="one too many")
        assert response.status_code == 400
        assert_matches("ApiError", response.json())
        assert "5" in response.json()[0]["summary"]
        assert Subscription.objects.filter(event="ORDER_CREATED").count() == 5
        # The limit is per event: another event still takes subscriptions.
        assert create(api_client, event="ORDER_CANCELLED").status_code == 201

    @pytest.mark.parametrize(
        "overrides, fragment",
        [
            ({"event": "ORDER_EXPLODED"}, "event"),
            ({"name": None}, "name"),
            ({"target": webhook("ftp://example.com/x")}, "callbackUrl"),
            ({"target": webhook("not a url")}, "callbackUrl"),
            ({"target": {"type": "WEBHOOK"}}, "callbackUrl"),
            ({"target": PUB_SUB_TARGET}, "GOOGLE_CLOUD_PUB_SUB"),
            ({"target": {**webhook(), "extra": 1}}, "extra"),
            ({"target": {**webhook(), "headers": []}}, "headers"),
            ({"target": webhook(headers=[{"key": "X-DOMS-Signature", "value": "x"}])}, "headers"),
            ({"target": webhook(headers=[{"key": "Content-Type", "value": "x"}])}, "headers"),
            ({"callbackUrl": "https://example.com/dup"}, "either"),
            ({"unknownField": 1}, "unknownField"),
            ({"contexts": [{"type": "FACILITY", "values": ["f1"]}]}, "facility"),
            ({"contexts": [{"type": "FACILITY_GROUP", "values": ["north"]}]}, "FACILITY_GROUP"),
            ({"contexts": [{"type": "STORE", "values": ["x"]}]}, "contexts"),
        ],
    )
    def test_invalid_input_is_a_400_api_error_and_creates_nothing(
        self, api_client, overrides, fragment
    ):
        body = {"name": "feed", "event": "ORDER_CREATED", "target": webhook()}
        body.update(overrides)
        body = {key: value for key, value in body.items() if value is not None}
        response = api_client.post("/api/subscriptions", body, format="json")
        assert response.status_code == 400, response.json()
        assert_matches("ApiError", response.json())
        text = json.dumps(response.json())
        assert fragment.lower() in text.lower()
        assert not Subscription.objects.exists()

    def test_missing_target_is_a_400(self, api_client):
        response = api_client.post(
            "/api/subscriptions", {"name": "x", "event": "ORDER_CREATED"}, format="json"
        )
        assert response.status_code == 400
        assert "target" in response.json()[0]["summary"]

    def test_facility_context_is_accepted_for_stock_events(self, api_client):
        contexts = [{"type": "FACILITY", "values": ["facility-a", "facility-b"]}]
        response = create(api_client, event="INVENTORY_FACILITY_STOCK_CHANGED", contexts=contexts)
        assert response.status_code == 201, response.json()
        assert response.json()["contexts"] == contexts

    def test_malformed_json_is_a_400_api_error(self, api_client):
        response = api_client.post(
            "/api/subscriptions", "{not json", content_type="application/json"
        )
        assert response.status_code == 400
        assert_matches("ApiError", response.json())


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_never_exceed_the_limit():
    client = make_token_client("racer")
    for number in range(3):
        assert create(client, name=f"existing {number}").status_code == 201
    results = []
    barrier = threading.Barrier(6)

    def attempt(number):
        barrier.wait()
        try:
            results.append(create(client, name=f"racer {number}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 201, 400, 400, 400, 400]
    assert Subscription.objects.filter(event="ORDER_CREATED").count() == 5


@pytest.mark.django_db
class TestListAndDelete:
    def test_list_pages_in_creation_order_with_total(
        self, api_client, django_assert_max_num_queries
    ):
        created = [
            create(api_client, name=f"feed {n}", event=event).json()["id"]
            for n, event in enumerate(EventName.values)
        ]
        with django_assert_max_num_queries(5):  # auth 3, count, page
            first = api_client.get("/api/subscriptions?size=3")
        assert first.status_code == 200
        assert_matches("Subscriptions", first.json())
        assert first.json()["total"] == len(created)
        assert [item["id"] for item in first.json()["subscriptions"]] == created[:3]
        rest = api_client.get(f"/api/subscriptions?startAfterId={created[2]}")
        assert [item["id"] for item in rest.json()["subscriptions"]] == created[3:]

    def test_default_page_size_is_25(self, api_client):
        SubscriptionFactory.create_batch(30)
        body = api_client.get("/api/subscriptions").json()
        assert len(body["subscriptions"]) == 25 and body["total"] == 30

    @pytest.mark.parametrize("query", ["size=0", "size=abc", "startAfterId=nope"])
    def test_bad_paging_is_a_400(self, api_client, query):
        response = api_client.get(f"/api/subscriptions?{query}")
        assert response.status_code == 400
        assert_matches("ApiError", response.json())

    def test_delete_returns_the_subscription_and_removes_it(self, api_client):
        subscription_id = create(api_client).json()["id"]
        response = api_client.delete(f"/api/subscriptions/{subscription_id}")
        assert response.status_code == 200
        assert_matches("Subscription", response.json())
        assert response.json()["id"] == subscription_id
        assert not Subscription.objects.exists()
        again = api_client.delete(f"/api/subscriptions/{subscription_id}")
        assert again.status_code == 404
        assert_matches("ApiError", again.json())

    def test_deleting_frees_a_slot_under_the_limit(self, api_client):
        ids = [create(api_client, name=f"feed {n}").json()["id"] for n in range(5)]
        assert create(api_client).status_code == 400
        api_client.delete(f"/api/subscriptions/{ids[0]}")
        assert create(api_client).status_code == 201

    @pytest.mark.parametrize("subscription_id", ["not-a-uuid", MISSING_ID])
    def test_unknown_id_is_a_404_api_error(self, api_client, subscription_id):
        response = api_client.delete(f"/api/subscriptions/{subscription_id}")
        assert response.status_code == 404
        assert_matches("ApiError", response.json())


@pytest.mark.django_db
def test_supported_events_lists_every_event_with_a_description(api_client):
    response = api_client.get("/api/supportedevents")
    assert response.status_code == 200
    assert_matches("SupportedEvents", response.json())
    events = {item["event"]: item["description"] for item in response.json()["supportedEvents"]}
    assert set(events) >= {
        "ORDER_CREATED",
        "ORDER_MODIFIED",
        "ORDER_CANCELLED",
        "ORDER_CANCELLED_BY_EXPIRY",
        "DELIVERY_PROMISE_CREATED",
        "ORDER_CREATED_FROM_PROMISE",
        "ORDER_ROUTING_OVERDUE",
        "INVENTORY_FACILITY_STOCK_CHANGED",
    }
    assert all(events.values())


@pytest.mark.django_db
class TestPermissions:
    def test_anonymous_is_401(self, anonymous_client):
        for response in (
            anonymous_client.get("/api/subscriptions"),
            anonymous_client.get("/api/supportedevents"),
            create(anonymous_client),
        ):
            assert response.status_code == 401
            assert_matches("ApiError", response.json())

    def test_read_only_user_can_list_but_not_create_or_delete(self, read_only_client):
        subscription = SubscriptionFactory()
        assert read_only_client.get("/api/subscriptions").status_code == 200
        assert read_only_client.get("/api/supportedevents").status_code == 200
        assert create(read_only_client).status_code == 403
        response = read_only_client.delete(f"/api/subscriptions/{subscription.id}")
        assert response.status_code == 403
        assert Subscription.objects.count() == 1

    def test_permissions_are_per_method(self):
        client = make_token_client("creator", ["events.add_subscription"])
        assert create(client).status_code == 201
        assert client.get("/api/subscriptions").status_code == 403
