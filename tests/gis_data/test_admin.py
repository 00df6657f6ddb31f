"""The admin of the reference layers: urbanists edit them on map widgets that load nothing from another host."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from gis_data.models import City, DataSource, District, GreenArea, PopulatedPlace, Railway, Raster, Street, Waterway
from gis_data.widgets import CityMapWidget, openlayers_tile_url
from tests.factories import CityFactory, DistrictFactory
from tests.test_no_external_assets import external_references

pytestmark = pytest.mark.django_db

ADMIN_MODELS = (City, DataSource, District, Waterway, Railway, GreenArea, Street, PopulatedPlace, Raster)


def change_url(district: District) -> str:
    return reverse("admin:gis_data_district_change", args=[district.pk])


def test_every_city_model_has_an_admin():
    for model in ADMIN_MODELS:
        assert model in admin.site._registry, model


def test_every_geometry_field_gets_the_vendored_map_widget():
    for model in ADMIN_MODELS:
        model_admin = admin.site._registry[model]
        for field in model._meta.get_fields():
            if hasattr(field, "geom_type"):
                assert model_admin.gis_widget is CityMapWidget, model


def test_the_widget_loads_openlayers_from_the_site_only():
    media = str(CityMapWidget().media)
    assert "/static/vendor/ol-7.2.2/ol.js" in media
    assert "/static/vendor/ol-7.2.2/ol.css" in media
    assert "jsdelivr" not in media
    assert "https://" not in media


def test_leaflet_subdomains_become_openlayers_subdomains():
    url = "https://{s}.tile.example.org/{z}/{x}/{y}{r}.png"
    assert openlayers_tile_url(url) == "https://{a-c}.tile.example.org/{z}/{x}/{y}.png"


def test_an_urbanist_opens_the_change_page_of_a_district(client, urbanist):
    district = DistrictFactory()
    client.force_login(urbanist)
    response = client.get(change_url(district))
    assert response.status_code == 200
    assert b"Almaly District" in response.content
    assert b"new MapWidget(options)" in response.content


def test_the_district_change_page_loads_nothing_from_another_host(client, urbanist):
    district = DistrictFactory()
    client.force_login(urbanist)
    content = client.get(change_url(district)).content.decode()
    assert external_references(content, "html") == []
    assert "cdn.jsdelivr.net" not in content
    assert '<script src="/static/vendor/ol-7.2.2/ol.js">' in content


def test_the_map_widget_draws_the_base_map_of_the_tile_url_setting(client, urbanist):
    district = DistrictFactory()
    client.force_login(urbanist)
    content = client.get(change_url(district)).content.decode()
    assert "new ol.source.XYZ(" in content
    assert "ol.source.OSM()" not in content
    assert f'url: "{openlayers_tile_url(settings.MAP_TILE_URL)}"' in content


def test_the_map_widget_starts_at_the_city_centre(client, urbanist):
    CityFactory(default_zoom=11)
    client.force_login(urbanist)
    content = client.get(reverse("admin:gis_data_district_add")).content.decode()
    assert "options['default_lon'] = 76.93;" in content
    assert "options['default_lat'] = 43.25;" in content
    assert "options['default_zoom'] = 11;" in content


def test_an_urbanist_can_change_a_district(client, urbanist):
    district = DistrictFactory()
    moved = MultiPolygon(Polygon(((76.87, 43.24), (76.94, 43.24), (76.94, 43.27), (76.87, 43.24))), srid=4326)
    client.force_login(urbanist)
    response = client.post(
        change_url(district),
        {
            "name": "Almaly",
            "name_kk": "Алмалы ауданы",
            "name_ru": "Алмалинский район",
            "name_en": "Almaly district (edited)",
            "geom": moved.ewkt,
            "source": district.source_id,
            "osm_type": "relation",
            "osm_id": district.osm_id,
        },
    )
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.name_en == "Almaly district (edited)"
    assert district.geom.equals_exact(moved, tolerance=1e-9)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model.__name__)
def test_an_urbanist_can_search_each_list_by_name(client, urbanist, model):
    DistrictFactory()
    client.force_login(urbanist)
    url = reverse(f"admin:gis_data_{model._meta.model_name}_changelist")
    assert client.get(url, {"q": "Almaly"}).status_code == 200


def test_the_district_list_finds_a_district_by_its_kazakh_name(client, urbanist):
    DistrictFactory()
    DistrictFactory(name="Auezov", name_kk="Әуезов ауданы", name_en="Auezov District")
    client.force_login(urbanist)
    response = client.get(reverse("admin:gis_data_district_changelist"), {"q": "Әуезов"})
    assert b"Auezov District" in response.content
    assert b"Almaly District" not in response.content


def test_a_resident_cannot_open_the_admin(client, resident):
    district = DistrictFactory()
    client.force_login(resident)
    response = client.get(change_url(district))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
