"""gis_data.maps: what every page's own map starts from, credits included."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from gis_data.maps import map_base
from tests.factories import CityFactory, DataSourceFactory, DistrictFactory

pytestmark = pytest.mark.django_db


def config(city):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return map_base(city, request)


def test_the_reference_layers_carry_the_attribution_of_their_source():
    city = CityFactory()
    DataSourceFactory(city=city, key="osm2012")

    reference = {entry["name"]: entry for entry in config(city)["reference"]}

    assert reference["waterways"]["attribution"] == "© OpenStreetMap contributors, CC BY-SA 2.0"


def test_the_district_outlines_are_credited_apart_from_the_reference_layers():
    city = CityFactory()
    DistrictFactory()

    credits = [entry for entry in config(city)["reference"] if "geojson" not in entry]

    assert credits == [{"name": "district_outlines", "attribution": "© OpenStreetMap contributors, ODbL"}]


def test_with_no_city_the_map_shows_the_whole_world_and_credits_nothing_more(db):
    base = config(None)

    assert (base["center"], base["zoom"], base["bounds"]) == ([0, 0], 2, None)
    assert all(entry["attribution"] == "" for entry in base["reference"])
