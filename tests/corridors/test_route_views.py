"""The route planner's page and its JSON: parameters checked and named, routes and unconnected points described."""

import json
import re

import pytest
from django.contrib.gis.geos import LineString
from django.urls import reverse

from corridors import network
from tests.factories import (
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    RasterFactory,
    SegmentFactory,
    StreetFactory,
    write_dem,
)

pytestmark = pytest.mark.django_db

ROUTE = reverse("corridors:route_json")
PAGE = reverse("corridors:route")


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    return DistrictFactory()


# A hand-built network on the synthetic DEM (tests.factories.write_dem: a 1,000 m cone on an 800 m plain, its
# peak near 76.9405, 43.2455). A street runs straight over the cone from A to B; a green corridor goes round
# it to the south, on the plain. A street far to the north is joined to neither.
A, B = (76.9150, 43.2460), (76.9600, 43.2460)
OVER_THE_HILL = LineString(A, (76.9405, 43.2458), B, srid=4326)
ROUND_THE_HILL = LineString(A, (76.9150, 43.2280), (76.9600, 43.2280), B, srid=4326)
FAR_NORTH = LineString((76.9300, 43.2640), (76.9450, 43.2640), srid=4326)
# Where a visitor picks the start and the end: a few metres off the ends of the street.
NEAR_A, NEAR_B = "76.91520,43.24615", "76.95980,43.24615"


def hand_built_network(dem_path) -> None:
    """The streets, the corridor and the DEM above, in the Almaty of the factories."""
    city = CityFactory()
    RasterFactory(path=str(write_dem(dem_path)))
    StreetFactory(name_en="Hill Street", highway="residential", is_main=False, geom=OVER_THE_HILL.clone())
    StreetFactory(name_en="North Street", highway="residential", is_main=False, geom=FAR_NORTH.clone())
    corridor = CorridorFactory(name_en="Round the hill", kind="green_corridor", status="existing")
    SegmentFactory(corridor=corridor, geom=ROUND_THE_HILL.clone(), status="existing")
    network.clear_cache()
    return city


def refused(client, **params) -> dict:
    response = client.get(ROUTE, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    return response.json()


# Bad parameters


def test_a_missing_start_is_refused_naming_the_parameter(client):
    body = refused(client, to="76.95,43.25")
    assert body["parameter"] == "from"
    assert body["error"] == "from is required: a longitude and a latitude, such as 76.9300,43.2500."


def test_a_missing_end_is_refused_naming_the_parameter(client):
    assert refused(client, **{"from": "76.95,43.25"})["parameter"] == "to"


@pytest.mark.parametrize("value", ["76.95", "76.95,43.25,800", "east,north", "nan,43.25", "76.95;43.25", "inf,1"])
def test_a_point_that_is_not_a_longitude_and_a_latitude_is_refused(client, value):
    body = refused(client, **{"from": "76.95,43.25", "to": value})
    assert body["parameter"] == "to"
    assert body["error"].startswith("to must be a longitude and a latitude in degrees, separated by a comma")


@pytest.mark.parametrize("value", ["43.25,76.95", "77.5,43.25", "200,43.25", "76.95,-95"])
def test_a_point_outside_the_citys_extent_is_refused(client, value):
    # The first one has the latitude and the longitude swapped: a common slip, and well outside Almaty.
    body = refused(client, **{"from": value, "to": "76.95,43.25"})
    assert body["parameter"] == "from"
    assert body["error"] == "from lies outside Almaty: pick a point inside the city."


def test_the_route_json_answers_404_when_no_city_is_loaded(client):
    from gis_data.models import City, District

    District.objects.all().delete()
    City.objects.all().delete()
    response = client.get(ROUTE, {"from": "76.95,43.25", "to": "76.96,43.26"})
    assert response.status_code == 404
    assert "error" in response.json()


def test_the_route_json_only_answers_get(client):
    assert client.post(ROUTE, {"from": "76.95,43.25", "to": "76.96,43.26"}).status_code == 405


# Routes on the hand-built network


def test_it_answers_the_shortest_route_over_the_hill_and_the_gentlest_round_it(client, tmp_path):
    hand_built_network(tmp_path / "dem.tif")

    response = client.get(ROUTE, {"from": NEAR_A, "to": NEAR_B}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True
    shortest, gentlest = body["routes"]
    assert (shortest["key"], gentlest["key"]) == ("shortest", "gentlest")
    assert shortest["title"] == "Shortest route"
    # Over the hill: about 3.65 km and most of the cone's 1,000 m; round it: about 7.6 km on the flat corridor.
    assert 3500 < shortest["length_m"] < 3800
    assert shortest["climb_m"] > 500
    assert shortest["green_share"] == 0
    assert 7300 < gentlest["length_m"] < 7900
    assert gentlest["climb_m"] < 5
    assert gentlest["green_share"] > 0.99
    assert shortest["texts"]["length"] == f"{shortest['length_m'] / 1000:.2f} km"
    assert gentlest["texts"]["green"] == "100 %"
    assert shortest["geometry"]["type"] == "LineString"


def test_each_route_carries_its_profile_with_a_sentence_for_screen_readers(client, tmp_path):
    hand_built_network(tmp_path / "dem.tif")

    shortest, _gentlest = client.get(ROUTE, {"from": NEAR_A, "to": NEAR_B}, HTTP_ACCEPT_LANGUAGE="en").json()["routes"]

    profile = shortest["profile"]
    assert len(profile["distances"]) == len(profile["elevations"]) > 100
    assert profile["distances"][0] == 0
    assert profile["distances"][-1] == pytest.approx(shortest["length_m"] / 1000, abs=0.001)
    assert max(height for height in profile["elevations"] if height is not None) > 1500
    assert profile["summary"].startswith(f"Elevation profile over {shortest['texts']['length']}: 800 m at the start")
    assert profile["gap"] == ""


def test_points_the_network_does_not_join_get_the_reason_and_the_nearest_reachable_point(client, tmp_path):
    hand_built_network(tmp_path / "dem.tif")

    body = client.get(ROUTE, {"from": NEAR_A, "to": "76.9380,43.2641"}, HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["found"] is False
    assert body["message"].startswith("The end cannot be reached from the start")
    # The nearest point the start reaches is a junction of its part of the network: B, the hill street's end.
    assert body["nearest"]["coordinates"] == pytest.approx(B, abs=1e-5)


# The page


def test_the_page_gives_its_script_the_route_url_and_the_keyboard_buttons(client):
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    content = response.content.decode()
    config = json.loads(
        re.search(r'<script id="route-map-config" type="application/json">(.*?)</script>', content, re.S).group(1)
    )

    assert config["routeUrl"] == ROUTE
    assert config["center"] == [43.25, 76.93]
    assert config["chart"]["distance"] == "Distance (km)"
    assert "Use the map centre as the start" in content
    assert "Use the map centre as the end" in content
    assert 'role="status"' in content
