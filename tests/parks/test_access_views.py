"""The park access page, its what-if answered in JSON and the staff's map of the cells outside (parks.access_views).

The toy city is tests/parks/test_access.py's: 500 of 1,000 residents within 800 m of the park P, West 0 of 500,
East 500 of 500; a park astride S2 (y 700 to 900) would bring the north cell's 200 within.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from parks.models import RenovationConcept
from tests.factories import ConceptFactory, DataSourceFactory
from tests.parks import test_access as toy_city

# The toy city's fixtures, shared with test_access.py.
city, districts, fresh_cache, toy = toy_city.city, toy_city.districts, toy_city.fresh_cache, toy_city.toy
box, park = toy_city.box, toy_city.park

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def post_what_if(client, **data):
    return client.post(reverse("parks:what_if"), data)


def astride_s2() -> str:
    return box(900, 700, 1100, 900).geojson


@pytest.fixture
def with_park(toy):
    return park()


def test_the_page_says_the_citywide_share_in_a_sentence(client, with_park):
    response = client.get(reverse("parks:access"))

    assert response.status_code == 200
    assert "500 of 1,000 residents (50 %) live within 800 m walk of an open park." in text_of(response)


def test_the_page_says_the_figures_are_an_estimate(client, with_park):
    assert "an estimate, not a census" in text_of(client.get(reverse("parks:access")))


def test_the_page_tabulates_every_district(client, with_park):
    content = text_of(client.get(reverse("parks:access")))

    assert "East 500 500 100 % —" in content
    assert "West 500 0 0 % —" in content


def test_the_page_credits_every_source_of_the_estimate(client, with_park, city):
    DataSourceFactory(
        city=city,
        key="population_estimate",
        attribution="© OpenStreetMap contributors, ODbL; © OpenStreetMap contributors, CC BY-SA 2.0",
    )

    content = text_of(client.get(reverse("parks:access")))

    assert "Figures computed from: © OpenStreetMap contributors, ODbL; © OpenStreetMap contributors, CC BY-SA 2.0" in (
        content
    )


def test_the_map_shades_each_district_by_its_share(client, with_park):
    response = client.get(reverse("parks:access"))

    config = json.loads(re.search(r'id="access-map-config"[^>]*>(.*?)</script>', response.content.decode()).group(1))
    shading = {
        f["properties"]["title"]: f["properties"]["style"]["fillColor"]
        for f in config["features"]
        if f["properties"]["kind"] == "district"
    }
    assert shading == {"East": "#52b788", "West": "#f4a261"}


def test_visitors_are_not_offered_the_cells(client, with_park):
    assert 'id="access-outside"' not in client.get(reverse("parks:access")).content.decode()


def test_urbanists_are_offered_the_cells_outside(client, with_park, urbanist):
    client.force_login(urbanist)

    assert 'id="access-outside"' in client.get(reverse("parks:access")).content.decode()


def test_residents_may_not_load_the_cells_outside(client, with_park, resident):
    client.force_login(resident)

    assert client.get(reverse("parks:outside")).status_code == 403


def test_visitors_may_not_load_the_cells_outside(client, with_park):
    assert client.get(reverse("parks:outside")).status_code == 403


def test_urbanists_load_the_cells_outside_the_walking_distance(client, toy, with_park, urbanist):
    client.force_login(urbanist)

    collection = client.get(reverse("parks:outside")).json()

    assert sorted(f["id"] for f in collection["features"]) == sorted([toy["west"].pk, toy["north"].pk])
    assert sorted(f["properties"]["residents"] for f in collection["features"]) == [200, 300]


def test_a_drawn_park_answers_with_the_residents_it_brings_within(client, with_park):
    answer = post_what_if(client, boundary=astride_s2()).json()

    assert answer["sentence"] == "+200 residents within 800 m walk of an open park (50 % → 70 %)."
    assert {row["name"]: row["change"] for row in answer["districts"]} == {
        "East": "no change",
        "West": "+200 (0 % → 40 %)",
    }


def test_a_concept_answers_with_its_park_opened(client, with_park, city):
    closed = park(west=900, south=700, east=1100, north=900, state="closed", name_en="Closed park")
    concept = ConceptFactory(park=closed)

    answer = post_what_if(client, concept=concept.pk).json()

    assert answer["gained"] == 200
    assert answer["park"]["geometry"]["type"] == "MultiPolygon"


def test_the_page_computes_a_concept_given_in_its_address(client, with_park):
    concept = ConceptFactory(park=park(west=900, south=700, east=1100, north=900, state="closed"))

    content = text_of(client.get(reverse("parks:access"), {"concept": concept.pk}))

    assert "+200 residents within 800 m walk of an open park (50 % → 70 %)." in content
    assert "West 500 0 0 % +200 (0 % → 40 %)" in content


def test_a_line_is_refused_as_a_park(client, with_park):
    response = post_what_if(client, boundary='{"type": "LineString", "coordinates": [[76.92, 43.23], [76.93, 43.24]]}')

    assert response.status_code == 400
    assert response.json() == {
        "errors": {"boundary": ["A park's boundary is an area: draw a polygon, not a LineString."]}
    }


def test_a_park_outside_the_city_is_refused(client, with_park):
    far = '{"type": "Polygon", "coordinates": [[[10, 10], [10.01, 10], [10.01, 10.01], [10, 10]]]}'

    response = post_what_if(client, boundary=far)

    assert response.status_code == 400
    assert "outside the city" in response.json()["errors"]["boundary"][0]


def test_a_park_larger_than_ten_square_kilometres_is_refused(client, with_park):
    response = post_what_if(client, boundary=box(0, 0, 4000, 3000).geojson)

    assert response.status_code == 400
    assert response.json()["errors"]["boundary"] == [
        "The park drawn covers 12.0 km²; a what-if park may cover at most 10 km²."
    ]


def test_text_that_is_no_geometry_is_refused(client, with_park):
    response = post_what_if(client, boundary="a park by the river")

    assert response.status_code == 400
    assert response.json()["errors"]["boundary"]


def test_an_unknown_concept_is_refused(client, with_park):
    response = post_what_if(client, concept="99999")

    assert response.status_code == 400
    assert response.json() == {"errors": {"concept": ["There is no published concept 99999 in this city."]}}


def test_a_draft_concept_is_unknown_to_visitors(client, with_park):
    draft = ConceptFactory(park=park(west=900, south=700, east=1100, north=900), is_published=False)

    response = post_what_if(client, concept=draft.pk)

    assert response.status_code == 400
    assert RenovationConcept.objects.filter(pk=draft.pk).exists()


def test_both_a_concept_and_a_drawing_are_refused(client, with_park):
    concept = ConceptFactory(park=park(west=900, south=700, east=1100, north=900))

    response = post_what_if(client, concept=concept.pk, boundary=astride_s2())

    assert response.json() == {"errors": {"boundary": ["Choose a concept or draw a park, not both."]}}


def test_nothing_to_add_is_refused(client, with_park):
    response = post_what_if(client)

    assert response.status_code == 400
    assert response.json() == {"errors": {"boundary": ["Draw a park on the map or choose a concept."]}}


def test_the_what_if_needs_the_page_csrf_token(with_park):
    response = Client(enforce_csrf_checks=True).post(reverse("parks:what_if"), {"boundary": astride_s2()})

    assert response.status_code == 403


def test_the_what_if_is_asked_by_post_only(client, with_park):
    assert client.get(reverse("parks:what_if"), {"boundary": astride_s2()}).status_code == 405
