import datetime

import pytest

from orders.models import OrderStatus
from tests.orders.factories import OrderFactory, order_with_lines
from tests.orders.helpers import assert_api_error, assert_matches_contract

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def day(n):
    return BASE + datetime.timedelta(days=n)


def search(client, payload):
    return client.post("/api/orders/search", payload, format="json")


def ids(body):
    return [order["id"] for order in body["orders"]]


@pytest.fixture
def orders():
    """Ten orders on ten days; statuses and consumers vary."""
    statuses = [OrderStatus.OPEN, OrderStatus.CANCELLED, OrderStatus.LOCKED, OrderStatus.PROMISED]
    return [
        order_with_lines(
            1,
            order_date=day(n),
            status=statuses[n % 4],
            tenant_order_id=f"T{n}",
            consumer_id=f"C{n % 3}",
        )
        for n in range(10)
    ]


def test_empty_query_returns_newest_first_with_page_info(api_client, orders):
    response = search(api_client, {"query": {}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert ids(body) == [str(o.id) for o in reversed(orders)]
    assert body["pageInfo"]["hasNextPage"] is False
    assert body["pageInfo"]["hasPreviousPage"] is False
    assert "total" not in body
    assert_matches_contract(body, "OrderPaginatedResult")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"tenantOrderId": {"eq": "T3"}}, [3]),
        ({"tenantOrderId": {"in": ["T1", "T2"]}}, [2, 1]),
        ({"tenantOrderId": {"notIn": ["T1", "T2"]}}, [9, 8, 7, 6, 5, 4, 3, 0]),
        ({"tenantOrderId": {"notEq": "T0"}}, [9, 8, 7, 6, 5, 4, 3, 2, 1]),
        ({"status": {"eq": "OPEN"}}, [8, 4, 0]),
        ({"status": {"in": ["LOCKED", "PROMISED"]}}, [7, 6, 3, 2]),
        ({"status": {"notEq": "CANCELLED"}}, [8, 7, 6, 4, 3, 2, 0]),
        ({"consumer": {"consumerId": {"eq": "C1"}}}, [7, 4, 1]),
        ({"orderDate": {"gte": "2024-01-03T00:00:00Z", "lt": "2024-01-05T00:00:00Z"}}, [3, 2]),
        ({"orderDate": {"gt": "2024-01-08T00:00:00Z"}}, [9, 8]),
        ({"orderDate": {"lte": "2024-01-02T00:00:00Z"}}, [1, 0]),
        ({"orderDate": {"eq": "2024-01-05T00:00:00.000Z"}}, [4]),
        (
            {"or": [{"tenantOrderId": {"eq": "T1"}}, {"status": {"eq": "LOCKED"}}]},
            [6, 2, 1],
        ),
        (
            {
                "and": [
                    {"status": {"eq": "OPEN"}},
                    {
                        "or": [
                            {"consumer": {"consumerId": {"eq": "C0"}}},
                            {"tenantOrderId": {"eq": "T4"}},
                        ]
                    },
                ]
            },
            [4, 0],
        ),
        ({"status": {"eq": "OPEN"}, "orderDate": {"gt": "2024-01-02T00:00:00Z"}}, [8, 4]),
        # An empty alternative matches everything (found by the property test).
        ({"or": [{}, {"tenantOrderId": {"eq": "T1"}}]}, list(range(9, -1, -1))),
        ({"tenantOrderId": {"in": []}}, []),
    ],
)
def test_query_operators(api_client, orders, query, expected):
    body = search(api_client, {"query": query}).json()
    assert ids(body) == [str(orders[n].id) for n in expected]


def test_notEq_keeps_orders_without_tenant_order_id(api_client):
    without = OrderFactory(tenant_order_id=None)
    body = search(api_client, {"query": {"tenantOrderId": {"notEq": "T1"}}}).json()
    assert ids(body) == [str(without.id)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ({"orderDate": "ASC"}, list(range(10))),
        ({"orderDate": "DESC"}, list(range(9, -1, -1))),
        # CANCELLED < LOCKED < OPEN < PROMISED; ties by orderDate in the same direction
        ({"status": "ASC"}, [1, 5, 9, 2, 6, 0, 4, 8, 3, 7]),
        ({"status": "DESC"}, [7, 3, 8, 4, 0, 6, 2, 9, 5, 1]),
    ],
)
def test_sort(api_client, orders, sort, expected):
    body = search(api_client, {"query": {}, "sort": [sort]}).json()
    assert ids(body) == [str(orders[n].id) for n in expected]


