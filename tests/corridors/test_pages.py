"""The corridor list, a corridor's page and the network page, as visitors and urbanists see them."""

import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.urls import reverse

from corridors.models import Corridor
from tests.factories import (
    ALMATINKA_PROMENADE,
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    GreenAreaFactory,
    PhotoFactory,
    PopulatedPlaceFactory,
    PopulationCellFactory,
    ProposalFactory,
    RasterFactory,
    SegmentFactory,
    write_dem,
)

pytestmark = pytest.mark.django_db

LIST = reverse("corridors:list")
# A bike lane along Abay Avenue in Almaly, well apart from the promenade.
ABAY_BIKE_LANE = LineString((76.8800, 43.2385), (76.9000, 43.2392), srid=4326)
# The promenade's continuation south of Abay Avenue.
PROMENADE_SOUTH = LineString((76.9570, 43.2460), (76.9598, 43.2517), srid=4326)


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    return DistrictFactory()


def content_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def config_of(response, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', content_of(response), re.S)
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def names(response) -> list[str]:
    return re.findall(r'<h3 class="project-card-title"><a href="[^"]+" lang="\w+">([^<]+)</a>', content_of(response))


def detail(corridor: Corridor) -> str:
    return reverse("corridors:detail", args=[corridor.pk])


# The list


def test_the_list_shows_each_published_corridor_with_its_kind_status_length_climb_and_districts(client, almaty):
    corridor = CorridorFactory(length_m=2345.0, climb_m=48.4, status="existing")
    corridor.districts.add(almaty)

    content = content_of(client.get(LIST, HTTP_ACCEPT_LANGUAGE="en"))

    assert names(client.get(LIST)) == ["Malaya Almatinka promenade"]
    assert '<span class="corridor-kind corridor-kind-river_promenade">river promenade</span>' in content
    assert '<span class="status-badge corridor-status-existing">' in content
    assert "2.35 km" in content
    assert "48 m" in content
    assert "Almaly District" in content


def test_the_list_hides_drafts_from_visitors_and_shows_them_to_urbanists_with_a_badge(client, resident, urbanist):
    CorridorFactory(name_en="Secret draft", is_published=False)
    client.force_login(resident)
    assert "Secret draft" not in content_of(client.get(LIST))

    client.force_login(urbanist)
    content = content_of(client.get(LIST))
    assert "Secret draft" in content
    assert "Draft, not published" in content


def test_the_list_is_filtered_by_kind_status_and_district(client, almaty):
    promenade = CorridorFactory(name_en="Promenade", kind="river_promenade", status="planned")
    promenade.districts.add(almaty)
    CorridorFactory(name_en="Abay bike lane", kind="bike_route", status="existing")

    assert names(client.get(LIST, {"kind": "bike_route"})) == ["Abay bike lane"]
    assert names(client.get(LIST, {"status": "planned"})) == ["Promenade"]
    assert names(client.get(LIST, {"district": almaty.pk})) == ["Promenade"]


def test_a_filter_that_does_not_parse_is_said_not_guessed_at(client):
    CorridorFactory()
    content = content_of(client.get(LIST, {"kind": "motorway"}))
    assert "Select a valid choice" in content
    assert 'class="project-card corridor-card"' not in content


def test_the_lists_map_draws_every_corridor_the_filters_keep_in_the_layers_style(client):
    promenade = CorridorFactory(kind="river_promenade", status="planned")
    SegmentFactory(corridor=promenade)
    bike_lane = CorridorFactory(name_en="Abay bike lane", kind="bike_route", status="existing")
    SegmentFactory(corridor=bike_lane, geom=ABAY_BIKE_LANE.clone())

    config = config_of(client.get(LIST, {"status": "planned"}), "corridor-map-config")

    [feature] = config["features"]
    assert feature["properties"]["url"] == detail(promenade)
    assert feature["properties"]["style"]["color"] == "#0e7490"
    assert feature["properties"]["style"]["dashArray"] == "10 6"
    assert feature["geometry"]["type"] in {"LineString", "MultiLineString"}
    assert config["outlines"][0]["properties"]["name"] == "Almaly District"


def test_the_list_is_paged_keeping_its_filters(client):
    for number in range(27):
        CorridorFactory(name_en=f"Corridor {number:02d}", kind="bike_route")

    first = content_of(client.get(LIST, {"kind": "bike_route"}))
    second = client.get(LIST, {"kind": "bike_route", "page": 2})

    assert "27 corridors" in first
    assert "(page 1 of 2)" in first
    assert "?kind=bike_route&amp;page=2" in first
    assert names(second) == ["Corridor 25", "Corridor 26"]


def test_the_list_needs_the_same_number_of_queries_for_many_corridors(client, almaty, django_assert_max_num_queries):
    for number in range(20):
        corridor = CorridorFactory(name_en=f"Corridor {number}")
        corridor.districts.add(almaty)
        SegmentFactory(corridor=corridor)
    with django_assert_max_num_queries(14):
        content_of(client.get(LIST))


def test_the_site_navigation_leads_to_the_corridors(client):
    content = content_of(client.get(LIST, HTTP_ACCEPT_LANGUAGE="en"))
    assert f'<a href="{LIST}" aria-current="page">Green corridors</a>' in content


# A corridor's page


def test_a_draft_answers_404_to_visitors_and_residents_but_not_to_urbanists(client, resident, urbanist):
    draft = CorridorFactory(is_published=False)
    assert client.get(detail(draft)).status_code == 404
    client.force_login(resident)
    assert client.get(detail(draft)).status_code == 404
    client.force_login(urbanist)
    assert client.get(detail(draft)).status_code == 200


def test_the_page_charts_the_segments_profiles_end_to_end_with_no_data_as_a_break(client):
    corridor = CorridorFactory(dem_gap_m=120.0)
    SegmentFactory(
        corridor=corridor,
        position=0,
        length_m=60,
        profile={"step": 30, "distances": [0, 30, 60], "elevations": [800.0, 810.5, None]},
    )
    SegmentFactory(
        corridor=corridor,
        position=1,
        length_m=45,
        profile={"step": 30, "distances": [0, 30, 45], "elevations": [None, 820.0, 826.0]},
    )

    response = client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en")
    profile = config_of(response, "profile-config")

    assert profile["distances"] == [0, 0.03, 0.06, 0.06, 0.09, 0.105]
    assert profile["elevations"] == [800.0, 810.5, None, None, 820.0, 826.0]
    content = content_of(response)
    assert "No elevation data along 120 m" in content
    assert "chartjs-4.6.1/chart.umd.min.js" in content


def test_the_chart_has_a_summary_and_a_table_for_screen_readers(client):
    corridor = CorridorFactory()
    SegmentFactory(
        corridor=corridor,
        length_m=1500,
        profile={"step": 30, "distances": [0, 500, 1000, 1500], "elevations": [850.0, 830.0, 905.0, 880.0]},
    )

    content = content_of(client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en"))

    summary = (
        "Elevation profile over 1.50 km: 850 m at the start and 880 m at the end, "
        "lowest 830 m at 0.50 km, highest 905 m at 1.00 km."
    )
    assert f'<figcaption id="profile-summary" class="profile-summary">{summary}</figcaption>' in content
    assert '<canvas id="profile-chart" role="img" aria-labelledby="profile-summary">' in content
    assert '<tr><th scope="row">1.00 km</th><td>905 m</td></tr>' in content


def test_a_corridor_without_elevation_data_says_so_and_draws_no_chart(client):
    corridor = CorridorFactory(dem_gap_m=60)
    SegmentFactory(
        corridor=corridor, length_m=60, profile={"step": 30, "distances": [0, 30, 60], "elevations": [None] * 3}
    )

    content = content_of(client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en"))

    assert "No elevation data along this line." in content
    assert "profile-chart" not in content
    assert "chart.umd.min.js" not in content


def test_the_page_gives_the_corridors_figures(client):
    corridor = CorridorFactory(length_m=3210, climb_m=64.6, descent_m=12.2, mean_grade=0.0239, max_grade=0.081)
    content = content_of(client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en"))
    for text in ("3.21 km", "65 m", "12 m", "2.4 %", "8.1 %"):
        assert f"<dd>{text}</dd>" in content


def test_the_segments_table_says_what_each_segment_is_and_what_it_follows(client):
    corridor = CorridorFactory()
    SegmentFactory(
        corridor=corridor,
        position=0,
        name="Embankment",
        mode="bike",
        width_m=3.5,
        surface="asphalt",
        lighting="full",
        status="existing",
        landscape_derived="free_form",
        landscape_override="natural",
        landscape_reason="the bank is kept wild",
        length_m=812,
        follows="river",
        follows_name="Malaya Almatinka",
        follows_share=0.853,
    )
    SegmentFactory(corridor=corridor, position=1, geom=PROMENADE_SOUTH.clone(), landscape_derived="natural")

    content = content_of(client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en"))
    table = re.search(r'<table class="figures-table segments-table">(.*?)</table>', content, re.S).group(1)
    first, second = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    cells = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", first, re.S)
    ]

    assert cells == [
        "1",
        "Embankment",
        "bike",
        "3.5 m",
        "asphalt",
        "full length",
        "existing",
        "natural set by hand: the bank is kept wild",
        "812 m",
        "Malaya Almatinka, 85 %",
    ]
    assert "free-form" not in first
    assert "natural" in second and "set by hand" not in second


def test_the_map_draws_each_segment_in_its_status_and_modes_style_with_a_legend(client):
    corridor = CorridorFactory()
    SegmentFactory(corridor=corridor, position=0, status="existing", mode="pedestrian")
    SegmentFactory(corridor=corridor, position=1, geom=PROMENADE_SOUTH.clone(), status="proposed", mode="shared")

    response = client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en")
    features = config_of(response, "corridor-map-config")["features"]

    assert [feature["properties"]["style"]["color"] for feature in features] == ["#166534", "#a21caf"]
    assert features[0]["properties"]["style"]["dashArray"] == "1 8"
    assert features[0]["properties"]["title"] == "Segment 1"
    assert "existing, pedestrian" in content_of(response)
    assert "proposed, shared (bike and pedestrian)" in content_of(response)


def test_the_page_shows_the_corridors_photos(client):
    corridor = CorridorFactory()
    PhotoFactory(owner=corridor, caption="The bank in spring")
    content = content_of(client.get(detail(corridor)))
    assert "The bank in spring" in content
    assert 'class="photo-gallery"' in content


def test_urbanists_get_links_to_edit_the_corridor_and_visitors_do_not(client, urbanist):
    corridor = CorridorFactory()
    segment = SegmentFactory(corridor=corridor)
    links = [
        reverse("corridors:edit", args=[corridor.pk]),
        reverse("corridors:history", args=[corridor.pk]),
        reverse("corridors:segment_create", args=[corridor.pk]),
        reverse("corridors:segment_edit", args=[segment.pk]),
    ]

    content = content_of(client.get(detail(corridor)))
    assert not any(link in content for link in links)
    client.force_login(urbanist)
    content = content_of(client.get(detail(corridor)))
    assert all(f'href="{link}"' in content for link in links)


# Proposals about a corridor


def about(corridor: Corridor) -> dict:
    return {"subject_type": ContentType.objects.get_for_model(Corridor), "subject_id": corridor.pk}


def test_the_page_lists_the_proposals_about_the_corridor_and_invites_new_ones(client):
    corridor = CorridorFactory()
    ProposalFactory(title="Benches along the river", **about(corridor))
    ProposalFactory(title="Elsewhere entirely")

    content = content_of(client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Benches along the river" in content
    assert "Elsewhere entirely" not in content
    assert f"{reverse('participation:create')}?about=corridors.corridor%3A{corridor.pk}" in content
    assert "Propose something about this corridor" in content


def test_a_hidden_proposal_about_the_corridor_is_shown_only_to_its_author(client):
    corridor = CorridorFactory()
    hidden = ProposalFactory(title="Hidden idea", visibility="hidden", **about(corridor))
    assert "Hidden idea" not in content_of(client.get(detail(corridor)))
    client.force_login(hidden.author)
    assert "Hidden idea" in content_of(client.get(detail(corridor)))


def test_the_proposal_form_takes_a_published_corridor_as_what_it_is_about(client, resident):
    corridor = CorridorFactory()
    draft = CorridorFactory(name_en="Secret draft", is_published=False)
    client.force_login(resident)

    content = content_of(client.get(reverse("participation:create"), {"about": f"corridors.corridor:{corridor.pk}"}))
    assert f'<a href="{detail(corridor)}">Malaya Almatinka promenade</a>' in content

    content = content_of(client.get(reverse("participation:create"), {"about": f"corridors.corridor:{draft.pk}"}))
    assert "Secret draft" not in content


# The network page


def test_the_network_page_says_when_no_city_is_loaded(client):
    from gis_data.models import City, District

    District.objects.all().delete()
    City.objects.all().delete()
    content = content_of(client.get(reverse("corridors:network"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "No city is loaded yet" in content


# What a corridor connects, over the real network (corridors.network)

# Medeu district, simplified to a box around the promenade.
MEDEU_DISTRICT = MultiPolygon(
    Polygon(((76.9500, 43.2400), (76.9800, 43.2400), (76.9800, 43.2700), (76.9500, 43.2700), (76.9500, 43.2400))),
    srid=4326,
)


def test_the_page_says_which_suburbs_the_corridor_links_with_which_parks(client):
    DistrictFactory(name_en="Medeu District", geom=MEDEU_DISTRICT.clone(), osm_id=4242)
    GreenAreaFactory()
    # A village 600 m west of the promenade's start (a fictional one: the test needs a suburb near it).
    PopulatedPlaceFactory(name_en="Kalkaman", geom=Point(76.9525, 43.2517, srid=4326))
    corridor = CorridorFactory()
    SegmentFactory(corridor=corridor, geom=ALMATINKA_PROMENADE.clone())

    content = content_of(client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Links Medeu District and Kalkaman with Gorky Central Park." in content


def test_a_corridor_that_reaches_no_park_says_so(client):
    DistrictFactory(name_en="Medeu District", geom=MEDEU_DISTRICT.clone(), osm_id=4242)
    corridor = CorridorFactory()
    SegmentFactory(corridor=corridor, geom=PROMENADE_SOUTH.clone())

    content = content_of(client.get(detail(corridor), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Reaches no park from Medeu District yet." in content


# The network page

NETWORK = reverse("corridors:network")
# A second corridor 400 m east of the promenade, parallel to it, and a third one far to the west.
EAST_OF_PROMENADE = LineString((76.9648, 43.2517), (76.9690, 43.2585), srid=4326)


@pytest.fixture
def two_parts(db):
    """The promenade (existing) and, 400 m east of it, a planned corridor: two parts of the network, one gap."""
    promenade = CorridorFactory(status="existing")
    SegmentFactory(corridor=promenade, geom=ALMATINKA_PROMENADE.clone(), status="existing")
    east = CorridorFactory(name_en="Eastern path", status="planned")
    SegmentFactory(corridor=east, geom=EAST_OF_PROMENADE.clone(), status="planned")
    # Residents by the eastern path only: the gap would connect them to the longer promenade.
    city = CityFactory()
    PopulationCellFactory(city=city, corner=(76.9670, 43.2540), residents=800)
    PopulationCellFactory(city=city, corner=(76.9600, 43.2600), residents=500)
    return promenade, east


def test_the_network_page_lists_the_parts_the_gaps_and_the_coverage(client, two_parts):
    from corridors import network

    promenade, east = two_parts
    city = CityFactory()
    built = network.build_network(city)
    [gap] = network.gaps(built)
    coverage = network.coverage(city, network=built)

    response = client.get(NETWORK, HTTP_ACCEPT_LANGUAGE="en")
    content = content_of(response)

    assert "<strong>Part 1</strong>" in content and "<strong>Part 2</strong>" in content
    assert f'<a href="{detail(promenade)}">Malaya Almatinka promenade</a>' in content
    gaps = re.search(r'<table class="figures-table gaps-table">(.*?)</table>', content, re.S).group(1)
    assert f"<td>{round(gap.length_m)} m</td>" in gaps
    assert '<td class="cell-text">Part 2 and Part 1</td>' in gaps
    assert f"<td>{round(gap.newly_connected):,}</td>" in gaps
    coverage_table = re.search(r'<table class="figures-table coverage-table">(.*?)</table>', content, re.S).group(1)
    assert "Almaty, all districts" in coverage_table
    assert f"<td>{round(coverage.residents):,}</td>" in coverage_table
    assert "These resident numbers are an estimate, not a census." in content


def test_the_network_map_colours_each_part_and_dashes_the_gaps(client, two_parts):
    config = config_of(client.get(NETWORK), "network-map-config")

    parts = [f for f in config["features"] if f["properties"]["kind"] == "component"]
    gaps = [f for f in config["features"] if f["properties"]["kind"] == "gap"]
    assert [part["properties"]["title"] for part in parts] == ["Part 1", "Part 2"]
    assert parts[0]["properties"]["style"]["color"] != parts[1]["properties"]["style"]["color"]
    assert gaps[0]["properties"]["style"]["dashArray"] == "6 6"
    assert gaps[0]["properties"]["rank"] == 1
    assert gaps[0]["geometry"]["type"] == "LineString"


def test_the_status_choice_runs_the_analyses_again_on_existing_segments_only(client, two_parts):
    content = content_of(client.get(NETWORK, {"statuses": "existing"}, HTTP_ACCEPT_LANGUAGE="en"))

    assert "<strong>Part 1</strong>" in content
    assert "<strong>Part 2</strong>" not in content
    assert "Eastern path" not in content
    assert 'value="existing" id="id_statuses_0" checked' in content
    assert "No gap:" in content


def test_a_status_choice_that_does_not_exist_is_said_and_nothing_is_analysed(client, two_parts):
    content = content_of(client.get(NETWORK, {"statuses": "imagined"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Select a valid choice" in content
    assert "<strong>Part 1</strong>" not in content


def test_the_overlays_are_offered_off_by_default_and_the_cost_surface_needs_an_elevation_model(
    client, urbanist, two_parts, tmp_path
):
    # Visitors do not get the population cells (they mix the ODbL and CC BY-SA sources); urbanists do.
    assert config_of(client.get(NETWORK), "network-map-config")["overlays"] == []
    client.force_login(urbanist)
    config = config_of(client.get(NETWORK), "network-map-config")
    assert [layer["name"] for layer in config["overlays"]] == ["urban_blocks", "population"]
    assert not any(layer["default_on"] for layer in config["overlays"])
    assert config["costSurface"] is None

    RasterFactory(path=str(write_dem(tmp_path / "dem.tif")))
    config = config_of(client.get(NETWORK), "network-map-config")
    assert config["costSurface"]["url"] == reverse("corridors:cost_surface")
    (south, west), (north, east) = config["costSurface"]["bounds"]
    assert west < 76.93 < east and south < 43.25 < north


# Every page in every language


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_corridor_page_answers_in_each_language(client, two_parts, language):
    promenade, _east = two_parts
    SegmentFactory(corridor=promenade, position=1, geom=PROMENADE_SOUTH.clone(), length_m=600, dem_gap_m=30)
    promenade.refresh_from_db()
    urls = [LIST, detail(promenade), NETWORK, reverse("corridors:route")]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode()
