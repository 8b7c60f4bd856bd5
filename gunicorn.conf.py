"""gunicorn's settings for DOMS (`gunicorn config.wsgi` reads this file from the working
directory; README, "Operations"). Every value can be changed from the environment.

- Workers are processes with threads (gthread): a request waiting on PostgreSQL or a webhook
  receiver holds a thread, not a process. Workers x threads = concurrent requests = database
  connections of this node (keep it below PostgreSQL's max_connections over all nodes).
- A worker that has served `max_requests` (give or take the jitter, so they do not all restart
  at once) is replaced: memory a long-lived process might gather is handed back.
- Graceful shutdown: on SIGTERM (an orchestrator stopping the node, a deploy) the workers stop
  accepting, finish the requests they have within `graceful_timeout`, then exit. Take the node
  out of the load balancer first (fail /readyz, or deregister it), then send SIGTERM.
- Request line and header limits refuse oversized requests before Django runs; the body is
  limited by API_MAX_BODY_BYTES (413 ApiError).
- Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR): the folder is emptied when gunicorn
  starts, and a worker that exits is reported to the client library. Each replaced worker leaves
  its files (its counts stay in the totals), which is why `max_requests` is high.
"""

import multiprocessing
import os
import shutil
from pathlib import Path


def _int(name, default):
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("WEB_CONCURRENCY", max(2, min(multiprocessing.cpu_count(), 8)))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
# A worker whose main loop is silent this long is stuck: it is killed and replaced. (With threads,
# one slow request does not silence it.)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
limit_request_line = _int("GUNICORN_LIMIT_REQUEST_LINE", 8190)
limit_request_fields = _int("GUNICORN_LIMIT_REQUEST_FIELDS", 100)
limit_request_field_size = _int("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", 8190)
# Heartbeat files in memory: a slow disk must not make the arbiter kill healthy workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Requests are logged by Django (config/request_log.py, one JSON line with LOG_FORMAT=json).
accesslog = None
errorlog = "-"
# The TLS proxy's X-Forwarded-* headers are trusted from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        # Files left by a previous run would be added to this one's figures.
        path = Path(directory)
        if path.exists():
            for child in path.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    # The offline geocoder's city index costs ~0.8 s to build: pay it before the first request.
    from config import geocoding

    geocoding.warm_up()
