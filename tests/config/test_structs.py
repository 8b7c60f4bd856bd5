"""The checkout's msgspec struct (promises/structs.py) against PromiseRequestSerializer, the
schema's source: the same fields at every level, and whatever the struct accepts the
serializer accepts too, with the same validated data (so the fast path never lets through,
or changes, what the serializer would refuse or produce)."""

import copy
import json

import msgspec
import msgspec.inspect as types
import orjson
import pytest
from rest_framework import serializers

from config.api.validation import decoded, validated_data
from promises.serializers import PromiseRequestSerializer
from promises.structs import PromiseRequest
from tests.promises.helpers import example_promise

# Every field of the PromiseRequest, with a value the serializer accepts.
FULL_BODY = {
    "orderDate": "2024-01-19T09:45:50.525+01:00",
    "tenantOrderId": "R-1001",
    "status": "PROMISED",
    "consumer": {
        "consumerId": "C-7",
        "email": "",
        "addresses": [
            {
                "salutation": "",
                "personalTitle": "Dr.",
                "firstName": "David",
                "lastName": "van den Boomgaard",
                "companyName": "",
                "street": "Rombout Hogerbeetsstraat",
                "houseNumber": "96",
                "postalCode": "1052 XM",
                "city": "Amsterdam",
                "province": "Noord-Holland",
                "country": "NL",
                "additionalAddressInfo": "",
                "addressType": "POSTAL_ADDRESS",
                "coordinates": {"lat": 52.38, "lon": 4.87},
                "email": "david@example.com",
                "phoneNumbers": [
                    {"value": "+31 20 123", "type": "MOBILE", "label": "m", "customAttributes": {}}
                ],
                "customAttributes": {"floor": 3},
            }
        ],
        "customAttributes": {"tier": "gold"},
        "facilityRef": "F-1",
        "tenantFacilityId": "AMS-01",
    },
    "orderLineItems": [
        {
            "article": {
                "tenantArticleId": "TSHIRT-W-2468",
                "title": "T-shirt",
                "titleLocalized": {"nl_NL": "T-shirt"},
                "imageUrl": "",
                "weight": 2,
                "customAttributes": None,
                "attributes": [{"key": "colour", "value": "white"}],
            },
            "quantity": 2,
            "customAttributes": {"gift": True},
            "measurementUnitKey": "pcs",
            "secondaryMeasurementUnitKey": "box",
            "secondaryQuantity": 0,
            "measurementValidation": {"overPickHardTolerancePercentage": 5},
            "scannableCodes": ["4006381333931"],
            "shopPrice": 20,
            "tags": [{"id": "season", "value": "summer"}],
            "allowedSubstitutes": [{"priority": 1, "tenantArticleId": "T-2", "title": "Other"}],
        }
    ],
    "deliveryPreferences": {
        "shipping": {
            "serviceLevel": "DELIVERY",
            "carrierProductCategory": "STANDARD",
            "desiredDeliveryTime": "2024-01-22T10:00:00+01:00",
            "preferredCarriers": ["POSTNL"],
            "preferredCarriersWithProduct": [{"carrierKey": "POSTNL"}],
            "preselectedFacilities": [{"facilityRef": "F-1"}],
        },
        "estimatedDeliveryDate": "2024-01-22",
        "reservationPreferences": {"mode": "ASAP"},
        "sourcingOptionRefs": ["S-1"],
        "supplyingFacilities": ["F-2"],
        "targetTime": "2024-01-21T12:00:00Z",
    },
    "customAttributes": {"channel": "web", "nested": {"deep": [1, 2.5, None]}},
    "tags": [{"id": "campaign", "value": "spring"}],
    "stickers": [{"key": "vip", "name": "VIP", "nameLocalized": {"en": "VIP"}, "priority": 7}],
    "statusReasons": [{"reason": "checkout", "status": "PROMISED"}],
    "paymentInfo": {"currency": "EUR", "methodLocalized": {"en": "Card"}},
    "promisesOptions": {"validUntil": "2024-01-19T12:00:00Z"},
    "additionalInfo": {
        "includeListingCustomAttributes": False,
        "resourceInvestment": {"level": 1},
    },
}
COLLECT_PREFERENCES = {
    "collect": [
        {
            "facilityRef": "F-1",
            "paid": True,
            "provisioningTime": "2024-01-20T10:00:00Z",
            "supplyingFacilities": ["F-2"],
            "supplyingFacilitiesConfigurations": [{"facilityRef": "F-2", "deliveryEvents": []}],
        }
    ]
}


def serializer_data(body):
    """The serializer's validated data, or None when it refuses the body."""
    try:
        return validated_data(PromiseRequestSerializer, body)
    except serializers.ValidationError:
        return None


def struct_data(raw):
    """The struct's validated data, or None when it refuses the body."""
    try:
        return msgspec.json.decode(raw, type=PromiseRequest).validated_data()
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def comparable(data):
    # Types count (5 and 5.0 are stored and answered differently); key order does not (JSONB).
    return orjson.loads(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))


def assert_same_outcome(body):
    raw = json.dumps(body).encode()
    from_struct = struct_data(raw)
    if from_struct is None:
        return False  # the serializer answers: nothing to compare
    from_serializer = serializer_data(orjson.loads(raw))
    assert from_serializer is not None, f"the struct accepted what the serializer refuses: {body}"
    assert comparable(from_struct) == comparable(from_serializer)
    assert from_struct["orderDate"] == from_serializer["orderDate"]
    return True


# --- the same fields --------------------------------------------------------------------------


