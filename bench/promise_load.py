"""Delivery promise load test: gunicorn on PostgreSQL with the demo network.

    .venv/bin/python bench/promise_load.py [--clients 16] [--duration 15] [--workers 4]

In one run, on its own database (recreated, migrated, `seed_demo`):
1. normal mode: `--clients` closed-loop client threads send 3-line carts (random articles of the
   demo network; stock is topped up first so the run measures promising, not running out);
   prints promises/s, p50/p95/p99 latency and the CPU per promise of gunicorn, PostgreSQL and
   the load clients (their sum: the machine's CPU per promise);
2. paced mode: `--rate` requests/s (open loop) for `--duration` seconds; prints p50/p95/p99;
3. hot mode: every cart contains the same article, of which only `--hot-stock` units exist (so
   most requests race for the last units and get 400); prints the same figures and checks zero
   oversell through the availability selector (201s = units
   reserved ≤ stock, availability never negative);
4. bare-stack ceiling: the same clients and carts against the smallest WSGI app
   (bench/bare_stack.py) in the same gunicorn configuration, running the bare-SQL reservation
   transaction for each request: what gunicorn, HTTP and the database cost without Django;
5. bare-SQL ceiling: the same client count running the bare SQL reservation transaction
   (bench/bare_sql.py: lock 3 stock rows in id order, sum their active reservations, insert 3
   reservations) straight on psycopg connections;
and promises/s as a ratio to both ceilings.
Targets on the 2-core machine (issue 18): ≥ 250 promises/s sustained, machine CPU per promise
≤ 7 ms, p99 ≤ 50 ms at 100 requests/s, zero oversell in hot mode.
"""

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bare_sql import reservation_statements, reserve  # noqa: E402
from bench.common import recreate_database, setup_django  # noqa: E402

HOT_ARTICLE = "SNEAK-W-4891"


def cart_articles(cursor):
    """The articles of the carts (any DB-API cursor on the benchmark's database): those stocked
    in a Dutch warehouse, so every cart can be shipped within NL; the hot article left out."""
    cursor.execute(
        """
        SELECT DISTINCT s.tenant_article_id FROM inventory_stock s
        JOIN inventory_facility f ON f.id = s.facility_id
        WHERE f.country = 'NL' AND f.location_type = 'WAREHOUSE' AND s.tenant_article_id <> %s
        ORDER BY 1
        """,
        [HOT_ARTICLE],
    )
    return [row[0] for row in cursor.fetchall()]


def prepare(database):
    """Migrate, seed the demo network, top up stock, create a token; returns (token, articles)."""
    import io

    setup_django(database)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    output = io.StringIO()
    call_command("create_api_token", "bench", stdout=output)
    token = output.getvalue().strip().splitlines()[-1]
    with connection.cursor() as cursor:
        articles = cart_articles(cursor)
        cursor.execute(
            "UPDATE inventory_stock SET value = 1000000 WHERE tenant_article_id <> %s",
            [HOT_ARTICLE],
        )
        # The run places thousands of orders: raise the demo's daily capacities so the capacity
        # fence (still evaluated on every checkout) does not turn the later modes into 400s.
        cursor.execute(
            "UPDATE inventory_facility SET daily_order_capacity = 1000000, version = version + 1 "
            "WHERE daily_order_capacity IS NOT NULL"
        )
        # The top-up left a dead version of every stock row; autovacuum would clear them within
        # a minute in production, the run should not measure that minute.
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return token, articles


