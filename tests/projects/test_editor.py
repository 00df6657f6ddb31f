"""The project editor: urbanists create and edit projects on the map, move their status, publish them, add photos."""

import datetime
import json

import pytest
from django.contrib.gis.geos import LineString, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pyproj import Geod

from photos.models import Photo
from projects.models import Project, Status, StatusChange
from tests.factories import ARBAT, ASTANA_SQUARE, CategoryFactory, CityFactory, DistrictFactory, ProjectFactory
from tests.photo_files import arbat_jpeg, jpeg_bytes
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db

CREATE = reverse("projects:create")
# A polygon whose outline crosses itself (a bow tie), on Astana Square.
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[76.94, 43.255], [76.946, 43.259], [76.946, 43.255], [76.94, 43.259], [76.94, 43.255]]],
}


@pytest.fixture(autouse=True)
def almaty(db):
    """Almaty with its Almaly district, so geometries are checked against the city's extent."""
    CityFactory()
    return DistrictFactory()


@pytest.fixture
def square(db):
    return CategoryFactory(slug="square")


@pytest.fixture
def editor(client, urbanist):
    client.force_login(urbanist)
    return client


def geojson(geometry) -> str:
    return geometry.geojson


def project_data(category, geometry=ASTANA_SQUARE, **overrides) -> dict:
    data = {
        "category": category.pk,
        "title_kk": "",
        "title_ru": "",
        "title_en": "Astana Square",
        "description_kk": "",
        "description_ru": "",
        "description_en": "New paving and benches.",
        "geom": geometry if isinstance(geometry, str) else geojson(geometry),
        "planned_start": "2024-04-01",
        "planned_end": "2024-10-31",
        "actual_start": "",
        "actual_end": "",
        "budget": "1500000000",
        "department": "Department of Urban Planning",
        "contractor": "",
    }
    data.update(overrides)
    return data


def edit_data(project: Project, **overrides) -> dict:
    data = {field: getattr(project, field) or "" for field in ("title_kk", "title_ru", "title_en")}
    data.update(
        {
            "category": project.category_id,
            "description_kk": project.description_kk,
            "description_ru": project.description_ru,
            "description_en": project.description_en,
            "geom": project.geom.geojson,
            "planned_start": project.planned_start or "",
            "planned_end": project.planned_end or "",
            "actual_start": project.actual_start or "",
            "actual_end": project.actual_end or "",
            "budget": project.budget if project.budget is not None else "",
            "department": project.department,
            "contractor": project.contractor,
        }
    )
    data.update(overrides)
    return data


def geodesic_area(polygon: Polygon) -> float:
    lons, lats = zip(*polygon.exterior_ring.coords, strict=True)
    area, _perimeter = Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)
    return abs(area)


