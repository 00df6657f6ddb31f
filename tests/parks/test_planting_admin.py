"""The admin of plantings: the map widget, inspections inline, every save through parks.plantings' rules."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from gis_data.widgets import CityMapWidget
from parks.models import Inspection, Planting
from parks.plantings import save_planting
from tests.factories import ABAY_AVENUE, CityFactory, DistrictFactory, InspectionFactory, PlantingFactory
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db

ADD = reverse("admin:parks_planting_add")


@pytest.fixture(autouse=True)
def almaty(db):
    city = CityFactory()
    DistrictFactory()
    return city


@pytest.fixture
def editor(client, urbanist):
    client.force_login(urbanist)
    return client


@pytest.fixture
def planting(almaty) -> Planting:
    return save_planting(PlantingFactory.build(city=almaty))


def change_url(planting: Planting) -> str:
    return reverse("admin:parks_planting_change", args=[planting.pk])


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


def test_plantings_have_an_admin_with_the_map_widget_and_history(editor, planting):
    assert admin.site._registry[Planting].gis_widget is CityMapWidget
    response = editor.get(change_url(planting))
    assert response.status_code == 200
    assert external_references(response.content.decode(), "html") == []
    assert "history_view" in dir(admin.site._registry[Planting])


def test_a_planting_added_in_the_admin_gets_its_district_and_inspection(editor, urbanist, almaty):
    data = admin_form_data(
        editor,
        ADD,
        city=almaty.pk,
        geom=ABAY_AVENUE.ewkt,
        species="Ulmus pumila",
        count="20",
        planted_on="2024-04-15",
        responsible="Green Economy Department",
        reason="other",
        **{"inspections-0-inspected_on": "2025-04-20", "inspections-0-alive": "18", "inspections-0-dead": "2"},
    )
    response = editor.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    planting = Planting.objects.get()
    assert planting.district.name == "Almaly"
    assert planting.created_by == urbanist
    inspection = planting.inspections.get()
    assert (inspection.alive, inspection.recorded_by) == (18, urbanist)


def test_the_admin_refuses_an_inspection_counting_more_trees_than_were_planted(editor, planting):
    url = change_url(planting)
    data = admin_form_data(
        editor,
        url,
        **{"inspections-0-inspected_on": "2025-04-20", "inspections-0-alive": "22", "inspections-0-dead": "3"},
    )
    response = editor.post(url, data)
    assert response.status_code == 200
    assert "The inspection counts 25 trees (22 alive, 3 dead) but 20 were planted." in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_admin_refuses_a_felling_after_the_planting(editor, planting):
    url = change_url(planting)
    response = editor.post(url, admin_form_data(editor, url, felled_on="2024-05-01"))
    assert response.status_code == 200
    assert "after the planting on April 15, 2024" in response.content.decode()
    planting.refresh_from_db()
    assert planting.felled_on == datetime.date(2024, 3, 1)


def test_the_admin_keeps_an_inspection_within_a_lowered_count(editor, planting):
    InspectionFactory(planting=planting, alive=15, dead=3)
    url = change_url(planting)
    response = editor.post(url, admin_form_data(editor, url, count="17"))
    assert response.status_code == 200
    assert "counted 18 trees: the planting cannot have fewer." in response.content.decode()
    planting.refresh_from_db()
    assert planting.count == 20
