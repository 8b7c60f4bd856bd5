import factory

from events.models import EventName, Subscription


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    name = factory.Sequence(lambda n: f"subscription {n}")
    event = EventName.ORDER_CREATED
    callback_url = "http://127.0.0.1:9/hooks"
