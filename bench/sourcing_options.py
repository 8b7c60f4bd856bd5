"""Sourcing options ("what if") load test: gunicorn on PostgreSQL with the demo network.

    .venv/bin/python bench/sourcing_options.py [--clients 16] [--duration 15] [--workers 4]

On its own database (recreated, migrated, `seed_demo`, stock topped up as bench/promise_load.py
does), `--clients` closed-loop client threads send `POST /api/routing/sourcingoptions` with
bench/promise_load.py's 3-line carts (articles of the Dutch warehouses, delivered to "1052 XM
Amsterdam, NL" without coordinates) and `--level` as resourceInvestment. Prints requests/s,
p50/p95/p99, CPU per request of gunicorn and PostgreSQL, the rows the run wrote (PostgreSQL's
own counters for the database: a what-if should write none) and whether the answers can be
read back by id (`GET …/sourcingoptions/{id}`, each on a new connection so several workers
answer). Then the bare-stack ceiling: the same clients and bodies against bench/bare_stack.py,
which answers them with the availability read of the cart only, and the ratio to it.
Target on the 2-core machine (issue 18): ≥ 400 requests/s.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import recreate_database  # noqa: E402
from bench.promise_load import (  # noqa: E402
    PostgresCpu,
    cart,
    percentile,
    post_in_closed_loop,
    prepare,
    server_cpu_seconds,
    start_server,
    stop_server,
)

PATH = "/api/routing/sourcingoptions"
TARGET_REQUESTS_PER_SECOND = 400
READ_BACK_SAMPLE = 40


def what_if(articles, rng, level):
    order = cart(articles, rng)
    order.pop("orderDate")  # optional here; the engine routes from now
    body = {"order": order}
    if level is not None:
        body["resourceInvestment"] = {"level": level}
    return body


def closed_loop(url, token, articles, clients, duration, level, expected=201, seed=1):
    """(recorder, elapsed, ids of some answers)."""
    ids = []

    def keep_some_ids(status, payload, rng):
        if status == 201 and len(ids) < READ_BACK_SAMPLE and rng.random() < 0.05:
            ids.append(json.loads(payload)["id"])

    recorder, elapsed = post_in_closed_loop(
        url,
        token,
        clients,
        duration,
        lambda rng: what_if(articles, rng, level),
        expected=(expected,),
        on_answer=keep_some_ids,
        seed=seed,
    )
    return recorder, elapsed, ids


def read_back(port, token, ids):
    """How many of `ids` GET answers 200, each on its own connection (so the gunicorn master
    hands them to different workers)."""
    import http.client

    found = 0
    for run_id in ids:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", f"{PATH}/{run_id}", headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        body = response.read()
        found += response.status == 200 and json.loads(body)["id"] == run_id
        connection.close()
    return found


def rows_written(database):
    """Rows inserted, updated and deleted in `database` so far (pg_stat_database; the
    statistics collector may lag by a fraction of a second, so read after a pause)."""
    import psycopg

    time.sleep(1)
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as connection:
        return connection.execute(
            "SELECT tup_inserted + tup_updated + tup_deleted, xact_commit FROM pg_stat_database "
            "WHERE datname = %s",
            [database],
        ).fetchone()


def measure(args, server, url, token, articles, expected=201):
    """Warm up, then the measured run: a dict of figures."""
    closed_loop(url, token, articles, args.workers * 2, 4, args.level, expected)
    written_before = rows_written(args.database)
    cpu_before, postgres = server_cpu_seconds(server), PostgresCpu(args.database)
    clients_before = time.process_time()
    recorder, elapsed, ids = closed_loop(
        url, token, articles, args.clients, args.duration, args.level, expected
    )
    figures = {
        "gunicorn_cpu": server_cpu_seconds(server) - cpu_before,
        "postgres_cpu": postgres.seconds(),
        "clients_cpu": time.process_time() - clients_before,
        "load_after": os.getloadavg()[0],
    }
    written_after = rows_written(args.database)
    latencies = [latency * 1000 for latency in recorder.latencies]
    done = max(len(latencies), 1)
    figures.update(
        requests=len(latencies),
        elapsed=elapsed,
        rate=recorder.statuses.get(expected, 0) / elapsed,
        p50=percentile(latencies, 0.5),
        p95=percentile(latencies, 0.95),
        p99=percentile(latencies, 0.99),
        statuses=dict(sorted(recorder.statuses.items(), key=str)),
        per_request={
            key: figures[f"{key}_cpu"] * 1000 / done for key in ("gunicorn", "postgres", "clients")
        },
        rows_written=written_after[0] - written_before[0],
        commits=written_after[1] - written_before[1],
        ids=ids,
    )
    return figures


def print_figures(name, figures):
    per_request = figures["per_request"]
    busy = (figures["gunicorn_cpu"] + figures["postgres_cpu"] + figures["clients_cpu"]) / figures[
        "elapsed"
    ]
    print(
        f"{name}: {figures['requests']} requests in {figures['elapsed']:.1f} s  "
        f"{figures['rate']:.1f} requests/s  p50 {figures['p50']:.1f} ms  "
        f"p95 {figures['p95']:.1f} ms  p99 {figures['p99']:.1f} ms  "
        f"statuses {figures['statuses']}"
    )
    print(
        f"  CPU per request: gunicorn {per_request['gunicorn']:.2f} ms, PostgreSQL "
        f"{per_request['postgres']:.2f} ms, load clients {per_request['clients']:.2f} ms; "
        f"machine busy {busy / os.cpu_count():.0%} of {os.cpu_count()} cores; "
        f"load average after: {figures['load_after']:.2f}"
    )
    print(
        f"  database: {figures['rows_written']} rows written, {figures['commits']} commits "
        "during the run (all databases' background work excluded)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--level", type=float, default=None, help="resourceInvestment.level")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the bare-stack run")
    parser.add_argument("--port", type=int, default=8781)
    parser.add_argument("--database", default="doms_bench_sourcing")
    args = parser.parse_args()

    recreate_database(args.database)
    token, articles = prepare(args.database)
    from django.db import connection

    connection.close()
    print(
        f"demo network seeded; {len(articles)} articles in carts; level {args.level}; gunicorn "
        f"{args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; {args.clients} client threads; machine cores: {os.cpu_count()}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    server = start_server(args.database, args.port, args.workers, args.threads, args.worker_class)
    url = f"http://127.0.0.1:{args.port}{PATH}"
    try:
        figures = measure(args, server, url, token, articles)
        read = read_back(args.port, token, figures["ids"])
    finally:
        stop_server(server)
    print_figures("sourcing options", figures)
    print(f"  read back by id: {read} of {len(figures['ids'])} answers (new connection each)")
    result = {"requests_per_second": round(figures["rate"], 1), "p99_ms": round(figures["p99"], 1)}
    if not args.no_ceiling:
        server = start_server(
            args.database,
            args.port,
            args.workers,
            args.threads,
            args.worker_class,
            "bench.bare_stack",
        )
        try:
            ceiling = measure(args, server, url, token, articles, expected=200)
        finally:
            stop_server(server)
        print_figures("bare stack (availability read only)", ceiling)
        result["bare_stack"] = round(ceiling["rate"], 1)
        print(f"sourcing options ÷ bare-stack ceiling = {figures['rate'] / ceiling['rate']:.1%}")
    print(
        f"target: ≥{TARGET_REQUESTS_PER_SECOND} requests/s "
        f"{'MET' if figures['rate'] >= TARGET_REQUESTS_PER_SECOND else 'NOT MET'}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
