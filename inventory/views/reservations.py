"""Reservations: list, search, read, and the actions that remove them (only the services make
them)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.search.pages import render_search_page
from config.api.validation import require_object, validated, validated_query
from config.identifiers import parse_uuid
from inventory.selectors.reservations import get_reservation, list_reservations
from inventory.selectors.search import reservation_filter, search_reservations
from inventory.serializers.queries import ReservationListQuerySerializer
from inventory.serializers.reservation_actions import (
    ReservationActionResultSerializer,
    ReservationActionSerializer,
)
from inventory.serializers.reservations import (
    ReservationSerializer,
    ReservationsPaginatedResultSerializer,
)
from inventory.serializers.search import (
    ReservationSearchPayloadSerializer,
    ReservationSearchResultSerializer,
)
from inventory.services.reservation_actions import remove_reservations, reservation_selection
from inventory.views.shared import cursor_page, perms, query_facility_id

TAGS = ["inventory: reservations"]


class ReservationListView(APIView):
    required_permissions = perms("reservation", GET="view")
    query_serializer = ReservationListQuerySerializer

    @extend_schema(
        tags=TAGS, parameters=[query_serializer], responses=ReservationsPaginatedResultSerializer
    )
    def get(self, request):
        query = validated_query(self.query_serializer, request)
        facility_id = query_facility_id(query)
        order_ref = query.get("orderRef")
        order_id = parse_uuid(order_ref) if order_ref else None
        if order_ref and order_id is None:
            # Not an order id: no order holds anything under it.
            return Response(cursor_page("reservations", [], [], 0, False, None))
        after = query.get("after")
        reservations, total, has_next = list_reservations(
            facility_id=facility_id,
            tenant_article_ids=query.get("tenantArticleId", ()),
            order_id=order_id,
            active=query.get("active"),
            after=after,
            size=query["size"],
        )
        rendered = ReservationSerializer(reservations, many=True).data
        return Response(cursor_page("reservations", rendered, reservations, total, has_next, after))


class ReservationSearchView(APIView):
    required_permissions = perms("reservation", POST="view")

    @extend_schema(
        tags=TAGS,
        operation_id="searchReservation",
        request=ReservationSearchPayloadSerializer,
        responses=ReservationSearchResultSerializer,
    )
    def post(self, request):
        payload = validated(ReservationSearchPayloadSerializer, require_object(request.data))
        page = search_reservations(payload)
        rendered = ReservationSerializer(page.rows, many=True).data
        return Response(render_search_page("reservations", rendered, page))


def _reservation_action_permissions(request):
    name = request.data.get("name") if isinstance(request.data, dict) else None
    if name == "REMOVE_RESERVATIONS_REDUCE_STOCKS":
        return ["inventory.delete_reservation", "inventory.change_stock"]
    return ["inventory.delete_reservation"]


class ReservationActionsView(APIView):
    required_permissions = staticmethod(_reservation_action_permissions)

    @extend_schema(
        tags=TAGS,
        operation_id="performReservationActions",
        request=ReservationActionSerializer,
        responses=ReservationActionResultSerializer(many=True),
    )
    def post(self, request):
        action = validated(ReservationActionSerializer, require_object(request.data))
        reduce_stock = action["name"] == "REMOVE_RESERVATIONS_REDUCE_STOCKS"
        removed = remove_reservations(
            _selection(action["reservationSelector"]), reduce_stock=reduce_stock
        )
        return Response(
            [
                {
                    "status": "DELETED",
                    "reservation": {"id": str(reservation.id)},
                    "stockOperations": [
                        {"status": "REDUCED", "stock": {"id": str(stock_id), "version": version}}
                        for stock_id, version in reservation.stock_operations
                    ],
                }
                for reservation in removed
            ]
        )


def _uuids(references):
    """The references that are UUIDs (the others name nothing), or None if none were sent."""
    if references is None:
        return None
    return [uuid for uuid in map(parse_uuid, references) if uuid is not None]


def _selection(selector):
    predicate = selector.get("reservationPredicate")
    return reservation_selection(
        reservation_ids=_uuids(selector.get("reservationRefs")),
        order_ids=_uuids(selector.get("orderRefs")),
        tenant_order_ids=selector.get("tenantOrderIds"),
        predicate=reservation_filter(predicate) if predicate is not None else None,
    )


class ReservationDetailView(APIView):
    required_permissions = perms("reservation", GET="view")

    @extend_schema(tags=TAGS, responses=ReservationSerializer)
    def get(self, request, reservationId):
        return Response(ReservationSerializer(get_reservation(reservationId)).data)
