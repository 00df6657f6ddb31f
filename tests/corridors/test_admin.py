"""The admin of corridors and segments: the map widget, derived fields read-only, saves through the services."""

import pytest
from django.contrib import admin
from django.urls import reverse

from corridors import services
from corridors.models import Corridor, Segment
from gis_data.widgets import CityMapWidget
from tests.factories import (
    ALMATINKA_PROMENADE,
    ARBAT,
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    WaterwayFactory,
)
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    DistrictFactory()


@pytest.fixture
def corridor(urbanist) -> Corridor:
    return services.create_corridor(CorridorFactory.build(), user=urbanist)


@pytest.fixture
def segment(urbanist, corridor) -> Segment:
    return services.save_segment(Segment(corridor=corridor, geom=ALMATINKA_PROMENADE.clone()), user=urbanist)


def admin_form_data(client, url: str, **overrides) -> dict:
    """What the browser sends back for the admin page at ``url``, with ``overrides`` typed in."""
    response = client.get(url)
    form = response.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else (value.ewkt if hasattr(value, "ewkt") else value)
    for formset in response.context.get("inline_admin_formsets", []):
        for field in formset.formset.management_form:
            data[field.html_name] = field.value()
        for inline_form in formset.formset.forms:
            for field in inline_form:
                value = field.value()
                data[field.html_name] = "" if value is None else value
    data.update(overrides)
    return data


def segment_url(segment: Segment) -> str:
    return reverse("admin:corridors_segment_change", args=[segment.pk])


def corridor_url(corridor: Corridor) -> str:
    return reverse("admin:corridors_corridor_change", args=[corridor.pk])


def test_corridors_and_segments_have_an_admin_with_history():
    assert Corridor in admin.site._registry
    assert Segment in admin.site._registry
    assert admin.site._registry[Segment].gis_widget is CityMapWidget
    assert "history_view" in dir(admin.site._registry[Corridor])


def test_the_segment_page_has_the_map_widget_from_static_files(client, urbanist, segment):
    client.force_login(urbanist)
    response = client.get(segment_url(segment))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<script src="/static/vendor/ol-7.2.2/ol.js">' in content
    assert "new MapWidget(options)" in content
    assert external_references(content, "html") == []


def test_the_derived_fields_are_read_only(client, urbanist, corridor, segment):
    client.force_login(urbanist)
    segment_form = client.get(segment_url(segment)).context["adminform"].form
    assert not {"length_m", "landscape_derived", "follows", "follows_share", "climb_m", "districts"} & set(
        segment_form.fields
    )
    corridor_form = client.get(corridor_url(corridor)).context["adminform"].form
    assert not {"length_m", "climb_m", "districts", "is_demo"} & set(corridor_form.fields)


def test_the_corridor_page_lists_its_segments_without_a_map_and_its_photos(client, urbanist, corridor, segment):
    client.force_login(urbanist)
    response = client.get(corridor_url(corridor))
    content = response.content.decode()
    inlines = [formset.formset.model for formset in response.context["inline_admin_formsets"]]
    assert Segment in inlines
    assert "Photo" in [model.__name__ for model in inlines]
    assert "new MapWidget(options)" not in content
    assert "Almaly District" in content or "—" in content


def test_a_segment_moved_in_the_admin_is_measured_again_and_recorded(client, urbanist, segment):
    WaterwayFactory()
    client.force_login(urbanist)
    url = segment_url(segment)
    old_length = segment.length_m
    response = client.post(url, admin_form_data(client, url, geom=ARBAT.ewkt))
    assert response.status_code == 302, response.context["adminform"].form.errors
    segment.refresh_from_db()
    assert segment.geom.equals_exact(ARBAT, 1e-9)
    assert segment.length_m < old_length
    assert 540 < segment.length_m < 580
    assert segment.follows == ""  # Arbat is far from the river
    assert segment.history.first().history_user == urbanist
    segment.corridor.refresh_from_db()
    assert segment.corridor.length_m == pytest.approx(segment.length_m)


