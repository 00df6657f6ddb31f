"""Server-side clusters: /layers/<name>/clusters.json, as the map of proposals asks for it."""

import json

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from gis_data.clusters import cluster_collection
from gis_data.models import District
from gis_data.registry import Layer, registry
from tests.factories import AUEZOV, DistrictFactory, ProposalFactory

pytestmark = pytest.mark.django_db

# The whole city, and the zoom the city is seen at.
CITY_BBOX = "76.6,43.0,77.3,43.6"
CITY_ZOOM = 11
# Three places far apart at city zoom (each well inside one cell of the grid at zooms 11 and 12).
CENTRE = (76.92, 43.24)
EAST = (77.0, 43.3)
WEST = (76.84, 43.22)
# A short street in the west and a small square in the east, away from the points.
WEST_STREET = LineString((76.838, 43.219), (76.841, 43.2205), (76.843, 43.221), srid=4326)
EAST_SQUARE = Polygon(((76.995, 43.295), (76.997, 43.295), (76.997, 43.2965), (76.995, 43.2965), (76.995, 43.295)))
EAST_SQUARE.srid = 4326


def clusters_url(name: str = "proposals") -> str:
    return reverse("gis_data:layer_clusters", args=[name])


def near(place: tuple[float, float], step: int = 0) -> Point:
    """A point a few metres from ``place``: proposals near one another, not on top of one another."""
    return Point(place[0] + step * 0.0004, place[1] + step * 0.0003, srid=4326)


def propose(place: tuple[float, float], count: int, **fields) -> list:
    return [ProposalFactory(geom=near(place, step), **fields) for step in range(count)]


def get_clusters(client, bbox: str = CITY_BBOX, zoom: int = CITY_ZOOM, **filters) -> list[dict]:
    response = client.get(clusters_url(), {"bbox": bbox, "zoom": zoom, **filters})
    assert response.status_code == 200, response.content
    return json.loads(response.content)["features"]


def counted(features: list[dict]) -> int:
    """How many proposals the answer stands for: each cluster its count, each lone proposal one."""
    return sum(feature["properties"]["count"] if feature["properties"].get("cluster") else 1 for feature in features)


def clusters_of(features: list[dict]) -> list[dict]:
    return [feature for feature in features if feature["properties"].get("cluster")]


def lone_ids(features: list[dict]) -> set[int]:
    return {feature["id"] for feature in features if not feature["properties"].get("cluster")}


@pytest.fixture
def few(settings):
    """A limit of two proposals in view, so that a handful of proposals is clustered."""
    settings.MAP_CLUSTER_FEATURE_LIMIT = 2


def test_the_counts_add_up_to_the_proposals_in_the_bbox(client, few):
    propose(CENTRE, 4)
    propose(EAST, 3)
    propose(WEST, 1)
    ProposalFactory(geom=Point(78.5, 44.5, srid=4326))  # far outside the box
    features = get_clusters(client)
    assert counted(features) == 8
    assert sorted(feature["properties"]["count"] for feature in clusters_of(features)) == [3, 4]


def test_proposals_close_together_are_one_cluster_at_their_mean_with_the_extent_of_its_members(client, few):
    propose(CENTRE, 3)
    [cluster] = get_clusters(client)
    assert cluster["type"] == "Feature"
    assert cluster["properties"]["cluster"] is True
    assert cluster["properties"]["count"] == 3
    longitude, latitude = cluster["geometry"]["coordinates"]
    assert longitude == pytest.approx(CENTRE[0] + 0.0004, abs=1e-5)
    assert latitude == pytest.approx(CENTRE[1] + 0.0003, abs=1e-5)
    assert cluster["properties"]["bbox"] == pytest.approx(
        [CENTRE[0], CENTRE[1], CENTRE[0] + 0.0008, CENTRE[1] + 0.0006], abs=1e-6
    )


def test_a_lone_proposal_comes_as_itself_as_the_geojson_writes_it(client, few):
    propose(CENTRE, 3)
    street = ProposalFactory(geom=WEST_STREET.clone(), title="Shade trees along the street", status="accepted")
    features = get_clusters(client)
    [lone] = [feature for feature in features if not feature["properties"].get("cluster")]
    geojson = json.loads(client.get(reverse("gis_data:layer_geojson", args=["proposals"]), {"bbox": CITY_BBOX}).content)
    assert lone == next(feature for feature in geojson["features"] if feature["id"] == street.pk)
    assert lone["geometry"] == {"type": "LineString", "coordinates": [list(xy) for xy in WEST_STREET.coords]}
    assert lone["properties"] == {
        "title": "Shade trees along the street",
        "kind": "problem",
        "category": "lighting",
        "status": "accepted",
    }


