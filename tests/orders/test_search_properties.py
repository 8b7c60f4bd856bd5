"""Property test: for random queries (filters, nested and/or, sorts), the search returns
exactly the orders a plain Python reading of the query selects, in the sort's order."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.api.fields import format_wire_datetime
from orders.models import TENANT_ORDER_ID_BLOCKING_STATUSES, OrderStatus
from tests.orders.factories import OrderFactory

pytestmark = pytest.mark.django_db

BASE = datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
DATES = [BASE + datetime.timedelta(days=n) for n in range(5)]
TENANT_IDS = ["T1", "T2", "T3", None]
CONSUMERS = ["C1", "C2", ""]
STATUSES = list(OrderStatus.values)

dates = st.sampled_from(DATES + [BASE + datetime.timedelta(days=2, hours=12)])
string_filters = st.one_of(
    st.builds(lambda v: {"eq": v}, st.sampled_from(["T1", "T2", "T9"])),
    st.builds(lambda v: {"notEq": v}, st.sampled_from(["T1", "T2", "T9"])),
    st.builds(lambda v: {"in": v}, st.lists(st.sampled_from(["T1", "T2", "T3"]), max_size=3)),
    st.builds(lambda v: {"notIn": v}, st.lists(st.sampled_from(["T1", "T2", "T3"]), max_size=3)),
)
consumer_filters = st.one_of(
    st.builds(lambda v: {"eq": v}, st.sampled_from(["C1", "C2"])),
    st.builds(lambda v: {"notEq": v}, st.sampled_from(["C1", "C2"])),
    st.builds(lambda v: {"in": v}, st.lists(st.sampled_from(["C1", "C2"]), max_size=2)),
)
status_filters = st.one_of(
    st.builds(lambda v: {"eq": v}, st.sampled_from(STATUSES)),
    st.builds(lambda v: {"notEq": v}, st.sampled_from(STATUSES)),
    st.builds(lambda v: {"in": v}, st.lists(st.sampled_from(STATUSES), max_size=3)),
)
date_filters = st.dictionaries(
    st.sampled_from(["eq", "notEq", "gt", "gte", "lt", "lte"]),
    dates.map(format_wire_datetime),
    min_size=1,
    max_size=2,
)
leaf_queries = st.fixed_dictionaries(
    {},
    optional={
        "tenantOrderId": string_filters,
        "status": status_filters,
        "orderDate": date_filters,
        "consumer": st.builds(lambda f: {"consumerId": f}, consumer_filters),
    },
)
queries = st.recursive(
    leaf_queries,
    lambda children: st.one_of(
        st.builds(lambda parts: {"and": parts}, st.lists(children, max_size=3)),
        st.builds(lambda parts: {"or": parts}, st.lists(children, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)
sorts = st.sampled_from(
    [None, {"orderDate": "ASC"}, {"orderDate": "DESC"}, {"status": "ASC"}, {"status": "DESC"}]
)


def _string_matches(value, spec):
    checks = {
        "eq": lambda v: value == v,
        "notEq": lambda v: value != v,
        "in": lambda v: value in v,
        "notIn": lambda v: value not in v,
    }
    return all(checks[op](operand) for op, operand in spec.items())


def _date_matches(value, spec):
    checks = {
        "eq": lambda v: value == v,
        "notEq": lambda v: value != v,
        "gt": lambda v: value > v,
        "gte": lambda v: value >= v,
        "lt": lambda v: value < v,
        "lte": lambda v: value <= v,
    }
    parsed = {
        op: datetime.datetime.fromisoformat(v.replace("Z", "+00:00")) for op, v in spec.items()
    }
    return all(checks[op](operand) for op, operand in parsed.items())


def matches(order, query):
    if "tenantOrderId" in query and not _string_matches(
        order.tenant_order_id, query["tenantOrderId"]
    ):
        return False
    if "status" in query and not _string_matches(order.status, query["status"]):
        return False
    if "orderDate" in query and not _date_matches(order.order_date, query["orderDate"]):
        return False
    if "consumer" in query and not _string_matches(
        order.consumer_id, query["consumer"]["consumerId"]
    ):
        return False
    if not all(matches(order, part) for part in query.get("and", [])):
        return False
    return not query.get("or") or any(matches(order, part) for part in query["or"])


@pytest.fixture
def population():
    orders, active_ids = [], set()
    for n in range(24):
        status, tenant_order_id = STATUSES[n % 5], TENANT_IDS[n % 4]
        if status in TENANT_ORDER_ID_BLOCKING_STATUSES and tenant_order_id:
            # Only one active order per tenantOrderId; repeats get their own id.
            if tenant_order_id in active_ids:
                tenant_order_id = f"{tenant_order_id}-{n}"
            active_ids.add(tenant_order_id)
        orders.append(
            OrderFactory(
                order_date=DATES[n % 5],
                tenant_order_id=tenant_order_id,
                consumer_id=CONSUMERS[n % 3],
                status=status,
            )
        )
    return orders


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=queries, sort=sorts, size=st.integers(min_value=1, max_value=7))
def test_search_agrees_with_a_plain_reading_of_the_query(api_client, population, query, sort, size):
    direction = next(iter(sort.values())) if sort else "DESC"
    if sort and "status" in sort:
        key = lambda o: (o.status, o.order_date, str(o.id))  # noqa: E731
    else:
        key = lambda o: (o.order_date, str(o.id))  # noqa: E731
    expected = [
        str(o.id)
        for o in sorted(
            (o for o in population if matches(o, query)), key=key, reverse=direction == "DESC"
        )
    ]

    found, after = [], None
    for _ in range(30):
        payload = {"query": query, "size": size, "options": {"withTotal": True}}
        if sort:
            payload["sort"] = [sort]
        if after:
            payload["after"] = after
        response = api_client.post("/api/orders/search", payload, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["total"] == len(expected)
        found += [order["id"] for order in body["orders"]]
        if not body["pageInfo"]["hasNextPage"]:
            break
        after = body["pageInfo"]["endCursor"]
    assert found == expected
