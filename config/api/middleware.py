import logging
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig

from config.api.errors import api_error_response

logger = logging.getLogger(__name__)


class ApiErrorMiddleware:
    """Errors raised outside DRF's handler (URL resolution, middleware) still answer as ApiError
    on /api/ paths, whatever DEBUG says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exception, RequestDataTooBig):
            return api_error_response(413, description=str(exception))
        logger.exception("Unhandled error on %s", request.path, exc_info=exception)
        return api_error_response(500)


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
