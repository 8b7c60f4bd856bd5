"""Serializer fields that take JSON types literally, shared by every API serializer.

DRF's stock fields coerce ("10" becomes 10, 5 becomes "5", "yes" becomes True). A client that
sends the wrong type should hear about it instead of having its data silently converted. They
also bound what the rest of the application can store and render: integers to 64 bits,
date-times to years 1–9999 in UTC, free JSON to a nesting depth and no NUL characters.
"""

import datetime
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from jsonschema import Draft7Validator, FormatChecker
from rest_framework import serializers

REFERENCE_SCHEMAS = Path(__file__).with_name("reference_schemas.json")


class StrictCharField(serializers.CharField):
    """Strings only, kept exactly as sent (no whitespace trimming)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# What a PostgreSQL bigint (and orjson, which renders our answers) can hold.
MAX_INT64 = 2**63 - 1
MIN_INT64 = -(2**63)


class StrictIntegerField(serializers.IntegerField):
    """JSON integers only, bounded to 64 bits unless narrower bounds are given."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_INT64)
        kwargs.setdefault("min_value", MIN_INT64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(int(data))


class StrictFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"description": "Not supported by this server: rejected with a 400."})
class UnsupportedField(serializers.Field):
    """A field of the reference that this server does not accept: say so instead of calling
    it unknown or silently dropping it."""

    def __init__(self, message, **kwargs):
        self.message = message
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        raise serializers.ValidationError(self.message)

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


def parse_wire_datetime(value):
    """An ISO 8601 date-time string as an aware datetime (naive values are taken as UTC), or
    None when it is not one or its UTC value falls outside years 1–9999 (which Python, and so
    every later read of it, cannot represent)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        return timezone.make_aware(parsed, datetime.UTC)
    try:
        parsed.astimezone(datetime.UTC)
    except OverflowError:
        return None
    return parsed


def format_wire_datetime(value):
    """The wire form: UTC with milliseconds and a Z, as in the documents' examples."""
    if value is None:
        return None
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class WireDateTimeField(serializers.DateTimeField):
    """Validated to an aware datetime, rendered as `2024-01-19T08:45:50.525Z`.

    `window` is a callable returning the (earliest, latest) accepted UTC values; without it any
    date-time in years 1–9999 UTC is accepted.
    """

    default_error_messages = {
        "invalid": "Not a valid ISO 8601 date-time (e.g. 2024-01-19T08:45:50.525Z) "
        "in years 0001–9999 UTC.",
        "outside_window": "Must lie between {earliest} and {latest}.",
    }

    def __init__(self, *, window=None, **kwargs):
        self.window = window
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        parsed = parse_wire_datetime(value)
        if parsed is None:
            self.fail("invalid")
        if self.window:
            earliest, latest = self.window()
            if not earliest <= parsed <= latest:
                self.fail(
                    "outside_window",
                    earliest=format_wire_datetime(earliest),
                    latest=format_wire_datetime(latest),
                )
        return parsed

    def to_representation(self, value):
        return format_wire_datetime(value)


class WireDateTimeStringField(WireDateTimeField):
    """For date-times inside JSON-stored structures: validated, kept as a normalised string."""

    def to_internal_value(self, value):
        return format_wire_datetime(super().to_internal_value(value))

    def to_representation(self, value):
        return value


def order_date_window():
    """`orderDate`: from the Unix epoch to a year ahead (clocks and time zones of shops differ;
    an order placed further ahead than that is a typing error, not an order)."""
    return ORDER_DATE_EARLIEST, timezone.now() + datetime.timedelta(days=366)


ORDER_DATE_EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


NUL = "\x00"


