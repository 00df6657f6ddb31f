"""The trajectory endpoints: a suggestion for urbanists as GeoJSON, and the cost surface's picture for everyone."""

import pytest
import shapely
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.cache import cache
from django.urls import reverse

from corridors import trajectory, trajectory_views
from gis_data.models import DataSource
from gis_data.raster import METRES_PER_DEGREE
from tests.corridors.test_trajectory import at, lonlat, plain, read_png, through
from tests.factories import (
    DEM_NORTH,
    DEM_RES,
    DEM_WEST,
    GreenAreaFactory,
    PopulatedPlaceFactory,
    WaterwayFactory,
)

pytestmark = pytest.mark.django_db

SUGGEST = reverse("corridors:suggest")
COST_SURFACE = reverse("corridors:cost_surface")


@pytest.fixture(autouse=True)
def fresh_caches():
    trajectory.clear_cache()
    cache.clear()
    yield
    trajectory.clear_cache()
    cache.clear()


@pytest.fixture
def city(tmp_path):
    """The flat synthetic plain, with a river along row 20 from column 10 to column 60."""
    raster = plain(tmp_path / "plain.tif")
    WaterwayFactory(geom=through((20, 10), (20, 60)))
    return raster.source.city


@pytest.fixture
def urbanist_client(client, urbanist, password):
    client.login(email=urbanist.email, password=password)
    return client


def lon_lat(row: float, column: float) -> str:
    return "{:.6f},{:.6f}".format(*lonlat(row, column))


# Who may ask.


def test_an_anonymous_visitor_is_sent_to_log_in(client, city):
    response = client.get(SUGGEST, {"from": lon_lat(20, 10), "to": lon_lat(20, 60)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["resident", "moderator"])
def test_a_user_who_does_not_draw_segments_gets_a_403_in_json(client, city, password, persona, request):
    user = request.getfixturevalue(persona)
    client.login(email=user.email, password=password)
    response = client.get(SUGGEST, {"from": lon_lat(20, 10), "to": lon_lat(20, 60)})
    assert response.status_code == 403
    assert "urbanists" in response.json()["error"]


def test_a_suggestion_is_only_read_not_posted(urbanist_client, city):
    assert urbanist_client.post(SUGGEST, {"from": lon_lat(20, 10), "to": lon_lat(20, 60)}).status_code == 405


# What comes back.


def test_an_urbanist_gets_the_line_as_a_geojson_feature_with_its_figures(urbanist_client, city):
    response = urbanist_client.get(SUGGEST, {"from": lon_lat(20, 10), "to": lon_lat(20, 60)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "private" in response["Cache-Control"]
    feature = response.json()
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "LineString"
    coordinates = feature["geometry"]["coordinates"]
    assert coordinates[0] == pytest.approx(lonlat(20, 10)) and coordinates[-1] == pytest.approx(lonlat(20, 60))
    properties = feature["properties"]
    assert set(properties) >= {"length_m", "climb_m", "descent_m", "follows_share", "message"}
    # 50 pixels of 0.001° east at 43.25° north.
    assert properties["length_m"] == pytest.approx(50 * DEM_RES * METRES_PER_DEGREE * 0.7282, rel=0.01)
    assert properties["follows_share"] == 1.0
    assert properties["climb_m"] == 0
    assert properties["message"] == "4.0 km, 100 % along rivers, canals or disused railways, 0 m of climbing"


def test_the_message_is_in_the_requests_language(urbanist_client, city):
    response = urbanist_client.get(
        SUGGEST, {"from": lon_lat(20, 10), "to": lon_lat(20, 60)}, headers={"accept-language": "ru"}
    )
    # Russian writes a decimal comma and "км".
    assert response.json()["properties"]["message"].startswith("4,0 км")


def test_the_start_may_be_a_populated_place(urbanist_client, city):
    place = PopulatedPlaceFactory(geom=at(30, 15))
    response = urbanist_client.get(SUGGEST, {"from_place": place.pk, "to": lon_lat(20, 60)})
    assert response.status_code == 200
    assert response.json()["geometry"]["coordinates"][0] == pytest.approx(lonlat(30, 15))


def test_the_end_may_be_a_park_reached_at_the_point_of_its_edge_nearest_the_start(urbanist_client, city):
    west, north = DEM_WEST + 50 * DEM_RES, DEM_NORTH - 15 * DEM_RES
    square = Polygon.from_bbox((west, north - 10 * DEM_RES, west + 10 * DEM_RES, north))
    park = GreenAreaFactory(geom=MultiPolygon(square, srid=4326))
    start = lonlat(20, 10)
    response = urbanist_client.get(SUGGEST, {"from": lon_lat(20, 10), "to_park": park.pk})
    assert response.status_code == 200
    end = response.json()["geometry"]["coordinates"][-1]
    # The park's west edge, level with the start (which is between its north and south edges).
    assert end[0] == pytest.approx(west, abs=1e-6)
    assert end[1] == pytest.approx(start[1], abs=2e-5)
    assert shapely.from_wkb(bytes(park.geom.boundary.wkb)).distance(shapely.Point(end)) < 1e-6


# What is refused.


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"to": "76.95,43.25"}, "from"),
        ({"from": "76.95,43.25"}, "to"),
        ({"from": "east", "to": "76.95,43.25"}, "from"),
        ({"from": "76.95,43.25,3", "to": "76.95,43.25"}, "from"),
        ({"from": "76.95,43.25", "to": "76.95,nan"}, "to"),
        ({"from": "76.95,43.25", "to": "200,43.25"}, "to"),
        ({"from_place": "one", "to": "76.95,43.25"}, "from_place"),
        ({"from_place": "918273645", "to": "76.95,43.25"}, "from_place"),
        ({"from": "76.95,43.25", "to_park": "918273645"}, "to_park"),
        ({"from": "76.95,43.25", "from_place": "1", "to": "76.95,43.25"}, "from_place"),
    ],
)
def test_a_missing_or_bad_parameter_is_a_400_naming_it(urbanist_client, city, query, named):
    response = urbanist_client.get(SUGGEST, query)
    assert response.status_code == 400
    assert named in response.json()["error"]


