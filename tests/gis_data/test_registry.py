"""The layer registry and what comes out of it: /layers/ and each layer's GeoJSON."""

import gzip
import json

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy, override

from gis_data.models import District
from gis_data.registry import NAME_ATTRIBUTES, Layer, Variant, parse_bbox, registry
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


# The extensions of a layer: variants from a table, aliases, filters, popups with links, images and directions.


class DistrictFilterForm(forms.Form):
    """A filter form as the registry expects one: fields, MAP_FIELDS and filter(queryset)."""

    # Labels Django itself translates, so that the test does not wait for Qala's catalogues.
    where = forms.ModelChoiceField(
        label=gettext_lazy("Filter"),
        queryset=District.objects.all(),
        to_field_name="name",
        required=False,
        empty_label=gettext_lazy("All"),
    )
    q = forms.CharField(required=False)

    MAP_FIELDS = ("where",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["where"].label_from_instance = lambda district: district.localized_name

    def filter(self, queryset):
        if self.cleaned_data.get("where"):
            queryset = queryset.filter(pk=self.cleaned_data["where"].pk)
        return queryset


def district_variants():
    """One variant per district row, as projects get one per category row."""
    return tuple(Variant("name", d.name, d.name_en, {"color": "#123456"}) for d in District.objects.order_by("name"))


@pytest.fixture
def extended_layer():
    """A districts layer using every extension, registered for one test."""
    layer = registry.register(
        Layer(
            name="test_districts",
            title="Test districts",
            queryset=lambda: District.objects.all(),
            legend="mixed",
            style={"color": "#000000"},
            attributes=("name", "title_en=name_en", "title_ru=name_ru", "source=source__key", "osm=osm_id"),
            variants=district_variants,
            filter_form=DistrictFilterForm,
            label="title",
            link="gis_data:layer_geojson",
            link_attribute="source",
            image="source",
            direction="osm",
        )
    )
    yield layer
    registry.unregister(layer.name)


def catalogue_entry(client, name, **headers):
    layers = client.get(reverse("gis_data:layer_list"), **headers).json()["layers"]
    return next(layer for layer in layers if layer["name"] == name)


def layer(**options):
    declaration = {"name": "x", "title": "x", "queryset": District.objects.all, "legend": "area", "style": {}}
    return Layer(**(declaration | options))


def test_a_layer_may_draw_points_lines_and_areas_with_a_mixed_legend():
    assert layer(legend="mixed").legend == "mixed"


@pytest.mark.django_db
def test_callable_variants_follow_the_rows_of_a_table_on_every_request(client, extended_layer):
    DistrictFactory()
    assert [v["title"] for v in catalogue_entry(client, "test_districts")["variants"]] == ["Almaly District"]
    DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())
    titles = [v["title"] for v in catalogue_entry(client, "test_districts")["variants"]]
    assert titles == ["Almaly District", "Auezov District"]


@pytest.mark.django_db
def test_callable_variants_must_style_a_published_attribute():
    broken = layer(variants=lambda: (Variant("kind", "park", "Park", {}),))
    with pytest.raises(ImproperlyConfigured, match="variant"):
        broken.current_variants()


@pytest.mark.django_db
def test_callable_variants_may_not_use_unknown_style_keys():
    broken = layer(variants=lambda: (Variant("name", "Almaly", "Almaly", {"colour": "red"}),))
    with pytest.raises(ImproperlyConfigured, match="style"):
        broken.current_variants()


@pytest.mark.django_db
def test_an_alias_publishes_a_field_under_a_readable_name(client, extended_layer):
    DistrictFactory()
    properties = json.loads(client.get(geojson_url("test_districts")).content)["features"][0]["properties"]
    assert properties["title_en"] == "Almaly District"
    assert properties["title_ru"] == "Алмалинский район"


@pytest.mark.django_db
def test_an_alias_may_follow_a_relation(client, extended_layer):
    DistrictFactory()
    properties = json.loads(client.get(geojson_url("test_districts")).content)["features"][0]["properties"]
    assert properties["source"] == "districts"
    assert "source__key" not in properties


@pytest.mark.parametrize("attribute", ["Bad Name=name", "title=", "title=name en", "=name"])
def test_an_attribute_that_is_no_field_or_alias_is_refused(attribute):
    with pytest.raises(ImproperlyConfigured, match="attribute"):
        layer(attributes=("name", attribute))


def test_an_attribute_name_published_twice_is_refused():
    with pytest.raises(ImproperlyConfigured, match="twice"):
        layer(attributes=("name", "name=name_en"))


def test_an_attribute_may_not_be_called_id_which_is_the_feature_id():
    with pytest.raises(ImproperlyConfigured, match="reserved"):
        layer(attributes=("name", "id=osm_id"))


def test_the_label_must_name_published_attributes():
    with pytest.raises(ImproperlyConfigured, match="label"):
        layer(label="title")


