"""What ORDER_CANCELLED_BY_EXPIRY costs the expiry sweep.

    .venv/bin/python bench/events_expiry.py [--promises 20000] [--batch-size N]

`--batch-size` defaults to the sweep's own (promises.services.SWEEP_BATCH_SIZE, what the beat
job runs); earlier figures in docs/benchmarks.md used 5,000.

Seeds expired promises with bench/expiry.py's seeder into its own database, twice: once with
nobody subscribed to ORDER_CANCELLED_BY_EXPIRY and once with one subscriber, and times
`release_expired_promises` each time. With a subscriber every cancelled order is rendered as
GET /api/orders/{id} would and written to the outbox inside the sweep's batch transaction (on
PostgreSQL by one INSERT … SELECT per batch, events/sql.py). Each batch is one transaction, so
the time per batch is about how long its orders' row locks are held. Targets for 100,000:
≤ 10 s with one subscriber, ≤ 5 s without.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promises", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--database", default="doms_bench_events_expiry")
    args = parser.parse_args()

    from bench.common import recreate_database, setup_django
    from bench.expiry import seed

    setup_django(args.database)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.EVENTS_ENQUEUE_AFTER_COMMIT = False  # measure the sweep, not the broker
    ok = True
    for subscribed in (False, True):
        connection.close()
        recreate_database(args.database)
        call_command("migrate", verbosity=0)
        seed(args.promises, 0)
        from events.models import EventName, OutboxEvent, Subscription
        from promises.services import SWEEP_BATCH_SIZE, release_expired_promises

        batch_size = args.batch_size or SWEEP_BATCH_SIZE
        if subscribed:
            Subscription.objects.create(
                name="bench",
                event=EventName.ORDER_CANCELLED_BY_EXPIRY,
                callback_url="http://127.0.0.1:9/",
            )
        started = time.perf_counter()
        released = release_expired_promises(batch_size=batch_size)
        elapsed = time.perf_counter() - started
        events = OutboxEvent.objects.count()
        distinct = len(set(OutboxEvent.objects.values_list("payload__id", flat=True)))
        expected = args.promises if subscribed else 0
        ok = ok and released == args.promises and events == distinct == expected
        batches = released // batch_size + 1  # the last one finds fewer than a batch
        print(
            f"{'one subscriber' if subscribed else 'nobody subscribed'}: released "
            f"{released:,} promises in {elapsed:.2f} s ({released / elapsed:,.0f}/s, "
            f"{batches} batches of up to {batch_size:,}, {elapsed / batches:.2f} s each), "
            f"{events:,} outbox events for {distinct:,} orders"
        )
    connection.close()
    print("OK" if ok else "CHECK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
