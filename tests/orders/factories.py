"""Factories for orders. Orders made here look like what POST /api/orders stores."""

import datetime

import factory
from django.utils import timezone

from orders.models import Order, OrderLineItem, OrderStatus


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    tenant_order_id = factory.Sequence(lambda n: f"R{100000 + n}")
    status = OrderStatus.OPEN
    order_date = factory.Sequence(
        lambda n: timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=n)
    )
    consumer = factory.LazyFunction(
        lambda: {
            "email": "jane@example.com",
            "addresses": [
                {
                    "firstName": "Jane",
                    "lastName": "Doe",
                    "street": "Hauptstraße",
                    "houseNumber": "1",
                    "postalCode": "10115",
                    "city": "Berlin",
                    "country": "DE",
                }
            ],
        }
    )
    consumer_email = "jane@example.com"
    consumer_name = "Jane Doe"
    delivery_preferences = factory.LazyFunction(lambda: {"shipping": {"serviceLevel": "DELIVERY"}})

    class Params:
        promised = factory.Trait(
            status=OrderStatus.PROMISED,
            promise_valid_until=factory.LazyFunction(
                lambda: timezone.now() + datetime.timedelta(minutes=30)
            ),
        )


class OrderLineItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLineItem

    order = factory.SubFactory(OrderFactory)
    position = factory.Sequence(lambda n: n)
    tenant_article_id = factory.Sequence(lambda n: f"ART-{n}")
    article = factory.LazyAttribute(
        lambda line: {"tenantArticleId": line.tenant_article_id, "title": "Article"}
    )
    quantity = 1


def order_with_lines(*quantities, **order_fields):
    """An order with one line per given quantity (default: one line of 1)."""
    order = OrderFactory(**order_fields)
    for position, quantity in enumerate(quantities or (1,)):
        OrderLineItemFactory(order=order, position=position, quantity=quantity)
    return order