def errors_of(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


# Who may edit ------------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(CREATE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_resident_is_told_they_cannot_edit_projects(client, resident):
    client.force_login(resident)
    response = client.get(CREATE)
    assert response.status_code == 403
    assert "You cannot edit projects" in response.content.decode()


def test_a_resident_who_posts_a_project_saves_nothing(client, resident, square):
    client.force_login(resident)
    response = client.post(CREATE, project_data(square))
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_a_resident_cannot_open_the_editor_of_a_project(client, resident):
    project = ProjectFactory()
    client.force_login(resident)
    for name in ("edit", "status", "photos", "history"):
        assert client.get(reverse(f"projects:{name}", args=[project.pk])).status_code == 403, name


# The editor page ---------------------------------------------------------------------------------------------


def test_the_editor_page_embeds_the_map_config_with_the_tile_url_setting(editor, settings):
    settings.MAP_TILE_URL = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
    response = editor.get(CREATE)
    config = response.context["editor_config"]
    assert config["tiles"]["url"] == "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
    assert config["districts"] == reverse("gis_data:layer_geojson", args=["districts"])
    assert config["center"] == [43.25, 76.93]
    assert '<script id="editor-config" type="application/json">' in response.content.decode()


def test_the_editor_page_loads_leaflet_and_geoman_from_the_site_only(editor):
    content = editor.get(CREATE).content.decode()
    assert '<script src="/static/vendor/leaflet-geoman-2.20.2/leaflet-geoman.min.js"></script>' in content
    assert "/static/vendor/leaflet-geoman-2.20.2/leaflet-geoman.css" in content
    assert external_references(content, "html") == []


def test_the_geoman_toolbar_titles_come_from_the_page(editor):
    config = editor.get(CREATE).context["editor_config"]
    assert config["geoman"]["buttonTitles"]["drawPolyButton"] == "Draw a polygon"


def test_the_editor_tells_the_map_which_shapes_each_category_allows(editor, square):
    bike_lane = CategoryFactory(slug="bike_lane")
    categories = editor.get(CREATE).context["editor_config"]["categories"]
    assert categories[str(square.pk)] == ["Polygon", "MultiPolygon"]
    assert categories[str(bike_lane.pk)] == ["LineString", "MultiLineString"]


def test_the_geojson_can_be_edited_by_keyboard_in_a_labelled_textarea(editor):
    content = editor.get(CREATE).content.decode()
    assert "<summary>Edit the geometry as GeoJSON</summary>" in content
    assert '<label for="id_geom">Geometry (GeoJSON)</label>' in content


# Creating a project ------------------------------------------------------------------------------------------


def test_an_urbanist_creates_a_square_drawn_as_a_polygon(editor, urbanist, square):
    response = editor.post(CREATE, project_data(square))
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:edit", args=[project.pk])
    assert project.title_en == "Astana Square"
    assert project.geom.geom_type == "Polygon"
    assert project.area_m2 == pytest.approx(geodesic_area(ASTANA_SQUARE), rel=0.005)
    assert project.created_by == urbanist
    assert project.budget == 1_500_000_000
    assert [d.name_en for d in project.districts.all()] == ["Almaly District"]
    assert not project.is_published


def test_a_new_project_starts_its_timeline_with_its_status_today(editor, urbanist, square):
    editor.post(CREATE, project_data(square))
    (step,) = StatusChange.objects.all()
    assert step.status == Status.PLANNED
    assert step.date == timezone.localdate()
    assert step.changed_by == urbanist


def test_several_polygons_make_one_multipolygon(editor, square):
    other = Polygon(((76.95, 43.25), (76.952, 43.25), (76.952, 43.252), (76.95, 43.25)), srid=4326)
    shapes = {
        "type": "MultiPolygon",
        "coordinates": [json.loads(ASTANA_SQUARE.geojson)["coordinates"], json.loads(other.geojson)["coordinates"]],
    }
    editor.post(CREATE, project_data(square, json.dumps(shapes)))
    project = Project.objects.get()
    assert project.geom.geom_type == "MultiPolygon"
    assert len(project.geom) == 2


def test_a_self_crossing_polygon_is_repaired_and_the_user_is_told(editor, square):
    response = editor.post(CREATE, project_data(square, json.dumps(BOW_TIE)), follow=True)
    project = Project.objects.get()
    assert project.geom.valid
    assert project.area_m2 > 0
    assert "The geometry was repaired: Self-intersection" in response.content.decode()


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ('{"type": "Polygon", "coordinates": [[[76.94, 43.25]', "The geometry is not valid JSON."),
        ("", "Draw the project on the map, or enter its geometry as GeoJSON."),
        (
            json.dumps(
                {"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}
            ),
            "The geometry lies outside the city's extent.",
        ),
    ],
    ids=["broken JSON", "empty", "in Paris"],
)
def test_a_bad_geometry_is_refused_with_a_message_and_nothing_is_saved(editor, square, geometry, message):
    response = editor.post(CREATE, project_data(square, geometry))
    assert response.status_code == 200
    assert errors_of(response, "geom") == [message]
    assert not Project.objects.exists()


def test_a_sidewalk_drawn_as_a_line_is_refused_on_the_geometry_field(editor):
    sidewalk = CategoryFactory(slug="sidewalk")
    response = editor.post(CREATE, project_data(sidewalk, ARBAT))
    (message,) = errors_of(response, "geom")
    assert "draw it as a polygon" in message
    assert not Project.objects.exists()


def test_a_refused_form_shows_the_drawn_geometry_again(editor, square):
    drawn = json.dumps({"type": "Polygon", "coordinates": json.loads(ASTANA_SQUARE.geojson)["coordinates"]})
    response = editor.post(CREATE, project_data(square, drawn, title_en=""))
    assert response.status_code == 200
    assert response.context["form"]["geom"].value() == drawn
    assert "43.2545" in response.content.decode()


def test_a_project_needs_a_title_in_some_language(editor, square):
    response = editor.post(CREATE, project_data(square, title_en=""))
    assert errors_of(response, "title_en") == ["Give the project a title in at least one language."]
    assert not Project.objects.exists()


def test_a_russian_title_alone_is_enough(editor, square):
    editor.post(CREATE, project_data(square, title_en="", title_ru="Площадь Астана"))
    assert Project.objects.get().title_ru == "Площадь Астана"


def test_a_planned_end_before_the_start_is_refused(editor, square):
    response = editor.post(CREATE, project_data(square, planned_start="2024-10-01", planned_end="2024-04-01"))
    assert errors_of(response, "planned_end") == ["The end date is before the start date."]
    assert not Project.objects.exists()


def test_an_actual_end_before_the_actual_start_is_refused(editor, square):
    response = editor.post(CREATE, project_data(square, actual_start="2024-10-01", actual_end="2024-09-30"))
    assert errors_of(response, "actual_end") == ["The end date is before the start date."]
    assert not Project.objects.exists()


