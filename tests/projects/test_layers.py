"""The projects and their photos as map layers: what they publish, how they are styled and filtered."""

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import override

from gis_data.registry import registry
from photos.models import Photo
from projects.models import Project, Status
from tests.factories import ASTANA_SQUARE, AUEZOV, CategoryFactory, DistrictFactory, ProjectFactory
from tests.photo_files import png_bytes

pytestmark = pytest.mark.django_db

# A playground in Auezov district and one in Almaly, as points.
IN_AUEZOV = Point(76.85, 43.22, srid=4326)
IN_ALMALY = Point(76.92, 43.255, srid=4326)
# Where a photo of Arbat is taken from, looking east along the street.
ON_ARBAT = Point(76.9440, 43.2610, srid=4326)


def projects_geojson(client, **params) -> dict:
    response = client.get(reverse("gis_data:layer_geojson", args=["projects"]), params)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def photos_geojson(client) -> dict:
    return json.loads(client.get(reverse("gis_data:layer_geojson", args=["project_photos"])).content)


def ids(data: dict) -> set[int]:
    return {feature["id"] for feature in data["features"]}


def catalogue(client, name: str, **headers) -> dict:
    layers = client.get(reverse("gis_data:layer_list"), **headers).json()["layers"]
    return next(layer for layer in layers if layer["name"] == name)


def make_photo(owner, *, location=ON_ARBAT, bearing=90, caption="Arbat, looking east", phase="") -> Photo:
    """A photo row with real image files, made without photos.services (written elsewhere at the same time)."""
    return Photo.objects.create(
        content_type=ContentType.objects.get_for_model(owner),
        object_id=owner.pk,
        image=ContentFile(png_bytes(), name="arbat.png"),
        thumbnail=ContentFile(png_bytes(160, 120), name="arbat.png"),
        taken_on=datetime.date(2017, 5, 1),
        location=location,
        bearing=bearing,
        caption=caption,
        phase=phase,
    )


@pytest.fixture
def districts():
    """Almaly and Auezov, so that projects get their districts when saved."""
    return DistrictFactory(), DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())


# The projects layer


def test_the_projects_are_drawn_above_the_reference_layers():
    names = [layer.name for layer in registry]
    assert names.index("projects") > names.index("places")
    assert names.index("project_photos") > names.index("projects")


def test_the_projects_layer_shows_the_whole_city():
    assert registry.get("projects").min_zoom <= 10


def test_a_published_project_is_in_the_geojson(client):
    project = ProjectFactory()
    assert ids(projects_geojson(client)) == {project.pk}


def test_a_draft_project_is_not_in_the_geojson(client):
    ProjectFactory(is_published=False)
    assert projects_geojson(client)["features"] == []


def test_a_draft_project_is_not_in_the_geojson_for_an_urbanist_either(client, urbanist):
    # The map is the public view; urbanists see their drafts in the editor, and the layer caches publicly.
    ProjectFactory(is_published=False)
    client.force_login(urbanist)
    assert projects_geojson(client)["features"] == []


def test_a_project_publishes_its_titles_category_and_status(client):
    project = ProjectFactory(title_en="Arbat", title_ru="Арбат", title_kk="Арбат көшесі", status="design")
    [feature] = projects_geojson(client)["features"]
    assert feature["properties"] == {
        "title_kk": "Арбат көшесі",
        "title_ru": "Арбат",
        "title_en": "Arbat",
        "category": "pedestrian_zone",
        "status": "design",
    }
    assert feature["id"] == project.pk


def test_points_lines_and_areas_are_all_drawn(client):
    ProjectFactory()
    ProjectFactory(category=CategoryFactory(slug="square"), geom=ASTANA_SQUARE.clone())
    ProjectFactory(category=CategoryFactory(slug="playground"), geom=IN_ALMALY.clone())
    types = {feature["geometry"]["type"] for feature in projects_geojson(client)["features"]}
    assert types == {"LineString", "Polygon", "Point"}


def test_the_catalogue_links_a_project_to_its_page(client):
    entry = catalogue(client, "projects")
    assert entry["link"] == "/projects/{id}/"
    assert entry["label"] == "title"
    assert entry["legend"] == "mixed"


