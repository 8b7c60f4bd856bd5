"""Per-token request limits by endpoint group (DRF throttling), counted in a cache every web
process shares: Redis when REDIS_URL is set, this process's memory otherwise.

Groups: `checkout` (POST /api/promises/deliverypromise), `reads` (GET, HEAD, OPTIONS and the
read-only POSTs: the searches, carrier prioritisation, sourcing options, checkout options) and
`writes` (everything else). Each group's rate is a setting (API_RATE_LIMIT_CHECKOUT / _READS /
_WRITES), e.g. "600/min" or "20/10s"; empty (the default) means no limit. A request over the
limit is a 429 ApiError with Retry-After (config/api/errors.py renders DRF's Throttled).

Windows are fixed and aligned on the clock (`rate` requests per window), counted with the
cache's atomic increment, so two workers never both take the last request of a window. A cache
that does not answer lets requests through: the limit protects the service, it must not be
the reason it fails.
"""

import functools
import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle

from config.db_router import CHECKOUT_OPTIONS_ROUTES

logger = logging.getLogger(__name__)

CACHE_ALIAS = "rate_limits"
CHECKOUT_ROUTES = frozenset({"api/promises/deliverypromise"})
# POSTs that only read (a body too rich for a query string): counted as reads.
READ_ONLY_POSTS = frozenset(
    {
        "api/orders/search",
        "api/stocks/search",
        "api/reservations/search",
        "api/listings/search",
        "api/facilities/<str:facilityId>/carriers/prioritization",
        "api/routing/sourcingoptions",
        *CHECKOUT_OPTIONS_ROUTES,
    }
)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RATE_SETTINGS = {
    "checkout": "API_RATE_LIMIT_CHECKOUT",
    "reads": "API_RATE_LIMIT_READS",
    "writes": "API_RATE_LIMIT_WRITES",
}
_RATE = re.compile(r"(\d+)/(\d*)(s|m|h|d)[a-z]*")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


@functools.cache
def parse_rate(text):
    """ "600/min" → Rate(600, 60); "20/10s" → Rate(20, 10); "" → None (no limit)."""
    if not text:
        return None
    match = _RATE.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"Not a rate: {text!r} (examples: 600/min, 20/10s, 10000/day).")
    count, multiple, unit = match.groups()
    return Rate(int(count), int(multiple or 1) * _UNIT_SECONDS[unit])


def endpoint_group(request):
    match = request.resolver_match
    route = match.route if match is not None else ""
    if route in CHECKOUT_ROUTES:
        return "checkout"
    if request.method in READ_METHODS or (request.method == "POST" and route in READ_ONLY_POSTS):
        return "reads"
    return "writes"


class TokenRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        self.retry_after = None
        if request.auth is None:
            return True  # not authenticated: refused before any limit matters
        group = endpoint_group(request)
        rate = parse_rate(getattr(settings, RATE_SETTINGS[group]))
        if rate is None:
            return True
        now = time.time()
        window = int(now // rate.seconds)
        token = hashlib.sha256(request.auth.key.encode()).hexdigest()[:32]
        key = f"throttle:{group}:{token}:{rate.seconds}:{window}"
        try:
            count = _increment(caches[CACHE_ALIAS], key, timeout=2 * rate.seconds + 1)
        except Exception as error:  # an unreachable cache must not take the API down with it
            logger.warning("Rate limits not applied, the cache did not answer: %s", error)
            return True
        if count <= rate.requests:
            return True
        self.retry_after = max(1, math.ceil((window + 1) * rate.seconds - now))
        return False

    def wait(self):
        return self.retry_after


def _increment(cache, key, *, timeout):
    """The window's count after this request, atomically across processes."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request (here or in another process)
        if cache.add(key, 1, timeout):
            return 1
        return cache.incr(key)


def check_rate_settings():
    """Called at start-up (config.apps): a mistyped rate stops the process, not each request."""
    for name in RATE_SETTINGS.values():
        try:
            parse_rate(getattr(settings, name))
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}: {error}") from None
