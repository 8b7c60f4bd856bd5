"""Where a delivery promise spends its CPU: one sequential client against one gunicorn worker,
sampled with py-spy.

    .venv/bin/python bench/promise_profile.py [--requests 2000] [--reuse]

The same database and carts as bench/promise_load.py (`--reuse` keeps the database of a
previous run instead of recreating and seeding it). gunicorn runs one gthread worker with one
thread, so every sample belongs to the request being served. Prints the CPU per promise of the
worker and of PostgreSQL, wall time per promise, the share of the worker's samples per layer of
the request path (inclusive: a layer includes what it calls) and the frames with the most
samples of their own. py-spy (`pip install py-spy`) samples without pausing the worker
(`--nonblocking`), and only the thread holding the GIL (`--gil`: running Python, not waiting on
PostgreSQL or the socket).
"""

import argparse
import collections
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import recreate_database  # noqa: E402
from bench.promise_load import (  # noqa: E402
    Client,
    PostgresCpu,
    cart,
    cart_articles,
    prepare,
    server_cpu_seconds,
    start_server,
    stop_server,
)

# (label, function, part of its file's path): inclusive, a sample counts for every layer whose
# frame is on its stack.
LAYERS = [
    ("whole WSGI request (gunicorn's handle_request)", "handle_request", "gunicorn/workers"),
    ("  Django WSGI handler", "__call__", "django/core/handlers/wsgi.py"),
    ("  Django middleware chain and handler", "get_response", "django/core/handlers/base.py"),
    ("    DRF dispatch (auth, permissions, throttles)", "dispatch", "rest_framework/views.py"),
    ("      authentication", "perform_authentication", "rest_framework/views.py"),
    ("      permissions", "check_permissions", "rest_framework/views.py"),
    ("      throttles", "check_throttles", "rest_framework/views.py"),
    ("      request body parsing", "_parse", "rest_framework/request.py"),
    ("      idempotency wrapper", "wrapper", "config/api/idempotency.py"),
    ("      body validation (struct, or serializer)", "decoded", "config/api/validation.py"),
    ("        DRF serializer", "validated_data", "config/api/validation.py"),
    ("      create_delivery_promise", "create_delivery_promise", "promises/services.py"),
    ("        checkout_snapshot", "checkout_snapshot", "promises/snapshot.py"),
    ("        placement.route", "route", "promises/placement.py"),
    ("          build_routing_request", "build_routing_request", "promises/adapter.py"),
    ("            availability_and_backorders", "availability_and_backorders", "availability"),
    ("            load_facilities (capacity)", "load_facilities", "promises/snapshot.py"),
    ("          routing.solve", "solve", "routing/engine.py"),
    ("        rendered_routing_decision", "rendered_routing_decision", "placement.py"),
    ("        create_order", "create_order", "orders/services.py"),
    ("          record_update (history)", "record_update", "orders/history.py"),
    ("        record_order_event", "record_order_event", "events/services.py"),
    ("        reserve_decision", "reserve_decision", "promises/placement.py"),
    ("          reserve_stock", "reserve_stock", "reservations.py"),
    ("          count_facility_orders", "count_facility_orders", "capacity.py"),
    ("        COMMIT", "__exit__", "django/db/transaction.py"),
    ("      response rendering", "delivery_promise_response", "promises/"),
    ("      DRF finalize_response / render", "rendered_content", "rest_framework/response.py"),
    ("    request log and metrics", "__call__", "config/request_log.py"),
    ("    replica router middleware", "__call__", "config/db_router.py"),
    ("  database driver (psycopg execute/fetch)", "execute", "psycopg/cursor.py"),
    ("  gunicorn HTTP parsing", "parse", "gunicorn/http/message.py"),
]


def worker_pid(server):
    """The one worker's pid (the master's only child)."""
    deadline = time.time() + 10
    while time.time() < deadline:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise SystemExit("no gunicorn worker")


def user_and_system_seconds(pid):
    """(user, system) CPU seconds so far of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def parse_collapsed(path):
    """[(frames from the bottom, samples)] of py-spy's raw (collapsed) output."""
    stacks = []
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            stacks.append((stack.split(";"), int(count)))
    return stacks


