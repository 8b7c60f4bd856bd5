"""Serializer fields that take JSON types literally.

DRF's stock fields coerce ("10" becomes 10, 5 becomes "5", "yes" becomes True). A client that
sends the wrong type should hear about it instead of having its data silently converted.
"""

import datetime
import json
from functools import cache
from pathlib import Path

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


class StrictIntegerField(serializers.IntegerField):
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


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


def parse_wire_datetime(value):
    """An ISO 8601 date-time string as an aware datetime (naive values are taken as UTC), or
    None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def format_wire_datetime(value):
    """The wire form: UTC with milliseconds and a Z, as in the documents' examples."""
    if value is None:
        return None
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class WireDateTimeField(serializers.DateTimeField):
    """Validated to an aware datetime, rendered as `2024-01-19T08:45:50.525Z`."""

    default_error_messages = {
        "invalid": "Not a valid ISO 8601 date-time (e.g. 2024-01-19T08:45:50.525Z).",
    }

    def to_internal_value(self, value):
        parsed = parse_wire_datetime(value)
        if parsed is None:
            self.fail("invalid")
        return parsed

    def to_representation(self, value):
        return format_wire_datetime(value)


class WireDateTimeStringField(WireDateTimeField):
    """For date-times inside JSON-stored structures: validated, kept as a normalised string."""

    def to_internal_value(self, value):
        return format_wire_datetime(super().to_internal_value(value))

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.Field):
    """A free-form JSON object (customAttributes)."""

    default_error_messages = {"invalid": "Expected a JSON object."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


@cache
def _reference_definitions():
    return json.loads(REFERENCE_SCHEMAS.read_text())["definitions"]


_format_checker = FormatChecker(formats=())


@_format_checker.checks("date-time")
def _is_date_time(value):
    return not isinstance(value, str) or parse_wire_datetime(value) is not None


class ReferenceSchemaField(serializers.Field):
    """A nested structure we store as given, validated against the reference schema of that
    name (a structural copy in orders/reference_schemas.json)."""

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
        return Draft7Validator(
            {**self.json_schema, "definitions": _reference_definitions()},
            format_checker=_format_checker,
        )

    def to_internal_value(self, data):
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


class ReferenceSchemaFieldExtension(OpenApiSerializerFieldExtension):
    """Document a ReferenceSchemaField as an object (or array of objects) named after the
    reference schema it is validated against."""

    target_class = ReferenceSchemaField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        item = {"type": "object", "description": f"As the reference schema {field.schema_name}."}
        if field.json_schema.get("type") == "array":
            return {"type": "array", "items": item}
        return item
