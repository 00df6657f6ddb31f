"""The admin of parks: the map widget, derived fields read-only, saves through parks.services."""

import pytest
from django.contrib import admin
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from gis_data.widgets import CityMapWidget
from parks import services
from parks.models import Park
from tests.factories import GORKY_PARK, CityFactory, DistrictFactory, ParkFactory
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db

GORKY_SOUTH = MultiPolygon(
    Polygon(((76.9655, 43.2596), (76.9663, 43.2567), (76.9718, 43.2568), (76.9737, 43.2610), (76.9655, 43.2596))),
    srid=4326,
)


@pytest.fixture(autouse=True)
def almaty(db):
    city = CityFactory()
    DistrictFactory(name_en="Medeu District", geom=MultiPolygon(Polygon.from_bbox((76.95, 43.24, 77.00, 43.28))))
    return city


@pytest.fixture
def park(almaty, urbanist) -> Park:
    return services.save_park(ParkFactory.build(city=almaty), user=urbanist)


def park_url(park: Park) -> str:
    return reverse("admin:parks_park_change", args=[park.pk])


def admin_form_data(client, url: str, **overrides) -> dict:
    """What the browser sends back for the admin page at ``url``, with ``overrides`` typed in."""
    response = client.get(url)
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        data[field.html_name] = "" if value is None else (value.ewkt if hasattr(value, "ewkt") else value)
    for formset in response.context.get("inline_admin_formsets", []):
        for field in formset.formset.management_form:
            data[field.html_name] = field.value()
    data.update(overrides)
    return data


def test_parks_have_an_admin_with_the_city_map_widget_and_history():
    assert admin.site._registry[Park].gis_widget is CityMapWidget
    assert "history_view" in dir(admin.site._registry[Park])


def test_the_park_page_has_the_map_widget_from_static_files_and_derived_fields_read_only(client, urbanist, park):
    client.force_login(urbanist)
    response = client.get(park_url(park))
    content = response.content.decode()
    assert response.status_code == 200
    assert "new MapWidget(options)" in content
    assert external_references(content, "html") == []
    assert not {"district", "area_m2", "osm_id", "source", "is_demo"} & set(response.context["adminform"].form.fields)


def test_a_boundary_redrawn_in_the_admin_derives_the_area_again_and_is_recorded(client, urbanist, park):
    client.force_login(urbanist)
    url = park_url(park)
    area = park.area_m2
    response = client.post(url, admin_form_data(client, url, boundary=GORKY_SOUTH.ewkt))
    assert response.status_code == 302, response.context["adminform"].form.errors
    park.refresh_from_db()
    assert park.boundary.equals_exact(GORKY_SOUTH, 1e-9)
    assert park.area_m2 < area
    assert park.district.name_en == "Medeu District"
    assert park.history.latest().history_user == urbanist


def test_the_admin_refuses_an_entrance_far_from_the_boundary(client, urbanist, park):
    client.force_login(urbanist)
    url = park_url(park)
    response = client.post(url, admin_form_data(client, url, entrances="SRID=4326;MULTIPOINT (76.9752 43.2610)"))
    assert response.status_code == 200
    assert "Entrance 1 is " in str(response.context["adminform"].form.errors["entrances"])
    park.refresh_from_db()
    assert park.entrances is None


def test_a_park_added_in_the_admin_is_created_by_the_urbanist(client, urbanist, almaty):
    client.force_login(urbanist)
    url = reverse("admin:parks_park_add")
    data = admin_form_data(client, url, city=almaty.pk, name_en="Gorky Park", state="open", boundary=GORKY_PARK.ewkt)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    park = Park.objects.get()
    assert park.created_by == urbanist
    assert park.area_m2 > 500_000