def _struct_inside(info):
    """The struct a field's type holds (through lists, unions, constraints), or None."""
    if isinstance(info, types.StructType):
        return info
    if isinstance(info, types.Metadata):
        return _struct_inside(info.type)
    if isinstance(info, types.ListType):
        return _struct_inside(info.item_type)
    if isinstance(info, types.UnionType):
        found = [_struct_inside(member) for member in info.types]
        return next((struct for struct in found if struct is not None), None)
    return None


def _accepts_null(info):
    if isinstance(info, types.Metadata):
        return _accepts_null(info.type)
    if isinstance(info, types.UnionType):
        return any(_accepts_null(member) for member in info.types)
    return isinstance(info, types.NoneType)


def _compare_fields(serializer, struct, path, compared):
    fields = {field.encode_name: field for field in struct.fields}
    assert set(fields) == set(serializer.fields), path
    for name, serializer_field in serializer.fields.items():
        struct_field = fields[name]
        where = f"{path}.{name}"
        assert struct_field.required == serializer_field.required, where
        if not isinstance(struct_field.type, types.AnyType):
            # (Free JSON is decoded as it comes; the serializer's own field checks it.)
            assert _accepts_null(struct_field.type) == serializer_field.allow_null, where
        nested = serializer_field
        if isinstance(nested, serializers.ListSerializer):
            nested = nested.child
        inner = _struct_inside(struct_field.type)
        if isinstance(nested, serializers.Serializer):
            assert inner is not None, f"{where} is an object in the serializer"
            _compare_fields(nested, inner, where, compared)
        else:
            assert inner is None, f"{where} is not an object in the serializer"
        compared.append(where)


def test_the_struct_has_the_serializers_fields_at_every_level():
    compared = []
    _compare_fields(
        PromiseRequestSerializer(), types.type_info(PromiseRequest), "PromiseRequest", compared
    )
    assert len(compared) > 90  # the whole tree, not just its first level


# --- the same validated data ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        FULL_BODY,
        {**FULL_BODY, "deliveryPreferences": COLLECT_PREFERENCES},
        example_promise(),
        example_promise(status="PROMISED", additionalInfo={"resourceInvestment": {"level": 0.5}}),
    ],
    ids=["every field", "collect", "the example", "example with level"],
)
def test_the_struct_takes_these_bodies_with_the_serializers_result(body):
    assert assert_same_outcome(body), "the fast path should take this body"


@pytest.mark.parametrize(
    "change",
    [
        {"status": "OPEN"},
        {"orderLineItems": []},
        {"tags": [{"id": "routingStatus", "value": "x"}]},
        {"orderDate": "2999-01-01T00:00:00Z"},
        {"orderDate": "yesterday"},
        {"customAttributes": {"a": "\u0000"}},
        {"additionalInfo": {"resourceInvestment": {"level": 0}}},
        {"consumer": {"addresses": [{**FULL_BODY["consumer"]["addresses"][0], "email": "x"}]}},
        {"deliveryPreferences": {"collect": [{"paid": True}]}},
        {"promisesOptions": {"validUntil": "soon"}},
        {"surprise": 1},
    ],
)
def test_bodies_the_serializer_refuses_are_refused_by_the_struct_too(change):
    body = {**FULL_BODY, **change}
    assert serializer_data(copy.deepcopy(body)) is None
    assert struct_data(json.dumps(body).encode()) is None


def test_a_refused_body_gets_the_serializers_error_through_decoded(rf):
    from rest_framework.request import Request

    from config.api.parsers import LimitedJSONParser

    body = {**example_promise(), "status": "OPEN"}
    request = Request(
        rf.post("/", json.dumps(body), content_type="application/json"),
        parsers=[LimitedJSONParser()],
    )
    with pytest.raises(serializers.ValidationError) as refused:
        decoded(request, PromiseRequest, PromiseRequestSerializer)
    assert "PROMISED" in str(refused.value.detail["status"][0])


# Values a client might send anywhere: wrong types, blanks, bounds, padding, odd date-times.
HOSTILE_VALUES = [
    None,
    "",
    " ",
    "x",
    "NL",
    "nl",
    "NL\n",
    " NL ",
    "PROMISED",
    "DELIVERY",
    "2024-01-19T08:45:50Z",
    "2024-01-19",
    "2024-01-19 08:45",
    "x" * 256,
    0,
    1,
    -1,
    1.0,
    1.5,
    0.5,
    10001,
    2**31,
    2**63,
    -(2**63) - 1,
    1e19,
    True,
    False,
    [],
    [1],
    [""],
    [{}],
    {},
    {"id": "a", "value": "b"},
    {"lat": 1, "lon": 2},
    {"en": "x"},
]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


BASES = [FULL_BODY, {**FULL_BODY, "deliveryPreferences": COLLECT_PREFERENCES}]


def _mutated(base, path, action, value):
    body = copy.deepcopy(BASES[base])
    *parents, last = path
    target = body
    for key in parents:
        target = target[key]
    if action == "delete" and isinstance(target, dict):
        del target[last]
    elif action == "add" and isinstance(target, dict):
        target[f"{last}Extra"] = value
    else:
        target[last] = value
    return body


@pytest.mark.parametrize("base", range(len(BASES)), ids=["shipping", "collect"])
def test_whatever_the_struct_accepts_the_serializer_accepts_with_the_same_data(base):
    """Every field of the body replaced by each hostile value, removed, or given an unknown
    sibling: thousands of bodies, each through both."""
    taken = tried = 0
    for path in _paths(BASES[base]):
        if not path:
            continue
        changes = [("delete", None), ("add", 1)] + [("replace", v) for v in HOSTILE_VALUES]
        for action, value in changes:
            tried += 1
            taken += assert_same_outcome(_mutated(base, path, action, value))
    # Both ways are exercised: bodies taken by the struct, and bodies left to the serializer.
    assert 0 < taken < tried
