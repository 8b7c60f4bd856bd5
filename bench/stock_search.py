"""POST /api/stocks/search on a million stock rows: the plan of every statement each search
runs (EXPLAIN ANALYZE, on the parameters it ran with) and its latency through the API.

    .venv/bin/python bench/stock_search.py [--facilities 1000] [--articles 1000] [--runs 20]
                                          [--reservations 20000] [--reuse] [--only NAME]

Creates (or recreates) its own database (default `doms_bench_stock_search`), migrates it and
inserts, with set-based SQL, `--facilities` facilities × `--articles` articles listings and
stock rows (1,000 × 1,000 = 1,000,000 of each); one row in ten has a `locationRef` (500
locations), one in twenty a `tenantStockId`, `lastModified` spread over 28 hours; a small store
with 10 empty stock rows untouched for a week; `--reservations` active reservations. After a VACUUM
ANALYZE (the steady state autovacuum reaches), each search shape runs once with its statements
recorded and EXPLAINed, then `--runs` times through Django's in-process test client (full
middleware, bearer-token auth, validation, rendering of 20 stocks with their levels) for
p50/p95; then the reservation searches the same way. A plan with a sequential scan on the
stock (reservation) table is flagged. `--reuse` measures again on the database a previous run
seeded (migrating it first), without seeding; `--only NAME` measures only the shapes whose name
contains NAME. The machine's load average is printed before and after: the figures depend on
what else runs.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import execute_statements, recreate_database, setup_django  # noqa: E402

SEED_SQL = """
INSERT INTO inventory_listing (id, version, facility_id, tenant_article_id, title, price,
    currency, out_of_stock_behaviour, status, safety_stock, extra, created, last_modified)
SELECT gen_random_uuid(), 1, facility.id, 'ART-' || lpad(article::text, 6, '0'), '', NULL,
    '', 'NONE', 'ACTIVE', CASE WHEN article %% 100 = 0 THEN 2 ELSE 0 END, '{}'::jsonb, now(), now()
FROM inventory_facility AS facility, generate_series(1, %s) AS article;
INSERT INTO inventory_stock (id, version, facility_id, tenant_article_id, value, extra,
    created, last_modified)
SELECT gen_random_uuid(), 1, listing.facility_id, listing.tenant_article_id,
    (hashtext(listing.id::text) & 63),
    CASE
        WHEN hashtext(listing.id::text) %% 10 = 0 THEN jsonb_build_object('locationRef',
            'LOC-' || lpad((abs(hashtext(listing.tenant_article_id)) %% 500)::text, 4, '0'))
        WHEN hashtext(listing.id::text) %% 20 = 1 THEN jsonb_build_object('tenantStockId',
            'TS-' || listing.id::text)
        ELSE '{}'::jsonb
    END,
    now() - (hashtext(listing.id::text) & 1023) * interval '1 minute',
    now() - (abs(hashtext(listing.tenant_article_id || listing.facility_id::text)) %% 100000)
        * interval '1 second'
FROM inventory_listing AS listing;
INSERT INTO inventory_reservation (id, stock_id, facility_id, tenant_article_id, quantity,
    order_line_item_id, valid_until, created, last_modified)
SELECT gen_random_uuid(), stock.id, stock.facility_id, stock.tenant_article_id, 1, NULL,
    now() + interval '2 hours', now() - (hashtext(stock.id::text) & 1023) * interval '1 second',
    now() - (hashtext(stock.id::text) & 511) * interval '1 second'