def test_a_trajectory_that_cannot_be_found_is_a_400_saying_why(urbanist_client, city):
    response = urbanist_client.get(SUGGEST, {"from": lon_lat(20, 10), "to": lon_lat(20, 10)})
    assert response.status_code == 400
    assert "less than 50 m apart" in response.json()["error"]


def test_a_point_outside_the_city_is_a_400_saying_so(urbanist_client, city):
    response = urbanist_client.get(SUGGEST, {"from": "10,10", "to": lon_lat(20, 10)})
    assert response.status_code == 400
    assert response.json()["error"] == "The start lies outside the city's extent."


# The cost surface's picture.


def test_the_cost_surface_is_a_public_png_with_a_strong_etag(client, city):
    response = client.get(COST_SURFACE)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["ETag"].startswith('"') and not response["ETag"].startswith("W/")
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    assert read_png(response.content).shape == (4, 60, 80)


def test_the_cost_surface_answers_304_to_the_etag_it_gave(client, city):
    etag = client.get(COST_SURFACE)["ETag"]
    response = client.get(COST_SURFACE, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert "max-age=86400" in response["Cache-Control"]


def test_the_cost_surface_is_drawn_once_and_anew_when_a_source_changes(client, city, monkeypatch):
    drawn = []
    draw = trajectory.cost_surface_png

    def counting(city):
        drawn.append(city)
        return draw(city)

    monkeypatch.setattr(trajectory_views.trajectory, "cost_surface_png", counting)
    first = client.get(COST_SURFACE)["ETag"]
    assert client.get(COST_SURFACE)["ETag"] == first
    DataSource.objects.filter(key="osm2012").update(sha256="1" * 64)
    assert client.get(COST_SURFACE)["ETag"] != first
    assert len(drawn) == 2


def test_the_cost_surface_is_404_when_the_city_has_no_elevation_model(client):
    from tests.factories import CityFactory

    CityFactory()
    assert client.get(COST_SURFACE).status_code == 404


def test_a_suggestion_needs_an_elevation_model(urbanist_client):
    from tests.factories import CityFactory

    CityFactory()
    response = urbanist_client.get(SUGGEST, {"from": "76.95,43.25", "to": "76.97,43.26"})
    assert response.status_code == 400
    assert "no elevation model" in response.json()["error"]


def test_the_suggested_end_point_is_the_one_given(urbanist_client, city):
    end = at(35, 70)
    response = urbanist_client.get(SUGGEST, {"from": lon_lat(20, 10), "to": f"{end.x:.7f},{end.y:.7f}"})
    assert Point(response.json()["geometry"]["coordinates"][-1]).distance(end) < 1e-7
