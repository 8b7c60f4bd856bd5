"""Hostile-input soak: random malformed requests against gunicorn on PostgreSQL, zero 500s.

    .venv/bin/python bench/hostile_soak.py [--database doms_soak] [--duration 300]
        [--clients 4] [--seed 1] [--max-requests 200000] [--keep]

Recreates the named database (unless --keep), migrates it, runs `seed_demo`, creates an API
token, starts gunicorn on a free loopback port and sends, from `--clients` threads, mutations of
valid bodies of the write endpoints (wrong types at any level, NUL characters, huge numbers,
deep nesting, dates outside what can be rendered, unknown enum values and fields, removed
fields, bad JSON, invalid UTF-8, oversized bodies, hostile query strings) until `--duration`
seconds or `--max-requests` requests have passed. Prints the counts by status and every class
of 500 seen (endpoint and mutation, with one example), and exits 1 if there was any 500.
Traffic goes to 127.0.0.1 only.
"""

import argparse
import collections
import copy
import http.client
import io
import json
import random
import socket
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import recreate_database, setup_django  # noqa: E402
from bench.promise_load import start_server, stop_server  # noqa: E402

HOSTILE_VALUES = {
    "null": None,
    "true": True,
    "empty string": "",
    "NUL": "a\u0000b",
    "long string": "x" * 100_000,
    "huge integer": 10**30,
    "negative": -1,
    "huge float": 1e308,
    "empty list": [],
    "empty object": {},
    "list of NUL": ["\u0000"],
    "year 10000": "9999-12-31T23:59:59-14:00",
    "year 0": "0001-01-01T00:00:00+14:00",
    "bad date": "2024-02-30T25:00:00Z",
    "huge duration": "PT1e11H",
    "unknown enum": "NOT_A_KNOWN_VALUE",
    "SQL-looking": "'; DROP TABLE orders_order; --",
    "lone surrogate": "\ud800",
}


NESTING_MARK = "__nested__"


def order_body(articles):
    return {
        "orderDate": "2024-01-19T08:45:50.525Z",
        "consumer": {
            "email": "soak@example.com",
            "addresses": [
                {
                    "firstName": "Soak",
                    "lastName": "Test",
                    "street": "Damrak",
                    "houseNumber": "1",
                    "postalCode": "1012 LG",
                    "city": "Amsterdam",
                    "country": "NL",
                }
            ],
        },
        "orderLineItems": [
            {"article": {"tenantArticleId": article, "title": article}, "quantity": 1}
            for article in articles[:2]
        ],
        "deliveryPreferences": {"shipping": {"serviceLevel": "DELIVERY"}},
        "customAttributes": {"channel": "soak"},
    }


def templates(fixtures):
    """(method, path, valid body) of the write endpoints, built on the seeded data."""
    order, facility, stock, articles = (
        fixtures["order"],
        fixtures["facility"],
        fixtures["stock"],
        fixtures["articles"],
    )
    return [
        ("POST", "/api/orders", order_body(articles)),
        ("POST", "/api/promises/deliverypromise", order_body(articles)),
        ("POST", "/api/routing/sourcingoptions", order_body(articles)),
        ("POST", "/api/orders/search", {"query": {"status": {"eq": "OPEN"}}, "size": 5}),
        (
            "POST",
            "/api/orders/search",
            {"query": {"and": [{"tenantOrderId": {"eq": "x"}}]}, "sort": [{"orderDate": "ASC"}]},
        ),
        ("PATCH", f"/api/orders/{order['id']}", {"version": order["version"], "tags": []}),
        ("POST", f"/api/orders/{order['id']}/actions", {"name": "CANCEL", "version": 1}),
        ("PUT", "/api/configurations/promises", {"version": 1, "invalidAfterTime": "PT30M"}),
        (
            "POST",
            "/api/stocks",
            {"facility": {"facilityRef": facility["id"]}, "tenantArticleId": "SOAK", "value": 1},
        ),
        ("PUT", f"/api/stocks/{stock['id']}", {"version": stock["version"], "value": 5}),
        (
            "PUT",
            f"/api/facilities/{facility['id']}/listings",
            {"listings": [{"tenantArticleId": "SOAK", "title": "Soak", "tags": []}]},
        ),
        (
            "POST",
            "/api/facilities",
            {
                "name": "Soak store",
                "tenantFacilityId": "SOAK-1",
                "address": {
                    "street": "Damrak",
                    "houseNumber": "1",
                    "postalCode": "1012 LG",
                    "city": "Amsterdam",
                    "country": "NL",
                },
                "customAttributes": {"a": 1},
            },
        ),
        (
            "POST",
            "/api/subscriptions",
            {
                "name": "soak",
                "event": "ORDER_CREATED",
                "target": {"type": "WEBHOOK", "callbackUrl": "http://127.0.0.1:9/hook"},
            },
        ),
    ]


QUERY_PATHS = [
    "/api/stocks?facilityRef={}",
    "/api/stocks/summaries?tenantArticleIds={}",
    "/api/facilities?tenantFacilityId={}",
    "/api/reservations?tenantArticleId={}",
    "/api/orders?startAfterId={}",
    "/api/stocks?size={}",
]