@pytest.mark.parametrize("role", ["link_attribute", "image", "direction"])
def test_a_popup_or_direction_attribute_must_be_published(role):
    with pytest.raises(ImproperlyConfigured, match=role):
        layer(**{role: "kind", "link": "gis_data:layer_geojson"})


def test_a_link_attribute_needs_a_link():
    with pytest.raises(ImproperlyConfigured, match="link"):
        layer(attributes=(*NAME_ATTRIBUTES, "osm=osm_id"), link_attribute="osm")


def test_a_filter_form_needs_a_filter_method():
    with pytest.raises(ImproperlyConfigured, match="filter"):
        layer(filter_form=forms.Form)


def test_the_map_fields_of_a_filter_form_must_be_its_fields():
    class Unknown(DistrictFilterForm):
        MAP_FIELDS = ("where", "when")

    with pytest.raises(ImproperlyConfigured, match="when"):
        layer(filter_form=Unknown)


@pytest.mark.django_db
def test_the_catalogue_publishes_the_label_the_link_template_the_image_and_the_direction(client, extended_layer):
    entry = catalogue_entry(client, "test_districts")
    assert entry["label"] == "title"
    assert entry["link"] == "/layers/{source}.geojson"
    assert entry["image"] == "/media/{source}"
    assert entry["direction"] == "osm"


@pytest.mark.django_db
def test_a_link_without_a_link_attribute_uses_the_feature_id(client):
    registry.register(layer(name="linked", link="projects:detail"))
    try:
        assert catalogue_entry(client, "linked")["link"] == "/projects/{id}/"
    finally:
        registry.unregister("linked")


@pytest.mark.django_db
def test_a_layer_without_extensions_publishes_empty_ones(client):
    entry = catalogue_entry(client, "districts")
    assert (entry["label"], entry["link"], entry["image"], entry["direction"], entry["filters"]) == (
        "name",
        "",
        "",
        "",
        [],
    )


@pytest.mark.django_db
def test_the_catalogue_lists_only_the_map_fields_of_the_filter_form(client, extended_layer):
    DistrictFactory()
    [where] = catalogue_entry(client, "test_districts")["filters"]
    assert where == {"name": "where", "label": "Filter", "choices": [["", "All"], ["Almaly", "Almaly District"]]}


@pytest.mark.django_db
def test_the_catalogue_gives_the_filters_in_the_request_language(client, extended_layer):
    DistrictFactory()
    with override("ru"):
        label, everything = str(gettext_lazy("Filter")), str(gettext_lazy("All"))
    [where] = catalogue_entry(client, "test_districts", HTTP_ACCEPT_LANGUAGE="ru")["filters"]
    assert label != "Filter"
    assert where["label"] == label
    assert where["choices"] == [["", everything], ["Almaly", "Алмалинский район"]]


@pytest.mark.django_db
def test_a_filter_narrows_the_geojson(client, extended_layer):
    DistrictFactory()
    auezov = DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    data = json.loads(client.get(geojson_url("test_districts"), {"where": "Auezov"}).content)
    assert [feature["id"] for feature in data["features"]] == [auezov.pk]


@pytest.mark.django_db
def test_filters_apply_together_with_the_bbox(client, extended_layer):
    DistrictFactory()
    DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    data = json.loads(client.get(geojson_url("test_districts"), {"where": "Auezov", "bbox": ALMALY_BBOX}).content)
    assert data["features"] == []


@pytest.mark.django_db
def test_an_empty_filter_filters_nothing(client, extended_layer):
    DistrictFactory()
    DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    data = json.loads(client.get(geojson_url("test_districts"), {"where": ""}).content)
    assert len(data["features"]) == 2


@pytest.mark.django_db
def test_a_bad_filter_value_is_a_400_naming_the_field_and_the_problem(client, extended_layer):
    DistrictFactory()
    response = client.get(geojson_url("test_districts"), {"where": "Atlantis"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "Some filters are not valid."
    assert body["fields"] == {"where": ["Select a valid choice. That choice is not one of the available choices."]}


@pytest.mark.django_db
def test_a_bad_filter_value_is_explained_in_the_request_language(client, extended_layer):
    DistrictFactory()
    response = client.get(geojson_url("test_districts"), {"where": "Atlantis"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["fields"]["where"] == [
        "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."
    ]


@pytest.mark.django_db
def test_filtered_answers_have_their_own_etag_and_stay_public(client, extended_layer):
    DistrictFactory()
    DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    everything = client.get(geojson_url("test_districts"))
    filtered = client.get(geojson_url("test_districts"), {"where": "Auezov"})
    assert filtered["ETag"] != everything["ETag"]
    assert {part.strip() for part in filtered["Cache-Control"].split(",")} == {"public", "max-age=300"}


@pytest.mark.django_db
def test_without_filter_parameters_the_filter_form_costs_no_query(client, extended_layer, django_assert_num_queries):
    DistrictFactory()
    with django_assert_num_queries(1):
        client.get(geojson_url("test_districts"), {"bbox": "76,43,77,44"})
