"""POST /api/reservations/actions: remove the selected reservations, keeping the stock or
reducing it by what they held, with the reference's ReservationActionResult."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from inventory.models import FacilityDailyOrders, Reservation, Stock
from inventory.services.reservations import Allocation, reserve_stock
from tests.conftest import make_token_client
from tests.promises.helpers import available, example_promise, small_network

pytestmark = pytest.mark.django_db


def act(client, name, selector):
    return client.post(
        "/api/reservations/actions",
        {"name": name, "reservationSelector": selector},
        format="json",
    )


def done(response):
    assert response.status_code == 200, response.json()
    return response.json()


def promise(client, lines):
    response = client.post("/api/promises/deliverypromise", example_promise(lines), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["orderRef"]


def orders_today(facility):
    row = FacilityDailyOrders.objects.filter(
        facility=facility, day=timezone.now().astimezone(UTC).date()
    ).first()
    return row.orders if row else 0


def test_keep_stocks_frees_what_an_order_held_and_its_daily_count(api_client):
    network = small_network({"SNEAK-W-4891": 5, "JEANS-B-2605": 4})
    sneakers = network["stocks"]["SNEAK-W-4891"]
    order = promise(api_client, [("SNEAK-W-4891", 2), ("JEANS-B-2605", 1)])
    other = promise(api_client, [("SNEAK-W-4891", 1)])
    assert (available(sneakers), orders_today(network["store"])) == (2, 2)

    body = done(act(api_client, "REMOVE_RESERVATIONS_KEEP_STOCKS", {"orderRefs": [order]}))

    removed = set(
        Reservation.objects.filter(order_line_item__order_id=other).values_list("id", flat=True)
    )
    assert len(body) == 2 and {item["status"] for item in body} == {"DELETED"}
    assert all(item["stockOperations"] == [] for item in body)
    assert not Reservation.objects.filter(order_line_item__order_id=order).exists()
    assert len(removed) == 1  # the other order's reservation is untouched
    sneakers.refresh_from_db()
    assert (sneakers.value, available(sneakers)) == (5, 4)
    assert orders_today(network["store"]) == 1


def test_reduce_stocks_takes_the_reserved_units_off_the_stock(api_client):
    network = small_network({"SNEAK-W-4891": 5})
    sneakers = network["stocks"]["SNEAK-W-4891"]
    order = promise(api_client, [("SNEAK-W-4891", 2)])
    [reservation] = Reservation.objects.filter(order_line_item__order_id=order)

    body = done(
        act(
            api_client,
            "REMOVE_RESERVATIONS_REDUCE_STOCKS",
            {"reservationRefs": [str(reservation.id), "not-an-id"]},
        )
    )

    sneakers.refresh_from_db()
    assert body == [
        {
            "status": "DELETED",
            "reservation": {"id": str(reservation.id)},
            "stockOperations": [
                {
                    "status": "REDUCED",
                    "stock": {"id": str(sneakers.id), "version": sneakers.version},
                }
            ],
        }
    ]
    assert (sneakers.value, sneakers.version, available(sneakers)) == (3, 2, 3)


def test_an_expired_reservation_is_removed_without_reducing_the_stock(api_client):
    network = small_network({"SNEAK-W-4891": 5})
    sneakers = network["stocks"]["SNEAK-W-4891"]
    reserve_stock(
        [Allocation(sneakers.facility_id, "SNEAK-W-4891", 2)],
        valid_until=timezone.now() + timedelta(minutes=5),
    )
    Reservation.objects.update(valid_until=timezone.now() - timedelta(seconds=1))

    body = done(
        act(
            api_client,
            "REMOVE_RESERVATIONS_REDUCE_STOCKS",
            {"reservationPredicate": {"facilityRef": {"eq": str(sneakers.facility_id)}}},
        )
    )

    assert len(body) == 1 and body[0]["stockOperations"] == []
    assert not Reservation.objects.exists()
    assert Stock.objects.get(id=sneakers.id).value == 5


def test_a_selector_that_names_nothing_removes_nothing(api_client):
    network = small_network({"SNEAK-W-4891": 5})
    promise(api_client, [("SNEAK-W-4891", 1)])

    body = done(act(api_client, "REMOVE_RESERVATIONS_KEEP_STOCKS", {"reservationRefs": ["x"]}))

    assert body == []
    assert Reservation.objects.count() == 1
    assert available(network["stocks"]["SNEAK-W-4891"]) == 4


@pytest.mark.parametrize(
    ("selector", "summary"),
    [
        ({}, "reservationSelector: Name the reservations to act on."),
        ({"routingPlanRefs": ["x"]}, "reservationSelector.routingPlanRefs: Routing plans"),
        ({"orderRefs": ["a", "b"]}, "reservationSelector.orderRefs"),
        (
            {"reservationPredicate": {"quantity": {"eq": 1}}},
            "reservationSelector.reservationPredicate",
        ),
    ],
)
def test_bad_selectors_are_400(api_client, selector, summary):
    response = act(api_client, "REMOVE_RESERVATIONS_KEEP_STOCKS", selector)

    assert response.status_code == 400
    assert response.json()[0]["summary"].startswith(summary)


def test_reducing_stock_needs_the_stock_permission(api_client):
    small_network({"SNEAK-W-4891": 5})
    order = promise(api_client, [("SNEAK-W-4891", 1)])
    remover = make_token_client("remover", ["inventory.delete_reservation"])

    refused = act(remover, "REMOVE_RESERVATIONS_REDUCE_STOCKS", {"orderRefs": [order]})
    kept = act(remover, "REMOVE_RESERVATIONS_KEEP_STOCKS", {"orderRefs": [order]})

    assert refused.status_code == 403
    assert kept.status_code == 200 and len(kept.json()) == 1
