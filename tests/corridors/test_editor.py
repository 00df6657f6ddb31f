"""The corridor editor: urbanists create corridors, draw and edit their segments, publish them and add photos."""

import json

import pytest
from django.contrib.gis.geos import LineString
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyproj import Geod

from corridors import services
from corridors.models import Corridor, Segment
from photos.models import Photo
from tests.factories import (
    ALMATINKA_PROMENADE,
    ARBAT,
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    GreenAreaFactory,
    PopulatedPlaceFactory,
    RailwayFactory,
    RasterFactory,
    WaterwayFactory,
    write_dem,
)
from tests.photo_files import arbat_jpeg, jpeg_bytes
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db

CREATE = reverse("corridors:create")
# A line that crosses itself (a figure of eight) on the Malaya Almatinka.
FIGURE_OF_EIGHT = {
    "type": "LineString",
    "coordinates": [[76.960, 43.252], [76.965, 43.256], [76.965, 43.252], [76.960, 43.256]],
}


@pytest.fixture(autouse=True)
def almaty(db):
    """Almaty with its Almaly district, so lines are checked against the city's extent."""
    city = CityFactory()
    DistrictFactory()
    return city


@pytest.fixture
def editor(client, urbanist):
    client.force_login(urbanist)
    return client


@pytest.fixture
def corridor(urbanist) -> Corridor:
    return services.create_corridor(CorridorFactory.build(is_published=False), user=urbanist)


def add_segment(corridor: Corridor, user, geom=ALMATINKA_PROMENADE, **fields) -> Segment:
    segment = Segment(corridor=corridor, geom=geom.clone(), mode="shared", status="planned", **fields)
    return services.save_segment(segment, user=user)


def corridor_data(**overrides) -> dict:
    data = {
        "name_kk": "",
        "name_ru": "Набережная Весновки",
        "name_en": "Vesnovka promenade",
        "description_kk": "",
        "description_ru": "",
        "description_en": "Along the river from Abay Avenue.",
        "kind": "river_promenade",
        "status": "proposed",
    }
    data.update(overrides)
    return data


def segment_data(geom=ALMATINKA_PROMENADE, **overrides) -> dict:
    data = {
        "name": "Abay to Gorky Park",
        "order": "",
        "geom": geom if isinstance(geom, str) else geom.geojson,
        "mode": "shared",
        "status": "planned",
        "width_m": "4.5",
        "surface": "asphalt",
        "lighting": "full",
        "landscape_override": "",
        "landscape_reason": "",
    }
    data.update(overrides)
    return data


def edit_data(segment: Segment, **overrides) -> dict:
    data = {
        "name": segment.name,
        "order": segment.position + 1,
        "geom": segment.geom.geojson,
        "mode": segment.mode,
        "status": segment.status,
        "width_m": segment.width_m if segment.width_m is not None else "",
        "surface": segment.surface,
        "lighting": segment.lighting,
        "landscape_override": segment.landscape_override,
        "landscape_reason": segment.landscape_reason,
    }
    data.update(overrides)
    return data


def geodesic_length(line: LineString) -> float:
    lons, lats = zip(*line.coords, strict=True)
    return Geod(ellps="WGS84").line_length(lons, lats)