FROM inventory_stock AS stock WHERE stock.value > 0 ORDER BY stock.id LIMIT %s
"""

# A store with 10 stock rows, all empty and untouched for a week, beside the big facilities:
# the worst case for a facility's page in value or lastModified order, if the search walked
# the sort index until it found the store's rows. It holds no reservations.
SMALL_FACILITY = "BENCH-SMALL"
SMALL_FACILITY_SQL = """
DELETE FROM inventory_stock WHERE facility_id = %s AND tenant_article_id > 'ART-000010';
UPDATE inventory_stock SET value = 0, last_modified = now() - interval '7 days'
WHERE facility_id = %s
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--facilities", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default="doms_bench_stock_search")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--reservations", type=int, default=20_000)
    parser.add_argument("--only", help="measure only the shapes whose name contains this")
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores, shared machine)")
    if not args.reuse:
        recreate_database(args.database)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    setup_django(args.database)
    from django.core.management import call_command
    from django.db import connection

    from inventory.models import Facility, Reservation, Stock
    from tests.conftest import make_token_client
    from tests.inventory.factories import FacilityFactory

    call_command("migrate", verbosity=0)
    if not args.reuse:
        started = time.perf_counter()
        Facility.objects.bulk_create(
            [
                FacilityFactory.build(
                    tenant_facility_id=f"BENCH-{number:04d}", name=f"Bench {number}"
                )
                for number in range(args.facilities)
            ]
        )
        small = FacilityFactory.create(tenant_facility_id=SMALL_FACILITY, name="Small store")
        with connection.cursor() as cursor:
            statements = SEED_SQL.split(";")
            execute_statements(cursor, ";".join(statements[:2]), [args.articles])
            execute_statements(cursor, SMALL_FACILITY_SQL, [small.id])
            execute_statements(cursor, statements[2], [args.reservations])
            cursor.execute("VACUUM ANALYZE")
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    rows = Stock.objects.count()
    print(f"{rows:,} stock rows and listings, {Reservation.objects.count():,} reservations")

    client = make_token_client(f"bench-{time.time_ns()}", permissions="all")
    tenant_facility_id = f"BENCH-{args.facilities // 2:04d}"
    facility = Facility.objects.get(tenant_facility_id=tenant_facility_id)
    small_facility = Facility.objects.get(tenant_facility_id=SMALL_FACILITY)
    article = f"ART-{args.articles // 2:06d}"
    some_ids = [str(i) for i in Stock.objects.order_by("id").values_list("id", flat=True)[:5]]
    middle_id = str(Stock.objects.order_by("id").values_list("id", flat=True)[rows // 2])
    stock_id_of = Stock.objects.filter(extra__has_key="tenantStockId").values_list(
        "extra", flat=True
    )[:1][0]["tenantStockId"]
    shapes = {
        "article": {"query": {"tenantArticleId": {"eq": article}}},
        "article, with total": {
            "query": {"tenantArticleId": {"eq": article}},
            "options": {"withTotal": True},
        },
        "facility": {"query": {"facilityRef": {"eq": str(facility.id)}}},
        "tenantFacilityId": {"query": {"tenantFacilityId": {"eq": tenant_facility_id}}},
        "facility + 5 articles": {
            "query": {
                "facilityRef": {"eq": str(facility.id)},
                "tenantArticleId": {
                    "in": [f"ART-{n:06d}" for n in range(1, args.articles, args.articles // 5)]
                },
            }
        },
        "small facility, by value DESC": {
            "query": {"tenantFacilityId": {"eq": SMALL_FACILITY}},
            "sort": [{"value": "DESC"}],
        },
        "small facility, by lastModified DESC": {
            "query": {"tenantFacilityId": {"eq": SMALL_FACILITY}},
            "sort": [{"lastModified": "DESC"}],
        },
        "facility, by lastModified DESC": {
            "query": {"facilityRef": {"eq": str(facility.id)}},
            "sort": [{"lastModified": "DESC"}],
        },
        "facility, by value": {
            "query": {"facilityRef": {"eq": str(facility.id)}},
            "sort": [{"value": "DESC"}],
        },
        "locationRef": {"query": {"locationRef": {"eq": "LOC-0042"}}},
        "tenantStockId": {"query": {"tenantStockId": {"eq": stock_id_of}}},
        "locationRef or tenantStockId": {
            "query": {
                "or": [
                    {"locationRef": {"eq": "LOC-0042"}},
                    {"tenantStockId": {"eq": stock_id_of}},
                ]
            }
        },
        "5 ids": {"query": {"id": {"in": some_ids}}},
        "everything, page in the middle": {"query": {}, "startAfterId": middle_id},
        "article, by lastModified": {
            "query": {"tenantArticleId": {"eq": article}},
            "sort": [{"lastModified": "DESC"}],
        },
        "value < 3 only": {"query": {"value": {"lt": 3}}},
        "everything, by lastModified": {"query": {}, "sort": [{"lastModified": "DESC"}]},
        "everything, by lastModified ASC": {"query": {}, "sort": [{"lastModified": "ASC"}]},
        "everything, by value DESC": {"query": {}, "sort": [{"value": "DESC"}]},
        "everything, by value ASC": {"query": {}, "sort": [{"value": "ASC"}]},
        # No stock holds more than 63: a filter no row matches, the worst case of a rare value.
        "value > 63 only (no match)": {"query": {"value": {"gt": 63}}},
        "value eq 63 only (1/64 of rows)": {"query": {"value": {"eq": 63}}},
    }
    # Second pages, after the cursor of the first: the cursor's row comparison on the index.
    for sort_name, direction in (("lastModified", "DESC"), ("value", "ASC")):
        first = {"query": {}, "sort": [{sort_name: direction}]}
        cursor = client.post("/api/stocks/search", first, format="json").json()["pageInfo"]
        shapes[f"everything, by {sort_name} {direction}, next page"] = {
            **first,
            "after": cursor["endCursor"],
        }
    reservation_shapes = {
        "reservations, everything (id order)": {"query": {}},
        "reservations, everything, by created DESC": {"query": {}, "sort": [{"created": "DESC"}]},
        "reservations, everything, by lastModified DESC": {
            "query": {},
            "sort": [{"lastModified": "DESC"}],
        },
        "reservations, small facility, by created DESC": {
            "query": {"facilityRef": {"eq": str(small_facility.id)}},
            "sort": [{"created": "DESC"}],
        },
        "reservations, facility, by created DESC": {
            "query": {"facilityRef": {"eq": str(facility.id)}},
            "sort": [{"created": "DESC"}],
        },
        "reservations, article, by lastModified ASC": {
            "query": {"tenantArticleId": {"eq": article}},
            "sort": [{"lastModified": "ASC"}],
        },
    }
    if args.only:
        shapes = {name: shape for name, shape in shapes.items() if args.only in name}
        reservation_shapes = {
            name: shape for name, shape in reservation_shapes.items() if args.only in name
        }
    measure(client, connection, "/api/stocks/search", "stocks", shapes, args.runs)
    measure(
        client,
        connection,
        "/api/reservations/search",
        "reservations",
        reservation_shapes,
        args.runs,
        table="inventory_reservation",
    )
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


def measure(client, connection, url, name_in_body, shapes, runs, table="inventory_stock"):
    """Each shape's plans (flagging a sequential scan of `table`), then its p50/p95."""
    for name, payload in shapes.items():
        statements = recorded_statements(client, url, payload, table)
        print(f"\n=== {name}: {payload}")
        sequential = False
        for sql, params in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan = explain(connection, sql, params)
            sequential |= any(f"Seq Scan on {table}" in line for line in plan)
            print("\n".join(plan))
            print("---")
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.post(url, payload, format="json")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:300]
        found = len(response.json()[name_in_body])
        print(
            f"RESULT {url} {name}: {found} {name_in_body} on the page,"
            f" p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms"
            + (f"  ** sequential scan on {table} **" if sequential else "")
        )


def recorded_statements(client, url, payload, table):
    """The (sql, params) of every statement one search runs, past authentication."""
    from django.db import connection

    recorded = []

    def record(execute, sql, params, many, context):
        recorded.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.post(url, payload, format="json")
    assert response.status_code == 200, response.content[:300]
    return [(sql, params) for sql, params in recorded if table in sql]


def explain(connection, sql, params):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        return [row[0] for row in cursor.fetchall()]


def percentile(values, rank):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(rank / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
