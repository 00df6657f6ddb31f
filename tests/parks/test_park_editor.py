"""The park editor: urbanists draw and edit parks, their entrances and photos; the history and restoring it."""

import json

import pytest
from django.contrib.gis.geos import MultiPoint, MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from gis_data.models import City, District
from parks import services
from parks.models import Park
from photos.models import Photo
from tests.factories import GORKY_GATE, GORKY_PARK, CityFactory, DistrictFactory, ParkFactory
from tests.photo_files import arbat_jpeg

pytestmark = pytest.mark.django_db

CREATE = reverse("parks:create")
# Gorky Park without its northern tip, as an urbanist redraws it.
GORKY_SOUTH = Polygon(
    ((76.9655, 43.2596), (76.9663, 43.2567), (76.9718, 43.2568), (76.9737, 43.2610), (76.9655, 43.2596)), srid=4326
)
# A bow tie: its ring crosses itself.
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[76.966, 43.258], [76.970, 43.262], [76.970, 43.258], [76.966, 43.262], [76.966, 43.258]]],
}
MEDEU = MultiPolygon(Polygon.from_bbox((76.95, 43.24, 77.00, 43.28)), srid=4326)


@pytest.fixture(autouse=True)
def almaty(db) -> City:
    city = CityFactory()
    DistrictFactory(name="Medeu", name_en="Medeu District", geom=MEDEU.clone())
    return city


@pytest.fixture
def editor(client, urbanist):
    client.force_login(urbanist)
    return client


@pytest.fixture
def park(almaty, urbanist) -> Park:
    return services.save_park(ParkFactory.build(city=almaty), user=urbanist)


def as_text(geometry) -> str:
    """GeoJSON text, as the map or a keyboard user sends it: from a GEOS geometry or a GeoJSON dict."""
    if geometry is None:
        return ""
    return json.dumps(geometry) if isinstance(geometry, dict) else geometry.geojson


def park_data(boundary=GORKY_PARK, entrances=None, **overrides) -> dict:
    data = {
        "name_kk": "",
        "name_ru": "Парк у реки",
        "name_en": "Riverside Park",
        "description_kk": "",
        "description_ru": "",
        "description_en": "Along the Malaya Almatinka.",
        "state": "open",
        "boundary": boundary if isinstance(boundary, str) else as_text(boundary),
        "entrances": as_text(entrances),
    }
    data.update(overrides)
    return data


def edit_url(park: Park) -> str:
    return reverse("parks:edit", args=[park.pk])


def history_url(park: Park) -> str:
    return reverse("parks:history", args=[park.pk])


def restore_url(park: Park, record) -> str:
    return reverse("parks:restore", args=[park.pk, record.history_id])


def text(response) -> str:
    return response.content.decode()


# Who may edit ----------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client, park):
    response = client.get(edit_url(park))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["create", "edit", "photos", "history"])
