"""The promise-side configuration screens: one screen per singleton, saved through the
services, with the version carried in the form so a stale form cannot overwrite."""

import pytest
from django.urls import reverse

from promises.models import PromisesConfiguration, RoutingConfiguration
from tests.admin_helpers import role_client, staff_client

pytestmark = pytest.mark.django_db

SCREEN = reverse("admin:promises_promisesconfiguration_changelist")
ROUTING_SCREEN = reverse("admin:promises_routingconfiguration_changelist")


@pytest.fixture
def admin_client_():
    return staff_client("boss", superuser=True)


def configuration():
    return PromisesConfiguration.objects.get(id=1)


def test_screen_shows_the_duration_its_human_reading_and_version(
    admin_client_, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = admin_client_.get(SCREEN)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="PT8H"' in html
    assert "PT8H = 8 hours" in html
    assert 'id="configuration-version">1<' in html
    assert 'name="version" value="1"' in html


def test_every_url_of_the_singleton_leads_to_the_one_screen(admin_client_):
    admin_client_.get(SCREEN)
    for url in (
        reverse("admin:promises_promisesconfiguration_change", args=[1]),
        "/admin/promises/promisesconfiguration/1/",
        "/admin/promises/promisesconfiguration/1/delete/",
    ):
        response = admin_client_.get(url)
        assert response.status_code == 302 and response.url == SCREEN
    add = admin_client_.get("/admin/promises/promisesconfiguration/add/")
    assert add.status_code == 302 and add.url == SCREEN
    assert PromisesConfiguration.objects.count() == 1


def test_saving_pt30m_goes_through_the_service(admin_client_):
    admin_client_.get(SCREEN)

    response = admin_client_.post(SCREEN, {"version": 1, "invalid_after_time": "PT30M"})

    assert response.status_code == 302
    assert configuration().invalid_after_time == "PT30M"
    assert configuration().version == 2
    page = admin_client_.get(SCREEN).content.decode()
    assert "PT30M = 30 minutes" in page and "was saved" in page


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("PT30S", "multiple of 60 seconds"),
        ("eight hours", "not an ISO 8601 duration"),
        ("P1M", "years or months"),
        ("PT0M", "multiple of 60 seconds"),
    ],
)
def test_invalid_durations_are_refused_like_the_api(admin_client_, value, complaint):
    admin_client_.get(SCREEN)

    response = admin_client_.post(SCREEN, {"version": 1, "invalid_after_time": value})

    assert response.status_code == 200
    assert complaint in response.content.decode()
    assert configuration().invalid_after_time == "PT8H" and configuration().version == 1


def test_a_stale_form_sees_a_conflict_and_nothing_is_overwritten(admin_client_):
    other_operator = staff_client("other", superuser=True)
    admin_client_.get(SCREEN)
    other_operator.get(SCREEN)  # both forms carry version 1
    other_operator.post(SCREEN, {"version": 1, "invalid_after_time": "PT2H"})

    response = admin_client_.post(SCREEN, {"version": 1, "invalid_after_time": "PT30M"})

    assert response.status_code == 200
    assert "Version conflict" in response.content.decode()
    assert configuration().invalid_after_time == "PT2H" and configuration().version == 2


def test_viewer_sees_the_screen_read_only_and_cannot_save():
    viewer = role_client("viewer", "Order viewers")

    page = viewer.get(SCREEN)
    response = viewer.post(SCREEN, {"version": 1, "invalid_after_time": "PT30M"})

    assert page.status_code == 200
    assert b"disabled" in page.content and b"save-configuration" not in page.content
    assert response.status_code == 403
    assert configuration().invalid_after_time == "PT8H"


def test_operations_may_change_the_promise_duration():
    operations = role_client("ops", "Operations")
    operations.get(SCREEN)

    operations.post(SCREEN, {"version": 1, "invalid_after_time": "PT1H"})

    assert configuration().invalid_after_time == "PT1H"


def test_staff_without_permission_get_403():
    nobody = staff_client("nobody")
    assert nobody.get(SCREEN).status_code == 403
    assert nobody.get(ROUTING_SCREEN).status_code == 403


def test_routing_configuration_screen_shows_fences_and_ratings(admin_client_):
    response = admin_client_.get(ROUTING_SCREEN)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="max_split_count" value="3"' in html
    assert "Fence completeStock" in html
    assert "geoDistance" in html and 'name="rating_geoDistance_max_penalty"' in html
    assert RoutingConfiguration.objects.count() == 1


def routing_form(**overrides):
    from routing.types import FENCE_NAMES, default_ratings

    data = {"version": 1, "max_split_count": 2}
    for name in FENCE_NAMES:
        data[f"fence_{name}"] = "on"
    for name, setting in default_ratings().items():
        if setting.active:
            data[f"rating_{name}_active"] = "on"
        data[f"rating_{name}_max_penalty"] = setting.max_penalty
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"max_split_count": 0}, "between 1 and 10"),
        ({"max_split_count": 11}, "between 1 and 10"),
        ({"rating_geoDistance_max_penalty": -5}, "maxPenalty must be a number"),
        ({"max_split_count": "three"}, "Enter a whole number"),
    ],
)
def test_routing_configuration_refusals_change_nothing(admin_client_, overrides, complaint):
    admin_client_.get(ROUTING_SCREEN)

    response = admin_client_.post(ROUTING_SCREEN, routing_form(**overrides))

    assert response.status_code == 200
    assert complaint in response.content.decode()
    routing = RoutingConfiguration.objects.get()
    assert routing.max_split_count == 3 and routing.version == 1


def test_routing_configuration_saves_through_the_service(admin_client_):
    admin_client_.get(ROUTING_SCREEN)

    admin_client_.post(
        ROUTING_SCREEN,
        routing_form(fence_capacity=None, rating_preferStore_active="on"),
    )

    routing = RoutingConfiguration.objects.get()
    assert routing.max_split_count == 2 and routing.version == 2
    assert routing.fences["capacity"] == {"active": False}
    assert routing.ratings["preferStore"]["active"] is True

    stale = admin_client_.post(ROUTING_SCREEN, routing_form(max_split_count=5))
    assert "Version conflict" in stale.content.decode()
    assert RoutingConfiguration.objects.get().max_split_count == 2


def test_viewer_cannot_change_the_routing_configuration():
    viewer = role_client("viewer", "Order viewers")
    assert viewer.get(ROUTING_SCREEN).status_code == 200
    assert viewer.post(ROUTING_SCREEN, routing_form()).status_code == 403
