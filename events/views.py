from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.validation import NoQuerySerializer, validated_query
from events import selectors, services
from events.serializers import (
    SubscriptionForCreationSerializer,
    SubscriptionListQuerySerializer,
    SubscriptionSerializer,
    SubscriptionsSerializer,
    SupportedEventsSerializer,
)

TAGS = ["Eventing (Core)"]


class SubscriptionListView(APIView):
    required_permissions = {
        "GET": ["events.view_subscription"],
        "POST": ["events.add_subscription"],
    }

    query_serializer = SubscriptionListQuerySerializer

    @extend_schema(
        operation_id="getSubscriptions",
        tags=TAGS,
        parameters=[query_serializer],
        responses=SubscriptionsSerializer,
    )
    def get(self, request):
        query = validated_query(self.query_serializer, request)
        subscriptions, total = selectors.list_subscriptions(
            start_after_id=query.get("startAfterId"), size=query["size"]
        )
        return Response(
            {
                "subscriptions": SubscriptionSerializer(subscriptions, many=True).data,
                "total": total,
            }
        )

    @extend_schema(
        operation_id="addSubscription",
        tags=TAGS,
        request=SubscriptionForCreationSerializer,
        responses={201: SubscriptionSerializer},
    )
    def post(self, request):
        serializer = SubscriptionForCreationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.create_subscription(**serializer.to_service_arguments())
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionDetailView(APIView):
    required_permissions = {"DELETE": ["events.delete_subscription"]}

    @extend_schema(
        operation_id="deleteSubscription",
        tags=TAGS,
        parameters=[OpenApiParameter("subscriptionId", str, OpenApiParameter.PATH)],
        responses={200: SubscriptionSerializer},
    )
    def delete(self, request, subscriptionId):  # the reference's path name
        subscription = services.delete_subscription(subscriptionId)
        return Response(SubscriptionSerializer(subscription).data)


class SupportedEventsView(APIView):
    required_permissions = {"GET": ["events.view_subscription"]}
    query_serializer = NoQuerySerializer

    @extend_schema(
        operation_id="getEvents",
        tags=TAGS,
        responses=SupportedEventsSerializer,
    )
    def get(self, request):
        validated_query(self.query_serializer, request)
        return Response({"supportedEvents": selectors.supported_events()})