def set_hot_stock(units):
    """Exactly `units` of the hot article in the network: all in one Dutch warehouse."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM inventory_reservation WHERE tenant_article_id = %s", [HOT_ARTICLE]
        )
        cursor.execute(
            "UPDATE inventory_stock SET value = 0 WHERE tenant_article_id = %s", [HOT_ARTICLE]
        )
        cursor.execute(
            """
            UPDATE inventory_stock SET value = %s WHERE tenant_article_id = %s AND facility_id =
                (SELECT id FROM inventory_facility WHERE tenant_facility_id = 'WH-NL-AMS')
            """,
            [units, HOT_ARTICLE],
        )
    connection.close()


def start_server(database, port, workers, threads, worker_class="gthread", app="config.wsgi"):
    """gunicorn serving `app` (the product, or bench/bare_stack.py's bare WSGI app) in the
    configuration of gunicorn.conf.py with the given workers, threads and worker class."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "BENCH_DATABASE": database,
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            app,
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            *(["--threads", str(threads)] if worker_class == "gthread" else []),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
        # 4xx answers are logged as warnings by Django; keep them out of the figures.
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "bench-gunicorn.log", "w"),  # noqa: SIM115 - lives with the server
    )
    deadline = time.time() + 30
    # The liveness probe: cheap (the schema, probed before, took over the 2 s timeout on a
    # loaded machine, and the server was reported as not starting).
    probe = "/healthz" if app == "config.wsgi" else "/"
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server  # answering (the bare app refuses a GET)
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def _cpu_seconds(counts):
    """User + system CPU seconds so far of the processes for which `counts(pid, name, parent)`
    is true (Linux /proc)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, rest = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        if counts(int(entry.name), name.split("(", 1)[1], int(fields[1])):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(server):
    """CPU seconds of the gunicorn master and its workers so far."""
    return _cpu_seconds(lambda pid, name, parent: server.pid in (pid, parent))


# The cluster's own helpers, whose work a run's writes cause (a standby's WAL sender and replay,
# which another user may run on the machine, are not the product's cost and not counted).
POSTGRES_HELPERS = ("checkpointer", "background writer", "walwriter", "autovacuum launcher")


def _postgres_processes(database):
    """{pid: (cluster, whether it works for `database`, CPU seconds so far)} of the PostgreSQL
    processes a run on `database` costs: that
    database's backends and autovacuum workers and its cluster's helpers; not the backends of
    other databases (other users' test suites on the same server)."""
    processes = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            if not command.startswith("postgres: "):
                continue
            # "postgres: 15/main: postgres doms_bench_promises 127.0.0.1(51234) idle"
            _, cluster, what = command.split(": ", 2)
            ours = f" {database} " in f" {what} " and not what.startswith("walsender")
            if not (ours or what.startswith(POSTGRES_HELPERS)):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        processes[int(entry.name)] = (cluster, ours, (int(fields[11]) + int(fields[12])) / ticks)
    return processes


class PostgresCpu:
    """CPU seconds PostgreSQL spent on `database` since this meter was created (backends that
    started meanwhile count from their start; the helpers of its cluster only)."""

    def __init__(self, database):
        self.database = database
        self.before = _postgres_processes(database)

    def seconds(self):
        after = _postgres_processes(self.database)
        ours = {cluster for cluster, for_database, _ in after.values() if for_database}
        total = 0.0
        for pid, (cluster, for_database, cpu) in after.items():
            if for_database or cluster in ours:
                total += cpu - self.before.get(pid, (cluster, for_database, 0.0))[2]
        return total


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def cart(articles, rng, hot=False):
    chosen = rng.sample(articles, 2 if hot else 3)
    if hot:
        chosen.insert(0, HOT_ARTICLE)
    return {
        "orderDate": "2026-11-22T08:45:50.525Z",
        "consumer": {
            "addresses": [
                {
                    "firstName": "Bench",
                    "lastName": "Client",
                    "street": "Rombout Hogerbeetsstraat",
                    "houseNumber": "96",
                    "postalCode": "1052 XM",
                    "city": "Amsterdam",
                    "country": "NL",
                }
            ]
        },
        "orderLineItems": [
            {"article": {"tenantArticleId": article, "title": article}, "quantity": 1}
            for article in chosen
        ],
        "deliveryPreferences": {"shipping": {"serviceLevel": "DELIVERY"}},
    }


class Client:
    """One keep-alive HTTP/1.1 connection posting JSON with the bearer token.

    The load generator shares the two cores with gunicorn and PostgreSQL, so it is kept lean:
    `requests` spent about 1.5 ms of CPU per call, plain `http.client` a fraction of that.
    """

    def __init__(self, url, token):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def post(self, body):
        """(status, response body) of one POST; reconnects once if the server closed."""
        data = json.dumps(body).encode()
        for attempt in (1, 2):
            try:
                self.connection.request("POST", self.path, data, self.headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.statuses = {}

    def add(self, status, latency):
        with self.lock:
            if latency is not None:
                self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def report(name, recorder, elapsed):
    created = recorder.statuses.get(201, 0)
    latencies = [latency * 1000 for latency in recorder.latencies]
    print(
        f"{name:<9} {len(latencies):6d} requests in {elapsed:5.1f} s  "
        f"{len(latencies) / elapsed:7.1f} req/s  {created / elapsed:7.1f} promises/s  "
        f"p50 {percentile(latencies, 0.5):6.1f} ms  p95 {percentile(latencies, 0.95):6.1f} ms  "
        f"p99 {percentile(latencies, 0.99):6.1f} ms  "
        f"statuses {dict(sorted(recorder.statuses.items(), key=str))}"
    )
    return created / elapsed, percentile(latencies, 0.99)


# A process that sleeps 5 ms at a time and reports how late it woke up: on a machine at half
# load it wakes within a few ms, so long delays mean the whole (virtual) machine stalled, which
# no server code can hide from latency figures.
_PROBE = """
import signal, sys, time
worst, late = 0.0, 0
signal.signal(signal.SIGTERM, lambda *_: (print(f"{worst * 1000:.0f} {late}"), sys.exit(0)))
while True:
    before = time.perf_counter()
    time.sleep(0.005)
    delay = time.perf_counter() - before - 0.005
    worst, late = max(worst, delay), late + (delay > 0.1)
"""


class StallProbe:
    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", _PROBE], stdout=subprocess.PIPE, text=True
        )
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        worst, late = self.process.communicate(timeout=10)[0].split()
        print(
            f"          machine stalls seen by an idle probe process: worst wake-up "
            f"{worst} ms late, {late} wake-ups more than 100 ms late"
        )


def post_in_closed_loop(
    url, token, clients, duration, make_body, *, expected, on_answer=None, seed=1
):
    """`clients` threads, each with its own keep-alive connection and random generator, POST
    `make_body(rng)` until `duration` seconds have passed; (recorder, elapsed). The first
    answers whose status is not in `expected` are printed; `on_answer(status, payload, rng)`
    sees every answer."""
    recorder = Recorder()
    stop_at = time.perf_counter() + duration
    failures = []

    def client(index):
        rng = random.Random(seed * 1000 + index)
        connection = Client(url, token)
        while time.perf_counter() < stop_at:
            body = make_body(rng)
            started = time.perf_counter()
            status, payload = connection.post(body)
            recorder.add(status, time.perf_counter() - started)
            if status not in expected and len(failures) < 3:
                failures.append((status, payload[:300]))
            if on_answer is not None:
                on_answer(status, payload, rng)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for failure in failures:
        print("unexpected", *failure)
    return recorder, time.perf_counter() - started


def closed_loop(url, token, articles, clients, duration, hot=False, seed=1):
    return post_in_closed_loop(
        url,
        token,
        clients,
        duration,
        lambda rng: cart(articles, rng, hot),
        expected=(201, 400),
        seed=seed,
    )


def paced(url, token, articles, rate, duration, pool=32):
    """Open loop: request k is due at k / rate seconds; latency counts from when it was due."""
    recorder = Recorder()
    total = int(rate * duration)
    next_index = iter(range(total))
    index_lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def client(worker):
        rng = random.Random(7000 + worker)
        connection = Client(url, token)
        while True:
            with index_lock:
                index = next(next_index, None)
            if index is None:
                return
            due = start + index / rate
            if time.perf_counter() > start + duration + 5:
                recorder.add("not sent (server saturated)", None)
                continue
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status, _ = connection.post(cart(articles, rng))
            recorder.add(status, time.perf_counter() - due)

    threads = [threading.Thread(target=client, args=(worker,)) for worker in range(pool)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder, time.perf_counter() - start


def ceiling(database, clients, duration):
    """Bare SQL: the reservation transaction of a 3-line cart, nothing else."""
    import psycopg

    dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
    with psycopg.connect(dsn) as connection:
        rows = connection.execute(
            "SELECT id, facility_id, tenant_article_id FROM inventory_stock "
            "WHERE tenant_article_id <> %s",
            [HOT_ARTICLE],
        ).fetchall()
    statements = reservation_statements()
    count = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def client(index):
        rng = random.Random(index)
        done = 0
        with psycopg.connect(dsn) as connection:
            while time.perf_counter() < stop_at:
                reserve(connection, statements, sorted(rng.sample(rows, 3)))
                done += 1
        with lock:
            count[0] += done

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    rate = count[0] / elapsed
    print(
        f"bare SQL  {count[0]:6d} bare reservation transactions in {elapsed:5.1f} s  "
        f"{rate:7.1f} tx/s"
    )
    return rate


def bare_stack_ceiling(args, token, articles):
    """The same clients and carts against bench/bare_stack.py in the same gunicorn
    configuration: requests/s, and the CPU per request of gunicorn and PostgreSQL."""
    server = start_server(
        args.database, args.port, args.workers, args.threads, args.worker_class, "bench.bare_stack"
    )
    url = f"http://127.0.0.1:{args.port}/api/promises/deliverypromise"
    try:
        closed_loop(url, token, articles, 4, 2)  # warm-up: connections
        cpu_before, postgres = server_cpu_seconds(server), PostgresCpu(args.database)
        recorder, elapsed = closed_loop(url, token, articles, args.clients, args.duration / 2)
        cpu = server_cpu_seconds(server) - cpu_before
        postgres_cpu = postgres.seconds()
    finally:
        stop_server(server)
    done = max(len(recorder.latencies), 1)
    rate = recorder.statuses.get(201, 0) / elapsed
    print(
        f"bare stack {done:5d} requests in {elapsed:5.1f} s  {rate:7.1f} req/s  "
        f"p50 {percentile([x * 1000 for x in recorder.latencies], 0.5):6.1f} ms  "
        f"CPU per request: gunicorn {cpu * 1000 / done:.1f} ms, "
        f"PostgreSQL {postgres_cpu * 1000 / done:.1f} ms  statuses {recorder.statuses}"
    )
    return rate


def phase_breakdown(articles, requests_count=40):
    """Wall time per promise in one process, one client, split by phase (what to optimise)."""
    import collections

    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    import promises.adapter
    import promises.placement
    import promises.services
    import promises.snapshot

    timings = collections.defaultdict(float)
    originals = []

    def measure(module, name, label):
        function = getattr(module, name)
        originals.append((module, name, function))

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timings[label] += time.perf_counter() - started

        setattr(module, name, timed)

    measure(promises.placement, "build_routing_request", "adapter: build_routing_request (total)")
    measure(promises.adapter, "load_facilities", "adapter:   load_facilities")
    measure(promises.snapshot, "_remaining_capacities", "adapter:   _remaining_capacities")
    measure(promises.placement, "solve", "routing.solve")
    measure(promises.services, "create_order", "orders.services.create_order")
    measure(promises.placement, "reserve_stock", "inventory.services.reservations.reserve_stock")
    measure(promises.services, "record_order_event", "events: record_order_event")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.get(user__username='bench').key}")
    rng = random.Random(99)
    for _ in range(5):
        client.post("/api/promises/deliverypromise", cart(articles, rng), format="json")
    timings.clear()
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(requests_count):
        client.post("/api/promises/deliverypromise", cart(articles, rng), format="json")
    total = (time.perf_counter() - started) / requests_count * 1000
    cpu = (time.process_time() - cpu_started) / requests_count * 1000
    for module, name, function in originals:
        setattr(module, name, function)
    print(f"in-process, one client: {total:.1f} ms per promise ({cpu:.1f} ms CPU in Python):")
    for label, seconds in sorted(timings.items()):
        print(f"  {seconds / requests_count * 1000:6.1f} ms  {label}")
    accounted = sum(v for k, v in timings.items() if not k.startswith("adapter:   "))
    print(
        f"  {total - accounted / requests_count * 1000:6.1f} ms  the rest (authentication, "
        "permissions, parsing and validation, configuration, commit, rendering)"
    )


def check_hot(units, created):
    from django.db import connection

    from inventory.models import Reservation
    from inventory.selectors.availability import availability

    levels = availability([HOT_ARTICLE])
    available = sum(level.available for level in levels.values())
    negative = [level for level in levels.values() if level.available < 0]
    reserved = sum(
        Reservation.objects.filter(tenant_article_id=HOT_ARTICLE).values_list("quantity", flat=True)
    )
    connection.close()
    ok = not negative and reserved == created <= units and available == units - reserved
    print(
        f"hot check: {units} units, {created} promises got one, {reserved} reserved, "
        f"availability {available}, negative facilities {len(negative)} -> "
        f"{'ZERO OVERSELL' if ok else 'OVERSOLD OR INCONSISTENT'}"
    )
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--hot-stock", type=int, default=40)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="doms_bench_promises")
    args = parser.parse_args()

    recreate_database(args.database)
    token, articles = prepare(args.database)
    print(
        f"demo network seeded; {len(articles)} articles in carts; "
        f"gunicorn {args.workers} {args.worker_class} workers"
        + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
        + f"; {args.clients} client threads; machine cores: {os.cpu_count()}"
    )
    server = start_server(args.database, args.port, args.workers, args.threads, args.worker_class)
    url = f"http://127.0.0.1:{args.port}/api/promises/deliverypromise"
    results = {}
    try:
        closed_loop(url, token, articles, 4, 3)  # warm-up: connections, imports, caches
        cpu_before = server_cpu_seconds(server)
        postgres, clients_before = PostgresCpu(args.database), time.process_time()
        recorder, elapsed = closed_loop(url, token, articles, args.clients, args.duration)
        cpu = server_cpu_seconds(server) - cpu_before
        postgres_cpu = postgres.seconds()
        clients_cpu = time.process_time() - clients_before
        results["throughput"], _ = report("normal", recorder, elapsed)
        requests_done = len(recorder.latencies)
        results["server_cpu_ms_per_promise"] = cpu * 1000 / max(requests_done, 1)
        results["machine_cpu_ms_per_promise"] = (
            (cpu + postgres_cpu + clients_cpu) * 1000 / max(requests_done, 1)
        )
        print(
            "CPU per promise: gunicorn {:.1f} ms, PostgreSQL {:.1f} ms, load clients {:.1f} ms; "
            "machine {:.1f} ms; machine busy {:.0%} of {} cores".format(
                results["server_cpu_ms_per_promise"],
                postgres_cpu * 1000 / max(requests_done, 1),
                clients_cpu * 1000 / max(requests_done, 1),
                results["machine_cpu_ms_per_promise"],
                (cpu + postgres_cpu + clients_cpu) / elapsed / os.cpu_count(),
                os.cpu_count(),
            )
        )
        print(
            f"server CPU (gunicorn workers) {results['server_cpu_ms_per_promise']:.1f} ms per "
            f"promise: {os.cpu_count()} cores saturated by gunicorn alone would give at most "
            f"{os.cpu_count() * 1000 / max(results['server_cpu_ms_per_promise'], 0.1):.0f} "
            "promises/s (PostgreSQL and the clients share the same cores)"
        )
        with StallProbe():
            recorder, elapsed = paced(url, token, articles, args.rate, args.duration)
            _, results["paced_p99"] = report(f"{args.rate:g}/s", recorder, elapsed)
        set_hot_stock(args.hot_stock)
        recorder, elapsed = closed_loop(
            url, token, articles, args.clients, args.duration / 2, hot=True
        )
        report("hot", recorder, elapsed)
        results["hot_ok"] = check_hot(args.hot_stock, recorder.statuses.get(201, 0))
    finally:
        stop_server(server)
    results["bare_stack"] = bare_stack_ceiling(args, token, articles)
    results["ceiling"] = ceiling(args.database, args.clients, args.duration / 2)
    phase_breakdown(articles)
    print(
        f"promises/s ÷ bare-stack ceiling = {results['throughput'] / results['bare_stack']:.1%}; "
        f"promises/s ÷ bare-SQL ceiling = {results['throughput'] / results['ceiling']:.1%}"
    )
    print(
        "targets: ≥250 promises/s {}; machine CPU ≤7 ms per promise {}; p99 ≤50 ms at {:g}/s {}; "
        "zero oversell {}".format(
            "MET" if results["throughput"] >= 250 else "NOT MET",
            "MET" if results["machine_cpu_ms_per_promise"] <= 7 else "NOT MET",
            args.rate,
            "MET" if results["paced_p99"] <= 50 else "NOT MET",
            "MET" if results["hot_ok"] else "NOT MET",
        )
    )
    print(
        json.dumps(
            {
                key: round(value, 1) if isinstance(value, float) else value
                for key, value in results.items()
            }
        )
    )


if __name__ == "__main__":
    main()
