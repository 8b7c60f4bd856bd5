"""Checkout options load test, the product-page case: gunicorn on PostgreSQL with the demo network.

    .venv/bin/python bench/checkout_options.py [--clients 16] [--duration 15] [--workers 4]

On its own database (recreated, migrated, `seed_demo`), `--clients` closed-loop client threads
ask `POST /api/promises/checkoutoptions/delivery/earliest` for one article (drawn from the demo
network's stocked articles) delivered to "1052 XM Amsterdam, NL" without coordinates (so the
offline geocoding and the holiday calendar are on the path). Prints requests/s, p50/p95/p99,
CPU per request of gunicorn and PostgreSQL, and the target: ≥ 300 requests/s on two cores.
"""

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import recreate_database, setup_django  # noqa: E402
from bench.promise_load import (  # noqa: E402
    PostgresCpu,
    percentile,
    post_in_closed_loop,
    server_cpu_seconds,
    start_server,
    stop_server,
)

PATH = "/api/promises/checkoutoptions/delivery/earliest"
ADDRESS = {
    "street": "Rombout Hogerbeetsstraat",
    "houseNumber": "96",
    "postalCode": "1052 XM",
    "city": "Amsterdam",
    "country": "NL",
}
TARGET_REQUESTS_PER_SECOND = 300


def prepare(database):
    """Migrate, seed the demo network, create a read-only token; (token, stocked articles)."""
    setup_django(database)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    output = io.StringIO()
    call_command("create_api_token", "bench", "--read-only", stdout=output)
    token = output.getvalue().strip().splitlines()[-1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tenant_article_id FROM inventory_stock WHERE value > 0 ORDER BY 1"
        )
        articles = [row[0] for row in cursor.fetchall()]
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return token, articles


def product_page(articles, rng):
    return {"consumerAddress": ADDRESS, "tenantArticleIds": [rng.choice(articles)]}


def closed_loop(url, token, articles, clients, duration, seed=1):
    return post_in_closed_loop(
        url,
        token,
        clients,
        duration,
        lambda rng: product_page(articles, rng),
        expected=(200,),
        seed=seed,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database", default="doms_bench_checkout")
    args = parser.parse_args()

    recreate_database(args.database)
    token, articles = prepare(args.database)
    print(
        f"demo network seeded; {len(articles)} stocked articles; gunicorn {args.workers} "
        f"{args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; {args.clients} client threads; machine cores: {os.cpu_count()}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    server = start_server(args.database, args.port, args.workers, args.threads, args.worker_class)
    url = f"http://127.0.0.1:{args.port}{PATH}"
    try:
        # Warm-up: every worker loads the city index and the holiday tables once.
        closed_loop(url, token, articles, args.workers * 2, 5)
        cpu_before, postgres = server_cpu_seconds(server), PostgresCpu(args.database)
        clients_before = time.process_time()
        recorder, elapsed = closed_loop(url, token, articles, args.clients, args.duration)
        cpu = server_cpu_seconds(server) - cpu_before
        postgres_cpu = postgres.seconds()
        clients_cpu = time.process_time() - clients_before
        load_after = os.getloadavg()[0]
    finally:
        stop_server(server)
    latencies = [latency * 1000 for latency in recorder.latencies]
    done = max(len(latencies), 1)
    rate = recorder.statuses.get(200, 0) / elapsed
    p99 = percentile(latencies, 0.99)
    print(
        f"product page: {len(latencies)} requests in {elapsed:.1f} s  {rate:.1f} requests/s  "
        f"p50 {percentile(latencies, 0.5):.1f} ms  p95 {percentile(latencies, 0.95):.1f} ms  "
        f"p99 {p99:.1f} ms  statuses {dict(sorted(recorder.statuses.items(), key=str))}"
    )
    print(
        f"CPU per request: gunicorn {cpu * 1000 / done:.2f} ms, PostgreSQL "
        f"{postgres_cpu * 1000 / done:.2f} ms, load clients {clients_cpu * 1000 / done:.2f} ms; "
        f"machine busy {(cpu + postgres_cpu + clients_cpu) / elapsed / os.cpu_count():.0%} of "
        f"{os.cpu_count()} cores; load average after: {load_after:.2f}"
    )
    print(
        f"target: ≥{TARGET_REQUESTS_PER_SECOND} requests/s "
        f"{'MET' if rate >= TARGET_REQUESTS_PER_SECOND else 'NOT MET'}"
    )
    print(json.dumps({"requests_per_second": round(rate, 1), "p99_ms": round(p99, 1)}))


if __name__ == "__main__":
    main()