def test_a_lone_area_keeps_its_ring(client, few):
    propose(CENTRE, 3)
    square = ProposalFactory(geom=EAST_SQUARE.clone())
    features = get_clusters(client)
    [lone] = [feature for feature in features if feature.get("id") == square.pk]
    assert lone["geometry"]["type"] == "Polygon"
    assert lone["geometry"]["coordinates"] == [[list(xy) for xy in EAST_SQUARE.exterior_ring.coords]]


def test_with_few_proposals_in_view_every_one_comes_as_itself(client):
    proposals = propose(CENTRE, 3) + propose(EAST, 2)
    features = get_clusters(client)
    assert clusters_of(features) == []
    assert lone_ids(features) == {proposal.pk for proposal in proposals}


def test_from_zoom_18_every_proposal_comes_as_itself_even_above_the_limit(client, few):
    proposals = propose(CENTRE, 4)
    features = get_clusters(client, bbox="76.91,43.23,76.93,43.25", zoom=18)
    assert clusters_of(features) == []
    assert lone_ids(features) == {proposal.pk for proposal in proposals}


def test_a_proposal_whose_anchor_is_outside_the_bbox_is_not_counted(client, few):
    propose(CENTRE, 3)
    propose(EAST, 3)
    features = get_clusters(client, bbox="76.9,43.2,76.95,43.26")
    assert counted(features) == 3


def test_the_grid_keeps_a_cluster_whole_when_the_map_pans(client, few):
    propose(CENTRE, 3)
    propose(EAST, 3)
    before = [f for f in get_clusters(client, bbox="76.8,43.1,77.1,43.4") if f["properties"]["count"] == 3]
    after = [f for f in get_clusters(client, bbox="76.85,43.15,77.15,43.45") if f["properties"]["count"] == 3]
    assert before == after


@pytest.mark.parametrize("visibility", ["pending", "hidden"])
def test_a_proposal_waiting_for_moderation_or_hidden_is_never_counted(client, few, visibility):
    propose(CENTRE, 2)
    propose(CENTRE, 3, visibility=visibility)
    features = get_clusters(client)
    assert counted(features) == 2
    assert counted(get_clusters(client, zoom=18)) == 2


def test_a_moderator_sees_no_unpublished_proposal_in_the_clusters_either(client, few, moderator):
    published = propose(CENTRE, 2)
    propose(CENTRE, 2, visibility="hidden")
    client.force_login(moderator)
    assert counted(get_clusters(client)) == 2
    assert lone_ids(get_clusters(client, zoom=18)) == {proposal.pk for proposal in published}


def test_a_hidden_proposal_alone_in_its_cell_is_not_sent(client, few):
    propose(CENTRE, 3)
    propose(EAST, 2)
    ProposalFactory(geom=WEST_STREET.clone(), visibility="hidden")
    assert lone_ids(get_clusters(client)) == set()


def test_a_filter_narrows_the_clusters(client, few):
    propose(CENTRE, 3, status="accepted")
    propose(CENTRE, 2)
    propose(EAST, 4, status="accepted")
    propose(EAST, 5, status="rejected")
    features = get_clusters(client, status="accepted")
    assert counted(features) == 7
    assert sorted(feature["properties"]["count"] for feature in clusters_of(features)) == [3, 4]


def test_filters_apply_together(client, few):
    propose(CENTRE, 3, kind="park", status="accepted")
    propose(CENTRE, 2, kind="park")
    propose(EAST, 3, status="accepted")
    assert counted(get_clusters(client, status="accepted", kind="park")) == 3


def test_a_district_filter_counts_the_proposals_that_touch_the_district(client, few):
    DistrictFactory()  # Almaly: the centre
    auezov = DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    inside = [ProposalFactory(geom=Point(76.87, 43.22 + step * 0.001, srid=4326)) for step in range(3)]
    propose(EAST, 3)
    features = get_clusters(client, district=auezov.pk)
    assert counted(features) == len(inside)


