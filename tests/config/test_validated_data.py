"""config.api.serializers.validated_data: one serializer per thread, no state between uses."""

import threading

import pytest
from rest_framework import serializers

from config.api.validation import validated_data
from promises.serializers import PromiseRequestSerializer
from tests.promises.helpers import example_promise


def test_a_rejected_body_leaves_nothing_behind_for_the_next_one():
    with pytest.raises(serializers.ValidationError) as rejected:
        validated_data(PromiseRequestSerializer, {**example_promise(), "surprise": 1})
    assert "surprise" in rejected.value.detail

    data = validated_data(PromiseRequestSerializer, example_promise())

    assert [line["quantity"] for line in data["orderLineItems"]] == [10, 3, 1]
    assert "surprise" not in data


def test_same_result_as_a_fresh_serializer_and_earlier_results_stay_intact():
    first = validated_data(PromiseRequestSerializer, example_promise())
    second = validated_data(PromiseRequestSerializer, example_promise(lines=[("JEANS-B-2605", 2)]))

    fresh = PromiseRequestSerializer(data=example_promise())
    fresh.is_valid(raise_exception=True)
    assert first == fresh.validated_data
    assert [line["article"]["tenantArticleId"] for line in second["orderLineItems"]] == [
        "JEANS-B-2605"
    ]


def test_threads_validate_side_by_side_without_mixing_bodies():
    results, errors = {}, []

    def validate(quantity):
        try:
            for _ in range(50):
                body = example_promise(lines=[("TSHIRT-W-2468", quantity)])
                data = validated_data(PromiseRequestSerializer, body)
                assert data["orderLineItems"][0]["quantity"] == quantity
            results[quantity] = True
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=validate, args=(quantity,)) for quantity in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 8
