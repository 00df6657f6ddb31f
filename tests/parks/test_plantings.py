"""Compensatory plantings: the rules a planting and an inspection pass, and survival by district and year."""

import datetime

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from parks.models import Inspection, Planting
from parks.plantings import (
    overdue,
    record_inspection,
    save_planting,
    survival_by_district,
    survival_by_year,
    survival_total,
)
from tests.factories import (
    ABAY_AVENUE,
    AUEZOV,
    REPUBLIC_SQUARE,
    CityFactory,
    DistrictFactory,
    InspectionFactory,
    PlantingFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
IN_ALMALY = Point(76.9000, 43.2500, srid=4326)
IN_AUEZOV = Point(76.8500, 43.2200, srid=4326)
# Inside the city's extent, east of both districts.
NO_DISTRICT = Point(77.1000, 43.3000, srid=4326)
# A line that starts in Auezov and ends far into Almaly: its middle, in metres, lies in Almaly.
AUEZOV_TO_ALMALY = LineString((76.8600, 43.2300), (76.9400, 43.2450), srid=4326)


@pytest.fixture
def city():
    city = CityFactory()
    DistrictFactory()
    DistrictFactory(name="Auezov", name_en="Auezov District", name_ru="Ауэзовский район", geom=AUEZOV.clone())
    return city


def planting(city, **fields) -> Planting:
    """A compensation, unsaved: twenty elms on Abay Avenue for ten trees felled on Republic Square."""
    values = {
        "city": city,
        "geom": ABAY_AVENUE.clone(),
        "species": "Ulmus pumila",
        "count": 20,
        "planted_on": datetime.date(2024, 4, 15),
        "reason": "compensation",
        "felled_place": REPUBLIC_SQUARE.clone(),
        "felled_on": datetime.date(2024, 3, 1),
        "felled_count": 10,
        "responsible": "Green Economy Department",
    }
    values.update(fields)
    return Planting(**values)


def refused(action, *args) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        action(*args)
    return caught.value.message_dict


# Plantings -----------------------------------------------------------------------------------------------------


def test_a_planting_along_a_line_is_saved_in_the_district_of_its_middle(city, urbanist):
    saved = save_planting(planting(city, geom=AUEZOV_TO_ALMALY.clone()), user=urbanist)
    saved.refresh_from_db()
    assert saved.district.name == "Almaly"
    assert saved.created_by == urbanist
    assert saved.history.get().history_user == urbanist


def test_a_planting_at_a_point_is_saved_in_the_district_holding_it(city):
    saved = save_planting(planting(city, geom=IN_AUEZOV.clone()))
    saved.refresh_from_db()
    assert saved.district.name == "Auezov"


def test_a_planting_outside_every_district_has_none(city):
    saved = save_planting(planting(city, geom=NO_DISTRICT.clone()))
    saved.refresh_from_db()
    assert saved.district is None


def test_it_refuses_a_polygon(city):
    square = Polygon.from_bbox((76.90, 43.24, 76.91, 43.25))
    square.srid = 4326
    errors = refused(save_planting, planting(city, geom=square))
    assert errors["geom"] == ["A Polygon is not allowed here: use a Point or LineString."]
    assert not Planting.objects.exists()


def test_it_refuses_a_planting_outside_the_city(city):
    errors = refused(save_planting, planting(city, geom=Point(71.43, 51.13, srid=4326)))
    assert errors["geom"] == ["The geometry lies outside the city's extent."]


def test_it_refuses_a_felled_place_outside_the_city(city):
    errors = refused(save_planting, planting(city, felled_place=Point(71.43, 51.13, srid=4326)))
    assert errors["felled_place"] == ["The geometry lies outside the city's extent."]


def test_it_refuses_no_trees(city):
    errors = refused(save_planting, planting(city, count=0))
    assert errors["count"] == ["At least one tree must be planted."]


def test_it_refuses_a_planting_date_in_the_future(city):
    tomorrow = TODAY + datetime.timedelta(days=1)
    errors = refused(save_planting, planting(city, planted_on=tomorrow))
    assert errors["planted_on"] == [f"The planting date {date_format(tomorrow)} is in the future."]


def test_a_compensation_needs_the_place_and_date_of_the_felling(city):
    errors = refused(save_planting, planting(city, felled_place=None, felled_on=None))
    assert errors["felled_place"] == ["For a compensation, give the place where the trees were felled."]
    assert errors["felled_on"] == ["For a compensation, give the date the trees were felled."]


def test_it_refuses_trees_felled_after_the_planting(city):
    errors = refused(save_planting, planting(city, felled_on=datetime.date(2024, 5, 1)))
    assert errors["felled_on"] == [
        "The trees were felled on May 1, 2024, after the planting on April 15, 2024: "
        "a compensation is planted after the felling."
    ]


def test_it_refuses_a_felling_date_in_the_future(city):
    tomorrow = TODAY + datetime.timedelta(days=1)
    errors = refused(save_planting, planting(city, felled_on=tomorrow, planted_on=tomorrow))
    assert "felled_on" in errors and "planted_on" in errors


def test_a_planting_for_another_reason_records_no_felling(city):
    errors = refused(save_planting, planting(city, reason="other"))
    assert "Felled trees are recorded only for a compensation" in errors["reason"][0]
    saved = save_planting(planting(city, reason="other", felled_place=None, felled_on=None, felled_count=None))
    assert saved.pk is not None


def test_it_refuses_fewer_trees_than_an_inspection_counted(city):
    saved = save_planting(planting(city))
    InspectionFactory(planting=saved, alive=15, dead=3, inspected_on=datetime.date(2025, 4, 20))
    saved.count = 17
    errors = refused(save_planting, saved)
    assert errors["count"] == ["The inspection of April 20, 2025 counted 18 trees: the planting cannot have fewer."]
    saved.refresh_from_db()
    assert saved.count == 20


def test_it_refuses_a_planting_date_after_its_first_inspection(city):
    saved = save_planting(planting(city))
    InspectionFactory(planting=saved, inspected_on=datetime.date(2024, 6, 1))
    saved.planted_on = datetime.date(2024, 7, 1)
    errors = refused(save_planting, saved)
    assert errors["planted_on"] == ["The planting was inspected on June 1, 2024: it cannot have been planted later."]


# Inspections ---------------------------------------------------------------------------------------------------


def test_an_inspection_is_recorded_by_its_user(city, urbanist):
    saved = save_planting(planting(city))
    inspection = record_inspection(
        Inspection(planting=saved, inspected_on=datetime.date(2025, 4, 20), alive=18, dead=2), user=urbanist
    )
    inspection.refresh_from_db()
    assert (inspection.alive, inspection.dead, inspection.recorded_by) == (18, 2, urbanist)


def test_it_refuses_an_inspection_counting_more_trees_than_were_planted(city):
    saved = save_planting(planting(city))
    inspection = Inspection(planting=saved, inspected_on=datetime.date(2025, 4, 20), alive=22, dead=3)
    errors = refused(record_inspection, inspection)
    assert errors["alive"] == ["The inspection counts 25 trees (22 alive, 3 dead) but 20 were planted."]
    assert not Inspection.objects.exists()


def test_it_refuses_an_inspection_in_the_future(city):
    saved = save_planting(planting(city))
    tomorrow = TODAY + datetime.timedelta(days=1)
    errors = refused(record_inspection, Inspection(planting=saved, inspected_on=tomorrow, alive=1, dead=0))
    assert errors["inspected_on"] == [f"The inspection date {date_format(tomorrow)} is in the future."]


def test_it_refuses_an_inspection_before_the_planting(city):
    saved = save_planting(planting(city))
    inspection = Inspection(planting=saved, inspected_on=datetime.date(2024, 4, 1), alive=1, dead=0)
    errors = refused(record_inspection, inspection)
    assert errors["inspected_on"] == ["The inspection on April 1, 2024 is before the planting on April 15, 2024."]


def test_it_refuses_a_second_inspection_on_the_same_day(city):
    saved = save_planting(planting(city))
    InspectionFactory(planting=saved, inspected_on=datetime.date(2025, 4, 20))
    inspection = Inspection(planting=saved, inspected_on=datetime.date(2025, 4, 20), alive=1, dead=0)
    errors = refused(record_inspection, inspection)
    assert errors["inspected_on"] == ["This planting already has an inspection on April 20, 2025."]


# Survival ------------------------------------------------------------------------------------------------------


@pytest.fixture
def plantings(city):
    """Five plantings whose survival is known by hand.

    Almaly: 20 trees planted in 2022, 18 alive in 2023 then 15 in 2024 (the latest counts);
            10 in 2023, 10 alive; 30 in 2023, never inspected.
    Auezov: 40 trees in 2022, 20 alive.
    No district: 5 trees in 2024, 5 alive.
    """
    made = {}
    specs = {
        "elms": (IN_ALMALY, 20, 2022, [(2023, 18, 2), (2024, 15, 5)]),
        "maples": (IN_ALMALY, 10, 2023, [(2024, 10, 0)]),
        "birches": (IN_ALMALY, 30, 2023, []),
        "poplars": (IN_AUEZOV, 40, 2022, [(2023, 20, 10)]),
        "pines": (NO_DISTRICT, 5, 2024, [(2024, 5, 0)]),
    }
    for name, (where, count, year, inspections) in specs.items():
        saved = save_planting(
            planting(
                city,
                geom=where.clone(),
                species=name,
                count=count,
                planted_on=datetime.date(year, 4, 1),
                felled_on=datetime.date(year, 3, 1),
            )
        )
        for inspected, alive, dead in inspections:
            InspectionFactory(planting=saved, inspected_on=datetime.date(inspected, 10, 1), alive=alive, dead=dead)
        made[name] = saved
    return made


def figures(row) -> tuple:
    return (row.label, row.plantings, row.trees, row.inspected, row.inspected_trees, row.alive, row.uninspected)


def test_survival_by_district_counts_the_latest_inspection_of_inspected_plantings(city, plantings):
    rows = survival_by_district(city)
    assert [figures(row) for row in rows] == [
        ("Almaly District", 3, 60, 2, 30, 25, 1),
        ("Auezov District", 1, 40, 1, 40, 20, 0),
        ("No district", 1, 5, 1, 5, 5, 0),
    ]
    assert [row.rate for row in rows] == [pytest.approx(25 / 30), 0.5, 1.0]


def test_survival_by_year_groups_by_the_year_planted(city, plantings):
    rows = survival_by_year(city)
    assert [figures(row) for row in rows] == [
        ("2022", 2, 60, 2, 60, 35, 0),
        ("2023", 2, 40, 1, 10, 10, 1),
        ("2024", 1, 5, 1, 5, 5, 0),
    ]
    assert [row.rate for row in rows] == [pytest.approx(35 / 60), 1.0, 1.0]


def test_survival_over_the_city_counts_every_inspected_planting(city, plantings):
    total = survival_total(city)
    assert figures(total)[1:] == (5, 105, 4, 75, 50, 1)
    assert total.rate == pytest.approx(50 / 75)


def test_a_district_with_no_inspected_planting_has_no_survival_rate(city):
    save_planting(planting(city, geom=IN_AUEZOV.clone()))
    (row,) = survival_by_district(city)
    assert (row.inspected, row.uninspected, row.rate) == (0, 1, None)


def test_survival_counts_only_the_plantings_asked_for(city, plantings):
    rows = survival_by_district(city, Planting.objects.filter(species__in=["elms", "poplars"]))
    assert [figures(row) for row in rows] == [
        ("Almaly District", 1, 20, 1, 20, 15, 0),
        ("Auezov District", 1, 40, 1, 40, 20, 0),
    ]


def test_survival_counts_only_the_plantings_of_the_city(city, plantings):
    other = CityFactory(slug="astana", name_en="Astana")
    PlantingFactory(city=other, geom=Point(71.43, 51.13, srid=4326))
    assert survival_total(city).plantings == 5


# Overdue -------------------------------------------------------------------------------------------------------


def test_a_planting_never_inspected_is_overdue_a_year_after_it_was_planted(city, settings):
    settings.PLANTING_INSPECTION_DAYS = 365
    saved = save_planting(planting(city, planted_on=datetime.date(2024, 4, 15)))
    assert overdue(city, today=datetime.date(2025, 4, 15)) == []
    (row,) = overdue(city, today=datetime.date(2025, 4, 25))
    assert (row.planting, row.last_inspected, row.due_on, row.days_overdue) == (
        saved,
        None,
        datetime.date(2025, 4, 15),
        10,
    )


def test_a_planting_is_overdue_a_year_after_its_latest_inspection(city, settings):
    settings.PLANTING_INSPECTION_DAYS = 365
    saved = save_planting(planting(city, planted_on=datetime.date(2022, 4, 15), felled_on=datetime.date(2022, 3, 1)))
    InspectionFactory(planting=saved, inspected_on=datetime.date(2023, 5, 1))
    InspectionFactory(planting=saved, inspected_on=datetime.date(2024, 5, 1))
    assert overdue(city, today=datetime.date(2025, 5, 1)) == []
    (row,) = overdue(city, today=datetime.date(2025, 5, 31))
    assert (row.last_inspected, row.days_overdue) == (datetime.date(2024, 5, 1), 30)


def test_the_longest_overdue_comes_first(city, settings):
    settings.PLANTING_INSPECTION_DAYS = 100
    recent = save_planting(planting(city, species="recent", planted_on=datetime.date(2024, 4, 15)))
    old = save_planting(
        planting(city, species="old", planted_on=datetime.date(2023, 4, 15), felled_on=datetime.date(2023, 3, 1))
    )
    rows = overdue(city, today=datetime.date(2025, 1, 1))
    assert [row.planting for row in rows] == [old, recent]
