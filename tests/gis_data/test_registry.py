"""The layer registry and what comes out of it: /layers/ and each layer's GeoJSON."""

import gzip
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import override

from gis_data.models import District
from gis_data.registry import Layer, Variant, parse_bbox, registry
from tests.factories import AUEZOV, DistrictFactory, RailwayFactory, WaterwayFactory

# A box around Almaly district that leaves Auezov district (south-west of it) outside.
ALMALY_BBOX = "76.89,43.245,76.95,43.28"


def geojson_url(name: str) -> str:
    return reverse("gis_data:layer_geojson", args=[name])


def staff_only(user) -> bool:
    return user.is_authenticated and user.is_staff


@pytest.fixture
def staff_layer():
    """A layer only staff may see, registered for one test."""
    layer = registry.register(
        Layer(
            name="staff_districts",
            title="Districts under review",
            queryset=lambda: District.objects.all(),
            legend="area",
            style={"color": "#000000"},
            visible_to=staff_only,
        )
    )
    yield layer
    registry.unregister(layer.name)


def test_the_reference_layers_are_registered():
    names = [layer.name for layer in registry]
    for name in ("districts", "waterways", "railways", "green_areas", "main_roads", "streets", "places"):
        assert name in names


def test_the_street_network_appears_from_zoom_14():
    assert registry.get("streets").min_zoom == 14


def test_disused_railways_are_styled_apart_with_a_dashed_line():
    railways = registry.get("railways")
    disused = next(variant for variant in railways.variants if variant.attribute == "in_use")
    assert disused.value is False
    assert disused.style["dashArray"]


def test_each_reference_layer_carries_the_attribution_of_its_source():
    sources = {layer.name: layer.source for layer in registry}
    assert sources["districts"] == "districts"
    assert sources["places"] == "places"
    assert {sources[name] for name in ("waterways", "railways", "green_areas", "streets", "main_roads")} == {"osm2012"}


def test_a_layer_with_a_bad_name_is_refused():
    with pytest.raises(ImproperlyConfigured, match="name"):
        Layer(name="Bad Name", title="x", queryset=District.objects.all, legend="area", style={})


def test_a_layer_with_an_unknown_style_key_is_refused():
    with pytest.raises(ImproperlyConfigured, match="style"):
        Layer(name="x", title="x", queryset=District.objects.all, legend="area", style={"colour": "red"})


def test_a_variant_must_style_a_published_attribute():
    with pytest.raises(ImproperlyConfigured, match="variant"):
        Layer(
            name="x",
            title="x",
            queryset=District.objects.all,
            legend="area",
            style={},
            variants=(Variant("kind", "park", "Park", {}),),
        )


def test_a_layer_name_can_be_registered_only_once():
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        registry.register(registry.get("districts"))


def test_for_user_leaves_out_a_layer_the_user_may_not_see(staff_layer, resident, urbanist):
    assert staff_layer not in registry.for_user(resident)
    assert staff_layer in registry.for_user(urbanist)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1,2,3", "four numbers"),
        ("a,b,c,d", "four numbers"),
        ("nan,43,77,44", "finite"),
        ("76,43,inf,44", "finite"),
        ("-181,43,77,44", "longitudes"),
        ("76,-91,77,44", "latitudes"),
        ("77,43,76,44", "west must be less than east"),
        ("76,44,77,43", "south must be less than north"),
    ],
)
def test_parse_bbox_names_the_problem(value, problem):
    with pytest.raises(ValueError, match=problem):
        parse_bbox(value)


