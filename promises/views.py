"""Thin HTTP layer of the promise endpoints: parse, call a service, render."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.idempotency import idempotent
from config.api.validation import require_object, validated, validated_data
from promises import services
from promises.serializers import (
    PromiseRequestSerializer,
    PromisesConfigurationSerializer,
    SourcingOptionsRequestSerializer,
    delivery_promise_response,
)
from promises.sourcing import sourcing_options

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional. A retry with the same key and body replays the first response "
    "instead of promising (and reserving) twice. Keys are kept 24 hours.",
)


class DeliveryPromiseView(APIView):
    # A promise creates a (PROMISED) order.
    required_permissions = {"POST": ["orders.add_order"]}

    @extend_schema(
        tags=["Orders (DOMS)"],
        operation_id="postDeliveryPromise",
        summary="Create promise order",
        parameters=[IDEMPOTENCY_KEY],
        request=PromiseRequestSerializer,
        responses={201: {"type": "object", "description": "ResponseForDeliveryPromise"}},
    )
    @idempotent("promises.deliverypromise")
    def post(self, request):
        data = validated_data(PromiseRequestSerializer, require_object(request.data))
        promise = services.create_delivery_promise(data, actor=request.user)
        location = request.build_absolute_uri(reverse("order-detail", args=[promise.order.id]))
        return Response(
            delivery_promise_response(promise), status=201, headers={"Location": location}
        )


class PromisesConfigurationView(APIView):
    required_permissions = {
        "GET": ["promises.view_promisesconfiguration"],
        "PUT": ["promises.change_promisesconfiguration"],
    }

    @extend_schema(
        tags=["Orders Configuration (DOMS)"],
        operation_id="getPromisesConfiguration",
        responses=PromisesConfigurationSerializer,
    )
    def get(self, request):
        configuration = services.get_promises_configuration()
        return Response(PromisesConfigurationSerializer(configuration).data)

    @extend_schema(
        tags=["Orders Configuration (DOMS)"],
        operation_id="putPromisesConfiguration",
        request=PromisesConfigurationSerializer,
        responses=PromisesConfigurationSerializer,
    )
    def put(self, request):
        data = validated(PromisesConfigurationSerializer, require_object(request.data))
        configuration = services.update_promises_configuration(
            version=data["version"], invalid_after_time=data["invalid_after_time"]
        )
        return Response(PromisesConfigurationSerializer(configuration).data)


class SourcingOptionsView(APIView):
    # A read of the network: whoever may read orders may ask where one would be sourced.
    required_permissions = {"POST": ["orders.view_order"]}

    @extend_schema(
        tags=["Sourcing Options (DOMS)"],
        operation_id="createSourcingOptionsRequest",
        summary="Create sourcing option",
        request=SourcingOptionsRequestSerializer,
        responses={201: {"type": "object", "description": "SourcingOptionsResponse"}},
    )
    def post(self, request):
        data = validated(SourcingOptionsRequestSerializer, require_object(request.data))
        return Response(sourcing_options(data), status=201)
