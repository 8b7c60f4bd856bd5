"""Every request: its id, one log line (LOG_REQUESTS; on by default with LOG_FORMAT=json) and
its latency in the metrics.

The request id is the client's `X-Request-ID` when it is a plausible one (printable, no spaces,
at most 128 characters: it is written into log lines), else a new one; either way it is echoed
in the response's `X-Request-ID` and carried by every JSON log line written for the request.
The line has the method, the URL pattern (never the path or the query string, which can hold
what a client searched for), status, duration and the order id where the request has one. It
costs no database query.
"""

import logging
import re
import time
import uuid

from django.conf import settings

from config import metrics
from config.log_format import current_request_id

logger = logging.getLogger("doms.requests")

REQUEST_ID_HEADER = "X-Request-ID"
PLAUSIBLE_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")
ORDER_LOCATION = re.compile(r"/api/orders/([0-9a-fA-F-]{36})$")
# Probes and scrapes come every few seconds: counted in the metrics, not logged.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def request_id_from(header_value):
    if header_value and PLAUSIBLE_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def route_of(request):
    """The URL pattern that served the request ("api/orders/<str:orderId>"), a bounded set."""
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None else "unmatched"


def order_id_of(request, response):
    """The order the request was about: from its URL, or the one it created (`Location`)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and "orderId" in match.kwargs:
        return str(match.kwargs["orderId"])[:64]
    location = ORDER_LOCATION.search(response.get("Location", ""))
    return location.group(1) if location else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = current_request_id.set(request_id)
        try:
            started = time.perf_counter()
            response = self.get_response(request)
            duration = time.perf_counter() - started
            route = route_of(request)
            metrics.observe_request(route, request.method, response.status_code, duration)
            response[REQUEST_ID_HEADER] = request_id
            if settings.LOG_REQUESTS and request.path not in QUIET_PATHS:
                _log(request, response, route, duration)
            return response
        finally:
            current_request_id.reset(token)


def _log(request, response, route, duration):
    fields = {
        "request_id": current_request_id.get(),
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "duration_ms": round(duration * 1000, 2),
    }
    order_id = order_id_of(request, response)
    if order_id:
        fields["order_id"] = order_id
    logger.info(
        "%s %s %s %.1f ms",
        fields["method"],
        route,
        fields["status"],
        fields["duration_ms"],
        extra={"fields": fields},
    )
