"""Reservation reads for the API, each with `is_active` computed by the database."""

from config import clock
from config.errors import NotFound
from config.identifiers import parse_uuid
from inventory.models import Reservation
from inventory.selectors.pages import page_by_id


def reservations_with_state(*, now=None):
    """Reservations with `is_active` computed by the database at `now`."""
    return Reservation.objects.select_related("order_line_item").with_active_flag(
        now or clock.now()
    )


def list_reservations(
    *,
    facility_id=None,
    tenant_article_ids=(),
    order_id=None,
    active=None,
    after=None,
    size=25,
    now=None,
):
    """(page of reservations, total matching, whether more follow)."""
    now = now or clock.now()
    reservations = Reservation.objects.all()
    if facility_id is not None:
        reservations = reservations.filter(facility_id=facility_id)
    if tenant_article_ids:
        reservations = reservations.filter(tenant_article_id__in=tenant_article_ids)
    if order_id is not None:
        reservations = reservations.filter(order_line_item__order_id=order_id)
    if active is not None:
        reservations = reservations.active(now) if active else reservations.expired(now)
    total = reservations.count()
    with_state = reservations_with_state(now=now).filter(pk__in=reservations.values("pk"))
    page, has_next = page_by_id(with_state, Reservation, after, size)
    return page, total, has_next


def get_reservation(reservation_id, *, now=None):
    reservation_uuid = parse_uuid(reservation_id)
    reservation = (
        reservations_with_state(now=now).filter(id=reservation_uuid).first()
        if reservation_uuid
        else None
    )
    if reservation is None:
        raise NotFound("Reservation not found.", f"No reservation with id {reservation_id!r}.")
    return reservation