def json_value_problem(value, max_depth):
    """Why `value` (parsed JSON) cannot be stored, as "path: reason", or None.

    Walked without recursion, so a hostile nesting cannot exhaust the stack: containers deeper
    than `max_depth`, NUL characters in keys or strings (PostgreSQL cannot store them) and
    numbers beyond 64 bits.
    Paths are linked (parent, key) pairs, spelled out only for the answer.
    """
    pending = [(value, None, 0)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                return f"{_spelled(path)}: NUL characters (\\u0000) are not allowed."
            continue
        if isinstance(value, (int, float)):
            # The database keeps such a number exactly and hands it back as an integer that
            # no 64-bit consumer (our renderer, most clients) can read.
            if not MIN_INT64 <= value <= MAX_INT64:
                return f"{_spelled(path)}: numbers beyond 64 bits are not allowed."
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth >= max_depth:
            return f"{_spelled(path)}: nested deeper than {max_depth} levels."
        if isinstance(value, list):
            items = enumerate(value)
        else:
            items = value.items()
            if any(NUL in key for key in value):
                return f"{_spelled(path)}: NUL characters (\\u0000) are not allowed in keys."
        pending.extend(
            (item, (path, key), depth + 1)
            for key, item in items
            if isinstance(item, (str, dict, list, int, float))
        )
    return None


def _spelled(path):
    parts = []
    while path is not None:
        path, key = path
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key}")
    return "".join(reversed(parts)).lstrip(".") or "(value)"


@extend_schema_field({})
class JSONValueField(serializers.Field):
    """Free JSON stored as sent (passthrough fields, customAttributes): any JSON value nested at
    most API_MAX_JSON_FIELD_DEPTH levels, without NUL characters."""

    def to_internal_value(self, data):
        return storable_json(data)

    def to_representation(self, value):
        return value


def storable_json(data):
    """`data`, or a ValidationError if it is nested too deep or holds a NUL character."""
    problem = json_value_problem(data, settings.API_MAX_JSON_FIELD_DEPTH)
    if problem:
        raise serializers.ValidationError(problem.removeprefix("(value): "))
    return data


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(JSONValueField):
    """A free-form JSON object (customAttributes)."""

    default_error_messages = {"invalid": "Expected a JSON object."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        return super().to_internal_value(data)


@cache
def _reference_definitions():
    return json.loads(REFERENCE_SCHEMAS.read_text())["definitions"]


_format_checker = FormatChecker(formats=())


@_format_checker.checks("date-time")
def _is_date_time(value):
    return not isinstance(value, str) or parse_wire_datetime(value) is not None


class ReferenceSchemaField(serializers.Field):
    """A nested structure we store as given, validated against the reference schema of that
    name (a structural copy in config/api/reference_schemas.json). `schema_name` may also be a
    path into a schema, such as "StockForUpdate/properties/locationRef"."""

    def __init__(self, schema_name, *, many=False, max_items=500, min_items=None, **kwargs):
        self.schema_name = schema_name
        schema = {"$ref": f"#/definitions/{schema_name}"}
        if many:
            schema = {"type": "array", "items": schema, "maxItems": max_items}
            if min_items:
                schema["minItems"] = min_items
        self.json_schema = schema
        super().__init__(**kwargs)

    @property
    def validator(self):
        return _validator(json.dumps(self.json_schema))

    def to_internal_value(self, data):
        data = storable_json(data)
        messages = []
        for error in sorted(self.validator.iter_errors(data), key=lambda e: list(e.path)):
            location = "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.path
            )
            messages.append(f"{location.lstrip('.') or '(value)'}: {error.message}")
        if messages:
            raise serializers.ValidationError(messages[:10])
        return data

    def to_representation(self, value):
        return value


@cache
def _validator(schema_text):
    return Draft7Validator(
        {**json.loads(schema_text), "definitions": _reference_definitions()},
        format_checker=_format_checker,
    )


def reference_property_field(schema_name, name, **kwargs):
    """A free-form field of a request body, validated as the reference's `schema_name` defines
    its property `name`; one the reference does not define is free JSON."""
    properties = _reference_definitions()[schema_name].get("properties", {})
    if name in properties:
        return ReferenceSchemaField(f"{schema_name}/properties/{name}", **kwargs)
    return JSONValueField(**kwargs)


class ReferenceSchemaFieldExtension(OpenApiSerializerFieldExtension):
    """Document a ReferenceSchemaField as an object (or array of objects) named after the
    reference schema it is validated against."""

    target_class = ReferenceSchemaField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        description = f"As the reference schema {field.schema_name}."
        if "/properties/" in field.schema_name:
            schema_name, name = field.schema_name.split("/properties/")
            declared = _reference_definitions()[schema_name]["properties"][name]
            types = declared.get("type")
            types = [types] if isinstance(types, str) else [t for t in types or () if t != "null"]
            return {"type": types[0], "description": description} if types else {}
        item = {"type": "object", "description": description}
        if field.json_schema.get("type") == "array":
            return {"type": "array", "items": item}
        return item