def leaf_paths(value, path=()):
    """Every position in a JSON document (containers included), as key paths."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaf_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from leaf_paths(child, (*path, index))


def replaced(document, path, value):
    if not path:
        return value
    document = copy.deepcopy(document)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return document


def encode(document):
    # surrogatepass: a lone surrogate goes out as the (invalid) UTF-8 a sloppy client sends.
    return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")


def mutate(body, rng):
    """(mutation label, raw bytes) of a random malformed variant of `body`."""
    kind = rng.random()
    if kind < 0.55:
        path = rng.choice(list(leaf_paths(body)))
        label, value = rng.choice(list(HOSTILE_VALUES.items()))
        return f"{label} at {'.'.join(map(str, path)) or 'top'}", encode(
            replaced(body, path, value)
        )
    if kind < 0.65:
        depth = rng.choice([40, 300, 3000])
        path = rng.choice(list(leaf_paths(body)))
        # Spliced in as text: deeper than Python's own encoder goes.
        raw = encode(replaced(body, path, NESTING_MARK)).replace(
            json.dumps(NESTING_MARK).encode(), b'{"a":' * depth + b"{}" + b"}" * depth
        )
        return f"nesting {depth} at {'.'.join(map(str, path)) or 'top'}", raw
    if kind < 0.72:
        paths = [path for path in leaf_paths(body) if path]
        path = rng.choice(paths)
        document = copy.deepcopy(body)
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
        return f"removed {'.'.join(map(str, path))}", encode(document)
    if kind < 0.77:
        return "unknown field", encode({**body, "notAField": 1}) if isinstance(
            body, dict
        ) else b"{}"
    raw = encode(body)
    whole_body = [
        ("truncated JSON", raw[: max(1, len(raw) // 2)]),
        ("invalid UTF-8", raw.replace(b'"', b'"\xff', 1)),
        ("top-level array", encode([body])),
        ("top-level string", b'"x"'),
        ("empty body", b""),
        ("3 MB not JSON", b"x" * 3_000_000),
        ("NaN literal", raw.replace(b"1", b"NaN", 1)),
        ("duplicate keys", b'{"a":1,"a":2}'),
    ]
    return rng.choice(whole_body)


class Client:
    def __init__(self, port, token):
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.connection = None

    def send(self, method, path, body=None):
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=self.headers)
                response = self.connection.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt:
                    return "connection error"
        return "connection error"

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def fixtures_of(port, token):
    client = Client(port, token)
    articles = ["TSHIRT-W-2468", "JEANS-B-2605"]

    def get(path):
        client.connection = client.connection or http.client.HTTPConnection("127.0.0.1", port)
        client.connection.request("GET", path, headers=client.headers)
        response = client.connection.getresponse()
        return json.loads(response.read())

    client.connection = http.client.HTTPConnection("127.0.0.1", port)
    client.connection.request(
        "POST", "/api/orders", body=json.dumps(order_body(articles)), headers=client.headers
    )
    order = json.loads(client.connection.getresponse().read())
    facility = get("/api/facilities?size=1")["facilities"][0]
    stock = get("/api/stocks?size=1")["stocks"][0]
    client.close()
    return {"order": order, "facility": facility, "stock": stock, "articles": articles}


def soak(port, token, *, duration, clients, seed, max_requests):
    endpoints = templates(fixtures_of(port, token))
    counts = collections.Counter()
    failures = {}  # (method, path template, mutation class) -> example
    lock = threading.Lock()
    deadline = time.monotonic() + duration
    sent = [0]

    def run(index):
        rng = random.Random(seed * 1000 + index)
        client = Client(port, token)
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            if rng.random() < 0.1:
                template = rng.choice(QUERY_PATHS)
                value = rng.choice(["%00", "a%00b", "%ff", "-1", "101", "9" * 30, "%27--"])
                method, path, label, body = "GET", template.format(value), f"query {value}", None
            else:
                method, path, valid = rng.choice(endpoints)
                label, body = mutate(valid, rng)
            status = client.send(method, path, body)
            with lock:
                counts[status] += 1
                if status == 500 or status == "connection error":
                    mutation_class = label.split(" at ")[0]
                    key = (method, _template_of(path), mutation_class)
                    failures.setdefault(key, (label, (body or b"")[:200]))
        client.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts, failures, time.monotonic() - started


def _template_of(path):
    parts = urllib.parse.urlsplit(path)
    segments = ["{id}" if len(segment) == 36 else segment for segment in parts.path.split("/")]
    return "/".join(segments)


def prepare(database, keep):
    if not keep:
        recreate_database(database)
    setup_django(database)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if not keep:
        call_command("seed_demo", stdout=io.StringIO())
    output = io.StringIO()
    call_command("create_api_token", "soak", "--rotate", stdout=output)
    connection.close()
    return output.getvalue().strip().splitlines()[-1]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="doms_soak")
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="reuse the database as it is")
    args = parser.parse_args()

    token = prepare(args.database, args.keep)
    port = free_port()
    server = start_server(args.database, port, args.workers, threads=4)
    try:
        counts, failures, elapsed = soak(
            port,
            token,
            duration=args.duration,
            clients=args.clients,
            seed=args.seed,
            max_requests=args.max_requests,
        )
    finally:
        stop_server(server)

    total = sum(counts.values())
    print(
        f"{total} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s), database {args.database}"
    )
    for status, count in sorted(counts.items(), key=lambda item: str(item[0])):
        print(f"  {status}: {count}")
    if failures:
        print(f"{len(failures)} classes of 500 (or dropped connection):")
        for (method, path, mutation), (label, body) in sorted(failures.items()):
            print(f"  {method} {path} — {mutation} (e.g. {label}: {body[:80]!r})")
    fails = counts[500] + counts["connection error"]
    print("FAIL" if fails else "OK: no 500")
    raise SystemExit(1 if fails else 0)


if __name__ == "__main__":
    main()