def test_a_resident_is_told_they_cannot_edit_parks(client, resident, park, name):
    client.force_login(resident)
    url = CREATE if name == "create" else reverse(f"parks:{name}", args=[park.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert "You cannot edit parks" in text(response)


def test_a_resident_cannot_create_a_park(client, resident):
    client.force_login(resident)
    assert client.post(CREATE, park_data()).status_code == 403
    assert not Park.objects.exists()


def test_a_moderator_cannot_edit_a_park(client, moderator, park):
    client.force_login(moderator)
    assert client.post(edit_url(park), park_data(name_en="Renamed")).status_code == 403
    park.refresh_from_db()
    assert park.name_en == "Gorky Central Park"


# Creating --------------------------------------------------------------------------------------------------


def test_the_new_park_page_has_the_map_and_the_fields(editor):
    response = editor.get(CREATE)
    assert response.status_code == 200
    content = text(response)
    assert "<h1>New park</h1>" in content
    assert 'id="editor-map"' in content
    assert "js/park_editor.js" in content
    config = response.context["editor_config"]
    assert {layer["name"] for layer in config["reference"]} >= {"parks", "green_areas"}


def test_an_urbanist_creates_a_park_with_an_entrance(editor, urbanist):
    response = editor.post(CREATE, park_data(entrances=MultiPoint(GORKY_GATE.clone())))
    park = Park.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("parks:detail", args=[park.pk])
    assert (park.name_en, park.name_ru, park.state) == ("Riverside Park", "Парк у реки", "open")
    assert park.boundary.equals_exact(GORKY_PARK, 1e-9)
    assert park.entrances[0].equals_exact(GORKY_GATE, 1e-9)
    assert park.created_by == urbanist
    assert park.district.name_en == "Medeu District"
    assert 500_000 < park.area_m2 < 700_000
    assert park.history.get().history_user == urbanist


def test_a_drawn_polygon_is_stored_as_a_multipolygon(editor):
    editor.post(CREATE, park_data(boundary=GORKY_SOUTH))
    park = Park.objects.get()
    assert park.boundary.geom_type == "MultiPolygon"
    assert park.boundary[0].equals_exact(GORKY_SOUTH, 1e-9)


def test_a_park_without_a_name_is_refused_with_a_message(editor):
    response = editor.post(CREATE, park_data(name_ru="", name_en=""))
    assert response.status_code == 200
    assert "Give the park a name in at least one language." in text(response)
    assert not Park.objects.exists()


def test_an_entrance_far_from_the_boundary_is_refused_with_its_distance(editor):
    far = MultiPoint(GORKY_GATE.clone(), Point(76.9752, 43.2610), srid=4326)
    response = editor.post(CREATE, park_data(entrances=far))
    assert response.status_code == 200
    assert "Entrance 2 is " in text(response)
    assert "an entrance must be within 30 m of it" in text(response)
    assert not Park.objects.exists()


def test_a_line_for_a_boundary_is_refused(editor):
    line = {"type": "LineString", "coordinates": [[76.9655, 43.2596], [76.9718, 43.2568]]}
    response = editor.post(CREATE, park_data(boundary=line))
    assert escape("A park's boundary is an area: draw a polygon, not a LineString.") in text(response)
    assert not Park.objects.exists()


def test_an_empty_boundary_is_refused(editor):
    response = editor.post(CREATE, park_data(boundary=""))
    assert escape("Draw the park's boundary on the map, or enter it as GeoJSON.") in text(response)
    assert not Park.objects.exists()


def test_a_boundary_crossing_itself_is_repaired_and_the_urbanist_told(editor):
    response = editor.post(CREATE, park_data(boundary=BOW_TIE), follow=True)
    park = Park.objects.get()
    assert park.boundary.valid
    assert len(park.boundary) == 2
    messages = [str(message) for message in response.context["messages"]]
    assert any(message.startswith("The boundary was repaired: Self-intersection") for message in messages)


def test_without_a_loaded_city_a_park_cannot_be_drawn(editor, almaty):
    District.objects.all().delete()
    City.objects.all().delete()
    response = editor.get(CREATE)
    assert response.status_code == 409
    assert "No city is loaded" in text(response)


# Editing ---------------------------------------------------------------------------------------------------


def test_the_edit_page_shows_what_was_derived(editor, park):
    response = editor.get(edit_url(park))
    content = text(response)
    assert response.status_code == 200
    assert "Edit “Gorky Central Park”" in content
    derived = dict(response.context["derived"])
    assert derived["District"] == "Medeu District"
    assert derived["Area"].endswith(" m²")


def test_an_urbanist_redraws_the_boundary_and_the_area_follows(editor, urbanist, park):
    area = park.area_m2
    response = editor.post(edit_url(park), park_data(boundary=GORKY_SOUTH, name_en="Gorky Park"))
    assert response.status_code == 302
    assert response["Location"] == reverse("parks:detail", args=[park.pk])
    park.refresh_from_db()
    assert park.name_en == "Gorky Park"
    assert park.boundary[0].equals_exact(GORKY_SOUTH, 1e-9)
    assert park.area_m2 < area
    assert park.history.count() == 2
    assert park.history.latest().history_user == urbanist


def test_an_urbanist_closes_a_park(editor, park):
    data = park_data(name_ru=park.name_ru, name_en=park.name_en, name_kk=park.name_kk, state="closed")
    editor.post(edit_url(park), data)
    park.refresh_from_db()
    assert park.state == "closed"


def test_saving_the_form_unchanged_makes_no_new_version(editor, park):
    form = editor.get(edit_url(park)).context["form"]
    data = {field.html_name: "" if field.value() is None else field.value() for field in form}
    # The map writes a single polygon as a Polygon, with its own spacing.
    data["boundary"] = json.dumps(json.loads(GORKY_PARK[0].geojson))
    response = editor.post(edit_url(park), data, follow=True)
    assert "Nothing was changed." in text(response)
    assert park.history.count() == 1


def test_a_refused_edit_leaves_the_park_as_it_was(editor, park):
    response = editor.post(edit_url(park), park_data(name_ru="", name_en="", name_kk=""))
    assert response.status_code == 200
    park.refresh_from_db()
    assert park.name_en == "Gorky Central Park"
    assert park.history.count() == 1


# Photos ----------------------------------------------------------------------------------------------------


def test_an_urbanist_uploads_a_before_photo_of_the_park(editor, urbanist, park):
    url = reverse("parks:photos", args=[park.pk])
    assert editor.get(url).status_code == 200
    image = SimpleUploadedFile("photo.jpg", arbat_jpeg(), content_type="image/jpeg")
    response = editor.post(url, {"action": "upload", "image": image, "phase": "before", "caption": "The pond"})
    assert response.status_code == 302
    photo = Photo.objects.of(park).get()
    assert (photo.caption, photo.phase, photo.uploaded_by) == ("The pond", "before", urbanist)


# History and restore ---------------------------------------------------------------------------------------


@pytest.fixture
def changed(urbanist, park) -> Park:
    """Gorky Park, created, then redrawn without its northern tip and renamed by the urbanist."""
    park.boundary = MultiPolygon(GORKY_SOUTH.clone(), srid=4326)
    park.name_en = "Gorky Park"
    return services.save_park(park, user=urbanist)


def test_the_history_lists_the_versions_newest_first_with_who_saved_them(editor, urbanist, changed):
    response = editor.get(history_url(changed))
    entries = response.context["entries"]
    assert [entry.kind for entry in entries] == ["changed", "created"]
    assert [entry.is_current for entry in entries] == [True, False]
    assert text(response).count(f"by {escape(str(urbanist))}") == 2


def test_the_history_tells_the_old_and_new_area(editor, changed):
    changes = {change.label: change for change in editor.get(history_url(changed)).context["entries"][0].changes}
    assert set(changes) == {"Name (English)", "Boundary"}
    assert (changes["Name (English)"].old, changes["Name (English)"].new) == ("Gorky Central Park", "Gorky Park")
    old_area = int(changes["Boundary"].old.split(" m²")[0].replace(",", ""))
    new_area = int(changes["Boundary"].new.split(" m²")[0].replace(",", ""))
    assert old_area > new_area > 100_000
    assert changes["Boundary"].is_geometry


def test_a_moderator_reads_the_history_but_gets_no_restore_button(client, moderator, changed):
    client.force_login(moderator)
    response = client.get(history_url(changed))
    assert response.status_code == 200
    assert "Restore this version" not in text(response)
    assert client.post(restore_url(changed, changed.history.earliest())).status_code == 403
    changed.refresh_from_db()
    assert changed.name_en == "Gorky Park"


def test_a_resident_cannot_read_the_history(client, resident, changed):
    client.force_login(resident)
    response = client.get(history_url(changed))
    assert response.status_code == 403
    assert "Gorky Park" not in text(response)


def test_only_older_versions_have_a_restore_button(editor, changed):
    content = text(editor.get(history_url(changed)))
    assert content.count("Restore this version") == 1
    assert restore_url(changed, changed.history.earliest()) in content


def test_the_restore_page_asks_first_and_shows_what_changes(editor, changed):
    response = editor.get(restore_url(changed, changed.history.earliest()))
    assert response.status_code == 200
    changes = {change.label: change for change in response.context["changes"]}
    assert (changes["Name (English)"].old, changes["Name (English)"].new) == ("Gorky Park", "Gorky Central Park")
    assert "Boundary" in changes
    changed.refresh_from_db()
    assert changed.name_en == "Gorky Park"


def test_restoring_brings_back_the_boundary_as_a_new_version(editor, urbanist, changed):
    response = editor.post(restore_url(changed, changed.history.earliest()))
    assert response.status_code == 302
    assert response["Location"] == history_url(changed)
    changed.refresh_from_db()
    assert changed.boundary.equals_exact(GORKY_PARK, 1e-9)
    assert changed.name_en == "Gorky Central Park"
    assert 500_000 < changed.area_m2 < 700_000
    assert changed.history.count() == 3
    assert changed.history.latest().history_user == urbanist


def test_the_current_version_has_nothing_to_restore(editor, changed):
    content = text(editor.get(restore_url(changed, changed.history.latest())))
    assert "This is the current version: there is nothing to restore." in content


def test_a_version_of_another_park_cannot_be_restored_here(editor, almaty, urbanist, changed):
    other = services.save_park(ParkFactory.build(city=almaty, name_en="Other"), user=urbanist)
    assert editor.post(restore_url(changed, other.history.get())).status_code == 404
    changed.refresh_from_db()
    assert changed.name_en == "Gorky Park"
