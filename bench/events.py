"""Events benchmark: cost of recording an event, and webhook delivery throughput.

    .venv/bin/python bench/events.py [--events 2000] [--workers 2] [--database NAME]

Creates (or recreates) its own PostgreSQL database and runs a real HTTP receiver on
127.0.0.1. Measures (1) `record_event` inside a transaction per change, with nobody subscribed
and with one subscriber; (2) delivering every recorded event with `deliver_pending` in one
thread and then with N threads at once (each is a "worker"), checking that every event arrived
exactly once with a valid signature.
"""

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import recreate_database, setup_django  # noqa: E402

PAYLOAD = {
    "id": "3f1c0c57-5d5e-4c55-9a57-4e3a1f0c2b11",
    "version": 3,
    "status": "OPEN",
    "orderDate": "2026-11-22T05:00:00.000Z",
    "consumer": {"addresses": [{"street": "Main", "city": "Utrecht", "country": "NL"}]},
    "orderLineItems": [
        {"id": str(n), "quantity": 1, "article": {"tenantArticleId": f"A-{n}", "title": "x"}}
        for n in range(5)
    ],
}


class Receiver:
    def __init__(self):
        self.bodies = []
        self.signatures = []
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    receiver.bodies.append(body)
                    receiver.signatures.append(self.headers["X-DOMS-Signature"])
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def time_changes(count, event_name=None):
    """Mean time of a transaction that makes one small change (an UPDATE) and, if asked,
    records an event for it: the difference is what the outbox adds to a write."""
    from django.db import transaction

    from events.models import Subscription
    from events.services import record_event

    change = Subscription.objects.filter(name="the change")
    started = time.perf_counter()
    for number in range(count):
        with transaction.atomic():
            change.update(callback_url=f"http://127.0.0.1/{number}")
            if event_name:
                record_event(event_name, PAYLOAD)
    return (time.perf_counter() - started) / count


def deliver(workers):
    from django.db import connection

    from events.delivery import deliver_pending

    counts = []

    def run():
        try:
            counts.append(len(deliver_pending(time_budget=600)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="doms_bench_events")
    args = parser.parse_args()

    recreate_database(args.database)
    setup_django(args.database)
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.EVENTS_ENQUEUE_AFTER_COMMIT = False  # measure the outbox, not the broker

    from events.models import Delivery, DeliveryStatus, EventName, Subscription

    Subscription.objects.create(
        name="the change", event=EventName.ORDER_CANCELLED, callback_url="http://127.0.0.1/"
    )
    baseline = time_changes(args.events)
    unsubscribed = time_changes(args.events, EventName.ORDER_MODIFIED)
    receiver = Receiver()
    subscription = Subscription.objects.create(
        name="bench", event=EventName.ORDER_CREATED, callback_url=receiver.url
    )
    subscribed = time_changes(args.events, EventName.ORDER_CREATED)
    print(
        f"a one-UPDATE transaction: {baseline * 1e3:.2f} ms; with record_event: "
        f"{unsubscribed * 1e3:.2f} ms (nobody subscribed), {subscribed * 1e3:.2f} ms "
        f"(one subscriber, order-like payload of 5 lines)"
    )

    from django.utils import timezone

    from events.models import OutboxEvent

    # First half with one worker, second half with N workers at once: park the second half
    # meanwhile by marking it fanned out (so no delivery exists for it yet).
    event_ids = list(OutboxEvent.objects.order_by("created").values_list("id", flat=True))
    second_half = event_ids[len(event_ids) // 2 :]
    OutboxEvent.objects.filter(id__in=second_half).update(fanned_out_at=timezone.now())
    delivered, elapsed = deliver(1)
    print(
        f"1 worker: delivered {delivered:,} events in {elapsed:.2f} s "
        f"({delivered / elapsed:,.0f}/s)"
    )
    OutboxEvent.objects.filter(id__in=second_half).update(fanned_out_at=None)
    delivered_n, elapsed = deliver(args.workers)
    print(
        f"{args.workers} workers: delivered {delivered_n:,} events in {elapsed:.2f} s "
        f"({delivered_n / elapsed:,.0f}/s)"
    )

    ids = [json.loads(body)["eventId"] for body in receiver.bodies]
    secret = subscription.signing_secret.encode()
    valid = all(
        hmac.compare_digest(
            "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest(), signature
        )
        for body, signature in zip(receiver.bodies, receiver.signatures, strict=True)
    )
    ok = (
        len(ids) == len(set(ids)) == args.events
        and valid
        and Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).count() == 0
    )
    print(
        f"received {len(ids):,} requests, {len(set(ids)):,} distinct events, signatures "
        f"{'valid' if valid else 'INVALID'}: {'OK' if ok else 'CHECK FAILED'}"
    )
    from django.db import connection

    connection.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
