"""parks_demo: a demo workshop of concepts on the city's largest parks, and a planned park for the what-if."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.management import CommandError, call_command

from gis_data.loading import load_city_pack
from parks import services
from parks.models import ConceptStatus, Park, Planting, RenovationConcept, State
from parks.programme import programme_summary
from participation.models import Workshop
from tests.factories import CityFactory, DistrictFactory, ParkFactory, PopulationCellFactory

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "almaty"


def run(*args: str) -> str:
    out = StringIO()
    call_command("parks_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def square_park(name: str, west: float, south: float, side: float = 0.004) -> Park:
    boundary = MultiPolygon(Polygon.from_bbox((west, south, west + side, south + side)), srid=4326)
    return services.save_park(ParkFactory(name_en=name, name_ru=name, name_kk=name, boundary=boundary))


@pytest.fixture
def toy_city(db):
    city = CityFactory()
    DistrictFactory()
    parks = [
        services.save_park(ParkFactory()),
        square_park("Square park", 76.9300, 43.2500),
        square_park("Small square", 76.9400, 43.2500, side=0.0004),  # about 32 m × 44 m: no room for a plan
    ]
    # The densest cell far from every park, and a denser one right next to Gorky Park.
    PopulationCellFactory(city=city, corner=(76.9000, 43.2450), residents=900)
    PopulationCellFactory(city=city, corner=(76.9690, 43.2600), residents=5000)
    return city, parks


def test_it_draws_a_concept_with_a_plan_on_each_park_with_room_for_one(toy_city):
    output = run()

    demo = RenovationConcept.objects.filter(workshop__is_demo=True)
    assert sorted(demo.values_list("park__name_en", flat=True)) == ["Gorky Central Park", "Square park"]
    assert "room for 2 demo concepts only" in output
    for concept in demo:
        assert concept.is_published and concept.is_demo
        purposes = set(concept.zones.values_list("purpose", flat=True))
        assert {"playground", "path", "seating"} <= purposes
        assert all(zone.area_m2 or zone.length_m or zone.geom.geom_type == "Point" for zone in concept.zones.all())


def test_the_first_eight_parks_are_repaired_with_every_step_dated(toy_city):
    run()

    concept = RenovationConcept.objects.get(park__name_en="Gorky Central Park", is_demo=True)
    assert concept.status == ConceptStatus.COMPLETED
    steps = list(concept.status_changes.values_list("status", "date"))
    assert [status for status, _date in steps] == ["concept", "shortlisted", "in_design", "in_repair", "completed"]
    assert [date for _status, date in steps] == sorted(date for _status, date in steps)


def test_it_draws_a_planned_park_where_residents_are_densest_and_no_park_is_near(toy_city):
    run()

    planned = Park.objects.get(is_demo=True)
    assert planned.state == State.PLANNED
    # The 900-resident cell, not the 5,000 next to Gorky Park.
    assert planned.boundary.contains(PopulationCellFactory._meta.model.objects.get(residents=900).centre)
    assert 25_000 < planned.area_m2 < 32_000
    assert planned.concepts.get().status == ConceptStatus.CONCEPT


def test_remove_deletes_the_demo_and_nothing_else(toy_city):
    city, parks = toy_city
    run()

    output = run("--remove")

    assert "3 demo concepts removed" in output
    assert not RenovationConcept.objects.exists()
    assert not Workshop.objects.exists()
    assert set(Park.objects.values_list("pk", flat=True)) == {park.pk for park in parks}


def test_if_empty_leaves_a_city_with_concepts_alone(toy_city):
    run()
    before = set(RenovationConcept.objects.values_list("pk", flat=True))

    output = run("--if-empty")

    assert "no demo workshop added" in output
    assert set(RenovationConcept.objects.values_list("pk", flat=True)) == before


def test_a_second_run_replaces_the_first(toy_city):
    run()
    run()

    assert Workshop.objects.count() == 1
    assert RenovationConcept.objects.count() == 3


def test_it_refuses_when_no_city_is_loaded(db):
    with pytest.raises(CommandError, match="No city is loaded"):
        run()


def test_it_plants_trees_along_the_repaired_parks_paths_and_inspects_most(toy_city):
    run()

    plantings = Planting.objects.filter(is_demo=True)
    # Two repaired parks in the toy city: the first two rows of the demo's plantings.
    assert sorted(plantings.values_list("species", "count")) == [("Acer platanoides", 24), ("Ulmus pumila", 40)]
    assert all(planting.reason == "compensation" and planting.felled_on for planting in plantings)
    assert sorted(plantings.values_list("inspections__alive", flat=True)) == [19, 37]

    run("--remove")

    assert not Planting.objects.exists()


# The real Almaty pack ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def almaty(django_db_setup, django_db_blocker):
    """The real Almaty pack with the demo workshop, made once for this module and rolled back after it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        load_city_pack(settings.CITY_PACK)
        output = run()
        yield output
        transaction.set_rollback(True)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared Almaty data is not beside the repository")
def test_on_the_real_pack_the_workshop_reads_as_the_city_reports_it(almaty, db):
    workshop = next(summary for summary in programme_summary() if summary.workshop is not None)

    assert workshop.sentence == "23 concepts: 8 parks repaired, 15 in design"
    assert "room for" not in almaty


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared Almaty data is not beside the repository")
def test_on_the_real_pack_the_planned_park_lies_in_a_district(almaty, db):
    planned = Park.objects.get(is_demo=True)

    assert planned.district is not None
    assert planned.concepts.count() == 1
