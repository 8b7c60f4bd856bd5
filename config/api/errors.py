"""Every 4xx/5xx under /api/ is an `ApiError`:
`[{"summary", "description", "version", "requestVersion"}]`."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.api.parsers import body_too_large
from config.errors import ServiceError

logger = logging.getLogger(__name__)

SUMMARIES = {
    status.HTTP_400_BAD_REQUEST: "Invalid input. See description for details.",
    status.HTTP_401_UNAUTHORIZED: "Your user is not allowed to operate against this API instance.",
    status.HTTP_403_FORBIDDEN: "Your user, although recognized, is not authorized to use this "
    "endpoint.",
    status.HTTP_404_NOT_FOUND: "Not found.",
    status.HTTP_405_METHOD_NOT_ALLOWED: "Method not allowed.",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "The request body is too large.",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "Unsupported media type: send application/json.",
    status.HTTP_500_INTERNAL_SERVER_ERROR: "Internal server error.",
}


def api_error(summary, description=None, **extra):
    item = {"summary": summary}
    if description:
        item["description"] = description
    item.update({k: v for k, v in extra.items() if v is not None})
    return [item]


def _flatten_validation(detail, path=""):
    """Turn DRF's nested error dict/list into `(field path, message)` pairs."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            child = f"{path}.{name}" if path and name else path or name
            yield from _flatten_validation(value, child)
    elif isinstance(detail, list):
        if all(isinstance(item, (str, exceptions.ErrorDetail)) for item in detail):
            for item in detail:
                yield path, str(item)
        else:
            for index, item in enumerate(detail):
                if item:
                    yield from _flatten_validation(item, f"{path}[{index}]")
    else:
        yield path, str(detail)


def validation_errors(detail):
    errors = []
    for field, message in _flatten_validation(detail):
        summary = f"{field}: {message}" if field else message
        errors.append({"summary": summary, "description": SUMMARIES[400]})
    return errors or api_error(SUMMARIES[400])


def api_exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        set_rollback()
        return Response(exc.as_api_error(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django refuses to read a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE.
        exc = body_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, exceptions.ValidationError):
            body = validation_errors(exc.detail)
        else:
            summary = SUMMARIES.get(exc.status_code) or str(exc.detail)
            description = str(exc.detail) if str(exc.detail) != summary else None
            body = api_error(summary, description)
        return Response(body, status=exc.status_code, headers=headers)

    set_rollback()
    logger.exception("Unhandled error in API view", exc_info=exc)
    return Response(api_error(SUMMARIES[500]), status=500)


def api_error_response(status_code, summary=None, description=None):
    return JsonResponse(
        api_error(summary or SUMMARIES.get(status_code, "Error"), description),
        status=status_code,
        safe=False,
    )