def test_a_negative_budget_is_refused(editor, square):
    response = editor.post(CREATE, project_data(square, budget="-5"))
    assert errors_of(response, "budget") == ["The budget cannot be negative."]
    assert not Project.objects.exists()


def test_the_errors_are_in_the_users_language(editor, square):
    editor.cookies["django_language"] = "ru"
    response = editor.post(CREATE, project_data(square, budget="-5"))
    assert response.status_code == 200
    assert 'lang="ru"' in response.content.decode()
    assert not Project.objects.exists()


# Editing a project -------------------------------------------------------------------------------------------


def test_the_edit_page_shows_the_geometry_as_geojson(editor):
    project = ProjectFactory()
    response = editor.get(reverse("projects:edit", args=[project.pk]))
    assert json.loads(response.context["form"]["geom"].value()) == json.loads(ARBAT.geojson)


def test_an_urbanist_moves_a_line_and_its_length_follows(editor):
    project = ProjectFactory()
    longer = LineString((76.9410, 43.2606), (76.9479, 43.2614), (76.9530, 43.2620), srid=4326)
    response = editor.post(reverse("projects:edit", args=[project.pk]), edit_data(project, geom=longer.geojson))
    assert response.status_code == 302
    old_length = project.length_m
    project.refresh_from_db()
    assert project.geom.equals_exact(longer, 1e-9)
    assert project.length_m > old_length


def test_an_edit_is_kept_in_the_history_with_who_made_it(editor, urbanist):
    project = ProjectFactory()
    editor.post(reverse("projects:edit", args=[project.pk]), edit_data(project, title_en="Arbat"))
    project.refresh_from_db()
    assert project.title_en == "Arbat"
    latest = project.history.first()
    assert latest.history_user == urbanist
    assert latest.title_en == "Arbat"
    assert project.history.count() == 2


def test_an_edit_does_not_change_the_status(editor):
    project = ProjectFactory(status=Status.DESIGN)
    editor.post(reverse("projects:edit", args=[project.pk]), edit_data(project, status="completed", title_en="X"))
    project.refresh_from_db()
    assert project.status == Status.DESIGN


