"""Admin screens: subscriptions, recent deliveries and failures, and the retry action."""

import pytest
from django.contrib.auth import get_user_model

from events import services
from events.delivery import deliver_pending
from events.models import Delivery, DeliveryStatus, EventName
from tests.events.factories import SubscriptionFactory
from tests.events.receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def failed_deliveries(count, url="http://127.0.0.1:9/down"):
    subscription = SubscriptionFactory(callback_url=url)
    for _ in range(count):
        services.record_event(EventName.ORDER_CREATED, {"id": "order"})
    deliver_pending()
    return subscription


def test_delivery_list_shows_failures_with_their_error_in_constant_queries(
    admin_client, django_assert_max_num_queries
):
    failed_deliveries(15)
    with django_assert_max_num_queries(10):
        response = admin_client.get("/admin/events/delivery/?status__exact=PENDING")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("ConnectionError") == 15
    assert "ORDER_CREATED" in content


def test_subscription_list_counts_pending_and_failed_deliveries(
    admin_client, django_assert_max_num_queries
):
    subscription = failed_deliveries(3)
    SubscriptionFactory.create_batch(5, event=EventName.ORDER_MODIFIED)
    with django_assert_max_num_queries(8):
        response = admin_client.get("/admin/events/subscription/")
    assert response.status_code == 200
    assert subscription.name in response.content.decode()


def test_subscription_page_shows_the_signing_secret(admin_client):
    subscription = SubscriptionFactory()
    response = admin_client.get(f"/admin/events/subscription/{subscription.id}/change/")
    assert response.status_code == 200
    assert subscription.signing_secret in response.content.decode()


def test_delivery_page_lists_every_attempt(admin_client):
    failed_deliveries(1)
    delivery = Delivery.objects.get()
    response = admin_client.get(f"/admin/events/delivery/{delivery.id}/change/")
    assert response.status_code == 200
    assert "Connection" in response.content.decode()


def test_outbox_list_renders(admin_client, django_assert_max_num_queries):
    failed_deliveries(5)
    with django_assert_max_num_queries(8):
        response = admin_client.get("/admin/events/outboxevent/")
    assert response.status_code == 200


def test_retry_action_delivers_failed_deliveries_now(admin_client, settings):
    settings.EVENTS_MAX_ATTEMPTS = 1
    with WebhookReceiver(responses=[500, 500]) as receiver:
        subscription = failed_deliveries(2, url=receiver.url)
        assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
        selected = [str(pk) for pk in Delivery.objects.values_list("pk", flat=True)]
        response = admin_client.post(
            "/admin/events/delivery/",
            {"action": "retry", "_selected_action": selected},
            follow=True,
        )
        assert response.status_code == 200
        assert "2 delivered" in response.content.decode()
        assert len(receiver.wait_for(4)) == 4
    assert subscription.deliveries.filter(status=DeliveryStatus.DELIVERED).count() == 2