def test_each_category_is_a_variant_with_its_colour(client):
    CategoryFactory(slug="bike_lane")
    variants = catalogue(client, "projects")["variants"]
    bike_lane = next(v for v in variants if v["attribute"] == "category" and v["value"] == "bike_lane")
    assert bike_lane["title"] == "Bike lane"
    assert bike_lane["style"] == {"color": "#00838f", "fillColor": "#00838f"}


def test_a_category_an_admin_adds_gets_its_colour_on_the_map_at_once(client):
    CategoryFactory(slug="fountain", name_en="Fountain", color="#0000ff")
    variants = catalogue(client, "projects")["variants"]
    assert {
        "attribute": "category",
        "value": "fountain",
        "title": "Fountain",
        "style": {"color": "#0000ff", "fillColor": "#0000ff"},
    } in variants


def test_the_category_variants_are_named_in_the_request_language(client):
    CategoryFactory(slug="bike_lane")
    variants = catalogue(client, "projects", HTTP_ACCEPT_LANGUAGE="ru")["variants"]
    assert next(v for v in variants if v["value"] == "bike_lane")["title"] == "Велодорожка"


def test_the_status_variants_come_after_the_categories_so_they_apply_over_the_colour(client):
    attributes = [v["attribute"] for v in catalogue(client, "projects")["variants"]]
    assert attributes.index("status") > max(i for i, attribute in enumerate(attributes) if attribute == "category")
    assert attributes[attributes.index("status") :] == ["status"] * len(Status.choices)


def status_style(client, status: str) -> dict:
    variants = catalogue(client, "projects")["variants"]
    return next(v["style"] for v in variants if v["attribute"] == "status" and v["value"] == status)


def test_planned_and_design_projects_have_a_dashed_outline(client):
    assert status_style(client, "planned")["dashArray"]
    assert status_style(client, "design")["dashArray"]


def test_completed_projects_are_solid(client):
    assert "dashArray" not in status_style(client, "completed")


def test_suspended_and_cancelled_projects_are_fainter(client):
    assert status_style(client, "suspended")["opacity"] < 1
    assert status_style(client, "cancelled")["opacity"] < status_style(client, "suspended")["opacity"]


def test_no_status_style_changes_the_category_colour(client):
    for status, _label in Status.choices:
        assert not {"color", "fillColor"} & set(status_style(client, status))


# Filters


def test_the_catalogue_lists_the_map_filters_of_the_projects(client, districts):
    filters = catalogue(client, "projects")["filters"]
    assert [f["name"] for f in filters] == ["category", "status", "district", "year"]
    status = next(f for f in filters if f["name"] == "status")
    assert status["label"] == "Status"
    assert status["choices"][0] == ["", "All"]
    assert ["suspended", "Suspended"] in status["choices"]


def test_the_catalogue_gives_the_project_filters_in_russian(client, districts):
    filters = {f["name"]: f for f in catalogue(client, "projects", HTTP_ACCEPT_LANGUAGE="ru")["filters"]}
    with override("ru"):
        expected_label = str(Project._meta.get_field("status").verbose_name.capitalize())
        expected_completed = str(Status.COMPLETED.label)
    assert filters["status"]["label"].lower() == expected_label.lower()
    assert ["completed", expected_completed] in filters["status"]["choices"]
    assert ["pedestrian_zone", "Пешеходная зона"] in filters["category"]["choices"]
    assert [str(districts[0].pk), "Алмалинский район"] in filters["district"]["choices"]
    assert filters["district"]["choices"][0] == ["", "Все"]


def test_the_year_filter_offers_the_years_of_the_projects(client):
    ProjectFactory(planned_start=datetime.date(2019, 4, 1), planned_end=datetime.date(2020, 10, 1))
    year = next(f for f in catalogue(client, "projects")["filters"] if f["name"] == "year")
    assert year["choices"] == [["", "All"], ["2020", "2020"], ["2019", "2019"]]


def test_filtering_by_category_keeps_only_that_category(client):
    ProjectFactory()
    square = ProjectFactory(category=CategoryFactory(slug="square"), geom=ASTANA_SQUARE.clone())
    assert ids(projects_geojson(client, category="square")) == {square.pk}


