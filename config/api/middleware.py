import logging

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
        logger.exception("Unhandled error on %s", request.path, exc_info=exception)
        return api_error_response(500)
