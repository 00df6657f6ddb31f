"""'Works near me': projects within a distance of a point, active in a period, nearest first."""

import datetime
import json
import re

import pytest
from django.contrib.gis.geos import LineString, Point
from django.urls import reverse
from django.utils import timezone

from projects.near import NearForm
from tests.factories import CategoryFactory, CityFactory, DistrictFactory, ProjectFactory

pytestmark = pytest.mark.django_db

NEAR = reverse("projects:near")
# About 300 m south of the middle of Arbat (the factories' default project).
SOUTH_OF_ARBAT = {"latitude": "43.2583", "longitude": "76.9445"}
# Satpaev street, about 2 km south of that point.
SATPAEV = LineString((76.9300, 43.2400), (76.9500, 43.2402), srid=4326)


@pytest.fixture(autouse=True)
def almaty(db):
    city = CityFactory()
    DistrictFactory()
    return city


def titles(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(
        r'<h3 class="project-card-title"><a href="[^"]+" lang="\w+">([^<]+)</a>', response.content.decode()
    )


def search(client, **params):
    return client.get(NEAR, {**SOUTH_OF_ARBAT, "distance": "500", **params})


def test_it_finds_a_project_300_m_away_within_500_m(client):
    ProjectFactory(title_en="Arbat")
    assert titles(search(client)) == ["Arbat"]


def test_it_leaves_out_a_project_2_km_away(client):
    ProjectFactory(title_en="Satpaev", geom=SATPAEV.clone())
    assert titles(search(client)) == []


def test_it_shows_the_distance_in_metres(client):
    ProjectFactory()
    content = search(client).content.decode()
    distance = re.search(r"<dt>Distance</dt><dd>(\d+) m</dd>", content)
    assert distance, "no distance shown"
    assert 280 <= int(distance.group(1)) <= 320


def test_a_longer_distance_reaches_farther(client):
    ProjectFactory(title_en="Satpaev", geom=SATPAEV.clone())
    assert titles(search(client, distance="5000")) == ["Satpaev"]


def test_it_lists_the_nearest_first(client):
    ProjectFactory(title_en="Satpaev", geom=SATPAEV.clone())
    ProjectFactory(title_en="Arbat")
    ProjectFactory(title_en="Playground", category=CategoryFactory(slug="playground"), geom=Point(76.9445, 43.2575))
    assert titles(search(client, distance="5000")) == ["Playground", "Arbat", "Satpaev"]


def test_it_leaves_out_a_project_finished_before_the_period(client):
    today = timezone.localdate()
    ProjectFactory(
        title_en="Finished",
        status="completed",
        actual_start=today - datetime.timedelta(days=200),
        actual_end=today - datetime.timedelta(days=30),
    )
    assert titles(search(client)) == []


def test_it_finds_a_project_planned_to_start_in_the_period(client):
    today = timezone.localdate()
    ProjectFactory(title_en="Next month", planned_start=today + datetime.timedelta(days=30))
    assert titles(search(client)) == ["Next month"]


def test_it_leaves_out_a_project_planned_after_the_period(client):
    today = timezone.localdate()
    ProjectFactory(title_en="Next year", planned_start=today + datetime.timedelta(days=400))
    assert titles(search(client)) == []


def test_it_reads_a_period_given_in_the_form(client):
    ProjectFactory(
        title_en="Summer 2017",
        status="completed",
        actual_start=datetime.date(2017, 5, 1),
        actual_end=datetime.date(2017, 8, 31),
    )
    assert titles(search(client, start="2017-06-01", end="2017-06-30")) == ["Summer 2017"]


def test_it_leaves_out_drafts_for_visitors(client):
    ProjectFactory(title_en="Draft", is_published=False)
    assert titles(search(client)) == []


def test_it_shows_drafts_to_urbanists(client, urbanist):
    ProjectFactory(title_en="Draft", is_published=False)
    client.force_login(urbanist)
    assert titles(search(client)) == ["Draft"]


def test_it_refuses_a_point_outside_the_city_with_a_message(client):
    ProjectFactory()
    response = client.get(NEAR, {"latitude": "51.1694", "longitude": "71.4491", "distance": "500"})
    content = response.content.decode()
    assert "This point is outside Almaty. Pick a point in the city." in content
    assert titles(response) == []


def test_it_asks_for_the_longitude_when_only_the_latitude_is_given(client):
    response = client.get(NEAR, {"latitude": "43.2583", "distance": "500"})
    assert "Give both the latitude and the longitude, or pick a point on the map." in response.content.decode()


def test_it_refuses_a_period_that_ends_before_it_starts(client):
    response = search(client, start="2025-06-01", end="2025-05-01")
    assert "The period ends before it starts" in response.content.decode()
    assert titles(response) == []


def test_it_refuses_a_period_longer_than_five_years(client):
    response = search(client, start="2020-01-01", end="2026-01-01")
    assert "Choose a period of at most 5 years." in response.content.decode()


def test_it_refuses_a_distance_it_does_not_offer(client):
    response = search(client, distance="100000")
    assert "Select a valid choice." in response.content.decode()


def test_a_first_visit_offers_the_next_90_days_and_500_m(client):
    content = client.get(NEAR).content.decode()
    today = timezone.localdate()
    assert f'value="{today:%Y-%m-%d}"' in content
    assert f'value="{today + datetime.timedelta(days=90):%Y-%m-%d}"' in content
    assert '<option value="500" selected>500 m</option>' in content
    assert "Please correct the errors below." not in content


def test_a_search_without_a_point_asks_for_one(client):
    content = client.get(NEAR, {"distance": "500"}).content.decode()
    assert "Choose a place to see the works near it." in content
    assert "Please correct the errors below." not in content


def test_the_typed_coordinates_work_without_javascript_as_a_plain_get_form(client):
    content = client.get(NEAR).content.decode()
    start = content.index('<form method="get"')
    form = content[start : content.index("</form>", start)]
    assert f'action="{NEAR}"' in form
    assert 'name="latitude"' in form
    assert 'name="longitude"' in form
    assert '<button type="submit" class="button">Search</button>' in form


def test_the_map_config_carries_the_point_the_radius_and_the_works_found(client):
    project = ProjectFactory(title_en="Arbat")
    content = search(client, distance="1000").content.decode()
    match = re.search(r'<script id="project-map-config" type="application/json">(.*?)</script>', content, re.S)
    config = json.loads(match.group(1))
    assert config["picker"]["point"] == [43.2583, 76.9445]
    assert config["picker"]["radius"] == 1000
    assert config["features"][0]["properties"]["url"] == project.get_absolute_url()
    assert config["outlines"][0]["properties"]["name"] == "Almaly District"


def test_the_form_accepts_a_point_in_the_city(almaty):
    form = NearForm({**SOUTH_OF_ARBAT, "distance": "250"}, city=almaty, today=datetime.date(2025, 3, 1))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["point"].coords == (76.9445, 43.2583)
    assert form.cleaned_data["start"] == datetime.date(2025, 3, 1)
    assert form.cleaned_data["end"] == datetime.date(2025, 5, 30)


def test_a_search_without_a_period_shows_the_default_one_in_the_fields(client):
    content = search(client).content.decode()
    today = timezone.localdate()
    assert f'name="start" value="{today:%Y-%m-%d}"' in content
    assert f'name="end" value="{today + datetime.timedelta(days=90):%Y-%m-%d}"' in content


def test_without_a_city_the_page_says_none_is_loaded(client, monkeypatch):
    # A fresh install before gis_load_city: the factories' districts need a city, so none is found instead.
    monkeypatch.setattr("projects.views.current_city", lambda: None)
    content = client.get(NEAR).content.decode()
    assert "No city is loaded yet" in content
    assert 'id="project-map-config"' not in content
