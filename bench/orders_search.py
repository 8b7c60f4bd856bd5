"""Benchmark of POST /api/orders/search on 100,000 orders in PostgreSQL.

    .venv/bin/python bench/orders_search.py [--orders 100000] [--runs 200] [--reseed] [--replica]

Uses its own database (default postgres://postgres@127.0.0.1:5432/doms_bench_orders; set
BENCH_DATABASE_URL to change it), creates and migrates it if needed, and seeds the orders
(1–3 line items each) once. Then, in-process (no HTTP server), prints p50/p95 of:

- a filtered page: status OPEN and a 90-day orderDate range, sorted by orderDate, 20 orders;
- page 200 reached by cursor: the request for page 200 given its `after` cursor (and, for
  reference, every page of the walk from page 1 to 200);

each measured twice: through the selector plus response serializer, and through the full
DRF stack with the test client and a bearer token. Target: p95 <= 30 ms.

With --replica the same figures are measured with the searches read from a streaming replica
(BENCH_REPLICA_URL, default postgres://postgres@127.0.0.1:5433/doms_bench_orders: the replica
that .ci/replica runs), as a web node with DATABASE_REPLICA_URL reads them; the script waits
until the replica has the seeded orders and prints how many queries each database answered.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/doms_bench_orders"
)
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("LOG_LEVEL", "WARNING")

REPLICA_URL = os.environ.get(
    "BENCH_REPLICA_URL", "postgres://postgres@127.0.0.1:5433/doms_bench_orders"
)
if "--replica" in sys.argv:
    os.environ["DATABASE_REPLICA_URL"] = REPLICA_URL

PAGE_SIZE = 20
TARGET_PAGE = 200
BASE_DATE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
STATUSES = ["OPEN"] * 6 + ["CANCELLED"] * 2 + ["LOCKED", "PROMISED"]


def ensure_database():
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[-1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def seed(count, reseed):
    from django.db import connection

    from orders.models import Order, OrderLineItem

    if reseed:
        OrderLineItem.objects.all().delete()
        Order.objects.all().delete()
    existing = Order.objects.count()
    if existing >= count:
        print(f"{existing} orders already seeded")
        return
    rng = random.Random(42)
    batch = 5000
    started = time.perf_counter()
    for start in range(existing, count, batch):
        orders, lines = [], []
        for n in range(start, min(start + batch, count)):
            order = Order(
                id=uuid.uuid4(),
                tenant_order_id=f"BENCH-{n}",
                status=rng.choice(STATUSES),
                order_date=BASE_DATE + datetime.timedelta(seconds=rng.randrange(0, 730 * 86400)),
                consumer={
                    "consumerId": f"C{n % 5000}",
                    "addresses": [
                        {
                            "firstName": "Bench",
                            "lastName": f"Consumer {n % 5000}",
                            "street": "Hauptstraße",
                            "houseNumber": str(n % 200 + 1),
                            "postalCode": "10115",
                            "city": "Berlin",
                            "country": "DE",
                        }
                    ],
                },
                consumer_id=f"C{n % 5000}",
                delivery_preferences={"shipping": {"serviceLevel": "DELIVERY"}},
            )
            orders.append(order)
            for position in range(rng.randint(1, 3)):
                article = f"ART-{rng.randrange(2000)}"
                lines.append(
                    OrderLineItem(
                        order_id=order.id,
                        position=position,
                        tenant_article_id=article,
                        article={"tenantArticleId": article, "title": f"Article {article}"},
                        quantity=rng.randint(1, 5),
                    )
                )
        Order.objects.bulk_create(orders)
        OrderLineItem.objects.bulk_create(lines)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order, orders_orderlineitem")
    print(f"seeded {count - existing} orders in {time.perf_counter() - started:.1f} s")


def percentiles(samples_ms):
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered), p95


def report(label, samples):
    """`samples`: (wall ms, this process's CPU ms) pairs. The CPU figure leaves out time spent
    waiting for a core or for PostgreSQL, so it shows what the code costs on a busy machine."""
    p50, p95 = percentiles([wall for wall, _ in samples])
    cpu50 = statistics.median(cpu for _, cpu in samples)
    verdict = "ok" if p95 <= 30 else "ABOVE TARGET"
    print(
        f"{label:<52} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  "
        f"(cpu p50 {cpu50:5.2f} ms, n={len(samples)}) {verdict}"
    )


def measure(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)


def timed(function, runs):
    return [measure(function)[1] for _ in range(runs)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--replica", action="store_true", help="read the searches from a replica")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from orders.search import (
        OrderPaginatedResultSerializer,
        OrderSearchPayloadSerializer,
        search_orders,
    )

    call_command("migrate", verbosity=0)
    seed(args.orders, args.reseed)

    user, _ = get_user_model().objects.get_or_create(username="bench")
    user.user_permissions.add(Permission.objects.get(codename="view_order"))
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")

    from config.db_router import stale_reads_allowed

    def in_process(payload):
        # As the search view reads: from the replica when there is one (config/db_router.py).
        with stale_reads_allowed():
            serializer = OrderSearchPayloadSerializer(data=payload)
            serializer.is_valid(raise_exception=True)
            return OrderPaginatedResultSerializer(search_orders(serializer.validated_data)).data

    def over_client(payload):
        response = client.post("/api/orders/search", payload, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    filtered = {
        "query": {
            "status": {"eq": "OPEN"},
            "orderDate": {"gte": "2024-06-01T00:00:00Z", "lt": "2024-08-30T00:00:00Z"},
        },
        "sort": [{"orderDate": "DESC"}],
        "size": PAGE_SIZE,
    }
    deep = {"query": {"status": {"eq": "OPEN"}}, "sort": [{"orderDate": "DESC"}], "size": PAGE_SIZE}

    queries = {}
    if args.replica:
        wait_for_replica()
        queries = count_queries_by_database()

    print(f"\n{args.orders} orders, page size {PAGE_SIZE}, {args.runs} runs each")
    if args.replica:
        print(f"searches read from the replica ({REPLICA_URL.rsplit('@', 1)[-1]})")
    print("load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    for mode, run in (("selector+serializer", in_process), ("test client (full DRF)", over_client)):
        for _ in range(10):  # warm caches and connections
            run(filtered)
        page = run(filtered)
        assert len(page["orders"]) == PAGE_SIZE, "the filtered query should fill a page"
        report(f"[{mode}] filtered page", timed(lambda run=run: run(filtered), args.runs))

        walk, cursor = [], None
        for _ in range(TARGET_PAGE - 1):
            payload = {**deep, **({"after": cursor} if cursor else {})}
            page, sample = measure(lambda run=run, payload=payload: run(payload))
            walk.append(sample)
            cursor = page["pageInfo"]["endCursor"]
        page_200 = {**deep, "after": cursor}
        result = run(page_200)
        assert len(result["orders"]) == PAGE_SIZE and result["pageInfo"]["hasPreviousPage"]
        report(
            f"[{mode}] page {TARGET_PAGE} given its cursor",
            timed(lambda r=run, p=page_200: r(p), args.runs),
        )
        report(f"[{mode}] walking pages 1–{TARGET_PAGE - 1} (each page)", walk)
    if queries:
        answered = ", ".join(f"{alias} {count}" for alias, count in sorted(queries.items()))
        print(f"queries answered: {answered}")


def wait_for_replica(timeout=120.0):
    """Until the replica has replayed the seeding; it must be a standby (in recovery)."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        [target] = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0], "BENCH_REPLICA_URL is not a standby (pg_is_in_recovery)"
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.1)
    raise SystemExit("the replica did not catch up with the primary in time")


def count_queries_by_database():
    """{alias: statements run there}, counted from now on."""
    from django.db import connections

    counts = {}
    for alias in ("default", "replica"):

        def count(execute, sql, params, many, context, alias=alias):
            counts[alias] = counts.get(alias, 0) + 1
            return execute(sql, params, many, context)

        connections[alias].execute_wrappers.append(count)
    return counts


if __name__ == "__main__":
    main()
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
