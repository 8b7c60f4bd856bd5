import logging
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.db import connections

from config.api.errors import (
    api_error_response,
    is_transient_database_error,
    mark_transient,
    transient_error_body,
    unreadable_body,
)
from config.unreadable import UnreadableValueError

logger = logging.getLogger(__name__)


class ApiErrorMiddleware:
    """Errors raised outside DRF's handler (URL resolution, middleware) still answer as ApiError
    on /api/ paths, whatever DEBUG says. A request cut short by a transient database error is
    run once more before the client hears 503 (see `_may_retry`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        replayable = _keep_body(request)
        response = self.get_response(request)
        if replayable and _may_retry(response):
            logger.warning("Retrying %s after a transient database error", request.path)
            response = self.get_response(request)
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if is_transient_database_error(exception):
            logger.warning("Transient database error on %s: %s", request.path, exception)
            return mark_transient(api_error_response(503, body=transient_error_body(exception)))
        if isinstance(exception, UnreadableValueError):
            logger.error("Unrenderable stored data on %s", request.path, exc_info=exception)
            return api_error_response(500, body=unreadable_body(exception))
        if isinstance(exception, RequestDataTooBig):
            return api_error_response(413, description=str(exception))
        logger.exception("Unhandled error on %s", request.path, exc_info=exception)
        return api_error_response(500)


def _keep_body(request):
    """Read the body into memory now, so a second run of the view can parse it again (the
    parser would otherwise consume the stream). False when it is too large to keep."""
    try:
        request.body  # noqa: B018 - cached on the request
    except RequestDataTooBig:
        return False
    return True


def _may_retry(response):
    """Safe to run the request again: its failure was transient, nothing has been sent, and no
    transaction is left open (the failed one was rolled back; inside a test's or an outer
    transaction a retry is not ours to make). Broken connections are dropped first, so the
    second run reconnects."""
    if not getattr(response, "transient_database_error", False):
        return False
    if any(connection.in_atomic_block for connection in connections.all(initialized_only=True)):
        return False
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()
    return True


class RejectNulCharactersMiddleware:
    """A NUL character in an /api/ path or query string is a 400 before any view sees it:
    no column can store one, and every lookup with it would fail in the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and (
            "\x00" in request.path
            or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", ""))
        ):
            return api_error_response(
                400, description="NUL characters (\\u0000) are not allowed in the URL."
            )
        return self.get_response(request)
