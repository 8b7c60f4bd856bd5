"""Every 4xx/5xx under /api/ is an `ApiError`:
`[{"summary", "description", "version", "requestVersion"}]`."""

import logging
import sqlite3

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.api.parsers import body_too_large
from config.errors import ServiceError
from config.unreadable import UnreadableValueError

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
    status.HTTP_429_TOO_MANY_REQUESTS: "Too many requests for this token: retry after the "
    "Retry-After delay.",
    status.HTTP_500_INTERNAL_SERVER_ERROR: "Internal server error.",
    status.HTTP_503_SERVICE_UNAVAILABLE: "The database is briefly unavailable: retry the request.",
}
UNREADABLE_SUMMARY = "Stored data of this entity cannot be rendered."
# Seconds a client is asked to wait after a transient database error (a restart takes ~2 s).
RETRY_AFTER_SECONDS = 1

# SQLSTATEs (or their two-character classes) that say "try again", not "this request is wrong":
# connection exceptions, serialization failure and deadlock, server shutting down or starting,
# too many connections, lock timeout.
TRANSIENT_SQLSTATES = ("08", "40", "57P01", "57P02", "57P03", "53300", "55P03")
SQLITE_TRANSIENT_MESSAGES = ("database is locked", "database table is locked")


def _causes(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_transient_database_error(exc):
    """Connection lost, server restarting, serialization failure, deadlock (psycopg's errors,
    or Django's wrappers of them): the same request would likely succeed in a moment."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite-only installation
        psycopg = None
    for error in _causes(exc):
        if isinstance(error, InterfaceError) or (
            psycopg is not None and isinstance(error, psycopg.InterfaceError)
        ):
            return True  # "the connection is closed": it was lost earlier
        if psycopg is not None and isinstance(error, psycopg.OperationalError):
            sqlstate = error.sqlstate
            # No SQLSTATE: the client lost the connection (server gone, network cut).
            return sqlstate is None or sqlstate.startswith(TRANSIENT_SQLSTATES)
        if isinstance(error, sqlite3.OperationalError):
            return str(error).startswith(SQLITE_TRANSIENT_MESSAGES)
    return False


def transient_error_body(exc):
    return api_error(
        SUMMARIES[503],
        f"A transient database error interrupted the request ({type(exc).__name__}); "
        "retry it after the Retry-After delay, with the same Idempotency-Key if one was sent.",
    )


def mark_transient(response):
    """503 with Retry-After; ApiErrorMiddleware retries a request whose response carries the
    mark once, when that is safe."""
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.transient_database_error = True
    return response


def unreadable_body(exc):
    return api_error(
        UNREADABLE_SUMMARY,
        f"{str(exc)[:1].upper()}{str(exc)[1:]}; an administrator has to correct the record.",
    )


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
    if is_transient_database_error(exc):
        logger.warning("Transient database error in API view: %s", exc)
        return mark_transient(Response(transient_error_body(exc), status=503))
    if isinstance(exc, UnreadableValueError):
        logger.error("Unrenderable stored data in API view: %s", exc, exc_info=exc)
        return Response(unreadable_body(exc), status=500)
    logger.exception("Unhandled error in API view", exc_info=exc)
    return Response(api_error(SUMMARIES[500]), status=500)


def api_error_response(status_code, summary=None, description=None, *, body=None):
    return JsonResponse(
        body or api_error(summary or SUMMARIES.get(status_code, "Error"), description),
        status=status_code,
        safe=False,
    )