@pytest.mark.parametrize(
    "sort", [{"orderDate": "ASC"}, {"orderDate": "DESC"}, {"status": "ASC"}, {"status": "DESC"}]
)
def test_forward_and_backward_paging_visit_every_order_once(api_client, orders, sort):
    everything = ids(search(api_client, {"query": {}, "sort": [sort], "size": 250}).json())

    forward, after, pages = [], None, 0
    while True:
        payload = {"query": {}, "sort": [sort], "size": 3, **({"after": after} if after else {})}
        body = search(api_client, payload).json()
        pages += 1
        forward += ids(body)
        assert body["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not body["pageInfo"]["hasNextPage"]:
            break
        after = body["pageInfo"]["endCursor"]
    assert forward == everything and pages == 4

    backward, before = [], None
    while True:
        payload = {"query": {}, "sort": [sort], "last": 4, **({"before": before} if before else {})}
        body = search(api_client, payload).json()
        backward = ids(body) + backward
        assert body["pageInfo"]["hasNextPage"] is (before is not None)
        if not body["pageInfo"]["hasPreviousPage"]:
            break
        before = body["pageInfo"]["startCursor"]
    assert backward == everything


def test_pages_stay_stable_while_orders_are_inserted(api_client, orders):
    first = search(api_client, {"query": {}, "sort": [{"orderDate": "ASC"}], "size": 4}).json()
    # New orders land before, inside and after the page already read.
    for n in (-1, 2, 20):
        order_with_lines(1, order_date=day(n) + datetime.timedelta(hours=1))
    second = search(
        api_client,
        {
            "query": {},
            "sort": [{"orderDate": "ASC"}],
            "size": 4,
            "after": first["pageInfo"]["endCursor"],
        },
    ).json()
    assert ids(first) == [str(o.id) for o in orders[:4]]
    assert ids(second) == [str(o.id) for o in orders[4:8]]


def test_with_total_counts_all_matches_not_just_the_page(api_client, orders):
    body = search(
        api_client, {"query": {"status": {"eq": "OPEN"}}, "size": 1, "options": {"withTotal": True}}
    ).json()
    assert body["total"] == 3 and len(body["orders"]) == 1


def test_default_page_size_is_20(api_client):
    OrderFactory.create_batch(21)
    body = search(api_client, {"query": {}}).json()
    assert len(body["orders"]) == 20 and body["pageInfo"]["hasNextPage"] is True


def test_empty_result_has_no_cursors(api_client):
    body = search(api_client, {"query": {"tenantOrderId": {"eq": "none"}}}).json()
    assert body["orders"] == []
    assert body["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


def test_deprecated_start_after_id_continues_after_that_order(api_client, orders):
    body = search(
        api_client, {"query": {}, "sort": [{"orderDate": "ASC"}], "startAfterId": str(orders[6].id)}
    ).json()
    assert ids(body) == [str(o.id) for o in orders[7:]]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"query": []},
        {"query": {"status": {"eq": "DONE"}}},
        {"query": {"status": "OPEN"}},
        {"query": {"tenantOrderId": {"like": "T%"}}},
        {"query": {"tenantOrderId": {"in": "T1"}}},
        {"query": {"orderDate": {"gt": "yesterday"}}},
        {"query": {"orderDate": {"after": "2024-01-01"}}},
        {"query": {"customAttributes": {"a": {"eq": "b"}}}},
        {"query": {"tags": {}}},
        {"query": {"and": {"status": {"eq": "OPEN"}}}},
        {"query": {"or": [{"status": {"eq": "NOPE"}}]}},
        {"query": {"colour": {"eq": "red"}}},
        {"query": {}, "size": 0},
        {"query": {}, "size": 251},
        {"query": {}, "size": 2.5},
        {"query": {}, "size": "10"},
        {"query": {}, "last": 300},
        {"query": {}, "size": 5, "last": 5},
        {"query": {}, "after": "x", "before": "y"},
        {"query": {}, "after": "bm90LWEtY3Vyc29y"},
        {"query": {}, "after": "%%%"},
        {"query": {}, "sort": [{"orderDate": "UP"}]},
        {"query": {}, "sort": [{"orderDate": "ASC", "status": "ASC"}]},
        {"query": {}, "sort": [{"tenantOrderId": "ASC"}]},
        {"query": {}, "sort": [{"orderDate": "ASC"}, {"status": "ASC"}]},
        {"query": {}, "options": {"withTotal": "yes"}},
        {"query": {}, "startAfterId": "00000000-0000-0000-0000-000000000000"},
        [],
    ],
)
def test_bad_search_payload_is_a_400(api_client, payload):
    OrderFactory()
    assert_api_error(search(api_client, payload), 400)


