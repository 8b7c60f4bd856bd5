"""A real gunicorn (gunicorn.conf.py, two workers) on 127.0.0.1 for the tests that need
several worker processes, on the test database of the running suite."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from django.db import connection
from prometheus_client import multiprocess
from prometheus_client.registry import CollectorRegistry

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_url():
    """The suite's test database as a DATABASE_URL (the workers see what the test commits)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@dataclass
class Server:
    url: str
    process: subprocess.Popen


@contextlib.contextmanager
def gunicorn(**environment):
    """Yields the `Server` (base URL, master process) of a gunicorn with two workers and
    `environment` added to its environment; stops it (SIGTERM, as an orchestrator would)
    afterwards."""
    port = free_port()
    env = {
        **{name: value for name, value in os.environ.items() if name != "DATABASE_REPLICA_URL"},
        "DATABASE_URL": test_database_url(),
        "CONN_MAX_AGE": "0",  # no connection left open on the test database afterwards
        "DEBUG": "false",
        "SECRET_KEY": "gunicorn-test-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
        **environment,
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(process, base_url, log)
            yield Server(base_url, process)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_serving(process, base_url, log, timeout=60.0):
    """Until gunicorn answers (each worker then boots Django on its own)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise AssertionError(f"gunicorn exited: {log.read().decode(errors='replace')}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start serving in time")


def per_process_samples(directory, sample_name, labels):
    """{pid: value}: the samples with these labels (and any others), added up per process as
    each process wrote them to the multiprocess folder."""
    values = {}
    for path in Path(directory).glob("*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        with tempfile.TemporaryDirectory() as alone:
            shutil.copy(path, alone)
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=alone)
            for family in registry.collect():
                for sample in family.samples:
                    if sample.name == sample_name and labels.items() <= sample.labels.items():
                        values[pid] = values.get(pid, 0) + sample.value
    return values