def test_filtering_by_status_keeps_only_that_status(client):
    ProjectFactory(status="planned")
    completed = ProjectFactory(status="completed")
    assert ids(projects_geojson(client, status="completed")) == {completed.pk}


def test_filtering_by_district_keeps_the_projects_in_it(client, districts):
    almaly, auezov = districts
    playground = CategoryFactory(slug="playground")
    ProjectFactory(category=playground, geom=IN_ALMALY.clone())
    in_auezov = ProjectFactory(category=playground, geom=IN_AUEZOV.clone())
    assert ids(projects_geojson(client, district=auezov.pk)) == {in_auezov.pk}


def test_filtering_by_year_keeps_the_projects_active_that_year(client):
    ProjectFactory(planned_start=datetime.date(2019, 4, 1), planned_end=datetime.date(2019, 10, 1))
    later = ProjectFactory(planned_start=datetime.date(2023, 4, 1), planned_end=datetime.date(2024, 10, 1))
    assert ids(projects_geojson(client, year=2024)) == {later.pk}


def test_filters_combine(client):
    ProjectFactory(status="completed")
    ProjectFactory(category=CategoryFactory(slug="square"), geom=ASTANA_SQUARE.clone(), status="planned")
    square_done = ProjectFactory(
        category=CategoryFactory(slug="square"), geom=ASTANA_SQUARE.clone(), status="completed"
    )
    assert ids(projects_geojson(client, category="square", status="completed")) == {square_done.pk}


def test_a_filter_never_shows_a_draft(client):
    ProjectFactory(status="completed", is_published=False)
    assert projects_geojson(client, status="completed")["features"] == []


def test_an_unknown_status_is_a_400_with_a_clear_message(client):
    ProjectFactory()
    response = client.get(reverse("gis_data:layer_geojson", args=["projects"]), {"status": "nonsense"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Some filters are not valid."
    assert body["fields"] == {"status": ["Select a valid choice. nonsense is not one of the available choices."]}


def test_an_unknown_category_is_a_400(client):
    response = client.get(reverse("gis_data:layer_geojson", args=["projects"]), {"category": "moon_base"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["category"]


# The photos layer


def test_a_photo_of_a_published_project_is_a_viewpoint(client):
    project = ProjectFactory()
    photo = make_photo(project, bearing=90, caption="Arbat, looking east", phase="before")
    [feature] = photos_geojson(client)["features"]
    assert feature["id"] == photo.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [76.944, 43.261]}
    assert feature["properties"] == {
        "caption": "Arbat, looking east",
        "bearing": 90,
        "phase": "before",
        "thumbnail": photo.thumbnail.name,
        "project": project.pk,
    }


def test_a_photo_without_a_bearing_publishes_a_null_bearing(client):
    make_photo(ProjectFactory(), bearing=None)
    assert photos_geojson(client)["features"][0]["properties"]["bearing"] is None


def test_a_photo_of_a_draft_project_is_not_on_the_map(client):
    make_photo(ProjectFactory(is_published=False))
    assert photos_geojson(client)["features"] == []


def test_a_photo_without_a_location_is_not_on_the_map(client):
    make_photo(ProjectFactory(), location=None)
    assert photos_geojson(client)["features"] == []


def test_a_photo_of_something_else_than_a_project_is_not_on_the_map(client):
    # A photo of a district whose pk is also a published project's pk: the owner's model tells them apart.
    project = ProjectFactory()
    make_photo(DistrictFactory(id=project.pk))
    assert photos_geojson(client)["features"] == []


def test_the_thumbnail_in_the_catalogue_is_a_media_url(client, settings):
    make_photo(ProjectFactory())
    entry = catalogue(client, "project_photos")
    assert entry["image"] == "/media/{thumbnail}"
    thumbnail = photos_geojson(client)["features"][0]["properties"]["thumbnail"]
    assert client.get(entry["image"].replace("{thumbnail}", thumbnail)).status_code == 200


def test_a_photo_links_to_its_project_and_looks_along_its_bearing(client):
    entry = catalogue(client, "project_photos")
    assert entry["link"] == "/projects/{project}/"
    assert entry["direction"] == "bearing"
    assert entry["label"] == "caption"


def test_the_photos_appear_from_street_level(client):
    assert catalogue(client, "project_photos")["min_zoom"] == 15
