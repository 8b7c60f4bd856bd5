"""Stock benchmarks on PostgreSQL: bulk upserts through PUT /api/stocks, and
GET /api/stocks/summaries latency.

    .venv/bin/python bench/stock_upsert.py [--rows 100000] [--batch 500] [--database NAME]

Creates (or recreates) its own database (default `doms_bench_stock`), migrates it, builds a
synthetic network with `seed_demo --facilities 200 --articles 500` and lists every article at
every facility, so that 200 × 500 = 100,000 (facility, article) stock keys exist. Requests go
through Django's in-process test client (full middleware, bearer-token auth, DRF parsing,
validation, JSON rendering; no network socket), one batch of `--batch` stock items per request.

Pass 1 upserts all keys by facility + article (mostly creates: the seed holds some stock);
pass 2 upserts them again with new values (all updates, with row locks and the reservation
check). Then (after a VACUUM ANALYZE, the steady state autovacuum reaches) 300
GET /api/stocks/summaries for 3 articles over the 200 facilities, with reservations present,
and prints p50/p95/max. The machine's load average is printed before and after: the figures
depend heavily on what else runs.
"""

import argparse
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import recreate_database, setup_django  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--facilities", type=int, default=200)
    parser.add_argument("--database", default="doms_bench_stock")
    parser.add_argument("--summary-requests", type=int, default=300)
    args = parser.parse_args()
    articles = max(1, args.rows // args.facilities)

    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores, shared machine)")
    recreate_database(args.database)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    setup_django(args.database)
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.test import APIClient

    from inventory.models import Facility, Listing, Stock
    from inventory.services.reservations import Allocation, reserve_stock
    from tests.conftest import make_token_client

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", facilities=args.facilities, articles=articles, stdout=io.StringIO())
    print(
        f"seed_demo --facilities {args.facilities} --articles {articles}: "
        f"{time.perf_counter() - started:.1f} s"
    )

    facilities = list(Facility.objects.order_by("tenant_facility_id"))
    summary_articles = ["TSHIRT-W-2468", "JEANS-B-2605", "SNEAK-W-4891"]
    # The summary articles first, so every facility holds stock of them.
    article_ids = (
        summary_articles
        + sorted(
            set(Listing.objects.values_list("tenant_article_id", flat=True)) - set(summary_articles)
        )
    )[:articles]
    Listing.objects.bulk_create(
        [
            Listing(facility=f, tenant_article_id=a, title=a)
            for f in facilities
            for a in article_ids
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    keys = [(f.tenant_facility_id, a) for f in facilities for a in article_ids][: args.rows]
    print(f"{len(keys):,} stock keys, {Stock.objects.count():,} stock rows before")

    client: APIClient = make_token_client("bench", permissions="all")
    # The in-process "server" shares this process with the client's 100,000 keys; freeze them
    # so the garbage collector does not rescan them on every request (a real server process
    # would not hold them at all).
    gc.collect()
    gc.freeze()

    def steady_state():
        """What autovacuum does within a minute of a bulk load: fresh planner statistics and
        no dead tuples. Without it the pass right after 70,000 inserts plans `id IN (...)`
        lookups on stale statistics of a table a third of its size."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE inventory_stock")

    def upsert_pass(label, value_of):
        steady_state()
        started = time.perf_counter()
        statuses = {}
        for start in range(0, len(keys), args.batch):
            batch = keys[start : start + args.batch]
            body = {
                "stocks": [
                    {"tenantFacilityId": f, "tenantArticleId": a, "value": value_of(i + start)}
                    for i, (f, a) in enumerate(batch)
                ]
            }
            response = client.put("/api/stocks", body, format="json")
            assert response.status_code == 200, response.content[:500]
            for result in response.json():
                statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        elapsed = time.perf_counter() - started
        print(
            f"{label}: {len(keys):,} rows in {elapsed:.1f} s = {len(keys) / elapsed:,.0f} rows/s"
            f"  {statuses}"
        )

    upsert_pass("PUT /api/stocks pass 1 (create/update)", lambda i: 5 + i % 17)
    upsert_pass("PUT /api/stocks pass 2 (update)", lambda i: 20 + i % 13)
    assert Stock.objects.count() >= len(keys)

    allocations = [Allocation(f.id, a, 1) for f in facilities[:50] for a in summary_articles]
    reserve_stock(allocations, valid_until=timezone.now() + timezone.timedelta(hours=1))
    # Steady state: what autovacuum would have done after 200,000 row writes.
    steady_state()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE inventory_reservation")
    query = "&".join(f"tenantArticleIds={a}" for a in summary_articles)
    timings = []
    for _ in range(args.summary_requests):
        started = time.perf_counter()
        response = client.get(f"/api/stocks/summaries?{query}")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    body = response.json()
    assert len(body["stockSummaries"]) == 3
    assert all(len(s["includedFacilityRefs"]) == len(facilities) for s in body["stockSummaries"])
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"GET /api/stocks/summaries (3 articles × {len(facilities)} facilities, "
        f"{len(timings)} requests): p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