@pytest.mark.django_db
def test_the_geojson_is_an_rfc_7946_feature_collection(client):
    district = DistrictFactory()
    response = client.get(geojson_url("districts"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    [feature] = data["features"]
    assert feature["type"] == "Feature"
    assert feature["id"] == district.pk
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert "crs" not in feature["geometry"]
    assert feature["properties"] == {
        "name": "Almaly",
        "name_kk": "Алмалы ауданы",
        "name_ru": "Алмалинский район",
        "name_en": "Almaly District",
    }


@pytest.mark.django_db
def test_coordinates_are_longitude_then_latitude_with_at_most_six_decimals(client):
    WaterwayFactory(geom="SRID=4326;LINESTRING(76.95951234567 43.25151234567, 76.9674 43.2645)")
    feature = json.loads(client.get(geojson_url("waterways")).content)["features"][0]
    assert feature["geometry"]["coordinates"][0] == [76.959512, 43.251512]


@pytest.mark.django_db
def test_the_geojson_does_not_depend_on_the_page_language(client):
    DistrictFactory()
    with override("en"):
        english = client.get(geojson_url("districts"), HTTP_ACCEPT_LANGUAGE="en").content
    russian = client.get(geojson_url("districts"), HTTP_ACCEPT_LANGUAGE="ru").content
    assert english == russian


@pytest.mark.django_db
def test_it_publishes_the_declared_attributes(client):
    RailwayFactory(kind="disused", in_use=False)
    properties = json.loads(client.get(geojson_url("railways")).content)["features"][0]["properties"]
    assert properties["kind"] == "disused"
    assert properties["in_use"] is False


@pytest.mark.django_db
def test_a_bbox_returns_only_the_features_inside_it(client):
    almaly = DistrictFactory()
    DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())
    data = json.loads(client.get(geojson_url("districts"), {"bbox": ALMALY_BBOX}).content)
    assert [feature["id"] for feature in data["features"]] == [almaly.pk]


@pytest.mark.django_db
def test_without_a_bbox_it_returns_the_whole_layer(client):
    DistrictFactory()
    DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    data = json.loads(client.get(geojson_url("districts")).content)
    assert len(data["features"]) == 2


@pytest.mark.django_db
def test_a_bbox_with_nothing_in_it_gives_an_empty_feature_collection(client):
    DistrictFactory()
    response = client.get(geojson_url("districts"), {"bbox": "10,10,11,11"})
    assert json.loads(response.content) == {"type": "FeatureCollection", "features": []}


@pytest.mark.django_db
def test_the_collection_is_built_in_one_query(client, django_assert_max_num_queries):
    DistrictFactory()
    DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    with django_assert_max_num_queries(1):
        client.get(geojson_url("districts"), {"bbox": "76,43,77,44"})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bbox", "problem"),
    [
        ("76.9,43.2,77", "four numbers"),
        ("76.9,43.2,77,north", "four numbers"),
        ("76.9,43.2,77,nan", "finite"),
        ("200,43.2,201,43.3", "longitudes"),
        ("76.9,-100,77,43.3", "latitudes"),
        ("77,43.2,76.9,43.3", "west must be less than east"),
        ("76.9,43.3,77,43.3", "south must be less than north"),
        ("", "four numbers"),
    ],
)
def test_a_bad_bbox_is_a_400_with_a_message_naming_the_problem(client, bbox, problem):
    response = client.get(geojson_url("districts"), {"bbox": bbox})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert problem in response.json()["error"]


@pytest.mark.django_db
def test_it_is_gzipped_when_the_client_accepts_gzip(client):
    DistrictFactory()
    plain = client.get(geojson_url("districts"))
    response = client.get(geojson_url("districts"), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.content) == plain.content


@pytest.mark.django_db
def test_it_is_not_gzipped_for_a_client_that_does_not_ask(client):
    DistrictFactory()
    response = client.get(geojson_url("districts"))
    assert not response.has_header("Content-Encoding")


@pytest.mark.django_db
def test_it_sends_a_strong_etag_from_the_body(client):
    DistrictFactory()
    first = client.get(geojson_url("districts"))
    again = client.get(geojson_url("districts"))
    assert first["ETag"].startswith('"')
    assert first["ETag"] == again["ETag"]


