"""Reads that tolerate slightly stale data go to the read replica (`DATABASE_REPLICA_URL`);
everything else goes to the primary.

Only the requests listed in `STALE_TOLERANT_READS` (and the admin's change lists) may read from
the replica, and only until they write: a request that has written, or that runs inside a
transaction on the primary, reads its own writes from the primary. Checkout, confirm, extend,
the expiry sweep, stock writes and every locking read are never listed, so they never see the
replica. Accounts, tokens, sessions and idempotency keys are always read from the primary: a
token created a moment ago must work on the next request.

ORM queries follow `ReplicaRouter`; hand-written SQL that a stale-tolerant request runs takes
its connection from `read_connection` (the same decision). Without a replica both are the
primary, and the router is not even installed.
"""

import contextlib
import contextvars
import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA_ALIAS = "replica"

# The checkout options the product page and the cart ask for: estimates, nothing reserved.
CHECKOUT_OPTIONS_ROUTES = (
    "api/promises/checkoutoptions",
    "api/promises/checkoutoptions/delivery/earliest",
    "api/promises/checkoutoptions/delivery/timeperiod",
    "api/promises/checkoutoptions/delivery/timepoint",
    "api/promises/checkoutoptions/collect/earliest",
)
# (method, URL pattern) of the API reads that may be served from slightly stale data.
STALE_TOLERANT_READS = frozenset(
    {
        ("GET", "api/orders"),
        ("POST", "api/orders/search"),
        ("POST", "api/routing/sourcingoptions"),
        ("GET", "api/stocks/summaries"),
        *(("POST", route) for route in CHECKOUT_OPTIONS_ROUTES),
    }
)
# Apps read from the primary whatever the request: authentication, permissions and the API's
# bookkeeping (idempotency keys) must see the latest writes.
PRIMARY_ONLY_APPS = frozenset({"auth", "authtoken", "contenttypes", "sessions", "config"})


class _RequestReads:
    """A stale-tolerant request's state. Installed as an execute wrapper on the primary's
    connection for the request: any statement there other than a SELECT (an ORM or a raw write,
    a lock) sends the rest of the request's reads to the primary."""

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        if not self.wrote and sql.lstrip()[:6].upper() != "SELECT":
            self.wrote = True
        return execute(sql, params, many, context)


# Set for the duration of a stale-tolerant request; None otherwise (the primary).
_stale_reads = contextvars.ContextVar("stale_reads", default=None)
# Monotonic time before which the replica is not tried again after failing to connect.
_replica_down_until = 0.0


def replica_configured():
    return REPLICA_ALIAS in settings.DATABASES


def read_alias():
    """The database a read of the current request goes to."""
    reads = _stale_reads.get()
    if reads is None or reads.wrote:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        # Its transaction may hold writes the replica cannot see (raw SQL tells no router).
        return DEFAULT_DB_ALIAS
    return REPLICA_ALIAS


class _ReadConnection:
    """`django.db.connection` for hand-written reads: the connection `read_alias` names."""

    def __getattr__(self, name):
        return getattr(connections[read_alias()], name)


read_connection = _ReadConnection()


class ReplicaRouter:
    """Installed (settings.DATABASE_ROUTERS) only when a replica is configured."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def is_stale_tolerant(request):
    match = request.resolver_match
    if match is None:
        return False
    method = "GET" if request.method == "HEAD" else request.method
    if (method, match.route) in STALE_TOLERANT_READS:
        return True
    # The back office's lists (a POST on a change list runs an action: that writes).
    return (
        method == "GET"
        and match.namespace == "admin"
        and bool(match.url_name)
        and match.url_name.endswith("_changelist")
    )


def _replica_reachable():
    """Connect to the replica if not yet connected. A replica that cannot be reached is left
    alone for REPLICA_RETRY_SECONDS: its reads go to the primary meanwhile."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    try:
        connections[REPLICA_ALIAS].ensure_connection()
    except DatabaseError as error:
        _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        logger.warning("Read replica unreachable, reading from the primary: %s", error)
        return False
    return True


def _allow_stale_reads():
    reads = _RequestReads()
    connections[DEFAULT_DB_ALIAS].execute_wrappers.append(reads)
    _stale_reads.set(reads)


def _end_stale_reads(token):
    reads = _stale_reads.get()
    if reads is not None:
        connections[DEFAULT_DB_ALIAS].execute_wrappers.remove(reads)
    _stale_reads.reset(token)


class ReplicaReadsMiddleware:
    """Marks the stale-tolerant requests (see `is_stale_tolerant`) for the router."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = replica_configured()

    def __call__(self, request):
        token = _stale_reads.set(None)
        try:
            return self.get_response(request)
        finally:
            _end_stale_reads(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            self.enabled
            and is_stale_tolerant(request)
            # Already in a transaction (ATOMIC_REQUESTS, a test's): its reads stay on the primary.
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and _replica_reachable()
        ):
            _allow_stale_reads()


@contextlib.contextmanager
def stale_reads_allowed():
    """Read as a stale-tolerant request does (benchmarks, and code outside a request that may
    read from the replica). Without a replica: the primary."""
    token = _stale_reads.set(None)
    if replica_configured():
        _allow_stale_reads()
    try:
        yield
    finally:
        _end_stale_reads(token)
