"""Two concepts of one park compared: the zone areas table, the two maps, and every query it refuses."""

import json
import re

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from django.urls import reverse

from parks.concepts import save_zone
from parks.models import Zone
from tests.factories import (
    GORKY_ALLEY,
    GORKY_FOUNTAIN,
    GORKY_PLAYGROUND,
    CityFactory,
    ConceptFactory,
    ParkFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

PANFILOV_SQUARE = MultiPolygon(
    Polygon(((76.9440, 43.2560), (76.9460, 43.2560), (76.9460, 43.2575), (76.9440, 43.2575), (76.9440, 43.2560))),
    srid=4326,
)
# A second stretch of path in Gorky Park, south of the main alley.
GORKY_SOUTH_PATH = LineString((76.9670, 43.2580), (76.9700, 43.2585), srid=4326)


@pytest.fixture
def gorky(db):
    CityFactory()
    # A round area, so that the shares of the park read plainly: 1,000 m² is 1.0 %.
    return ParkFactory(area_m2=100_000)


@pytest.fixture
def shade(gorky):
    """Concept A: two playgrounds (700 and 300 m²), a lawn of 5,000 m², a path of 420 m and two lamps."""
    concept = ConceptFactory(park=gorky, title_en="Shade", team="Team Alatau", cost_estimate=9_000_000)
    ZoneFactory(concept=concept, purpose="playground", area_m2=700)
    ZoneFactory(concept=concept, purpose="playground", area_m2=300)
    ZoneFactory(concept=concept, purpose="lawn", area_m2=5_000)
    ZoneFactory(concept=concept, purpose="path", geom=GORKY_ALLEY.clone(), length_m=420)
    ZoneFactory(concept=concept, purpose="lighting", geom=GORKY_FOUNTAIN.clone())
    ZoneFactory(concept=concept, purpose="lighting", geom=GORKY_FOUNTAIN.clone())
    return concept


@pytest.fixture
def water(gorky):
    """Concept B: a playground of 2,500 m², a sports ground of 1,200 m² and two paths of 300 and 200 m."""
    concept = ConceptFactory(park=gorky, title_en="Water", status="shortlisted")
    ZoneFactory(concept=concept, purpose="playground", area_m2=2_500)
    ZoneFactory(concept=concept, purpose="sports", area_m2=1_200)
    ZoneFactory(concept=concept, purpose="path", geom=GORKY_ALLEY.clone(), length_m=300)
    ZoneFactory(concept=concept, purpose="path", geom=GORKY_SOUTH_PATH.clone(), length_m=200)
    return concept


def compare(client, park, **query):
    return client.get(reverse("parks:compare", args=[park.pk]), query, HTTP_ACCEPT_LANGUAGE="en")


def table_rows(content: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', content, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1) + re.search(
        r"<tfoot>(.*?)</tfoot>", table, re.S
    ).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


def error_of(response) -> str:
    assert response.status_code == 400
    return re.search(r'<div class="compare-error" role="alert"><p>(.*?)</p></div>', response.content.decode()).group(1)


# The comparison


def test_the_areas_table_sums_each_purpose_in_square_metres_and_as_a_share_of_the_park(client, gorky, shade, water):
    response = compare(client, gorky, a=shade.pk, b=water.pk)

    assert response.status_code == 200
    assert table_rows(response.content.decode(), "compare-areas") == [
        ["Playground", "1,000 m²", "1.0 %", "2,500 m²", "2.5 %"],
        ["Sports", "0 m²", "0.0 %", "1,200 m²", "1.2 %"],
        ["Lawn", "5,000 m²", "5.0 %", "0 m²", "0.0 %"],
        ["All areas", "6,000 m²", "6.0 %", "3,700 m²", "3.7 %"],
    ]


def test_the_lines_table_sums_each_purposes_lengths_and_counts_its_points(client, gorky, shade, water):
    response = compare(client, gorky, a=shade.pk, b=water.pk)

    assert table_rows(response.content.decode(), "compare-lines") == [
        ["Path", "420 m", "0", "500 m", "0"],
        ["Lighting", "0 m", "2", "0 m", "0"],
        ["All lines", "420 m", "", "500 m", ""],
    ]


def test_the_table_heads_name_both_concepts_and_the_parks_area(client, gorky, shade, water):
    content = compare(client, gorky, a=shade.pk, b=water.pk).content.decode()

    assert "Areas by purpose, and their share of the park (100,000 m²)" in content
    heads = re.findall(r'<th scope="colgroup" colspan="2" class="cell-text">([^<]+)</th>', content)
    assert heads[:2] == ["Shade", "Water"]


def test_the_order_of_the_query_is_the_order_of_the_sides(client, gorky, shade, water):
    response = compare(client, gorky, a=water.pk, b=shade.pk)
    assert table_rows(response.content.decode(), "compare-areas")[0] == [
        "Playground",
        "2,500 m²",
        "2.5 %",
        "1,000 m²",
        "1.0 %",
    ]


def test_zones_measured_by_the_concept_service_are_compared_as_stored(client, gorky, water):
    concept = ConceptFactory(park=gorky, title_en="Measured")
    zone = save_zone(Zone(concept=concept, purpose="playground", geom=GORKY_PLAYGROUND.clone()))
    zone.refresh_from_db()

    rows = table_rows(compare(client, gorky, a=concept.pk, b=water.pk).content.decode(), "compare-areas")

    assert rows[0][1] == f"{round(zone.area_m2):,} m²"
    assert 6_000 < zone.area_m2 < 6_500


def test_each_side_shows_its_concepts_status_team_and_cost(client, gorky, shade, water):
    content = compare(client, gorky, a=shade.pk, b=water.pk).content.decode()

    side_a = content[content.index('id="side-a-title"') : content.index('id="side-b-title"')]
    assert "Team Alatau" in side_a
    assert "9,000,000 KZT" in side_a
    assert "<dt>Zones</dt><dd>6</dd>" in side_a
    assert 'class="status-badge concept-status-shortlisted"' in content[content.index('id="side-b-title"') :]


def test_the_two_maps_each_draw_their_own_zones_over_the_same_park(client, gorky, shade, water):
    content = compare(client, gorky, a=shade.pk, b=water.pk).content.decode()
    config = json.loads(
        re.search(r'<script id="compare-maps-config" type="application/json">(.*?)</script>', content, re.S).group(1)
    )

    first, second = config["maps"]
    assert [f["properties"]["kind"] for f in first["features"]].count("zone") == 6
    assert [f["properties"]["kind"] for f in second["features"]].count("zone") == 4
    assert first["features"][0]["properties"]["kind"] == "park"
    assert first["bounds"] == second["bounds"]
    assert 'data-compare-map="a"' in content and 'data-compare-map="b"' in content


def test_urbanists_may_compare_a_draft(client, gorky, shade, urbanist):
    draft = ConceptFactory(park=gorky, is_published=False)
    client.force_login(urbanist)
    assert compare(client, gorky, a=shade.pk, b=draft.pk).status_code == 200


# Queries it refuses, each with a message on the page


def test_a_comparison_without_concepts_asks_for_two(client, gorky, shade, water):
    assert error_of(compare(client, gorky)) == "Pick two concepts of this park to compare: one for each side."


def test_a_comparison_with_one_concept_asks_for_the_other(client, gorky, shade, water):
    assert (
        error_of(compare(client, gorky, a=shade.pk)) == "Pick two concepts of this park to compare: one for each side."
    )


def test_a_concept_number_that_is_not_a_number_is_refused(client, gorky, shade):
    assert error_of(compare(client, gorky, a=shade.pk, b="shade")) == "“shade” is not the number of a concept."


def test_the_same_concept_twice_is_refused(client, gorky, shade, water):
    message = error_of(compare(client, gorky, a=shade.pk, b=shade.pk))
    assert message == "That is the same concept twice: pick two different concepts to compare."


def test_concepts_of_two_different_parks_are_refused(client, gorky, shade):
    square = ParkFactory(name_en="Panfilov Square", boundary=PANFILOV_SQUARE.clone())
    other = ConceptFactory(park=square, title_en="Fountain")

    message = error_of(compare(client, gorky, a=shade.pk, b=other.pk))

    assert message == (
        "“Fountain” is a concept for Panfilov Square, not for Gorky Central Park: "
        "only concepts of one park can be compared."
    )


def test_two_concepts_of_another_park_than_the_pages_are_refused(client, gorky):
    square = ParkFactory(name_en="Panfilov Square", boundary=PANFILOV_SQUARE.clone())
    first, second = ConceptFactory(park=square), ConceptFactory(park=square)

    assert "is a concept for Panfilov Square" in error_of(compare(client, gorky, a=first.pk, b=second.pk))


def test_an_unknown_concept_is_refused(client, gorky, shade):
    message = error_of(compare(client, gorky, a=shade.pk, b=999_999))
    assert message == "There is no published concept number 999999: it does not exist or is not published."


def test_an_unpublished_concept_is_refused_to_visitors_as_if_it_did_not_exist(client, gorky, shade, resident):
    draft = ConceptFactory(park=gorky, title_en="Secret draft", is_published=False)
    client.force_login(resident)

    response = compare(client, gorky, a=shade.pk, b=draft.pk)

    assert error_of(response).startswith(f"There is no published concept number {draft.pk}")
    assert "Secret draft" not in response.content.decode()


def test_a_refused_query_offers_the_parks_concepts_to_pick_again(client, gorky, shade, water):
    content = compare(client, gorky, a=shade.pk, b=shade.pk).content.decode()

    assert '<select id="pick-a" name="a" required>' in content
    assert f'<option value="{water.pk}"' in content
    assert "compare-maps-config" not in content


def test_a_park_that_does_not_exist_answers_404(client, db):
    assert client.get(reverse("parks:compare", args=[999_999]), {"a": 1, "b": 2}).status_code == 404