@pytest.mark.django_db
def test_the_etag_changes_when_the_data_changes(client):
    district = DistrictFactory()
    before = client.get(geojson_url("districts"))["ETag"]
    district.name_en = "Almaly"
    district.save()
    assert client.get(geojson_url("districts"))["ETag"] != before


@pytest.mark.django_db
def test_a_matching_if_none_match_gets_a_304(client):
    DistrictFactory()
    etag = client.get(geojson_url("districts"))["ETag"]
    response = client.get(geojson_url("districts"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "max-age=300" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_weak_etag_of_a_gzipped_response_also_gets_a_304(client):
    DistrictFactory()
    etag = client.get(geojson_url("districts"), HTTP_ACCEPT_ENCODING="gzip")["ETag"]
    assert etag.startswith('W/"')
    response = client.get(geojson_url("districts"), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


@pytest.mark.django_db
def test_a_stale_if_none_match_gets_the_whole_layer(client):
    DistrictFactory()
    response = client.get(geojson_url("districts"), HTTP_IF_NONE_MATCH='"stale"')
    assert response.status_code == 200
    assert json.loads(response.content)["features"]


@pytest.mark.django_db
def test_a_public_layer_may_be_kept_by_shared_caches_for_five_minutes(client):
    response = client.get(geojson_url("districts"))
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=300"}
    # Reading the session would make every cache key depend on the visitor's cookie.
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.django_db
def test_an_unknown_layer_is_404(client):
    assert client.get(geojson_url("no_such_layer")).status_code == 404


@pytest.mark.django_db
def test_a_restricted_layer_is_404_for_an_anonymous_visitor(client, staff_layer):
    assert client.get(geojson_url(staff_layer.name)).status_code == 404


@pytest.mark.django_db
def test_a_restricted_layer_is_404_for_a_resident(client, staff_layer, resident):
    client.force_login(resident)
    assert client.get(geojson_url(staff_layer.name)).status_code == 404


@pytest.mark.django_db
def test_a_restricted_layer_is_served_privately_to_the_allowed_user(client, staff_layer, urbanist):
    DistrictFactory()
    client.force_login(urbanist)
    response = client.get(geojson_url(staff_layer.name))
    assert response.status_code == 200
    assert len(json.loads(response.content)["features"]) == 1
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "private" in directives
    assert "public" not in directives


@pytest.mark.django_db
def test_the_layer_list_describes_each_layer_for_the_map(client):
    DistrictFactory()
    layers = {layer["name"]: layer for layer in client.get(reverse("gis_data:layer_list")).json()["layers"]}
    districts = layers["districts"]
    assert districts["title"] == "Districts"
    assert districts["legend"] == "area"
    assert districts["style"]["fillOpacity"] > 0
    assert districts["min_zoom"] == 0
    assert districts["attribution"] == "© OpenStreetMap contributors, ODbL"
    assert districts["geojson"] == geojson_url("districts")
    assert layers["streets"]["min_zoom"] == 14


@pytest.mark.django_db
def test_the_layer_list_gives_each_layer_the_attribution_of_its_source(client):
    DistrictFactory()
    WaterwayFactory()
    layers = {layer["name"]: layer for layer in client.get(reverse("gis_data:layer_list")).json()["layers"]}
    assert layers["waterways"]["attribution"] == "© OpenStreetMap contributors, CC BY-SA 2.0"
    assert layers["districts"]["attribution"] == "© OpenStreetMap contributors, ODbL"


@pytest.mark.django_db
def test_the_layer_list_leaves_out_a_restricted_layer_for_an_anonymous_visitor(client, staff_layer):
    names = [layer["name"] for layer in client.get(reverse("gis_data:layer_list")).json()["layers"]]
    assert "districts" in names
    assert staff_layer.name not in names


@pytest.mark.django_db
def test_the_layer_list_includes_a_restricted_layer_for_the_allowed_user(client, staff_layer, urbanist):
    client.force_login(urbanist)
    names = [layer["name"] for layer in client.get(reverse("gis_data:layer_list")).json()["layers"]]
    assert staff_layer.name in names