def test_the_answer_takes_at_most_two_queries(client, few, django_assert_max_num_queries):
    propose(CENTRE, 3)
    propose(EAST, 3)
    propose(WEST, 1)
    with django_assert_max_num_queries(2):
        features = get_clusters(client)
    assert counted(features) == 7


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"zoom": "11"}, "bbox is required"),
        ({"bbox": "76.9,43.2,77", "zoom": "11"}, "four numbers"),
        ({"bbox": "77,43.2,76.9,43.3", "zoom": "11"}, "west must be less than east"),
        ({"bbox": "76.9,-100,77,43.3", "zoom": "11"}, "latitudes"),
        ({"bbox": CITY_BBOX}, "zoom must be a whole number from 0 to 22"),
        ({"bbox": CITY_BBOX, "zoom": ""}, "zoom must be a whole number from 0 to 22"),
        ({"bbox": CITY_BBOX, "zoom": "eleven"}, "zoom must be a whole number from 0 to 22"),
        ({"bbox": CITY_BBOX, "zoom": "11.5"}, "zoom must be a whole number from 0 to 22"),
        ({"bbox": CITY_BBOX, "zoom": "-1"}, "zoom must be a whole number from 0 to 22"),
        ({"bbox": CITY_BBOX, "zoom": "23"}, "zoom must be a whole number from 0 to 22"),
    ],
)
def test_a_bad_bbox_or_zoom_is_a_400_naming_the_problem(client, query, problem):
    response = client.get(clusters_url(), query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert problem in response.json()["error"]


def test_a_bad_filter_is_a_400_naming_the_field(client):
    response = client.get(clusters_url(), {"bbox": CITY_BBOX, "zoom": 11, "status": "lost"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Some filters are not valid."
    assert list(body["fields"]) == ["status"]


def test_the_whole_world_at_zoom_0_is_answered(client, few):
    propose(CENTRE, 3)
    features = get_clusters(client, bbox="-180,-90,180,90", zoom=0)
    assert counted(features) == 3


def test_a_layer_sent_whole_has_no_clusters(client):
    DistrictFactory()
    assert client.get(clusters_url("districts"), {"bbox": CITY_BBOX, "zoom": 11}).status_code == 404


def test_an_unknown_layer_has_no_clusters(client):
    assert client.get(clusters_url("no_such_layer"), {"bbox": CITY_BBOX, "zoom": 11}).status_code == 404


def test_the_answer_is_geojson_with_an_etag_and_may_be_cached_for_five_minutes(client, few):
    propose(CENTRE, 3)
    query = {"bbox": CITY_BBOX, "zoom": CITY_ZOOM}
    response = client.get(clusters_url(), query)
    assert response["Content-Type"] == "application/geo+json"
    assert {part.strip() for part in response["Cache-Control"].split(",")} == {"public", "max-age=300"}
    again = client.get(clusters_url(), query, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_etag_changes_with_the_zoom(client, few):
    propose(CENTRE, 3)
    propose(EAST, 3)
    city = client.get(clusters_url(), {"bbox": CITY_BBOX, "zoom": 11})
    closer = client.get(clusters_url(), {"bbox": CITY_BBOX, "zoom": 17})
    assert city["ETag"] != closer["ETag"]


def test_the_catalogue_gives_a_clustered_layer_its_clusters_url(client):
    layers = {layer["name"]: layer for layer in client.get(reverse("gis_data:layer_list")).json()["layers"]}
    assert layers["proposals"]["clusters"] == clusters_url()
    assert layers["districts"]["clusters"] == ""


def test_a_cluster_field_must_be_a_field_name():
    with pytest.raises(ImproperlyConfigured, match="cluster_field"):
        Layer(name="x", title="x", queryset=District.objects.all, legend="area", style={}, cluster_field="geom.anchor")


def test_a_cluster_field_must_be_a_point_in_web_mercator():
    layer = Layer(name="x", title="x", queryset=District.objects.all, legend="area", style={}, cluster_field="geom")
    with pytest.raises(ImproperlyConfigured, match="EPSG:3857"):
        cluster_collection(layer, layer.queryset(), (76.6, 43.0, 77.3, 43.6), 11)


def test_the_proposals_layer_is_clustered_on_the_anchor():
    assert registry.get("proposals").cluster_field == "anchor"


def test_from_zoom_18_a_box_holding_ten_times_the_limit_is_still_clustered(client, few):
    # Twenty-one reports of one broken light, all at the same spot.
    for _ in range(21):
        ProposalFactory(geom=Point(*CENTRE, srid=4326))
    features = get_clusters(client, zoom=18)
    assert [cluster["properties"]["count"] for cluster in clusters_of(features)] == [21]


def test_the_geojson_of_a_clustered_layer_is_sent_one_box_at_a_time(client):
    propose(CENTRE, 1)
    response = client.get(reverse("gis_data:layer_geojson", args=["proposals"]))
    assert response.status_code == 400
    assert "bbox is required" in json.loads(response.content)["error"]