def errors_of(response, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def segment_create_url(corridor: Corridor) -> str:
    return reverse("corridors:segment_create", args=[corridor.pk])


# Who may edit ------------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(CREATE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_resident_is_told_they_cannot_edit_corridors(client, resident):
    client.force_login(resident)
    response = client.get(CREATE)
    assert response.status_code == 403
    assert "You cannot edit corridors" in response.content.decode()


def test_a_resident_who_posts_a_corridor_saves_nothing(client, resident):
    client.force_login(resident)
    assert client.post(CREATE, corridor_data()).status_code == 403
    assert not Corridor.objects.exists()


def test_a_resident_cannot_open_any_page_of_the_editor(client, resident, corridor, urbanist):
    segment = add_segment(corridor, urbanist)
    client.force_login(resident)
    urls = [
        reverse("corridors:edit", args=[corridor.pk]),
        reverse("corridors:photos", args=[corridor.pk]),
        reverse("corridors:history", args=[corridor.pk]),
        segment_create_url(corridor),
        reverse("corridors:segment_edit", args=[segment.pk]),
        reverse("corridors:segment_delete", args=[segment.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_a_resident_cannot_draw_a_segment(client, resident, corridor):
    client.force_login(resident)
    assert client.post(segment_create_url(corridor), segment_data()).status_code == 403
    assert not Segment.objects.exists()


def test_a_moderator_cannot_edit_a_corridor(client, moderator, corridor):
    client.force_login(moderator)
    response = client.post(reverse("corridors:edit", args=[corridor.pk]), corridor_data(name_en="Renamed"))
    assert response.status_code == 403
    corridor.refresh_from_db()
    assert corridor.name_en == "Malaya Almatinka promenade"


# Corridors ---------------------------------------------------------------------------------------------------


def test_an_urbanist_creates_a_corridor_and_is_taken_to_draw_its_first_segment(editor, urbanist):
    response = editor.post(CREATE, corridor_data())
    corridor = Corridor.objects.get()
    assert response.status_code == 302
    assert response["Location"] == segment_create_url(corridor)
    assert (corridor.name_en, corridor.name_ru, corridor.kind, corridor.status) == (
        "Vesnovka promenade",
        "Набережная Весновки",
        "river_promenade",
        "proposed",
    )
    assert corridor.created_by == urbanist
    assert not corridor.is_published
    assert corridor.history.get().history_user == urbanist


def test_a_corridor_needs_a_name_in_some_language(editor):
    response = editor.post(CREATE, corridor_data(name_ru="", name_en=""))
    assert response.status_code == 200
    assert errors_of(response, "name_en") == ["Give the corridor a name in at least one language."]
    assert not Corridor.objects.exists()


def test_a_kazakh_name_alone_is_enough(editor):
    editor.post(CREATE, corridor_data(name_ru="", name_en="", name_kk="Весновка жағалауы"))
    assert Corridor.objects.get().name_kk == "Весновка жағалауы"


def test_an_urbanist_changes_the_kind_and_status_and_the_history_says_who(editor, urbanist, corridor):
    url = reverse("corridors:edit", args=[corridor.pk])
    response = editor.post(url, corridor_data(kind="green_corridor", status="planned"))
    assert response.status_code == 302
    corridor.refresh_from_db()
    assert (corridor.kind, corridor.status, corridor.name_en) == ("green_corridor", "planned", "Vesnovka promenade")
    assert corridor.history.count() == 2
    assert corridor.history.first().history_user == urbanist


def test_the_corridor_page_lists_its_segments_with_their_length(editor, urbanist, corridor):
    add_segment(corridor, urbanist, name="Abay to Gorky Park")
    content = editor.get(reverse("corridors:edit", args=[corridor.pk])).content.decode()
    assert "Abay to Gorky Park" in content
    assert "Add a segment" in content
    assert "Details and segments" in content


def test_publish_and_unpublish_toggle_the_corridor(editor, corridor):
    url = reverse("corridors:publish", args=[corridor.pk])
    editor.post(url, {"published": "1"})
    corridor.refresh_from_db()
    assert corridor.is_published
    editor.post(url, {"published": "0"})
    corridor.refresh_from_db()
    assert not corridor.is_published


def test_publishing_is_a_post_only_action(editor, corridor):
    assert editor.get(reverse("corridors:publish", args=[corridor.pk])).status_code == 405
    corridor.refresh_from_db()
    assert not corridor.is_published


def test_a_resident_cannot_publish(client, resident, corridor):
    client.force_login(resident)
    assert client.post(reverse("corridors:publish", args=[corridor.pk]), {"published": "1"}).status_code == 403
    corridor.refresh_from_db()
    assert not corridor.is_published


# The segment editor page -------------------------------------------------------------------------------------


def test_the_segment_editor_loads_leaflet_and_geoman_from_the_site_only(editor, corridor):
    content = editor.get(segment_create_url(corridor)).content.decode()
    assert '<script src="/static/vendor/leaflet-geoman-2.20.2/leaflet-geoman.min.js"></script>' in content
    assert '<script src="/static/js/corridor_editor.js"></script>' in content
    assert external_references(content, "html") == []


def test_the_segment_editor_config_has_the_suggestion_url_and_the_reference_layers(editor, corridor, settings):
    settings.MAP_TILE_URL = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
    config = editor.get(segment_create_url(corridor)).context["editor_config"]
    assert config["tiles"]["url"] == "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"
    assert config["suggest"] == reverse("corridors:suggest")
    assert {"green_areas", "waterways", "railways", "streets"} <= {layer["name"] for layer in config["reference"]}
    assert config["geoman"]["buttonTitles"]["drawLineButton"] == "Draw a line"


def test_the_segment_editor_draws_the_corridors_other_segments(editor, urbanist, corridor):
    first = add_segment(corridor, urbanist, name="First")
    second = add_segment(corridor, urbanist, geom=ARBAT, name="Second")
    config = editor.get(reverse("corridors:segment_edit", args=[second.pk])).context["editor_config"]
    (other,) = config["others"]["features"]
    assert other["properties"]["name"] == "First"
    assert other["geometry"]["coordinates"] == [list(xy) for xy in first.geom.coords]


def test_the_suggestion_offers_the_suburbs_and_the_parks_of_the_city(editor, corridor):
    PopulatedPlaceFactory(name="Талгар", name_en="Talgar")
    PopulatedPlaceFactory(name="Алматы", name_en="Almaty", place="city")
    GreenAreaFactory()
    response = editor.get(segment_create_url(corridor))
    assert [place.name for place in response.context["places"]] == ["Talgar"]
    assert [park.name for park in response.context["parks"]] == ["Gorky Central Park"]
    content = response.content.decode()
    assert '<label for="suggest-from">Start</label>' in content
    assert 'data-lon="77.235000" data-lat="43.303000">Talgar</option>' in content
    assert 'role="status" aria-live="polite"' in content


def test_without_an_elevation_model_there_is_no_cost_surface_overlay(editor, corridor):
    assert editor.get(segment_create_url(corridor)).context["editor_config"]["costSurface"] is None


def test_with_an_elevation_model_the_cost_surface_is_an_overlay_with_its_bounds(editor, corridor, tmp_path):
    RasterFactory(path=str(write_dem(tmp_path / "dem.tif")))
    overlay = editor.get(segment_create_url(corridor)).context["editor_config"]["costSurface"]
    assert overlay["url"] == reverse("corridors:cost_surface")
    (south, west), (north, east) = overlay["bounds"]
    assert west < 76.95 < east and south < 43.25 < north


def test_the_line_can_be_edited_by_keyboard_in_a_labelled_textarea(editor, corridor):
    content = editor.get(segment_create_url(corridor)).content.decode()
    assert "<summary>Edit the line as GeoJSON</summary>" in content
    assert '<label for="id_geom">Line (GeoJSON)</label>' in content


# Drawing a segment -------------------------------------------------------------------------------------------


def test_an_urbanist_draws_a_segment_and_it_is_measured(editor, urbanist, corridor):
    response = editor.post(segment_create_url(corridor), segment_data())
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("corridors:segment_edit", args=[segment.pk])
    assert segment.geom.equals_exact(ALMATINKA_PROMENADE, 1e-9)
    assert segment.length_m == pytest.approx(geodesic_length(ALMATINKA_PROMENADE), rel=0.005)
    assert (segment.name, segment.mode, segment.surface, segment.lighting) == (
        "Abay to Gorky Park",
        "shared",
        "asphalt",
        "full",
    )
    assert float(segment.width_m) == 4.5
    assert segment.created_by == urbanist
    corridor.refresh_from_db()
    assert corridor.length_m == pytest.approx(segment.length_m)


def test_after_saving_the_editor_shows_what_was_measured(editor, corridor):
    WaterwayFactory()  # the Malaya Almatinka, which the promenade runs along
    response = editor.post(segment_create_url(corridor), segment_data(), follow=True)
    content = response.content.decode()
    assert "Measured from the line" in content
    assert "Malaya Almatinka" in content  # what it follows, in the page's language
    labels = [label for label, _value in response.context["derived"]]
    assert labels[:4] == ["Length", "Landscape type", "Share inside urban blocks", "Follows"]
    assert "The segment was saved" in content


def test_with_an_elevation_model_the_editor_shows_the_climb_and_the_grades(editor, corridor, tmp_path):
    RasterFactory(path=str(write_dem(tmp_path / "dem.tif")))
    up_the_cone = LineString((76.9200, 43.2460), (76.9390, 43.2460), srid=4326)  # from the plain up to the peak
    response = editor.post(segment_create_url(corridor), segment_data(geom=up_the_cone), follow=True)
    derived = dict(response.context["derived"])
    climb = int(derived["Climb"].split(" m up")[0].replace(",", ""))
    assert 700 < climb < 1000
    assert derived["Grade"].startswith("mean ")


def test_a_new_segment_goes_last_unless_a_place_is_given(editor, urbanist, corridor):
    first = add_segment(corridor, urbanist)
    editor.post(segment_create_url(corridor), segment_data(geom=ARBAT, name="Last"))
    editor.post(segment_create_url(corridor), segment_data(geom=ARBAT, name="Now first", order="1"))
    assert list(corridor.segments.order_by("position").values_list("name", flat=True)) == ["Now first", "", "Last"]
    first.refresh_from_db()
    assert first.position == 1


def test_the_history_records_who_drew_the_segment(editor, urbanist, corridor):
    editor.post(segment_create_url(corridor), segment_data())
    assert Segment.objects.get().history.get().history_user == urbanist


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ('{"type": "LineString", "coordinates": [[76.96, 43.25]', "The geometry is not valid JSON."),
        ("", "Draw the segment's line on the map, or enter it as GeoJSON."),
        (
            json.dumps({"type": "Point", "coordinates": [76.96, 43.25]}),
            "A segment must be a single line, not a point: draw it as one line from start to end.",
        ),
        (
            json.dumps({"type": "LineString", "coordinates": [[76.96, 43.25], [76.96, 43.250005]]}),
            "The line is 0.55 m long: a segment must be at least 1 m long.",
        ),
    ],
    ids=["broken JSON", "empty", "a point", "shorter than a metre"],
)
def test_a_bad_line_is_refused_with_a_message_and_nothing_is_saved(editor, corridor, geometry, message):
    response = editor.post(segment_create_url(corridor), segment_data(geometry))
    assert response.status_code == 200
    assert errors_of(response, "geom") == [message]
    assert not Segment.objects.exists()


def test_a_line_that_crosses_itself_is_refused_and_stays_on_the_map(editor, corridor):
    drawn = json.dumps(FIGURE_OF_EIGHT)
    response = editor.post(segment_create_url(corridor), segment_data(drawn))
    assert response.status_code == 200
    (message,) = errors_of(response, "geom")
    assert message.startswith("The line crosses itself")
    # The drawing comes back in the textarea the map is drawn from.
    assert response.context["form"]["geom"].value() == drawn
    assert "76.965" in response.content.decode()
    assert not Segment.objects.exists()


def test_a_line_leaving_the_city_is_refused(editor, corridor):
    to_bishkek = json.dumps({"type": "LineString", "coordinates": [[76.96, 43.25], [74.59, 42.87]]})
    response = editor.post(segment_create_url(corridor), segment_data(to_bishkek))
    (message,) = errors_of(response, "geom")
    assert message.startswith("The line leaves the city")
    assert not Segment.objects.exists()


def test_a_landscape_type_set_by_hand_needs_a_reason(editor, corridor):
    response = editor.post(segment_create_url(corridor), segment_data(landscape_override="natural"))
    assert response.status_code == 200
    (message,) = errors_of(response, "landscape_reason")
    assert "reason" in message
    assert not Segment.objects.exists()


def test_a_landscape_type_set_by_hand_with_a_reason_is_in_force(editor, corridor):
    editor.post(
        segment_create_url(corridor),
        segment_data(landscape_override="free_form", landscape_reason="An embankment of granite steps"),
    )
    segment = Segment.objects.get()
    assert segment.landscape == "free_form"
    assert segment.landscape_reason == "An embankment of granite steps"


# Editing and deleting a segment ------------------------------------------------------------------------------


def test_an_urbanist_lengthens_a_segment_and_its_figures_follow(editor, urbanist, corridor):
    segment = add_segment(corridor, urbanist)
    longer = LineString(*ALMATINKA_PROMENADE.coords, (76.9668, 43.2720), srid=4326)
    response = editor.post(
        reverse("corridors:segment_edit", args=[segment.pk]), edit_data(segment, geom=longer.geojson)
    )
    assert response.status_code == 302
    old_length = segment.length_m
    segment.refresh_from_db()
    corridor.refresh_from_db()
    assert segment.geom.equals_exact(longer, 1e-9)
    assert segment.length_m > old_length + 700
    assert corridor.length_m == pytest.approx(segment.length_m)
    assert segment.history.count() == 2
    assert segment.history.first().history_user == urbanist


def test_saving_the_same_line_written_by_the_map_adds_no_version(editor, urbanist, corridor):
    segment = add_segment(corridor, urbanist)
    as_the_map_writes_it = json.dumps({"type": "LineString", "coordinates": [list(xy) for xy in segment.geom.coords]})
    response = editor.post(
        reverse("corridors:segment_edit", args=[segment.pk]), edit_data(segment, geom=as_the_map_writes_it)
    )
    assert response.status_code == 302
    assert segment.history.count() == 1


def test_a_refused_edit_leaves_the_segment_as_it_was(editor, urbanist, corridor):
    segment = add_segment(corridor, urbanist)
    response = editor.post(
        reverse("corridors:segment_edit", args=[segment.pk]), edit_data(segment, geom=json.dumps(FIGURE_OF_EIGHT))
    )
    assert response.status_code == 200
    segment.refresh_from_db()
    assert segment.geom.equals_exact(ALMATINKA_PROMENADE, 1e-9)
    assert segment.history.count() == 1


def test_an_urbanist_moves_a_segment_to_the_first_place(editor, urbanist, corridor):
    first = add_segment(corridor, urbanist, name="First")
    second = add_segment(corridor, urbanist, geom=ARBAT, name="Second")
    editor.post(reverse("corridors:segment_edit", args=[second.pk]), edit_data(second, order="1"))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.position, first.position) == (0, 1)
    assert second.history.first().history_change_reason == "Moved to place 1"
    assert second.history.count() == 2


def test_deleting_a_segment_asks_first(editor, urbanist, corridor):
    segment = add_segment(corridor, urbanist, name="Abay to Gorky Park")
    response = editor.get(reverse("corridors:segment_delete", args=[segment.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Delete “Abay to Gorky Park”?" in content
    assert "it can be brought back" in content
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_an_urbanist_deletes_a_segment_and_the_corridor_is_measured_again(editor, urbanist, corridor):
    add_segment(corridor, urbanist)
    segment = add_segment(corridor, urbanist, geom=ARBAT)
    response = editor.post(reverse("corridors:segment_delete", args=[segment.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("corridors:edit", args=[corridor.pk])
    assert not Segment.objects.filter(pk=segment.pk).exists()
    corridor.refresh_from_db()
    assert corridor.length_m == pytest.approx(geodesic_length(ALMATINKA_PROMENADE), rel=0.005)
    assert Segment.history.filter(id=segment.pk, history_type="-").get().history_user == urbanist


# Photos ------------------------------------------------------------------------------------------------------


def photos_url(corridor: Corridor) -> str:
    return reverse("corridors:photos", args=[corridor.pk])


def upload(client, corridor: Corridor, content: bytes, **fields):
    data = {"action": "upload", "image": SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")}
    data.update(fields)
    return client.post(photos_url(corridor), data)


def form_data(form) -> dict:
    """What a browser sends back for an unchanged form."""
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else value
    return data


def test_an_urbanist_uploads_a_photo_of_the_corridor(editor, urbanist, corridor):
    response = upload(editor, corridor, arbat_jpeg(), caption="The embankment in May", phase="before")
    assert response.status_code == 302
    photo = Photo.objects.of(corridor).get()
    assert (photo.caption, photo.phase, photo.uploaded_by) == ("The embankment in May", "before", urbanist)


def test_an_urbanist_pairs_a_before_and_an_after_photo(editor, corridor):
    upload(editor, corridor, arbat_jpeg(), phase="before", caption="Before")
    upload(editor, corridor, jpeg_bytes(colour="#884422"), phase="after", caption="After")
    before, after = Photo.objects.get(caption="Before"), Photo.objects.get(caption="After")
    (_photo, form) = next(row for row in editor.get(photos_url(corridor)).context["photos"] if row[0] == before)
    data = form_data(form)
    data.update({"action": "edit", "photo": before.pk, f"{form.prefix}-pair": after.pk})
    assert editor.post(photos_url(corridor), data).status_code == 302
    before.refresh_from_db()
    after.refresh_from_db()
    assert (before.pair, after.pair) == (after, before)


def test_deleting_a_photo_asks_first_then_deletes(editor, corridor):
    upload(editor, corridor, arbat_jpeg(), caption="Embankment")
    photo = Photo.objects.get()
    assert "Delete this photo?" in editor.get(photos_url(corridor), {"delete": photo.pk}).content.decode()
    assert Photo.objects.exists()
    assert editor.post(photos_url(corridor), {"action": "delete", "photo": photo.pk}).status_code == 302
    assert not Photo.objects.exists()


def test_a_photo_of_another_corridor_cannot_be_deleted_from_this_one(editor, urbanist, corridor):
    other = services.create_corridor(CorridorFactory.build(name_en="Other"), user=urbanist)
    upload(editor, other, arbat_jpeg())
    photo = Photo.objects.get()
    assert editor.post(photos_url(corridor), {"action": "delete", "photo": photo.pk}).status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()


# The reference lines a segment may follow, for the suggestion tests elsewhere ---------------------------------


def test_the_editor_page_works_with_the_reference_layers_loaded(editor, corridor):
    WaterwayFactory()
    RailwayFactory()
    GreenAreaFactory()
    assert editor.get(segment_create_url(corridor)).status_code == 200


# History and restore -----------------------------------------------------------------------------------------

# The promenade continued north past Gorky Park: about 830 m longer.
LONGER_PROMENADE = LineString(*ALMATINKA_PROMENADE.coords, (76.9668, 43.2720), srid=4326)


@pytest.fixture
def changed(urbanist, corridor) -> Segment:
    """A segment drawn, then lengthened and renamed by the urbanist; the corridor renamed too."""
    segment = add_segment(corridor, urbanist, name="Promenade")
    segment.geom = LONGER_PROMENADE.clone()
    segment.name = "Promenade to Kok-Tobe road"
    services.save_segment(segment, user=urbanist)
    corridor.name_en = "Malaya Almatinka embankment"
    services.update_corridor(corridor, user=urbanist)
    return segment


def history_url(corridor: Corridor) -> str:
    return reverse("corridors:history", args=[corridor.pk])


def test_the_history_lists_the_corridors_and_segments_versions_newest_first(editor, urbanist, corridor, changed):
    entries = editor.get(history_url(corridor)).context["entries"]
    assert [(entry.subject, entry.kind) for entry in entries] == [
        ("The corridor", "changed"),
        ("Segment 1, “Promenade to Kok-Tobe road”", "changed"),
        ("Segment 1, “Promenade”", "created"),
        ("The corridor", "created"),
    ]
    assert all(entry.record.history_user == urbanist for entry in entries)
    assert [entry.is_current for entry in entries] == [True, True, False, False]


def test_a_changed_line_is_told_with_its_old_and_new_length(editor, corridor, changed):
    response = editor.get(history_url(corridor))
    line = next(change for change in response.context["entries"][1].changes if change.is_geometry)
    old_metres = int(line.old.split(" m")[0].replace(",", ""))
    new_metres = int(line.new.split(" m")[0].replace(",", ""))
    assert old_metres == pytest.approx(geodesic_length(ALMATINKA_PROMENADE), rel=0.005)
    assert new_metres > old_metres + 700
    assert "3 vertices" in line.old and "4 vertices" in line.new
    assert "line changed" in response.content.decode()


def test_the_history_names_what_changed_in_the_corridor(editor, corridor, changed):
    changes = editor.get(history_url(corridor)).context["entries"][0].changes
    assert [(change.label, change.old, change.new) for change in changes] == [
        ("Name (English)", "Malaya Almatinka promenade", "Malaya Almatinka embankment")
    ]


def test_the_history_shows_the_reason_a_service_gave(editor, urbanist, corridor):
    services.set_published(corridor, True, user=urbanist)
    assert "Published" in editor.get(history_url(corridor)).content.decode()


def test_a_deleted_segment_stays_in_the_history_and_can_be_brought_back(editor, urbanist, corridor, changed):
    pk, length = changed.pk, changed.length_m
    services.delete_segment(changed, user=urbanist)
    response = editor.get(history_url(corridor))
    deleted = next(entry for entry in response.context["entries"] if entry.kind == "deleted")
    assert deleted.restore_label == "Bring the segment back"
    assert "Bring the segment back" in response.content.decode()

    confirmation = editor.get(deleted.restore_url).content.decode()
    assert "This segment was deleted" in confirmation
    response = editor.post(deleted.restore_url)
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("corridors:segment_edit", args=[segment.pk])
    assert segment.pk == pk
    assert segment.geom.equals_exact(LONGER_PROMENADE, 1e-9)
    assert segment.length_m == pytest.approx(length)
    corridor.refresh_from_db()
    assert corridor.length_m == pytest.approx(segment.length_m)
    assert segment.history.first().history_user == urbanist


def test_restoring_an_older_version_of_a_segment_asks_then_brings_back_its_line(editor, corridor, changed):
    older = changed.history.earliest()
    url = reverse("corridors:segment_restore", args=[corridor.pk, older.history_id])
    response = editor.get(url)
    changes = {change.label: change for change in response.context["changes"]}
    assert (changes["Name"].old, changes["Name"].new) == ("Promenade to Kok-Tobe road", "Promenade")
    assert changes["Line"].is_geometry
    changed.refresh_from_db()
    assert changed.name == "Promenade to Kok-Tobe road"

    assert editor.post(url).status_code == 302
    changed.refresh_from_db()
    assert changed.name == "Promenade"
    assert changed.geom.equals_exact(ALMATINKA_PROMENADE, 1e-9)
    assert changed.length_m == pytest.approx(geodesic_length(ALMATINKA_PROMENADE), rel=0.005)
    assert changed.history.count() == 3


def test_restoring_a_version_of_the_corridor_asks_then_brings_back_its_name(editor, corridor, changed):
    older = corridor.history.earliest()
    url = reverse("corridors:restore", args=[corridor.pk, older.history_id])
    response = editor.get(url)
    assert [(c.label, c.old, c.new) for c in response.context["changes"]] == [
        ("Name (English)", "Malaya Almatinka embankment", "Malaya Almatinka promenade")
    ]
    assert editor.post(url).status_code == 302
    corridor.refresh_from_db()
    assert corridor.name_en == "Malaya Almatinka promenade"
    assert corridor.segments.count() == 1  # the segments are not touched


def test_the_current_version_has_nothing_to_restore(editor, corridor, changed):
    current = corridor.history.latest()
    content = editor.get(reverse("corridors:restore", args=[corridor.pk, current.history_id])).content.decode()
    assert "This is the current version: there is nothing to restore." in content


def test_a_version_of_another_corridor_cannot_be_restored_from_this_one(editor, urbanist, corridor, changed):
    other = services.create_corridor(CorridorFactory.build(name_en="Other"), user=urbanist)
    other_segment = add_segment(other, urbanist, geom=ARBAT)
    corridor_url = reverse("corridors:restore", args=[corridor.pk, other.history.get().history_id])
    segment_url = reverse("corridors:segment_restore", args=[corridor.pk, other_segment.history.get().history_id])
    assert editor.post(corridor_url).status_code == 404
    assert editor.post(segment_url).status_code == 404


def test_a_moderator_reads_the_history_but_cannot_restore(client, moderator, corridor, changed):
    client.force_login(moderator)
    response = client.get(history_url(corridor))
    assert response.status_code == 200
    assert "Restore this version" not in response.content.decode()
    older_segment = changed.history.earliest()
    older_corridor = corridor.history.earliest()
    assert client.post(reverse("corridors:restore", args=[corridor.pk, older_corridor.history_id])).status_code == 403
    restore_segment = reverse("corridors:segment_restore", args=[corridor.pk, older_segment.history_id])
    assert client.post(restore_segment).status_code == 403
    changed.refresh_from_db()
    assert changed.name == "Promenade to Kok-Tobe road"


def test_a_resident_cannot_see_the_history(client, resident, corridor, changed):
    client.force_login(resident)
    response = client.get(history_url(corridor))
    assert response.status_code == 403
    assert "Kok-Tobe" not in response.content.decode()