def test_the_admin_refuses_an_override_without_a_reason(client, urbanist, segment):
    client.force_login(urbanist)
    url = segment_url(segment)
    response = client.post(url, admin_form_data(client, url, landscape_override="natural"))
    assert response.status_code == 200
    assert "reason" in str(response.context["adminform"].form.errors["landscape_reason"])
    segment.refresh_from_db()
    assert segment.landscape_override == ""


def test_the_admin_refuses_a_line_that_crosses_itself(client, urbanist, segment):
    client.force_login(urbanist)
    url = segment_url(segment)
    figure_of_eight = "SRID=4326;LINESTRING (76.960 43.252, 76.965 43.256, 76.965 43.252, 76.960 43.256)"
    response = client.post(url, admin_form_data(client, url, geom=figure_of_eight))
    assert response.status_code == 200
    assert "crosses itself" in str(response.context["adminform"].form.errors["geom"])


def test_a_segment_added_in_the_admin_goes_last_and_is_measured(client, urbanist, corridor, segment):
    client.force_login(urbanist)
    url = reverse("admin:corridors_segment_add")
    data = admin_form_data(client, url, corridor=corridor.pk, geom=ARBAT.ewkt, mode="bike", status="planned")
    data["position"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Segment.objects.exclude(pk=segment.pk).get()
    assert added.position == 1
    assert added.created_by == urbanist
    assert 540 < added.length_m < 580


def test_a_corridor_saved_in_the_admin_keeps_the_sums_of_its_segments(client, urbanist, corridor, segment):
    client.force_login(urbanist)
    url = corridor_url(corridor)
    response = client.post(url, admin_form_data(client, url, name_en="Embankment", status="existing"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    corridor.refresh_from_db()
    assert (corridor.name_en, corridor.status) == ("Embankment", "existing")
    assert corridor.length_m == pytest.approx(segment.length_m)
    assert corridor.history.first().history_user == urbanist


def test_a_segment_edited_in_the_corridors_inline_is_saved_through_the_services(client, urbanist, corridor, segment):
    client.force_login(urbanist)
    url = corridor_url(corridor)
    prefix = "segments-0"
    response = client.post(url, admin_form_data(client, url, **{f"{prefix}-mode": "bike", f"{prefix}-name": "Renamed"}))
    assert response.status_code == 302, response.context["adminform"].form.errors
    segment.refresh_from_db()
    assert (segment.mode, segment.name) == ("bike", "Renamed")
    assert segment.history.first().history_user == urbanist


def test_a_segment_deleted_in_the_admin_leaves_the_corridor_measured_again(client, urbanist, corridor, segment):
    client.force_login(urbanist)
    response = client.post(reverse("admin:corridors_segment_delete", args=[segment.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Segment.objects.exists()
    corridor.refresh_from_db()
    assert corridor.length_m == 0
    assert Segment.history.filter(history_type="-").get().history_user == urbanist


def test_a_corridor_added_in_the_admin_is_created_by_the_urbanist(client, urbanist):
    client.force_login(urbanist)
    url = reverse("admin:corridors_corridor_add")
    data = admin_form_data(client, url, name_en="Esentai promenade", kind="river_promenade", status="proposed")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Corridor.objects.get().created_by == urbanist


def test_a_moderator_is_not_let_into_the_admin(client, moderator, segment):
    client.force_login(moderator)
    response = client.post(segment_url(segment), {"name": "Renamed"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    segment.refresh_from_db()
    assert segment.name == ""


def test_reverting_a_segment_in_the_admin_history_measures_it_again(client, urbanist, segment):
    original_length = segment.length_m
    segment.geom = ARBAT.clone()
    services.save_segment(segment, user=urbanist)
    client.force_login(urbanist)
    older = segment.history.earliest()
    url = reverse("admin:corridors_segment_simple_history", args=[segment.pk, older.history_id])
    response = client.post(url, admin_form_data(client, url))
    assert response.status_code == 302, response.context["adminform"].form.errors
    segment.refresh_from_db()
    assert segment.geom.equals_exact(ALMATINKA_PROMENADE, 1e-9)
    assert segment.length_m == pytest.approx(original_length)
    segment.corridor.refresh_from_db()
    assert segment.corridor.length_m == pytest.approx(original_length)