def test_a_refused_edit_leaves_the_project_as_it_was(editor):
    project = ProjectFactory()
    response = editor.post(
        reverse("projects:edit", args=[project.pk]), edit_data(project, title_en="", title_ru="", title_kk="")
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.title_en.startswith("Pedestrian zone")
    assert project.history.count() == 1


def test_saving_the_same_geometry_written_by_the_map_adds_no_version(editor):
    project = ProjectFactory()
    as_the_map_writes_it = json.dumps({"type": "LineString", "coordinates": [[76.941, 43.2606], [76.9479, 43.2614]]})
    response = editor.post(reverse("projects:edit", args=[project.pk]), edit_data(project, geom=as_the_map_writes_it))
    assert response.status_code == 302
    assert project.history.count() == 1


# Status ------------------------------------------------------------------------------------------------------


def status_url(project: Project) -> str:
    return reverse("projects:status", args=[project.pk])


def test_the_status_form_offers_only_the_next_statuses(editor):
    project = ProjectFactory(status=Status.CONSTRUCTION)
    form = editor.get(status_url(project)).context["form"]
    assert [value for value, _label in form.fields["status"].choices] == ["completed", "suspended", "cancelled"]
    assert form["date"].value() == timezone.localdate()


def test_an_urbanist_moves_a_project_to_design(editor, urbanist):
    project = ProjectFactory()
    response = editor.post(status_url(project), {"status": "design", "date": "2024-05-02", "note": "Tender won"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.DESIGN
    step = project.status_changes.get()
    assert (step.status, step.date, step.note, step.changed_by) == (
        "design",
        datetime.date(2024, 5, 2),
        "Tender won",
        urbanist,
    )


def test_the_status_form_refuses_an_illegal_move_with_a_message(editor):
    project = ProjectFactory(status=Status.PLANNED)
    response = editor.post(status_url(project), {"status": "completed", "date": "2024-05-02"})
    assert response.status_code == 200
    (message,) = response.context["form"].errors["status"]
    assert message.startswith("A project that is “Planned” cannot move to “Completed”")
    project.refresh_from_db()
    assert project.status == Status.PLANNED
    assert not project.status_changes.exists()


def test_the_status_form_refuses_a_date_in_the_future(editor):
    project = ProjectFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = editor.post(status_url(project), {"status": "design", "date": tomorrow.isoformat()})
    assert "The date of a status change cannot be in the future." in response.content.decode()
    project.refresh_from_db()
    assert project.status == Status.PLANNED


def test_the_status_page_shows_the_timeline(editor):
    project = ProjectFactory()
    StatusChange.objects.create(project=project, status="planned", date=datetime.date(2024, 1, 10), note="In the plan")
    content = editor.get(status_url(project)).content.decode()
    assert "In the plan" in content
    assert "Timeline" in content


def test_a_completed_project_has_no_status_form(editor):
    project = ProjectFactory(status=Status.COMPLETED)
    response = editor.get(status_url(project))
    assert "This status is final" in response.content.decode()
    assert "Change the status" not in response.content.decode()


# Publishing --------------------------------------------------------------------------------------------------


def test_publish_and_unpublish_toggle_the_project(editor):
    project = ProjectFactory(is_published=False)
    url = reverse("projects:publish", args=[project.pk])
    editor.post(url, {"published": "1"})
    project.refresh_from_db()
    assert project.is_published
    editor.post(url, {"published": "0"})
    project.refresh_from_db()
    assert not project.is_published


def test_publishing_is_a_post_only_action(editor):
    project = ProjectFactory(is_published=False)
    assert editor.get(reverse("projects:publish", args=[project.pk])).status_code == 405
    project.refresh_from_db()
    assert not project.is_published


def test_a_resident_cannot_publish(client, resident):
    project = ProjectFactory(is_published=False)
    client.force_login(resident)
    assert client.post(reverse("projects:publish", args=[project.pk]), {"published": "1"}).status_code == 403
    project.refresh_from_db()
    assert not project.is_published


def test_the_editor_shows_whether_the_project_is_published(editor):
    project = ProjectFactory(is_published=True)
    content = editor.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert "Published: everyone can see it." in content
    assert ">Unpublish</button>" in content


# Photos ------------------------------------------------------------------------------------------------------


def photos_url(project: Project) -> str:
    return reverse("projects:photos", args=[project.pk])


def upload(client, project: Project, content: bytes, **fields):
    data = {"action": "upload", "image": SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")}
    data.update(fields)
    return client.post(photos_url(project), data)


def form_data(form) -> dict:
    """What a browser sends back for an unchanged form."""
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else value
    return data


def test_the_upload_form_says_the_camera_date_and_place_are_used_when_left_empty(editor):
    project = ProjectFactory()
    content = editor.get(photos_url(project)).content.decode()
    assert "Leave the date, the place and the direction empty to use what the camera recorded" in content
    assert 'enctype="multipart/form-data"' in content


def test_an_urbanist_uploads_a_photo_with_the_date_and_place_of_the_camera(editor, urbanist):
    project = ProjectFactory()
    response = upload(editor, project, arbat_jpeg(), caption="Arbat in May", phase="before")
    assert response.status_code == 302
    photo = Photo.objects.of(project).get()
    assert photo.caption == "Arbat in May"
    assert photo.phase == "before"
    assert photo.taken_on == datetime.date(2017, 5, 1)
    assert photo.location.y == pytest.approx(43.2610, abs=1e-4)
    assert photo.uploaded_by == urbanist


def test_a_file_that_is_not_a_photo_is_refused_on_the_photos_page(editor):
    project = ProjectFactory()
    response = upload(editor, project, b"not a picture at all")
    assert response.status_code == 200
    assert response.context["upload_form"].errors
    assert not Photo.objects.exists()


def test_an_urbanist_pairs_a_before_and_an_after_photo(editor):
    project = ProjectFactory()
    upload(editor, project, arbat_jpeg(), phase="before", caption="Before")
    upload(editor, project, jpeg_bytes(colour="#884422"), phase="after", caption="After")
    before = Photo.objects.get(caption="Before")
    after = Photo.objects.get(caption="After")
    (_photo, form) = next(row for row in editor.get(photos_url(project)).context["photos"] if row[0] == before)
    data = form_data(form)
    data.update({"action": "edit", "photo": before.pk, f"{form.prefix}-pair": after.pk})
    response = editor.post(photos_url(project), data)
    assert response.status_code == 302
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.pair == after
    assert after.pair == before


def test_deleting_a_photo_asks_first(editor):
    project = ProjectFactory()
    upload(editor, project, arbat_jpeg(), caption="Arbat")
    photo = Photo.objects.get()
    content = editor.get(photos_url(project), {"delete": photo.pk}).content.decode()
    assert "Delete this photo?" in content
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_an_urbanist_deletes_a_photo(editor):
    project = ProjectFactory()
    upload(editor, project, arbat_jpeg(), caption="Arbat")
    photo = Photo.objects.get()
    response = editor.post(photos_url(project), {"action": "delete", "photo": photo.pk})
    assert response.status_code == 302
    assert not Photo.objects.exists()


def test_a_photo_of_another_project_cannot_be_deleted_from_this_one(editor):
    project, other = ProjectFactory(), ProjectFactory()
    upload(editor, other, arbat_jpeg())
    photo = Photo.objects.get()
    assert editor.post(photos_url(project), {"action": "delete", "photo": photo.pk}).status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()
