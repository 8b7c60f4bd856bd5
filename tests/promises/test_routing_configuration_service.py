"""update_routing_configuration: validated, versioned, and what the engine then uses."""

import pytest

from config.errors import InvalidInput, VersionConflict
from promises import services
from promises.models import RoutingConfiguration
from promises.snapshot import routing_configuration

pytestmark = pytest.mark.django_db


def test_update_is_stored_and_used_by_the_engine():
    services.update_routing_configuration(
        version=1,
        max_split_count=2,
        fences={"capacity": {"active": False}},
        ratings={"preferStore": {"active": True, "maxPenalty": 80}},
    )

    engine = routing_configuration()
    assert engine.max_split_count == 2
    assert engine.fence_active("capacity") is False
    assert engine.rating("preferStore").active is True
    assert engine.rating("preferStore").max_penalty == 80
    assert RoutingConfiguration.objects.get().version == 2


@pytest.mark.parametrize(
    "change",
    [
        {"max_split_count": 0},
        {"max_split_count": "2"},
        {"fences": {"teleport": {"active": True}}},
        {"fences": {"capacity": {"active": "no"}}},
        {"ratings": {"geoDistance": {"active": True, "maxPenalty": -5}}},
        {"ratings": {"luck": {"active": True}}},
    ],
)
def test_bad_values_are_refused_and_change_nothing(change):
    arguments = {"version": 1, "max_split_count": 3, "fences": {}, "ratings": {}, **change}

    with pytest.raises(InvalidInput):
        services.update_routing_configuration(**arguments)

    assert services.get_routing_configuration().version == 1


def test_stale_version_is_a_conflict():
    services.update_routing_configuration(version=1, max_split_count=3, fences={}, ratings={})

    with pytest.raises(VersionConflict):
        services.update_routing_configuration(version=1, max_split_count=1, fences={}, ratings={})
    assert RoutingConfiguration.objects.get().max_split_count == 3
