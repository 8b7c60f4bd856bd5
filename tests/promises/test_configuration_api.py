"""GET/PUT /api/configurations/promises."""

import pytest

from promises.models import PromisesConfiguration
from promises.services import promise_duration

URL = "/api/configurations/promises"

pytestmark = pytest.mark.django_db


def test_default_is_eight_hours(api_client):
    response = api_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["invalidAfterTime"] == "PT8H"
    assert body["version"] == 1
    assert set(body) >= {"version", "invalidAfterTime", "created", "lastModified"}


def test_put_changes_duration_and_bumps_version(api_client):
    response = api_client.put(URL, {"version": 1, "invalidAfterTime": "PT30M"}, format="json")

    assert response.status_code == 200
    assert response.json()["invalidAfterTime"] == "PT30M"
    assert response.json()["version"] == 2
    assert promise_duration().total_seconds() == 1800
    assert api_client.get(URL).json()["invalidAfterTime"] == "PT30M"


def test_put_accepts_a_body_echoed_from_get(api_client):
    body = api_client.get(URL).json()
    body["invalidAfterTime"] = "P1D"

    response = api_client.put(URL, body, format="json")

    assert response.status_code == 200
    assert response.json()["invalidAfterTime"] == "P1D"


def test_stale_version_is_409_and_changes_nothing(api_client):
    api_client.put(URL, {"version": 1, "invalidAfterTime": "PT1H"}, format="json")

    response = api_client.put(URL, {"version": 1, "invalidAfterTime": "PT2H"}, format="json")

    assert response.status_code == 409
    assert response.json()[0]["version"] == 2
    assert response.json()[0]["requestVersion"] == 1
    assert PromisesConfiguration.objects.get().invalid_after_time == "PT1H"


@pytest.mark.parametrize(
    "duration",
    ["8 hours", "PT30S", "PT90S", "PT0M", "PT", "P", "P1M", "P1Y", "PT1.5H", "pt8h", "", 480],
)
def test_bad_duration_is_400_and_changes_nothing(api_client, duration):
    response = api_client.put(URL, {"version": 1, "invalidAfterTime": duration}, format="json")

    assert response.status_code == 400
    assert response.json()[0]["summary"]
    configuration = api_client.get(URL).json()
    assert configuration["invalidAfterTime"] == "PT8H"
    assert configuration["version"] == 1


@pytest.mark.parametrize("duration", ["PT1M", "PT120S", "P1W", "P1DT2H30M", "PT1H30M"])
def test_multiples_of_a_minute_are_accepted(api_client, duration):
    response = api_client.put(URL, {"version": 1, "invalidAfterTime": duration}, format="json")

    assert response.status_code == 200


def test_missing_fields_and_unknown_fields_are_400(api_client):
    assert api_client.put(URL, {"invalidAfterTime": "PT1H"}, format="json").status_code == 400
    assert api_client.put(URL, {"version": 1}, format="json").status_code == 400
    response = api_client.put(
        URL, {"version": 1, "invalidAfterTime": "PT1H", "ttl": 5}, format="json"
    )
    assert response.status_code == 400


def test_read_only_user_cannot_change_it(read_only_client, anonymous_client):
    assert read_only_client.get(URL).status_code == 200
    response = read_only_client.put(URL, {"version": 1, "invalidAfterTime": "PT1H"}, format="json")
    assert response.status_code == 403
    assert anonymous_client.get(URL).status_code == 401
