"""What the inventory's wire shapes share: code fields, enums whose error names the allowed
values, the pass-through of wire-only fields into `extra`, and the fields every entity
renders first."""

import re

from django.utils import timezone
from rest_framework import serializers

from config.api.fields import (
    JSONValueField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    reference_property_field,
)
from config.api.serializers import StrictSerializer

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def enum(choices, **kwargs):
    """A ChoiceField whose error names the allowed values (unknown enum value → 400)."""
    allowed = ", ".join(value for value, _ in choices)
    # Passed as an argument, not set afterwards: DRF copies fields from their arguments.
    messages = {"invalid_choice": f'"{{input}}" is not one of: {allowed}.'}
    return serializers.ChoiceField(choices=choices, error_messages=messages, **kwargs)


class CodeField(StrictCharField):
    """A string matching `pattern`, else `message`."""

    pattern = None
    message = None

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not self.pattern.match(value):
            raise serializers.ValidationError(self.message)
        return value


class CountryCodeField(CodeField):
    pattern = COUNTRY_CODE
    message = "Expected an ISO 3166-1 alpha-2 code such as NL."


class CurrencyField(CodeField):
    pattern = CURRENCY_CODE
    message = "Expected an ISO 4217 code such as EUR."


class IsoDateTimeStringField(serializers.DateTimeField):
    """Validated as a date-time, kept as the ISO string for JSON storage."""

    def to_internal_value(self, value):
        return super().to_internal_value(value).isoformat()


class WireSerializer(StrictSerializer):
    """Strict serializer that also accepts the names in `passthrough` and returns them under
    `extra` (stored and echoed unchanged), each validated as the reference schema named in
    `reference_schema` defines it."""

    passthrough = ()
    reference_schema = None
    # Which of the wire shapes sharing these fields it validates ("create", "replace",
    # "modify"); subclasses read it in `get_fields`.
    default_mode = None

    def __init__(self, *args, mode=None, **kwargs):
        self.mode = mode or self.default_mode
        super().__init__(*args, **kwargs)

    def get_fields(self):
        fields = super().get_fields()
        for name in self.passthrough:
            if self.reference_schema:
                field = reference_property_field(
                    self.reference_schema, name, required=False, allow_null=True
                )
            else:
                field = JSONValueField(required=False, allow_null=True)
            fields.setdefault(name, field)
        return fields

    def to_internal_value(self, data):
        validated = super().to_internal_value(data)
        validated["extra"] = {
            name: validated.pop(name) for name in self.passthrough if name in validated
        }
        return validated


# Docstrings of these bases would become the description of every schema component built on
# them (drf-spectacular reads the nearest one): comments instead.


# `{version, actions: [...]}`; each action is validated by its own serializer afterwards.
class PatchActionsSerializer(StrictSerializer):
    version = StrictIntegerField(min_value=1)
    actions = serializers.ListField(child=serializers.DictField(), min_length=1)


# The identity and timestamps an inventory entity renders first.
class EntitySerializer(serializers.Serializer):
    id = StrictCharField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")


# `EntitySerializer` with the optimistic-locking `version` after the id.
class VersionedEntitySerializer(serializers.Serializer):
    id = StrictCharField()
    version = StrictIntegerField()
    created = serializers.DateTimeField()
    lastModified = serializers.DateTimeField(source="last_modified")


class InventoryPageInfoSerializer(serializers.Serializer):
    startCursor = StrictCharField()
    endCursor = StrictCharField()
    hasNextPage = StrictBooleanField()
    hasPreviousPage = StrictBooleanField()


def iso_datetime(value):
    """What DRF's DateTimeField renders (ISO 8601 in the current time zone, UTC as "Z"),
    without its per-call overhead: bulk responses render a thousand of these."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def merge_extra(representation, extra):
    for name, value in (extra or {}).items():
        representation.setdefault(name, value)
    return representation