def frame_matches(frame, function, file_part):
    # py-spy frames: "function (path/file.py:line)"
    name, _, location = frame.partition(" (")
    return (name == function or name.endswith("." + function)) and file_part in location


def layer_shares(stacks):
    total = sum(count for _, count in stacks)
    shares = []
    for label, function, file_part in LAYERS:
        samples = sum(
            count
            for frames, count in stacks
            if any(frame_matches(frame, function, file_part) for frame in frames)
        )
        shares.append((label, samples / total if total else 0.0))
    return total, shares


def top_frames(stacks, count=25):
    own = collections.Counter()
    for frames, samples in stacks:
        name, _, location = frames[-1].partition(" (")
        own[f"{name} ({'/'.join(location.rstrip(')').split('/')[-2:])})"] += samples
    total = sum(own.values())
    return [(frame, samples / total) for frame, samples in own.most_common(count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warm-up", type=int, default=300)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database", default="doms_bench_promises")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    parser.add_argument("--output", default=str(ROOT / "var" / "promise-profile.txt"))
    parser.add_argument("--no-py-spy", action="store_true", help="only the CPU figures")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    args = parser.parse_args()

    if args.reuse:
        from bench.common import setup_django

        setup_django(args.database)
        from django.db import connection
        from rest_framework.authtoken.models import Token

        token = Token.objects.get(user__username="bench").key
        with connection.cursor() as cursor:
            articles = cart_articles(cursor)
        connection.close()
    else:
        recreate_database(args.database)
        token, articles = prepare(args.database)
    server = start_server(args.database, args.port, 1, 1, args.worker_class)
    url = f"http://127.0.0.1:{args.port}/api/promises/deliverypromise"
    spy = None
    try:
        client = Client(url, token)
        rng = random.Random(5)
        for _ in range(args.warm_up):
            status, body = client.post(cart(articles, rng))
            assert status == 201, (status, body[:300])
        pid = worker_pid(server)
        if not args.no_py_spy:
            spy_binary = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
            spy = subprocess.Popen(
                [
                    spy_binary,
                    "record",
                    "--pid",
                    str(pid),
                    "--rate",
                    str(args.rate),
                    "--format",
                    "raw",
                    "--nonblocking",
                    # Only the thread holding the GIL: CPU in Python, not waits on the socket.
                    "--gil",
                    "--output",
                    args.output,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1)
        bodies = [cart(articles, rng) for _ in range(args.requests)]
        cpu_before, postgres_meter = server_cpu_seconds(server), PostgresCpu(args.database)
        split_before = user_and_system_seconds(pid)
        started = time.perf_counter()
        for body in bodies:
            status, payload = client.post(body)
            assert status == 201, (status, payload[:300])
        wall = time.perf_counter() - started
        user, system = user_and_system_seconds(pid)
        split = (user - split_before[0], system - split_before[1])
        cpu = server_cpu_seconds(server) - cpu_before
        postgres = postgres_meter.seconds()
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=30)
        stop_server(server)
    per = 1000 / args.requests
    print(
        f"{args.requests} promises, one sequential client, load average before/after: "
        f"{os.getloadavg()[0]:.2f}"
    )
    print(
        f"per promise: wall {wall * per:.2f} ms, gunicorn worker CPU {cpu * per:.2f} ms, "
        f"(worker: user {split[0] * per:.2f}, system {split[1] * per:.2f}), "
        f"PostgreSQL CPU {postgres * per:.2f} ms (py-spy sampling {'on' if spy else 'off'})"
    )
    if spy is None:
        return
    stacks = parse_collapsed(args.output)
    total, shares = layer_shares(stacks)
    worker_ms = cpu * per
    print(f"\n{total} samples; share of the worker's samples (≈ ms of its CPU per promise):")
    for label, share in shares:
        if share:
            print(f"  {share:6.1%}  {share * worker_ms:5.2f} ms  {label}")
    print("\nframes with the most samples of their own:")
    for frame, share in top_frames(stacks):
        print(f"  {share:6.1%}  {frame}")


if __name__ == "__main__":
    main()
