"""Reservations: list and read (only the services make them)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.identifiers import parse_uuid
from inventory.selectors.reservations import get_reservation, list_reservations
from inventory.serializers.reservations import (
    ReservationSerializer,
    ReservationsPaginatedResultSerializer,
)
from inventory.views.shared import (
    cursor_page,
    perms,
    query_bool,
    query_facility_id,
    query_list,
    query_stock_page_size,
)

TAGS = ["inventory: reservations"]


class ReservationListView(APIView):
    required_permissions = perms("reservation", GET="view")

    @extend_schema(tags=TAGS, responses=ReservationsPaginatedResultSerializer)
    def get(self, request):
        facility_id = query_facility_id(request)
        order_ref = request.query_params.get("orderRef")
        order_id = parse_uuid(order_ref) if order_ref else None
        if order_ref and order_id is None:
            # Not an order id: no order holds anything under it.
            return Response(cursor_page("reservations", [], [], 0, False, None))
        after = request.query_params.get("after")
        reservations, total, has_next = list_reservations(
            facility_id=facility_id,
            tenant_article_ids=query_list(request, "tenantArticleId"),
            order_id=order_id,
            active=query_bool(request, "active"),
            after=after,
            size=query_stock_page_size(request),
        )
        rendered = ReservationSerializer(reservations, many=True).data
        return Response(cursor_page("reservations", rendered, reservations, total, has_next, after))


class ReservationDetailView(APIView):
    required_permissions = perms("reservation", GET="view")

    @extend_schema(tags=TAGS, responses=ReservationSerializer)
    def get(self, request, reservation_id):
        return Response(ReservationSerializer(get_reservation(reservation_id)).data)
