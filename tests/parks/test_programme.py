"""The programme summary: concepts per workshop and where their parks stand, counted from the concepts."""

from datetime import date

import pytest
from django.urls import reverse

from parks.programme import programme_summary, programme_total
from tests.factories import CityFactory, ConceptFactory, ParkFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    return CityFactory()


@pytest.fixture
def workshop(db):
    return WorkshopFactory()


def workshop_concept(workshop, status: str, park=None, **fields):
    fields.setdefault("set_aside_reason", "No budget this year." if status == "set_aside" else "")
    return ConceptFactory(
        park=park or ParkFactory(name_en="A park"), origin="workshop", workshop=workshop, status=status, **fields
    )


@pytest.fixture
def almaty_workshop(city, workshop):
    """The city's three-day workshop: 23 concepts for 23 parks, 8 parks repaired since and 15 in design."""
    for number in range(23):
        park = ParkFactory(city=city, name_en=f"Park {number + 1}")
        workshop_concept(workshop, "completed" if number < 8 else "in_design", park=park)
    return workshop


def test_the_citys_workshop_reads_23_concepts_8_parks_repaired_15_in_design(almaty_workshop):
    [summary] = programme_summary()

    assert summary.workshop == almaty_workshop
    assert summary.concepts == 23
    assert summary.parks_repaired == 8
    assert summary.parks_in_design == 15
    assert summary.sentence == "23 concepts: 8 parks repaired, 15 in design"


def test_the_total_of_all_concepts_reads_the_same_when_every_concept_came_from_the_workshop(almaty_workshop):
    total = programme_total()
    assert total.sentence == "23 concepts: 8 parks repaired, 15 in design"
    assert total.title == "All concepts"


def test_a_park_with_a_completed_and_an_in_design_concept_counts_once_as_repaired(workshop):
    park = ParkFactory()
    workshop_concept(workshop, "completed", park=park)
    workshop_concept(workshop, "in_design", park=park)

    [summary] = programme_summary()

    assert summary.concepts == 2
    assert summary.parks == 1
    assert summary.parks_repaired == 1
    assert summary.parks_in_design == 0
    assert summary.sentence == "2 concepts: 1 park repaired"


def test_a_park_counts_in_design_only_when_none_of_its_concepts_went_further(workshop):
    park = ParkFactory()
    workshop_concept(workshop, "in_design", park=park)
    workshop_concept(workshop, "in_repair", park=park)

    [summary] = programme_summary()

    assert (summary.parks_in_repair, summary.parks_in_design) == (1, 0)


def test_a_park_whose_concepts_were_all_set_aside_counts_as_set_aside(workshop):
    workshop_concept(workshop, "set_aside")
    workshop_concept(workshop, "in_design")

    [summary] = programme_summary()

    assert summary.parks_set_aside == 1
    assert summary.sentence == "2 concepts: 1 park in design, 1 set aside"


def test_a_set_aside_concept_does_not_hold_back_its_parks_live_concept(workshop):
    park = ParkFactory()
    workshop_concept(workshop, "set_aside", park=park)
    workshop_concept(workshop, "shortlisted", park=park)

    [summary] = programme_summary()

    assert (summary.parks_shortlisted, summary.parks_set_aside) == (1, 0)


def test_unpublished_concepts_are_not_counted(almaty_workshop):
    workshop_concept(almaty_workshop, "completed", is_published=False)

    [summary] = programme_summary()

    assert summary.concepts == 23
    assert summary.parks_repaired == 8


def test_unpublished_concepts_are_counted_when_asked_for(almaty_workshop):
    workshop_concept(almaty_workshop, "completed", is_published=False)

    [summary] = programme_summary(published_only=False)

    assert summary.sentence == "24 concepts: 9 parks repaired, 15 in design"


def test_the_groups_come_in_order_from_repaired_to_set_aside(workshop):
    for status in ("set_aside", "concept", "shortlisted", "in_design", "in_repair", "completed"):
        workshop_concept(workshop, status)

    [summary] = programme_summary()

    assert summary.sentence == (
        "6 concepts: 1 park repaired, 1 in repair, 1 in design, 1 shortlisted, 1 with concepts only, 1 set aside"
    )


def test_concepts_not_from_a_workshop_make_a_group_of_their_own_after_the_workshops(almaty_workshop):
    ConceptFactory(origin="urbanist", status="concept")
    ConceptFactory(origin="urbanist", status="shortlisted")

    summaries = programme_summary()

    assert [summary.workshop for summary in summaries] == [almaty_workshop, None]
    assert summaries[1].title == "Concepts not from a workshop"
    assert summaries[1].sentence == "2 concepts: 1 park shortlisted, 1 with concepts only"


def test_each_workshop_counts_its_own_concepts_and_the_total_counts_each_park_once(almaty_workshop):
    later = WorkshopFactory(title_en="Second workshop", starts_on=date(2024, 6, 1), ends_on=date(2024, 6, 1))
    repaired_park = almaty_workshop.concepts.filter(status="completed").first().park
    workshop_concept(later, "concept", park=repaired_park)

    first, second = programme_summary()

    assert first.sentence == "23 concepts: 8 parks repaired, 15 in design"
    assert second.workshop == later
    assert second.sentence == "1 concept: 1 park with concepts only"
    assert programme_total().sentence == "24 concepts: 8 parks repaired, 15 in design"


def test_the_summary_follows_the_data_when_a_concept_moves_on(almaty_workshop):
    concept = almaty_workshop.concepts.filter(status="in_design").first()
    concept.status = "completed"
    concept.save()

    [summary] = programme_summary()

    assert summary.sentence == "23 concepts: 9 parks repaired, 14 in design"


def test_with_no_concept_the_programme_says_so():
    assert programme_summary() == []
    assert programme_total().sentence == "No concepts yet."


def test_the_programme_page_shows_the_sentence_and_the_parks_of_each_group(client, almaty_workshop):
    response = client.get(reverse("parks:programme"), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>The renovation programme</h1>" in content
    assert content.count("23 concepts: 8 parks repaired, 15 in design") == 2
    assert "Park renovation workshop" in content
    assert 'Parks repaired <span class="programme-count">(8)</span>' in content
    assert 'Parks in design <span class="programme-count">(15)</span>' in content
