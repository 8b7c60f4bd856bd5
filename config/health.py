"""Probes for a load balancer or an orchestrator. No authentication; the bodies name checks and
their outcome, never a host, a credential or a version.

- GET /healthz: the process serves requests. No I/O: restart the process when it fails.
- GET /readyz: this node can do its work: the database answers within READINESS_TIMEOUT
  seconds, every migration this code knows is applied, and the broker answers when REDIS_URL is
  set. 503 naming what failed: take the node out of rotation until it passes. A read replica is
  reported but never fails readiness (its reads fall back to the primary).
"""

import copy
import logging
import math

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from config import db_router

logger = logging.getLogger(__name__)

OK = "ok"
NOT_CHECKED = "not checked"
# Once this process has seen every migration applied, they stay applied: a probe then costs one
# connection and one query, not a walk of the migration files.
_migrations_applied = False


@require_GET
def healthz(request):
    return JsonResponse({"status": OK})


@require_GET
def readyz(request):
    checks = {"database": OK, "migrations": OK}
    try:
        _check_database(DEFAULT_DB_ALIAS, checks)
    except Exception as error:  # any failure makes the node unready
        logger.warning("Readiness: database check failed: %s", error)
        checks["database"] = "unavailable"
        checks["migrations"] = NOT_CHECKED
    if settings.REDIS_URL:
        checks["broker"] = _broker_check()
    failed = [name for name, outcome in checks.items() if outcome not in (OK, NOT_CHECKED)]
    if db_router.replica_configured():
        checks["replica"] = _replica_check()
    body = {"status": "unavailable" if failed else OK, "checks": checks}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)


def _probe_connection(alias):
    """A connection of its own with short timeouts (a hung server must not hang the probe), on
    a copy of the alias's settings; the request's own connection is left alone."""
    settings_dict = copy.deepcopy(connections[alias].settings_dict)
    timeout = settings.READINESS_TIMEOUT
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        options = settings_dict.setdefault("OPTIONS", {})
        options["connect_timeout"] = max(2, math.ceil(timeout))  # libpq's minimum is 2 s
        options["options"] = " ".join(
            filter(None, [options.get("options"), f"-c statement_timeout={int(timeout * 1000)}"])
        )
    else:
        settings_dict.setdefault("OPTIONS", {})["timeout"] = timeout
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)


def _replica_check():
    connection = _probe_connection(db_router.REPLICA_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        logger.warning("Readiness: read replica check failed: %s", error)
        return "unavailable (its reads go to the primary)"
    finally:
        connection.close()
    return OK


def _check_database(alias, checks):
    global _migrations_applied
    connection = _probe_connection(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrations_applied:
            executor = MigrationExecutor(connection)
            unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if unapplied:
                checks["migrations"] = f"{len(unapplied)} not applied"
            else:
                _migrations_applied = True
    finally:
        connection.close()


def _broker_check():
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.READINESS_TIMEOUT,
        socket_timeout=settings.READINESS_TIMEOUT,
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        logger.warning("Readiness: broker check failed: %s", error)
        return "unavailable"
    finally:
        client.close()
    return OK
