"""The map of proposals (/proposals/map/): its layers, its filters, and the filters as the map applies them."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.maps import PROPOSAL_MAP_LAYERS
from tests.factories import CityFactory, DataSourceFactory, DistrictFactory, ProposalCategoryFactory, ProposalFactory

pytestmark = pytest.mark.django_db

MAP_URL = "/proposals/map/"
CITY_BBOX = "76.6,43.0,77.3,43.6"


def map_config(response) -> dict:
    match = re.search(rb'<script id="map-config" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, "the page embeds no map-config"
    return json.loads(match.group(1))


def layer_entry(response, name: str) -> dict:
    return next(layer for layer in map_config(response)["layers"] if layer["name"] == name)


def proposals_in_view(client, **filters) -> set[int]:
    """The proposals the map would draw over the whole city (few enough to come one by one)."""
    response = client.get(
        reverse("gis_data:layer_clusters", args=["proposals"]), {"bbox": CITY_BBOX, "zoom": 11, **filters}
    )
    assert response.status_code == 200, response.content
    return {feature["id"] for feature in json.loads(response.content)["features"]}


@pytest.fixture
def city():
    return CityFactory()


def test_the_map_of_proposals_is_under_the_proposals():
    assert reverse("participation:map") == MAP_URL


def test_it_draws_the_proposals_layer_as_clusters(client, city):
    proposals = layer_entry(client.get(MAP_URL), "proposals")
    assert proposals["clusters"] == reverse("gis_data:layer_clusters", args=["proposals"])
    assert proposals["link"] == "/proposals/{id}/"
    assert proposals["label"] == "title"
    assert proposals["min_zoom"] == 0


def test_it_offers_the_filters_of_the_map(client, city):
    DistrictFactory()
    filters = {
        item["name"]: item
        for item in layer_entry(client.get(MAP_URL, HTTP_ACCEPT_LANGUAGE="en"), "proposals")["filters"]
    }
    assert list(filters) == ["kind", "category", "status", "district", "period"]
    assert ["problem", "Problem report"] in filters["kind"]["choices"]
    assert ["lighting", "Street lighting"] in filters["category"]["choices"]
    assert ["accepted", "Accepted (planned)"] in filters["status"]["choices"]
    assert filters["district"]["choices"][1][1] == "Almaly District"
    assert ["30d", "In the last 30 days"] in filters["period"]["choices"]
    assert [str(timezone.localdate().year)] * 2 in filters["period"]["choices"]


def test_it_shows_the_reference_layers_that_give_context_and_not_every_layer(client, city):
    names = [layer["name"] for layer in map_config(client.get(MAP_URL))["layers"]]
    assert names[-1] == "proposals"
    assert {"districts", "green_areas", "waterways", "main_roads"} <= set(names)
    assert set(names) <= set(PROPOSAL_MAP_LAYERS)
    # Places, and the projects' long legend, would push the proposals' filters out of sight.
    assert "places" not in names
    assert "projects" not in names


def test_it_centres_the_map_on_the_city(client):
    CityFactory(default_zoom=13)
    config = map_config(client.get(MAP_URL))
    assert config["center"] == [43.25, 76.93]
    assert config["zoom"] == 13


def test_it_has_a_heading_a_named_map_and_links_to_the_list_and_to_proposing(client, city):
    content = client.get(MAP_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"<h1[^>]*>Proposals on the map</h1>", content)
    assert 'id="map" class="map" role="region" aria-label="Map of residents’ proposals"' in content
    assert f'<a href="{reverse("participation:list")}">See them as a list</a>' in content
    assert f'<a class="button" href="{reverse("participation:create")}">Propose something</a>' in content


def test_its_layer_button_says_the_filters_are_there(client, city):
    strings = map_config(client.get(MAP_URL, HTTP_ACCEPT_LANGUAGE="en"))["strings"]
    assert strings["layers"] == "Layers and filters"
    assert strings["cluster"] == "{title}: {count} — zoom in"


def test_it_lists_the_data_sources(client, city):
    DataSourceFactory(key="osm2012")
    content = client.get(MAP_URL).content.decode()
    assert 'id="data-sources"' in content
    assert "© OpenStreetMap contributors, CC BY-SA 2.0" in content


def test_it_is_in_the_visitor_language(client, city):
    response = client.get(MAP_URL, HTTP_ACCEPT_LANGUAGE="ru")
    assert '<html lang="ru">' in response.content.decode()
    assert map_config(response)["strings"]["zoomIn"] == "Приблизить"


def test_without_a_city_it_says_the_map_is_not_there_yet(client):
    response = client.get(MAP_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b"map-config" not in response.content
    assert b"The map appears once a city's reference layers are loaded." in response.content


# The filters as the map applies them (the same form filters the list).


def test_the_kind_filter_keeps_that_kind(client):
    park = ProposalFactory(kind="park")
    ProposalFactory(kind="problem")
    assert proposals_in_view(client, kind="park") == {park.pk}


def test_the_category_filter_reads_the_category_key(client):
    greenery = ProposalFactory(category=ProposalCategoryFactory(slug="greenery"))
    ProposalFactory()
    assert proposals_in_view(client, category="greenery") == {greenery.pk}


def test_a_recent_period_keeps_what_was_proposed_in_those_days(client):
    recent = ProposalFactory(created_at=timezone.now() - datetime.timedelta(days=10))
    ProposalFactory(created_at=timezone.now() - datetime.timedelta(days=45))
    assert proposals_in_view(client, period="30d") == {recent.pk}


def test_a_year_keeps_what_was_proposed_that_year(client):
    this_year = timezone.localdate().year
    last_year = ProposalFactory(created_at=timezone.now().replace(year=this_year - 1, month=6, day=15))
    ProposalFactory()
    assert proposals_in_view(client, period=str(this_year - 1)) == {last_year.pk}


def test_a_year_before_the_first_proposal_is_refused(client):
    ProposalFactory()
    response = client.get(
        reverse("gis_data:layer_clusters", args=["proposals"]), {"bbox": CITY_BBOX, "zoom": 11, "period": "1999"}
    )
    assert response.status_code == 400
    assert "period" in response.json()["fields"]
