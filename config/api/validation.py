"""Request validation for the views: one way to turn a body or a query into validated data.

A ValidationError raised here becomes a 400 `ApiError` (config/api/errors.py) naming the
field; nothing has been written yet when it is raised.
"""

import threading

import msgspec
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http.request import RawPostDataException
from rest_framework import serializers

from config.api.structs import plain_json


def require_object(data):
    """A JSON array or scalar where an object belongs: 400, not a 500 further down."""
    if not isinstance(data, dict):
        raise serializers.ValidationError("The request body must be a JSON object.")
    return data


def validated(serializer_class, data, **kwargs):
    """`serializer_class(data=data, **kwargs)` validated; its validated data."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def validated_each(serializer_class, items, field, **kwargs):
    """Validate a list of sub-documents, naming the failing index (`actions[1].name`)."""
    results = []
    for index, item in enumerate(items):
        serializer = serializer_class(data=item, **kwargs)
        if not serializer.is_valid():
            raise serializers.ValidationError({f"{field}[{index}]": serializer.errors})
        results.append(serializer.validated_data)
    return results


_serializers_of_this_thread = threading.local()


def validated_data(serializer_class, data):
    """`serializer_class(data=data)`, validated (ValidationError → 400), its validated data.

    DRF deep-copies a serializer's whole field tree every time one is created, which for a
    nested request body such as a PromiseRequest cost 2–3 ms of CPU per checkout. Here each
    thread builds the tree once and keeps it; only the validation state is reset between uses.
    For serializers without context, the result is the same as a fresh instance's.
    """
    serializers_by_class = _serializers_of_this_thread.__dict__
    serializer = serializers_by_class.get(serializer_class)
    if serializer is None:
        serializer = serializers_by_class[serializer_class] = serializer_class()
    for state in ("_validated_data", "_errors", "_data"):
        serializer.__dict__.pop(state, None)
    serializer.initial_data = data
    try:
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data
    finally:
        del serializer.initial_data


_JSON_MEDIA_TYPE = "application/json"


def decoded(request, struct_type, serializer_class):
    """The validated data of a JSON request body, the fast way when it can be: decoded straight
    into `struct_type` (a config.api.structs.WireStruct with a `validated_data()` method giving
    what `serializer_class` would), else parsed and validated by the API parser and
    `serializer_class`, so every refusal is the serializer's ApiError, word for word.

    The struct is not tried for a body the parser might answer differently: another content
    type (415), a body over the size limit (413), escapes the parser checks (NUL, surrogates).
    """
    body = _plain_json_body(request)
    if body is not None:
        try:
            return msgspec.json.decode(body, type=struct_type).validated_data()
        except (msgspec.ValidationError, msgspec.DecodeError):
            pass  # the serializer says why
    return validated_data(serializer_class, require_object(request.data))


def _plain_json_body(request):
    if request.content_type.partition(";")[0].strip().lower() != _JSON_MEDIA_TYPE:
        return None
    try:
        body = request._request.body  # the Django request's, read once
    except (RequestDataTooBig, RawPostDataException):
        return None
    if len(body) > settings.API_MAX_BODY_BYTES or not plain_json(body):
        return None
    return body
