"""A search payload on the wire: the reference's filter serializers (`StringFilter`,
`NumberFilter`, `DateFilter`, enum filters, `StringListFilter`), nested `and` / `or`, one
`sort`, `size` / `last`, the cursors and `options`. Entities build their query and payload
serializers from these."""

import copy

from rest_framework import serializers

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
    UnsupportedField,
    WireDateTimeField,
)
from config.api.serializers import StrictSerializer

MAX_PAGE_SIZE = 250
MAX_QUERY_DEPTH = 8
# The reference's bound on the values of an `in` / `notIn` filter.
MAX_FILTER_VALUES = 25


class PageSizeField(StrictIntegerField):
    """`number` in the reference; a whole number from 1 to 250."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_PAGE_SIZE, required=False, **kwargs)


def with_keyword_fields(fields, **named):
    """Filter operators `in`, `and`, `or` are Python keywords: add them by name."""
    fields.update(named)
    return fields


def _values(child, max_length=MAX_FILTER_VALUES):
    return serializers.ListField(child=child, required=False, max_length=max_length)


class StringFilterSerializer(StrictSerializer):
    eq = StrictCharField(required=False, max_length=256)
    notEq = StrictCharField(required=False, max_length=256)
    notIn = _values(StrictCharField(max_length=256))

    def get_fields(self):
        return with_keyword_fields(
            super().get_fields(), **{"in": _values(StrictCharField(max_length=256))}
        )


class StringEqFilterSerializer(StrictSerializer):
    eq = StrictCharField(required=False, max_length=256)
    notEq = StrictCharField(required=False, max_length=256)


class StringListFilterSerializer(StrictSerializer):
    """A list property: `contains` one value equal (or not equal) to the given one."""

    contains = StringEqFilterSerializer(required=False)


class NumberFilterSerializer(StrictSerializer):
    eq = StrictFloatField(required=False)
    notEq = StrictFloatField(required=False)
    gt = StrictFloatField(required=False)
    gte = StrictFloatField(required=False)
    lt = StrictFloatField(required=False)
    lte = StrictFloatField(required=False)
    notIn = _values(StrictFloatField())

    def get_fields(self):
        return with_keyword_fields(super().get_fields(), **{"in": _values(StrictFloatField())})


class DateFilterSerializer(StrictSerializer):
    eq = WireDateTimeField(required=False)
    notEq = WireDateTimeField(required=False)
    gt = WireDateTimeField(required=False)
    gte = WireDateTimeField(required=False)
    lt = WireDateTimeField(required=False)
    lte = WireDateTimeField(required=False)
    after = UnsupportedField("Use gt/gte with a date-time.")
    before = UnsupportedField("Use lt/lte with a date-time.")


def _named(cls, name):
    """`cls` under `name`: the schema names a component after its serializer class."""
    cls.__name__ = cls.__qualname__ = name
    return cls


def enum_filter(choices, name, *, max_values=500):
    """A filter serializer on an enum (`eq`, `notEq`, `in`, `notIn` of its values), named
    `name` (its schema component: `name` without the "Serializer" suffix)."""

    def choice():
        return serializers.ChoiceField(choices=choices)

    class EnumFilterSerializer(StrictSerializer):
        eq = serializers.ChoiceField(choices=choices, required=False)
        notEq = serializers.ChoiceField(choices=choices, required=False)
        notIn = _values(choice(), max_values)

        def get_fields(self):
            return with_keyword_fields(
                super().get_fields(), **{"in": _values(choice(), max_values)}
            )

    return _named(EnumFilterSerializer, name)


class QueryListField(serializers.ListField):
    """`and` / `or`: a list of nested queries of the same kind, at most MAX_QUERY_DEPTH deep."""

    def __init__(self, query_serializer, depth, **kwargs):
        self.query_serializer, self.depth = query_serializer, depth
        super().__init__(child=serializers.DictField(), required=False, max_length=500, **kwargs)

    def to_internal_value(self, data):
        if self.depth >= MAX_QUERY_DEPTH:
            raise serializers.ValidationError(f"Queries nest at most {MAX_QUERY_DEPTH} levels.")
        if not isinstance(data, list):
            raise serializers.ValidationError("Expected a list of queries.")
        result, errors = [], {}
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                errors[index] = ["Expected a query object."]
                continue
            serializer = self.query_serializer(data=item, depth=self.depth + 1)
            if serializer.is_valid():
                result.append(serializer.validated_data)
            else:
                errors[index] = serializer.errors
        if errors:
            raise serializers.ValidationError(errors)
        return result


class SearchQuerySerializer(StrictSerializer):
    """One query object: every filter it names must hold, and so must each of its `and`
    queries and at least one of its `or` queries. Subclasses declare the filters."""

    def __init__(self, *args, depth=0, **kwargs):
        self.depth = depth
        super().__init__(*args, **kwargs)

    def get_fields(self):
        kind = type(self)
        return with_keyword_fields(
            super().get_fields(),
            **{"and": QueryListField(kind, self.depth), "or": QueryListField(kind, self.depth)},
        )

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError("Expected a query object.")
        return super().to_internal_value(data)


def sort_serializer(names, name, *, unsupported=None):
    """The `sort` item of a search: exactly one of `names`, ASC or DESC; `unsupported` maps
    the reference's other sort names to the field refusing them. The serializer is named
    `name`."""
    refused = unsupported or {}

    class SortSerializer(StrictSerializer):
        def get_fields(self):
            fields = {
                sort: serializers.ChoiceField(choices=["ASC", "DESC"], required=False)
                for sort in names
            }
            fields.update({sort: copy.deepcopy(field) for sort, field in refused.items()})
            return fields

        def validate(self, attrs):
            if len(attrs) != 1:
                raise serializers.ValidationError(f"Sort by exactly one of {', '.join(names)}.")
            return attrs

    return _named(SortSerializer, name)


class SearchOptionsSerializer(StrictSerializer):
    withTotal = StrictBooleanField(required=False)


class SearchPayloadSerializer(StrictSerializer):
    """`{query, sort, size | last, after | before | startAfterId, options}`; subclasses set
    `query` and `sort`."""

    size = PageSizeField()
    last = PageSizeField()
    after = StrictCharField(required=False)
    before = StrictCharField(required=False)
    startAfterId = StrictCharField(required=False)
    options = SearchOptionsSerializer(required=False)

    def validate(self, attrs):
        given = set(attrs)
        for first, second in (
            ("size", "last"),
            ("after", "before"),
            ("after", "last"),
            ("before", "size"),
            ("startAfterId", "after"),
            ("startAfterId", "before"),
            ("startAfterId", "last"),
        ):
            if {first, second} <= given:
                raise serializers.ValidationError(f"{first} cannot be used together with {second}.")
        return attrs
