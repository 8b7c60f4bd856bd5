"""The JSON parser of the API: bounded before it parses, checked before anything reads it."""

import orjson
from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser

from config.api.fields import json_value_problem


class RequestBodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."


def body_too_large(limit):
    return RequestBodyTooLarge(f"The request body is larger than {limit} bytes.")


class LimitedJSONParser(BaseParser):
    """JSON bodies of at most API_MAX_BODY_BYTES (413 beyond), nested at most
    API_MAX_BODY_DEPTH levels, valid UTF-8 and without NUL characters (400 otherwise).

    orjson parses in native code with its own depth cap, so a hostile nesting never reaches
    Python's recursion limit; the walk after it applies ours. It also refuses lone surrogates
    and NaN, and reads integers beyond 64 bits as floats, which the strict integer fields
    refuse and the renderer can still render.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise body_too_large(limit)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise exceptions.ParseError(f"The request body is not valid JSON: {error}") from None
        problem = json_value_problem(data, settings.API_MAX_BODY_DEPTH)
        if problem:
            raise exceptions.ParseError(f"Request body: {problem}")
        return data
