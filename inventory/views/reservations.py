"""Reservations: list, search and read (only the services make them)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.search import render_search_page
from config.api.validation import require_object, validated, validated_query
from config.identifiers import parse_uuid
from inventory.selectors.reservations import get_reservation, list_reservations
from inventory.selectors.search import search_reservations
from inventory.serializers.queries import ReservationListQuerySerializer
from inventory.serializers.reservations import (
    ReservationSerializer,
    ReservationsPaginatedResultSerializer,
)
from inventory.serializers.search import (
    ReservationSearchPayloadSerializer,
    ReservationSearchResultSerializer,
)
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


class ReservationDetailView(APIView):
    required_permissions = perms("reservation", GET="view")

    @extend_schema(tags=TAGS, responses=ReservationSerializer)
    def get(self, request, reservationId):
        return Response(ReservationSerializer(get_reservation(reservationId)).data)
