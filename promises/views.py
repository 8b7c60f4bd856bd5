"""Thin HTTP layer of the promise endpoints: parse, call a service, render."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.idempotency import idempotent
from config.api.renderers import json_response
from config.api.validation import decoded, require_object, validated, validated_data
from promises import selectors, services
from promises.checkout import options as checkout
from promises.serializers import (
    CheckoutCollectEarliestRequestSerializer,
    CheckoutDeliveryEarliestRequestSerializer,
    CheckoutDeliveryTimePeriodRequestSerializer,
    CheckoutDeliveryTimePointRequestSerializer,
    CheckoutOptionsInputSerializer,
    PromiseRequestSerializer,
    PromisesConfigurationSerializer,
    SourcingOptionsRequestSerializer,
    delivery_promise_response,
)
from promises.structs import PromiseRequest, SourcingOptionsRequest

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
        # The struct decodes and validates; the serializer answers what it refuses.
        data = decoded(request, PromiseRequest, PromiseRequestSerializer)
        promise = services.create_delivery_promise(data, actor=request.user)
        location = request.build_absolute_uri(reverse("order-detail", args=[promise.order.id]))
        return json_response(
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
        data = decoded(request, SourcingOptionsRequest, SourcingOptionsRequestSerializer)
        return json_response(services.create_sourcing_options(data), status=201)


class SourcingOptionsDetailView(APIView):
    required_permissions = {"GET": ["orders.view_order"]}

    @extend_schema(
        tags=["Sourcing Options (DOMS)"],
        operation_id="getSourcingOptions",
        summary="Get sourcing option",
        responses={200: {"type": "object", "description": "SourcingOptionsResponse"}},
    )
    def get(self, request, sourcingOptionsRequestId):
        return json_response(selectors.get_sourcing_options(sourcingOptionsRequestId))


# --- checkout options ------------------------------------------------------------------------

# How long a client may reuse a checkout answer: the network a process keeps is at most this
# old too (promises.snapshot.NETWORK_CACHE_SECONDS); stock may move sooner, which a promise
# re-checks anyway.
CHECKOUT_OPTIONS_MAX_AGE_SECONDS = 60


class CheckoutOptionsView(APIView):
    """The checkout-options endpoints: validate, read (promises/checkout/options.py), answer 200
    with the cache headers (`ETag` = the network version the answer was computed on)."""

    # A read of the network, like the sourcing options.
    required_permissions = {"POST": ["orders.view_order"]}

    def answer(self, request, serializer_class, read):
        data = validated_data(serializer_class, require_object(request.data))
        answer = read(data)
        return Response(
            answer.body,
            headers={
                "Cache-Control": f"private, max-age={CHECKOUT_OPTIONS_MAX_AGE_SECONDS}",
                "ETag": f'W/"{answer.network_version}"',
            },
        )


def _checkout_schema(operation_id, summary, request, response, **kwargs):
    return extend_schema(
        tags=["Checkout Options (DOMS)"],
        operation_id=operation_id,
        summary=summary,
        request=request,
        responses={200: {"type": "object", "description": response}},
        **kwargs,
    )


class CheckoutOptionsAllView(CheckoutOptionsView):
    @_checkout_schema(
        "postCheckoutOptions",
        "Create checkout options",
        CheckoutOptionsInputSerializer,
        "ResponseForSFSCheckoutOptions or ResponseForCNCCheckoutOptions",
        deprecated=True,
    )
    def post(self, request):
        return self.answer(request, CheckoutOptionsInputSerializer, checkout.checkout_options)


class CheckoutDeliveryEarliestView(CheckoutOptionsView):
    @_checkout_schema(
        "checkoutoptionDeliveryEarliest",
        "Get earliest delivery",
        CheckoutDeliveryEarliestRequestSerializer,
        "CheckoutOptionsDeliveryEarliestResponse",
    )
    def post(self, request):
        return self.answer(
            request, CheckoutDeliveryEarliestRequestSerializer, checkout.delivery_earliest
        )


class CheckoutDeliveryTimePeriodView(CheckoutOptionsView):
    @_checkout_schema(
        "checkoutoptionDeliveryTimePeriod",
        "Get delivery time period",
        CheckoutDeliveryTimePeriodRequestSerializer,
        "CheckoutOptionsDeliveryTimePeriodResponse",
    )
    def post(self, request):
        return self.answer(
            request, CheckoutDeliveryTimePeriodRequestSerializer, checkout.delivery_time_period
        )


class CheckoutDeliveryTimePointView(CheckoutOptionsView):
    @_checkout_schema(
        "checkoutOptionsTimepoint",
        "Get delivery timepoint",
        CheckoutDeliveryTimePointRequestSerializer,
        "CheckoutOptionsDeliveryTimePointResponse",
    )
    def post(self, request):
        return self.answer(
            request, CheckoutDeliveryTimePointRequestSerializer, checkout.delivery_time_point
        )


class CheckoutCollectEarliestView(CheckoutOptionsView):
    @_checkout_schema(
        "checkoutoptionCollectEarliest",
        "Get earliest collect",
        CheckoutCollectEarliestRequestSerializer,
        "CheckoutOptionsCollectEarliestResponse",
    )
    def post(self, request):
        return self.answer(
            request, CheckoutCollectEarliestRequestSerializer, checkout.collect_earliest
        )
