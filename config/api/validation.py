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
from config.errors import InvalidInput


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


def validated_by_name(serializers_by_name, data, field="name"):
    """`data` (an object) validated by the serializer its `name` chooses; (name, validated
    data). An unknown name is a 400 listing the known ones."""
    data = require_object(data)
    name = data.get(field)
    if not isinstance(name, str) or name not in serializers_by_name:
        sent = repr(name) if isinstance(name, str | None) else f"a JSON {type(name).__name__}"
        expected = ", ".join(serializers_by_name)
        raise serializers.ValidationError(
            {field: [f"Unsupported action {sent[:80]}; expected one of {expected}."]}
        )
    return name, validated(serializers_by_name[name], data)


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


# --- Query parameters of the list endpoints ---------------------------------------------------


class QueryListField(serializers.ListField):
    """An array query parameter, exploded (`?a=1&a=2`), comma separated (`?a=1,2`) or both."""

    def __init__(self, child=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(child=child or serializers.CharField(), **kwargs)

    def get_value(self, dictionary):
        if self.field_name not in dictionary:
            return serializers.empty
        getlist = getattr(dictionary, "getlist", None)
        raw_values = getlist(self.field_name) if getlist else [dictionary[self.field_name]]
        return [part for raw in raw_values for part in str(raw).split(",") if part]


class QueryPageSizeField(serializers.IntegerField):
    """`size`: a whole number of items per page (`25` or `25.0`), 1 to `maximum`."""

    def __init__(self, *, maximum, default=25, **kwargs):
        super().__init__(required=False, default=default, min_value=1, max_value=maximum, **kwargs)

    def to_internal_value(self, data):
        try:
            number = float(data)
        except (TypeError, ValueError):
            self.fail("invalid")
        if not number.is_integer():
            self.fail("invalid")
        return super().to_internal_value(int(number))


class NoQuerySerializer(serializers.Serializer):
    """The parameters of a list endpoint that takes none: any parameter is refused."""


def validated_query(serializer_class, request):
    """The request's query parameters validated by `serializer_class`, whose fields are the
    parameters the endpoint declares in the schema. A parameter it does not know is a 400
    naming the ones it does (a misspelt filter must not return unfiltered data)."""
    known = list(serializer_class().fields)
    unknown = sorted(set(request.query_params) - set(known))
    if unknown:
        raise InvalidInput(
            f"Unknown query parameter: {', '.join(unknown)}.",
            f"{request.path} accepts: {', '.join(known) or 'no query parameters'}.",
        )
    return validated(serializer_class, request.query_params)


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
