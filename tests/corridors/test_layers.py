"""Corridors and segments as map layers: what they publish, to whom, how they are styled and filtered."""

import json

import pytest
from django.contrib.gis.geos import LineString
from django.urls import reverse

from corridors.layers import KIND_COLOURS, corridor_style, segment_style
from corridors.models import Kind, Mode, Status
from gis_data.registry import registry
from tests.factories import ALMATINKA_PROMENADE, CorridorFactory, DistrictFactory, SegmentFactory

pytestmark = pytest.mark.django_db

# A bike route along Abay Avenue, west of the promenade and well apart from it.
ABAY_BIKE_LANE = LineString((76.8800, 43.2385), (76.9000, 43.2392), srid=4326)
# The promenade's continuation south of Abay Avenue, drawn as a second segment.
PROMENADE_SOUTH = LineString((76.9570, 43.2460), (76.9598, 43.2517), srid=4326)


def geojson(client, name: str, **params) -> dict:
    response = client.get(reverse("gis_data:layer_geojson", args=[name]), params)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def catalogue(client, name: str) -> dict | None:
    layers = client.get(reverse("gis_data:layer_list"), HTTP_ACCEPT_LANGUAGE="en").json()["layers"]
    return next((layer for layer in layers if layer["name"] == name), None)


def ids(data: dict) -> set[int]:
    return {feature["id"] for feature in data["features"]}


def test_a_corridor_is_one_feature_made_of_all_its_segments(client):
    corridor = CorridorFactory()
    SegmentFactory(corridor=corridor, geom=PROMENADE_SOUTH.clone(), position=0)
    SegmentFactory(corridor=corridor, geom=ALMATINKA_PROMENADE.clone(), position=1)

    data = geojson(client, "corridors")

    [feature] = data["features"]
    assert feature["id"] == corridor.pk
    assert feature["geometry"]["type"] == "MultiLineString"
    assert len(feature["geometry"]["coordinates"]) == 2
    assert feature["properties"]["name_en"] == "Malaya Almatinka promenade"
    assert feature["properties"]["kind"] == "river_promenade"
    assert feature["properties"]["status"] == "planned"


def test_a_corridor_without_segments_is_not_drawn(client):
    CorridorFactory()
    assert geojson(client, "corridors")["features"] == []


def test_drafts_are_in_neither_public_layer(client, resident):
    draft = CorridorFactory(is_published=False)
    SegmentFactory(corridor=draft)
    client.force_login(resident)

    assert geojson(client, "corridors")["features"] == []
    assert geojson(client, "segments")["features"] == []
    assert client.get(reverse("gis_data:layer_geojson", args=["corridor_drafts"])).status_code == 404
    assert catalogue(client, "corridor_drafts") is None


def test_urbanists_see_the_drafts_in_a_layer_of_their_own_not_kept_by_shared_caches(client, urbanist):
    draft = CorridorFactory(is_published=False)
    SegmentFactory(corridor=draft)
    published = CorridorFactory(name_en="Published")
    SegmentFactory(corridor=published, geom=ABAY_BIKE_LANE.clone())
    client.force_login(urbanist)

    response = client.get(reverse("gis_data:layer_geojson", args=["corridor_drafts"]))

    assert ids(json.loads(response.content)) == {draft.pk}
    assert "private" in response["Cache-Control"]
    assert ids(geojson(client, "corridors")) == {published.pk}


def test_the_corridors_layer_is_filtered_by_kind_status_and_district(client):
    district = DistrictFactory()
    promenade = CorridorFactory(kind=Kind.RIVER_PROMENADE, status=Status.PLANNED)
    SegmentFactory(corridor=promenade)
    promenade.districts.add(district)
    bike_route = CorridorFactory(name_en="Abay bike lane", kind=Kind.BIKE_ROUTE, status=Status.EXISTING)
    SegmentFactory(corridor=bike_route, geom=ABAY_BIKE_LANE.clone())

    assert ids(geojson(client, "corridors", kind="bike_route")) == {bike_route.pk}
    assert ids(geojson(client, "corridors", status="planned")) == {promenade.pk}
    assert ids(geojson(client, "corridors", district=district.pk)) == {promenade.pk}


def test_a_bad_filter_value_is_refused_with_its_name(client):
    response = client.get(reverse("gis_data:layer_geojson", args=["corridors"]), {"kind": "motorway"})
    assert response.status_code == 400
    assert "kind" in response.json()["fields"]


def test_the_corridors_layer_answers_for_a_bounding_box(client):
    promenade = CorridorFactory()
    SegmentFactory(corridor=promenade)
    bike_route = CorridorFactory(name_en="Abay bike lane")
    SegmentFactory(corridor=bike_route, geom=ABAY_BIKE_LANE.clone())

    assert ids(geojson(client, "corridors", bbox="76.95,43.24,76.97,43.27")) == {promenade.pk}


def test_a_segment_links_to_its_corridors_page_and_publishes_what_it_is(client):
    corridor = CorridorFactory()
    segment = SegmentFactory(corridor=corridor, mode=Mode.BIKE, surface="asphalt", lighting="full", width_m=3.5)

    [feature] = geojson(client, "segments")["features"]

    assert feature["id"] == segment.pk
    assert feature["geometry"]["type"] == "LineString"
    properties = feature["properties"]
    assert properties["corridor"] == corridor.pk
    assert properties["corridor_name_en"] == "Malaya Almatinka promenade"
    assert properties["mode"] == "bike"
    assert properties["surface"] == "asphalt"
    assert float(properties["width_m"]) == 3.5
    entry = catalogue(client, "segments")
    assert entry["link"] == reverse("corridors:detail", args=[918273645]).replace("918273645", "{corridor}")


def test_the_legend_names_each_kind_and_status_of_corridors_and_each_mode_of_segments(client):
    corridors = catalogue(client, "corridors")
    titles = {(variant["attribute"], variant["value"]): variant["title"] for variant in corridors["variants"]}
    assert titles[("kind", "rails_to_trails")] == "rails to trails"
    assert titles[("status", "proposed")] == "proposed"
    assert corridors["attribution"] == ""
    assert corridors["link"] == "/corridors/{id}/"

    segments = catalogue(client, "segments")
    titles = {(variant["attribute"], variant["value"]): variant["title"] for variant in segments["variants"]}
    assert titles[("mode", "pedestrian")] == "pedestrian"
    assert titles[("status", "existing")] == "existing"


def test_the_pages_draw_corridors_and_segments_with_the_layers_styles():
    layer = registry.get("corridors")
    composed = dict(layer.style)
    for variant in layer.current_variants():
        if (variant.attribute, variant.value) in {("kind", "bike_route"), ("status", "planned")}:
            composed.update(variant.style)
    assert corridor_style("bike_route", "planned") == composed
    assert corridor_style("bike_route", "planned")["color"] == KIND_COLOURS[Kind.BIKE_ROUTE]

    layer = registry.get("segments")
    composed = dict(layer.style)
    for variant in layer.current_variants():
        if (variant.attribute, variant.value) in {("status", "existing"), ("mode", "pedestrian")}:
            composed.update(variant.style)
    assert segment_style("existing", "pedestrian") == composed
