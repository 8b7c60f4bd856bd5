"""Under gunicorn with two worker processes: readiness with no database, metrics and rate limits
that add up over both workers, the body limit."""

import json
import signal
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests

from tests.config.gunicorn_server import free_port, gunicorn, per_process_samples
from tests.config.scrape import TOKEN, moved, parse_scrape, sample
from tests.conftest import make_token_client
from tests.promises.helpers import example_promise, small_network

pytestmark = pytest.mark.slow

LIST_ROUTE = {"route": "api/orders", "method": "GET", "status": "200"}


def bearer(client):
    return {"Authorization": client._credentials["HTTP_AUTHORIZATION"]}


def burst(url, headers, count):
    """`count` requests at once, each on a connection of its own (so both workers get some)."""

    def one(_):
        return requests.get(url, headers={**headers, "Connection": "close"}, timeout=30)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, range(count)))


def test_readyz_is_503_naming_the_database_when_postgresql_does_not_answer():
    # A port nobody listens on stands for a stopped server (the shared one keeps running).
    stopped = f"postgres://postgres@127.0.0.1:{free_port()}/doms"
    with gunicorn(DATABASE_URL=stopped, READINESS_TIMEOUT="1") as server:
        base_url = server.url
        assert requests.get(f"{base_url}/healthz", timeout=5).json() == {"status": "ok"}
        started = time.monotonic()
        response = requests.get(f"{base_url}/readyz", timeout=10)
        assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "unavailable"
    assert "127.0.0.1" not in response.text and "postgres" not in response.text


@pytest.mark.django_db(transaction=True)
def test_metrics_add_up_over_both_workers_after_a_promise(tmp_path):
    small_network()
    shop = bearer(make_token_client("gunicorn-shop"))
    scrape_headers = {"Authorization": f"Bearer {TOKEN}"}
    with gunicorn(PROMETHEUS_MULTIPROC_DIR=str(tmp_path), METRICS_TOKEN=TOKEN) as server:
        base_url = server.url
        assert requests.get(f"{base_url}/metrics", timeout=10).status_code == 401
        before = parse_scrape(requests.get(f"{base_url}/metrics", headers=scrape_headers).text)

        # Bursts until both workers have served some: on a fast database one worker's threads
        # can take a whole burst.
        sent = 0
        for _ in range(10):
            assert all(r.status_code == 200 for r in burst(f"{base_url}/api/orders", shop, 40))
            sent += 40
            served = per_process_samples(
                tmp_path, "doms_http_request_duration_seconds_count", LIST_ROUTE
            )
            if len(served) == 2:
                break
        promise = requests.post(
            f"{base_url}/api/promises/deliverypromise", json=example_promise(), headers=shop
        )
        assert promise.status_code == 201, promise.text
        too_large = requests.post(
            f"{base_url}/api/orders",
            data=b" " * (2 * 1024 * 1024),
            # Refused before it is read: the rest of the body must not be taken for a request.
            headers={**shop, "Content-Type": "application/json", "Connection": "close"},
        )
        after = parse_scrape(requests.get(f"{base_url}/metrics", headers=scrape_headers).text)
        per_worker = per_process_samples(
            tmp_path, "doms_http_request_duration_seconds_count", LIST_ROUTE
        )

    def moved_by(name, **labels):
        return moved(before, after, name, **labels)

    # Both workers served some of the requests, and the scrape counts all of them.
    assert len(per_worker) == 2 and all(count > 0 for count in per_worker.values()), per_worker
    assert moved_by("doms_http_request_duration_seconds_count", **LIST_ROUTE) == sent
    assert moved_by("doms_promises_created_total") == 1
    assert moved_by("doms_routing_solve_seconds_count", operation="promise", level="0.0") == 1
    assert sample(after, "doms_reservations_active") == 3
    # The body limit answers as an ApiError under gunicorn too.
    assert too_large.status_code == 413
    assert too_large.json()[0]["summary"] == "The request body is too large."


@pytest.mark.django_db(transaction=True)
def test_a_burst_over_the_limit_is_429_on_both_workers_then_served_after_the_wait(tmp_path):
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 for the shared counter (.ci/run starts one)")
    shop = bearer(make_token_client("burst-shop"))
    window = 4
    with gunicorn(
        REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_KEY_PREFIX=f"doms-test-{uuid.uuid4().hex}",
        API_RATE_LIMIT_READS=f"5/{window}s",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    ) as server:
        base_url = server.url
        # Start at the beginning of a window, so the whole burst falls into one.
        time.sleep(window - time.time() % window + 0.05)
        responses = burst(f"{base_url}/api/orders", shop, 12)
        per_worker = per_process_samples(
            tmp_path, "doms_http_request_duration_seconds_count", {"route": "api/orders"}
        )
        refused = [response for response in responses if response.status_code == 429]
        retry_after = int(refused[0].headers["Retry-After"]) if refused else 0
        time.sleep(retry_after)
        after_the_wait = requests.get(f"{base_url}/api/orders", headers=shop, timeout=10)

    # One count for both workers: 5 in the window, whichever process served them.
    assert sorted(response.status_code for response in responses) == [200] * 5 + [429] * 7
    assert len(per_worker) == 2, "both workers served part of the burst"
    assert refused[0].json()[0]["summary"].startswith("Too many requests")
    assert 1 <= retry_after <= window
    assert after_the_wait.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_request_in_flight_when_sigterm_arrives_still_gets_its_answer():
    shop = bearer(make_token_client("shutdown-shop"))
    body = json.dumps({"query": {}, "size": 5}).encode()
    with gunicorn(GUNICORN_GRACEFUL_TIMEOUT="20") as server:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=20) as connection:
            head = (
                "POST /api/orders/search HTTP/1.1\r\n"
                f"Host: {host}\r\nAuthorization: {shop['Authorization']}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n"
            )
            connection.sendall(head.encode() + body[:5])
            time.sleep(0.5)  # the worker has started reading the request
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            connection.sendall(body[5:])
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        server.process.wait(timeout=30)
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK"), answer[:300]
    assert json.loads(payload)["orders"] == []
    assert server.process.returncode == 0