def test_cursor_of_another_sort_is_refused(api_client, orders):
    body = search(api_client, {"query": {}, "sort": [{"status": "ASC"}], "size": 2}).json()
    response = search(
        api_client,
        {"query": {}, "sort": [{"orderDate": "ASC"}], "after": body["pageInfo"]["endCursor"]},
    )
    assert_api_error(response, 400, mentioning="cursor")


def test_search_costs_a_fixed_number_of_queries(api_client, django_assert_max_num_queries):
    for _ in range(30):
        order_with_lines(1, 2, 3)
    first = search(api_client, {"query": {}, "size": 10}).json()
    # auth (token + permissions) + page + line items + has-previous check + total
    with django_assert_max_num_queries(8):
        body = search(
            api_client,
            {
                "query": {},
                "size": 10,
                "after": first["pageInfo"]["endCursor"],
                "options": {"withTotal": True},
            },
        ).json()
    assert len(body["orders"]) == 10 and body["total"] == 30


def test_search_needs_view_permission():
    from tests.conftest import make_token_client

    outsider = make_token_client("outsider", permissions=[])
    assert_api_error(search(outsider, {"query": {}}), 403)


def test_search_renders_orders_exactly_as_get_does(api_client, example_order):
    example_order["orderLineItems"][0].update(
        {
            "customAttributes": {"engraving": "D"},
            "tags": [{"id": "size", "value": "M"}],
            "shopPrice": 9.5,
        }
    )
    created = api_client.post("/api/orders", example_order, format="json").json()

    (found,) = search(api_client, {"query": {"tenantOrderId": {"eq": "R456728546"}}}).json()[
        "orders"
    ]

    assert found == api_client.get(f"/api/orders/{created['id']}").json() == created


@pytest.mark.parametrize("sort", [{"orderDate": "ASC"}, {"orderDate": "DESC"}, {"status": "DESC"}])
def test_paging_through_orders_with_equal_dates_loses_and_repeats_nothing(api_client, sort):
    # Many orders share an orderDate (and a status): the id breaks the tie in the cursor.
    created = [
        order_with_lines(
            1, order_date=day(n % 3), status=[OrderStatus.OPEN, OrderStatus.LOCKED][n % 2]
        )
        for n in range(13)
    ]
    reverse = next(iter(sort.values())) == "DESC"
    if "status" in sort:
        key = lambda o: (o.status, o.order_date, str(o.id))  # noqa: E731
    else:
        key = lambda o: (o.order_date, str(o.id))  # noqa: E731
    expected = [str(o.id) for o in sorted(created, key=key, reverse=reverse)]

    seen, after = [], None
    while True:
        body = search(
            api_client,
            {"query": {}, "sort": [sort], "size": 2, **({"after": after} if after else {})},
        ).json()
        seen += ids(body)
        if not body["pageInfo"]["hasNextPage"]:
            break
        after = body["pageInfo"]["endCursor"]
    assert seen == expected


def test_list_pages_through_equal_order_dates(api_client):
    created = [OrderFactory(order_date=day(0)) for _ in range(5)]
    seen, start_after = [], None
    while True:
        body = api_client.get(
            "/api/orders", {"size": 2, **({"startAfterId": start_after} if start_after else {})}
        ).json()
        if not body["orders"]:
            break
        seen += ids(body)
        start_after = body["orders"][-1]["id"]
    assert sorted(seen) == sorted(str(o.id) for o in created) and len(seen) == 5
