"""Expiry sweep benchmark: release N expired promises on PostgreSQL.

    .venv/bin/python bench/expiry.py [--promises 100000] [--batch-size 5000] [--database NAME]

Creates (or recreates) its own database, migrates it, inserts N PROMISED orders whose
validUntil has passed (one line item and one reservation each, on 50 stock rows) plus 1,000 live
promises, then times `promises.services.release_expired_promises` — batched
`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)` and one reservation `DELETE`
per batch. It checks that every expired promise is CANCELLED with its reservations gone and that
the live ones are untouched. Target: 100,000 in ≤ 5 s on the 2-core machine.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import execute_statements, recreate_database, setup_django  # noqa: E402


def seed(expired, live):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inventory_facility (id, version, tenant_facility_id, name, type,
                location_type, status, address, country, postal_code, city, services,
                picking_times, closing_days, fulfillment_process_buffer, extra, created,
                last_modified)
            VALUES (gen_random_uuid(), 1, 'BENCH-1', 'Bench store', 'MANAGED_FACILITY', 'STORE',
                'ONLINE', '{}', 'NL', '', '', '[]', '{}', '[]', 240, '{}', now(), now())
            """
        )
        cursor.execute(
            """
            INSERT INTO inventory_stock (id, version, facility_id, tenant_article_id, value,
                extra, created, last_modified)
            SELECT gen_random_uuid(), 1, f.id, 'ARTICLE-' || n, 1000000, '{}', now(), now()
            FROM inventory_facility f, generate_series(1, 50) n
            """
        )
        for count, valid_until in (
            (expired, "now() - interval '1 hour'"),
            (live, "now() + interval '1 hour'"),
        ):
            execute_statements(
                cursor,
                f"""
                CREATE TEMP TABLE seeded AS
                SELECT gen_random_uuid() AS order_id, gen_random_uuid() AS line_id,
                       'ARTICLE-' || (1 + n %% 50) AS article, n
                FROM generate_series(1, %s) n;
                INSERT INTO orders_order (id, version, process_id, status, order_date, consumer,
                    consumer_id, consumer_email, consumer_name, delivery_preferences, tags,
                    stickers, status_reasons, update_details, extra, promise_valid_until,
                    promises_options, routing_status, created, last_modified)
                SELECT order_id, 1, gen_random_uuid(), 'PROMISED', now(), '{{}}', '', '', '',
                    '{{}}', '[]', '[]', '[]', '[]', '{{}}', {valid_until}, '{{}}', 'ROUTED',
                    now(), now()
                FROM seeded;
                INSERT INTO orders_orderlineitem (id, order_id, position, tenant_article_id,
                    article, quantity, extra, created, last_modified)
                SELECT line_id, order_id, 0, article, '{{}}', 1, '{{}}', now(), now() FROM seeded;
                INSERT INTO inventory_reservation (id, stock_id, facility_id, tenant_article_id,
                    quantity, order_line_item_id, valid_until, created, last_modified)
                SELECT gen_random_uuid(), s.id, s.facility_id, seeded.article, 1, seeded.line_id,
                    {valid_until}, now(), now()
                FROM seeded JOIN inventory_stock s ON s.tenant_article_id = seeded.article;
                DROP TABLE seeded;
                """,
                [count],
            )
        cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promises", type=int, default=100_000)
    parser.add_argument("--live", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--database", default="doms_bench_expiry")
    args = parser.parse_args()

    recreate_database(args.database)
    setup_django(args.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed(args.promises, args.live)
    print(
        f"seeded {args.promises:,} expired + {args.live:,} live promises "
        f"in {time.perf_counter() - started:.1f} s"
    )

    from inventory.models import Reservation
    from orders.models import Order, OrderStatus
    from promises.services import release_expired_promises

    started = time.perf_counter()
    released = release_expired_promises(batch_size=args.batch_size)
    elapsed = time.perf_counter() - started

    cancelled = Order.objects.filter(status=OrderStatus.CANCELLED).count()
    still_promised = Order.objects.filter(status=OrderStatus.PROMISED).count()
    reservations = Reservation.objects.count()
    ok = (
        released == args.promises == cancelled
        and still_promised == args.live
        and reservations == args.live
    )
    print(
        f"released {released:,} expired promises in {elapsed:.2f} s "
        f"({released / elapsed:,.0f}/s, batch size {args.batch_size}); "
        f"{still_promised:,} live promises and {reservations:,} reservations left"
    )
    print(
        f"target ≤ 5 s for 100,000: {'MET' if ok and elapsed <= 5 else 'NOT MET'}"
        f"{'' if ok else ' (CHECK FAILED)'}"
    )
    started = time.perf_counter()
    again = release_expired_promises(batch_size=args.batch_size)
    print(f"second sweep (idempotent): released {again} in {time.perf_counter() - started:.3f} s")
    from django.db import connection

    connection.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
