"""msgspec structs for request bodies on the hot path: decoded and validated in native code,
with the same rules as the strict serializer fields (config/api/fields.py) they mirror.

A struct is the fast way in, never a second source of errors: whatever a struct refuses is
validated again by its DRF serializer, which gives the client the usual `ApiError` (see
`config.api.validation.decoded`). So a struct may be stricter than its serializer (a float
where an integer belongs, padding around a country code: the serializer decides), never more
lenient, and what it accepts must come out as the serializer's `validated_data` would
(tests/config/test_structs.py compares both on the same bodies).

The field types below mirror the fields:
- `Text` a StrictCharField (a string, not blank), `BlankableText` one with allow_blank;
- `Integer` / `Float` a StrictIntegerField / StrictFloatField within 64 bits (the JSON parser
  refuses any number beyond, integer or not: `json_value_problem`);
- `Texts` the `string_list` of order pieces;
- free JSON (`JSONObjectField`, `ReferenceSchemaField`) is decoded as it comes and checked in
  `__post_init__` by the very same field objects (`checked_json_object`, `checked_reference`).
"""

import re
from typing import Annotated

import msgspec
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from config.api.fields import (
    MAX_INT64,
    MIN_INT64,
    JSONObjectField,
    ReferenceSchemaField,
    format_wire_datetime,
    parse_wire_datetime,
)

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType

Text = Annotated[str, msgspec.Meta(min_length=1)]
BlankableText = str
Integer = Annotated[int, msgspec.Meta(ge=MIN_INT64, le=MAX_INT64)]
Float = Annotated[float, msgspec.Meta(ge=MIN_INT64, le=MAX_INT64)]
MAX_ITEMS = 500
Texts = Annotated[list[Text], msgspec.Meta(max_length=MAX_ITEMS)]


def bounded_text(max_length):
    return Annotated[str, msgspec.Meta(min_length=1, max_length=max_length)]


def bounded_integer(minimum, maximum):
    return Annotated[int, msgspec.Meta(ge=minimum, le=maximum)]


class WireStruct(msgspec.Struct, forbid_unknown_fields=True):
    """A request object: unknown fields refused (additionalProperties: false, inherited by the
    subclasses), absent optional fields left UNSET (and out of the validated data). Subclasses
    declare `kw_only=True` (not inherited): their fields then keep the serializer's order,
    required or not."""


class Refused(ValueError):
    """A struct's rule refused the value; msgspec reports it as a ValidationError."""


def refuse_unless(condition, message="refused"):
    if not condition:
        raise Refused(message)


def _checked(field, value):
    try:
        return field.run_validation(value)
    except (serializers.ValidationError, DjangoValidationError) as error:
        raise Refused(str(error)) from None


_JSON_OBJECTS = {False: JSONObjectField(), True: JSONObjectField(allow_null=True)}


def checked_json_object(value, *, allow_null=False):
    """A `JSONObjectField`'s rule (an object, nested within API_MAX_JSON_FIELD_DEPTH, no NUL
    characters, numbers within 64 bits); UNSET passes."""
    if value is UNSET:
        return value
    return _checked(_JSON_OBJECTS[allow_null], value)


_REFERENCES: dict = {}


def checked_reference(value, schema_name, *, many=False, min_items=None):
    """A `ReferenceSchemaField`'s rule (the reference schema of that name); UNSET passes."""
    if value is UNSET:
        return value
    key = (schema_name, many, min_items)
    field = _REFERENCES.get(key)
    if field is None:
        field = _REFERENCES[key] = ReferenceSchemaField(schema_name, many=many, min_items=min_items)
    return _checked(field, value)


def wire_datetime(value):
    """A `WireDateTimeField`'s value: the aware datetime."""
    parsed = parse_wire_datetime(value)
    refuse_unless(parsed is not None, "not a date-time")
    return parsed


def wire_datetime_string(value):
    """A `WireDateTimeStringField`'s value: the normalised string; UNSET passes."""
    if value is UNSET:
        return value
    return format_wire_datetime(wire_datetime(value))


# Escapes the serializer path treats specially: NUL (refused by the JSON parser's walk) and
# UTF-16 surrogates (orjson refuses lone ones; a pair is fine, but rare enough to leave to the
# serializer path).
_SPECIAL_ESCAPES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def plain_json(body):
    """Whether `body` can be decoded by a struct with the JSON parser's outcome: no escape the
    parser's own checks are about."""
    return _SPECIAL_ESCAPES.search(body) is None
