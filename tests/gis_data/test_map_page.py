"""The map page at "/": the city, its layers and its data sources, in the visitor's language."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import CityFactory, DataSourceFactory, DistrictFactory

pytestmark = pytest.mark.django_db


def map_config(response) -> dict:
    match = re.search(rb'<script id="map-config" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, "the page embeds no map-config"
    return json.loads(match.group(1))


def test_the_map_page_is_the_home_page():
    assert reverse("gis_data:map") == "/"


def test_it_embeds_the_layers_of_the_registry(client):
    DistrictFactory()
    layers = map_config(client.get("/"))["layers"]
    assert [layer["name"] for layer in layers][:1] == ["districts"]
    assert {"districts", "waterways", "railways", "green_areas", "main_roads", "streets", "places"} <= {
        layer["name"] for layer in layers
    }


def test_it_embeds_the_same_layers_as_the_layer_list(client):
    DistrictFactory()
    embedded = map_config(client.get("/"))["layers"]
    assert embedded == client.get(reverse("gis_data:layer_list")).json()["layers"]


def test_it_centres_the_map_on_the_city(client):
    CityFactory(default_zoom=13)
    config = map_config(client.get("/"))
    assert config["center"] == [43.25, 76.93]
    assert config["zoom"] == 13


def test_it_draws_the_base_map_from_the_tile_url_setting(client):
    CityFactory()
    tiles = map_config(client.get("/"))["tiles"]
    assert tiles == {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


def test_it_gives_the_map_an_accessible_name(client):
    CityFactory()
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'id="map" class="map" role="region" aria-label="Map of Almaty"' in response.content


def test_it_shows_the_city_name_in_english(client):
    CityFactory()
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'<html lang="en">' in response.content
    assert '<span class="brand-city">Almaty</span>' in response.content.decode()


def test_it_shows_the_city_name_in_the_language_the_visitor_chose(client):
    CityFactory(name_ru="Алма-Ата (рус.)")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ru">' in content
    assert '<span class="brand-city">Алма-Ата (рус.)</span>' in content


def test_it_lists_every_data_source_with_its_licence(client):
    for key in ("districts", "places", "osm2012", "dem"):
        DataSourceFactory(key=key)
    content = client.get("/").content.decode()
    assert 'id="data-sources"' in content
    assert "© OpenStreetMap contributors, ODbL" in content
    assert "© OpenStreetMap contributors, CC BY-SA 2.0" in content
    assert "SRTM data courtesy of NASA/USGS" in content
    assert 'href="https://opendatacommons.org/licenses/odbl/1-0/"' in content
    assert 'href="https://creativecommons.org/licenses/by-sa/2.0/"' in content


def test_it_loads_leaflet_and_the_map_script_from_the_site(client):
    CityFactory()
    content = client.get("/").content.decode()
    assert '<script src="/static/vendor/leaflet-1.9.4/leaflet.js">' in content
    assert '<script src="/static/js/map.js">' in content
    assert 'href="/static/vendor/leaflet-1.9.4/leaflet.css"' in content


def test_without_a_city_it_tells_the_admin_to_load_one(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    content = response.content.decode()
    assert "No city is loaded yet" in content
    assert "manage.py gis_load_city" in content
    assert 'id="map-config"' not in content
    assert "leaflet.js" not in content


def test_it_embeds_the_projects_layer_with_its_filters(client):
    CityFactory()
    projects = next(layer for layer in map_config(client.get("/"))["layers"] if layer["name"] == "projects")
    assert [f["name"] for f in projects["filters"]] == ["category", "status", "district", "year"]
    assert projects["link"] == "/projects/{id}/"


def test_it_gives_the_map_the_words_of_the_filters_in_the_page_language(client):
    CityFactory()
    strings = map_config(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))["strings"]
    assert strings["filters"] == "Filters"
    assert strings["filterFailed"] == "These filters could not be applied."
