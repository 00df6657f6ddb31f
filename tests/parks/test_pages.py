"""The park list, a park's page and a concept's page, as visitors and urbanists see them."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, MultiPoint, MultiPolygon, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gis_data.models import PopulationCell
from gis_data.streets import clear_cache as clear_street_cache
from parks import access
from parks.concepts import add_plan_image
from parks.layers import ZONE_COLOURS
from parks.models import Park, RenovationConcept
from photos.services import pair_photos
from tests.factories import (
    GORKY_ALLEY,
    GORKY_FOUNTAIN,
    GORKY_GATE,
    CityFactory,
    ConceptFactory,
    ConceptStatusChangeFactory,
    DistrictFactory,
    ParkFactory,
    PhotoFactory,
    ProposalFactory,
    StreetFactory,
    UserFactory,
    WorkshopFactory,
    ZoneFactory,
)
from tests.photo_files import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db

LIST = reverse("parks:list")
# A small square park in Almaly, well apart from Gorky Park.
PANFILOV_SQUARE = MultiPolygon(
    Polygon(((76.9440, 43.2560), (76.9460, 43.2560), (76.9460, 43.2575), (76.9440, 43.2575), (76.9440, 43.2560))),
    srid=4326,
)


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    return DistrictFactory()


@pytest.fixture(autouse=True)
def fresh_access():
    access.clear_cache()
    clear_street_cache()
    yield
    access.clear_cache()
    clear_street_cache()


@pytest.fixture
def gorky(almaty):
    return ParkFactory(
        district=almaty,
        area_m2=456_000,
        description_en="The city's oldest park, laid out in 1856.",
        entrances=MultiPoint(GORKY_GATE.clone(), srid=4326),
    )


def content_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def config_of(response, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', content_of(response), re.S)
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def card_names(response) -> list[str]:
    return re.findall(r'<h3 class="project-card-title"><a href="[^"]+">([^<]+)</a>', content_of(response))


def detail(park: Park) -> str:
    return reverse("parks:detail", args=[park.pk])


def concept_page(concept: RenovationConcept) -> str:
    return reverse("parks:concept", args=[concept.pk])


# The list


def test_the_list_shows_each_park_with_its_state_district_area_and_what_is_under_way(client, gorky):
    ConceptFactory(park=gorky, title_en="Shade for the old alley", status="in_design")

    content = content_of(client.get(LIST, HTTP_ACCEPT_LANGUAGE="en"))

    assert card_names(client.get(LIST)) == ["Gorky Central Park"]
    assert '<span class="status-badge park-state-open">' in content
    assert "Almaly District" in content
    assert "456,000 m²" in content
    assert "In design: Shade for the old alley" in content


def test_the_list_is_filtered_by_district_state_and_concepts(client, gorky):
    ParkFactory(name_en="Panfilov Square", boundary=PANFILOV_SQUARE.clone(), state="closed")
    ConceptFactory(park=gorky)

    assert card_names(client.get(LIST, {"district": gorky.district_id})) == ["Gorky Central Park"]
    assert card_names(client.get(LIST, {"state": "closed"})) == ["Panfilov Square"]
    assert card_names(client.get(LIST, {"concepts": "yes"})) == ["Gorky Central Park"]
    assert card_names(client.get(LIST, {"concepts": "no"})) == ["Panfilov Square"]


def test_a_draft_concept_gives_a_park_no_concepts_in_a_visitors_list(client, gorky, urbanist):
    ConceptFactory(park=gorky, is_published=False)

    assert card_names(client.get(LIST, {"concepts": "yes"})) == []
    client.force_login(urbanist)
    assert card_names(client.get(LIST, {"concepts": "yes"})) == ["Gorky Central Park"]


def test_a_filter_that_does_not_parse_is_said_not_guessed_at(client, gorky):
    content = content_of(client.get(LIST, {"state": "demolished"}))
    assert "Select a valid choice" in content
    assert 'class="project-card park-card"' not in content


def test_the_list_is_paginated_by_25(client):
    for number in range(26):
        ParkFactory(name_en=f"Park {number:02d}")

    assert len(card_names(client.get(LIST))) == 25
    assert card_names(client.get(LIST, {"page": 2})) == ["Park 25"]
    assert "(page 2 of 2)" in content_of(client.get(LIST, {"page": 2}))


def test_the_lists_map_draws_every_park_the_filters_keep_in_the_layers_style(client, gorky):
    ParkFactory(name_en="Panfilov Square", boundary=PANFILOV_SQUARE.clone(), state="closed")

    config = config_of(client.get(LIST, {"state": "closed"}), "park-map-config")

    [feature] = config["features"]
    assert feature["properties"]["title"] == "Panfilov Square"
    assert feature["properties"]["style"]["dashArray"] == "6 4"
    assert feature["properties"]["style"]["fillColor"] == "#a3a3a3"
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert config["outlines"][0]["properties"]["name"] == "Almaly District"


def test_the_list_says_the_programme_and_links_to_it_to_access_and_to_plantings(client, gorky):
    workshop = WorkshopFactory()
    ConceptFactory(park=gorky, origin="workshop", workshop=workshop, status="completed")

    content = content_of(client.get(LIST, HTTP_ACCEPT_LANGUAGE="en"))

    assert f'<a href="{reverse("parks:programme")}">1 concept: 1 park repaired<span' in content
    assert f'href="{reverse("parks:access")}"' in content
    assert f'href="{reverse("parks:plantings")}"' in content


def test_only_those_who_may_add_parks_see_the_new_park_link(client, resident, urbanist):
    client.force_login(resident)
    assert reverse("parks:create") not in content_of(client.get(LIST))
    client.force_login(urbanist)
    assert reverse("parks:create") in content_of(client.get(LIST))


# A park's page


def test_a_parks_page_shows_its_state_district_area_description_and_entrances(client, gorky):
    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))

    assert '<h1 id="park-title">Gorky Central Park</h1>' in content
    assert "<dt>State</dt><dd>Open</dd>" in content
    assert "<dt>District</dt><dd>Almaly District</dd>" in content
    assert "<dt>Area</dt><dd>456,000 m²</dd>" in content
    assert "The city&#x27;s oldest park, laid out in 1856." in content
    assert "<dt>Entrances</dt><dd>1</dd>" in content


def test_a_parks_current_state_names_its_concept_furthest_along(client, gorky):
    ConceptFactory(park=gorky, title_en="Benches", status="shortlisted")
    furthest = ConceptFactory(park=gorky, title_en="Shade for the old alley", status="in_design")
    ConceptFactory(park=gorky, title_en="A lake", status="set_aside", set_aside_reason="Too costly.")

    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))

    assert f'<a href="{concept_page(furthest)}">In design: Shade for the old alley</a>' in content


def test_a_park_without_a_concept_under_way_shows_its_state(client, gorky):
    ConceptFactory(park=gorky, status="set_aside", set_aside_reason="Too costly.")
    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))
    assert "<dt>Now</dt><dd>Open</dd>" in content


def test_a_parks_map_draws_its_boundary_entrances_and_the_zones_of_its_published_concepts_by_purpose(client, gorky):
    concept = ConceptFactory(park=gorky, title_en="Playgrounds")
    ZoneFactory(concept=concept, purpose="playground", area_m2=700)
    ZoneFactory(concept=concept, purpose="path", geom=GORKY_ALLEY.clone(), length_m=420)
    ZoneFactory(concept=ConceptFactory(park=gorky, is_published=False), purpose="water")
    set_aside = ConceptFactory(park=gorky, status="set_aside", set_aside_reason="Too costly.")
    ZoneFactory(concept=set_aside, purpose="sports")

    config = config_of(client.get(detail(gorky)), "park-map-config")

    kinds = [feature["properties"]["kind"] for feature in config["features"]]
    assert kinds == ["park", "entrance", "zone", "zone"]
    playground, path = config["features"][2:]
    assert playground["properties"]["style"]["fillColor"] == ZONE_COLOURS["playground"]
    assert path["properties"]["style"]["color"] == ZONE_COLOURS["path"]
    assert playground["properties"]["details"] == ["playground", "700 m²", "Playgrounds"]
    assert config["bounds"] == [[43.2567, 76.9655], [43.2673, 76.9737]]


def test_a_parks_zones_are_also_given_as_a_table(client, gorky):
    concept = ConceptFactory(park=gorky, title_en="Playgrounds")
    ZoneFactory(concept=concept, purpose="playground", label="By the pond", area_m2=700)

    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))

    assert "1 zone of the concepts under way" in content
    assert re.search(r"Playground</span></th>\s*<td[^>]*>By the pond</td>\s*<td[^>]*>Playgrounds</td>", content)


def test_a_parks_page_lists_its_concepts_with_team_origin_status_cost_and_zone_count(client, gorky):
    workshop = WorkshopFactory()
    concept = ConceptFactory(
        park=gorky,
        title_en="Shade for the old alley",
        team="Team Alatau",
        origin="workshop",
        workshop=workshop,
        status="in_design",
        cost_estimate=Decimal(12_500_000),
    )
    ZoneFactory(concept=concept)
    ZoneFactory(concept=concept, geom=GORKY_FOUNTAIN.clone(), purpose="water")

    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))

    card = content[content.index('<li class="project-card concept-card">') :]
    card = card[: card.index("</li>")]
    assert f'<a href="{concept_page(concept)}">Shade for the old alley</a>' in card
    assert "<dt>Authors</dt><dd>Team Alatau</dd>" in card
    assert "<dt>Came from</dt><dd>the workshop “Park renovation workshop”</dd>" in card
    assert "In design" in card
    assert "<dt>Cost estimate</dt><dd>12,500,000 KZT</dd>" in card
    assert "<dt>Zones</dt><dd>2</dd>" in card


def test_a_draft_concept_is_hidden_from_visitors_and_shown_to_urbanists_with_a_badge(client, gorky, urbanist):
    ConceptFactory(park=gorky, title_en="Secret draft", is_published=False)

    assert "Secret draft" not in content_of(client.get(detail(gorky)))
    client.force_login(urbanist)
    content = content_of(client.get(detail(gorky)))
    assert "Secret draft" in content
    assert "Draft, not published" in content


def test_a_park_with_two_concepts_offers_to_compare_them(client, gorky):
    first = ConceptFactory(park=gorky, title_en="Shade")
    second = ConceptFactory(park=gorky, title_en="Water")

    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))

    assert f'action="{reverse("parks:compare", args=[gorky.pk])}"' in content
    assert '<select id="compare-a" name="a" required>' in content
    assert f'<option value="{first.pk}" selected>Shade (concept)</option>' in content
    assert f'<option value="{second.pk}" selected>Water (concept)</option>' in content


def test_a_park_with_one_concept_offers_no_comparison(client, gorky):
    ConceptFactory(park=gorky)
    assert 'name="a"' not in content_of(client.get(detail(gorky)))


def test_a_parks_page_says_how_many_residents_have_it_as_their_nearest_park(client, gorky, almaty):
    # A street past the gate, and 12,345 residents whose cell's centre lies in the park: 0 m from it.
    StreetFactory(geom=LineString((76.9600, 43.2596), (76.9660, 43.2596), srid=4326), highway="residential")
    PopulationCell.objects.create(
        city=gorky.city,
        geom=Polygon.from_bbox((76.9685, 43.2613, 76.9705, 43.2631)),
        centre=GORKY_FOUNTAIN.clone(),
        residents=12_345,
        district=almaty,
    )

    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))

    assert "About 12,300 residents have this park as their nearest within a walk of 800 m." in content
    assert "These resident numbers are an estimate, not a census." in content


def test_a_closed_park_serves_no_one_and_says_why(client, gorky):
    gorky.state = "closed"
    gorky.save()
    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))
    assert "This park is not open, so park access counts it as the nearest park of no one for now." in content


def test_a_parks_page_says_so_when_the_city_has_no_resident_estimate(client, gorky):
    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))
    assert "The city has no estimate of its residents yet" in content


def test_a_parks_page_shows_its_before_and_after_photos(client, gorky):
    before = PhotoFactory(owner=gorky, phase="before", caption="The old fountain")
    after = PhotoFactory(owner=gorky, phase="after", content=jpeg_bytes(colour="#2b5a8a"), caption="Repaired")
    pair_photos(before, after)
    PhotoFactory(owner=gorky, caption="The gate in winter")

    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))

    assert '<h2 id="pairs-title">Before and after</h2>' in content
    assert "<img-comparison-slider" in content
    assert 'alt="The gate in winter"' in content


def test_a_parks_page_lists_residents_proposals_about_it_and_links_to_make_one(client, gorky):
    proposal = ProposalFactory(title="More benches by the pond", subject=gorky)
    ProposalFactory(title="Hidden one", subject=gorky, visibility="pending")

    content = content_of(client.get(detail(gorky), HTTP_ACCEPT_LANGUAGE="en"))

    assert f'<a href="{proposal.get_absolute_url()}" lang="ru">More benches by the pond</a>' in content
    assert "Hidden one" not in content
    assert f"{reverse('participation:create')}?about=parks.park%3A{gorky.pk}" in content
    assert "Propose something about this park" in content


def test_only_those_with_the_permissions_see_the_edit_and_new_concept_links(client, gorky, resident, urbanist):
    client.force_login(resident)
    content = content_of(client.get(detail(gorky)))
    assert reverse("parks:edit", args=[gorky.pk]) not in content
    assert reverse("parks:concept_create", args=[gorky.pk]) not in content

    client.force_login(urbanist)
    content = content_of(client.get(detail(gorky)))
    assert reverse("parks:edit", args=[gorky.pk]) in content
    assert reverse("parks:concept_create", args=[gorky.pk]) in content


def test_a_park_that_does_not_exist_answers_404(client):
    assert client.get(reverse("parks:detail", args=[999_999])).status_code == 404


# A concept's page


@pytest.fixture
def concept(gorky):
    workshop = WorkshopFactory()
    concept = ConceptFactory(
        park=gorky,
        title_en="Shade for the old alley",
        description_en="Trees and benches along the main alley.",
        team="Team Alatau",
        origin="workshop",
        workshop=workshop,
        status="in_design",
        cost_estimate=Decimal(12_500_000),
    )
    ConceptStatusChangeFactory(concept=concept, status="concept", date=datetime.date(2023, 5, 14))
    ConceptStatusChangeFactory(concept=concept, status="shortlisted", date=datetime.date(2023, 6, 1), note="Jury vote")
    ConceptStatusChangeFactory(concept=concept, status="in_design", date=datetime.date(2024, 2, 10))
    return concept


def test_a_concepts_page_shows_its_park_authors_origin_cost_and_description(client, concept):
    concept.authors.add(UserFactory(display_name="Aigerim S.", email="aigerim@example.org"))

    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))

    assert '<h1 id="concept-title">Shade for the old alley</h1>' in content
    assert f'<dt>Park</dt><dd><a href="{detail(concept.park)}">Gorky Central Park</a></dd>' in content
    assert "<dt>Authors</dt><dd>Team Alatau, Aigerim S.</dd>" in content
    assert "aigerim@example.org" not in content
    assert "<dt>Came from</dt><dd>the workshop “Park renovation workshop”</dd>" in content
    assert "<dt>Cost estimate</dt><dd>12,500,000 KZT</dd>" in content
    assert "Trees and benches along the main alley." in content


def test_a_concept_from_a_proposal_links_to_it(client, gorky):
    proposal = ProposalFactory(title="Shade please")
    concept = ConceptFactory(park=gorky, origin="proposal", proposal=proposal)

    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))

    assert f'<a href="{proposal.get_absolute_url()}">a resident&#x27;s proposal: Shade please</a>' in content


def test_a_concepts_page_shows_its_dated_status_steps(client, concept):
    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))

    steps = re.findall(r'<span class="timeline-status">([^<]+)</span>', content)
    assert steps == ["Concept", "Shortlisted", "In design"]
    assert '<time datetime="2023-06-01">' in content
    assert '<p class="timeline-note">Jury vote</p>' in content


def test_a_set_aside_concept_says_why(client, gorky):
    concept = ConceptFactory(park=gorky, status="set_aside", set_aside_reason="The lake would need a dam.")
    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Set aside: The lake would need a dam." in content


def test_a_concepts_map_draws_its_zones_by_purpose_over_its_park_with_a_legend(client, concept):
    ZoneFactory(concept=concept, purpose="playground", label="By the pond", area_m2=700)
    ZoneFactory(concept=concept, purpose="path", geom=GORKY_ALLEY.clone(), length_m=420)
    ZoneFactory(concept=concept, purpose="lighting", geom=GORKY_FOUNTAIN.clone(), label="Lamp")

    response = client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en")
    config = config_of(response, "concept-map-config")

    assert [feature["properties"]["kind"] for feature in config["features"]] == ["park", "zone", "zone", "zone"]
    assert [feature["properties"]["purpose"] for feature in config["features"][1:]] == [
        "playground",
        "path",
        "lighting",
    ]
    assert config["features"][3]["properties"]["style"]["color"] == ZONE_COLOURS["lighting"]
    legend = re.findall(r"</svg>([^<]+)</li>", content_of(response))
    assert legend == ["The park", "Playground", "Path", "Lighting"]


def test_a_concepts_zones_table_gives_each_zones_purpose_label_and_area_or_length(client, concept):
    ZoneFactory(concept=concept, purpose="playground", label="By the pond", area_m2=700)
    ZoneFactory(concept=concept, purpose="path", label="Main alley", geom=GORKY_ALLEY.clone(), length_m=1420)
    ZoneFactory(concept=concept, purpose="lighting", geom=GORKY_FOUNTAIN.clone(), label="")

    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))

    rows = re.findall(r"</span>([^<]+)</span></th>\s*<td[^>]*>([^<]+)</td>\s*<td>([^<]+)</td>", content)
    assert rows == [
        ("Playground", "By the pond", "700 m²"),
        ("Path", "Main alley", "1.42 km"),
        ("Lighting", "—", "a point"),
    ]
    assert "3 zones of the plan" in content


def test_a_zone_saved_without_its_area_is_measured_for_the_page(client, concept):
    ZoneFactory(concept=concept, purpose="playground")  # about 81 m × 78 m

    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))

    area = int(re.search(r"<td>([\d,]+) m²</td>", content).group(1).replace(",", ""))
    assert 6_000 < area < 6_500


def test_a_concepts_page_shows_its_plan_images(client, concept):
    upload = SimpleUploadedFile("plan.png", png_bytes(), content_type="image/png")
    plan = add_plan_image(concept, upload, caption="Master plan, sheet 1")

    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))

    assert f'<a href="{plan.image.url}">' in content
    assert 'alt="Master plan, sheet 1"' in content


def test_a_concepts_page_links_to_what_its_plan_changes_for_access(client, concept):
    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))
    assert (
        f'<a href="{reverse("parks:access")}?concept={concept.pk}">See what this plan changes for access</a>' in content
    )


def test_an_unpublished_concept_answers_404_to_visitors_and_residents(client, concept, resident):
    concept.is_published = False
    concept.save()

    assert client.get(concept_page(concept)).status_code == 404
    client.force_login(resident)
    assert client.get(concept_page(concept)).status_code == 404


def test_an_unpublished_concept_is_shown_to_urbanists_as_a_draft_with_its_edit_links(client, concept, urbanist):
    concept.is_published = False
    concept.save()
    client.force_login(urbanist)

    content = content_of(client.get(concept_page(concept)))

    assert "Draft, not published" in content
    for name in ("parks:concept_edit", "parks:concept_zones", "parks:concept_plans", "parks:concept_status"):
        assert reverse(name, args=[concept.pk]) in content


def test_visitors_see_no_edit_links_on_a_concepts_page(client, concept):
    assert reverse("parks:concept_edit", args=[concept.pk]) not in content_of(client.get(concept_page(concept)))


def test_a_concepts_page_links_to_make_a_proposal_about_it(client, concept):
    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))
    assert f"?about=parks.renovationconcept%3A{concept.pk}" in content


def test_a_concept_of_a_park_in_another_language_falls_back_to_the_title_it_has(client, gorky):
    concept = ConceptFactory(park=gorky, title_en="", title_ru="Тень для аллеи", title_kk="")
    content = content_of(client.get(concept_page(concept), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<h1 id="concept-title">Тень для аллеи</h1>' in content


def test_the_list_asks_the_database_the_same_number_of_times_for_three_parks_or_thirty(client):
    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            content_of(client.get(LIST))
        return len(captured)

    for number in range(3):
        ConceptFactory(park=ParkFactory(name_en=f"Park {number}"), status="in_design")
    few = queries_for_the_list()
    for number in range(3, 30):
        ConceptFactory(park=ParkFactory(name_en=f"Park {number}"), status="in_design")

    assert queries_for_the_list() == few


def test_the_programme_page_tells_urbanists_how_many_drafts_it_leaves_out(client, gorky, urbanist):
    ConceptFactory(park=gorky, is_published=False)
    client.force_login(urbanist)

    content = content_of(client.get(reverse("parks:programme"), HTTP_ACCEPT_LANGUAGE="en"))

    assert "1 concept not published yet is not counted." in content
