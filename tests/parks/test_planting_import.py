"""Plantings imported from CSV: a good file imports, a bad row is named and nothing is imported, twice is once."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from parks import planting_import
from parks.models import Inspection, Planting
from parks.planting_import import import_plantings
from tests.factories import AUEZOV, CityFactory, DistrictFactory, InspectionFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "species,count,planted_on,lon,lat,wkt,reason,felled_on,felled_lon,felled_lat,felled_count,responsible,note,"
    "inspected_on,alive,dead"
)
# Elms in Almaly for trees felled on Abay Avenue, inspected once; a row of maples along a line in Auezov; pines
# planted for another reason.
GOOD = "\n".join(
    [
        HEADER,
        "Ulmus pumila,20,2024-04-15,76.9200,43.2450,,compensation,2024-03-01,76.9100,43.2395,10,"
        "Green Economy Department,Metro works,2025-04-20,18,2",
        'Acer negundo,12,2024-05-02,,,"LINESTRING (76.8500 43.2200, 76.8550 43.2230)",compensation,2024-04-10,'
        "76.8520,43.2210,,Auezov akimat,,,,",
        "Pinus sylvestris,5,2023-10-01,76.9000,43.2500,,other,,,,,Volunteers,Tree day,,,",
        "",
    ]
)


@pytest.fixture
def city():
    city = CityFactory()
    DistrictFactory()
    DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())
    return city


def run(text: str, city, **kwargs):
    return import_plantings(text.encode("utf-8"), city, **kwargs)


def problems(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def one_row(**cells: str) -> str:
    """A file (with GOOD's header) of one good compensation row with ``cells`` changed."""
    row = {
        "species": "Ulmus pumila",
        "count": "20",
        "planted_on": "2024-04-15",
        "lon": "76.9458",
        "lat": "43.2383",
        "wkt": "",
        "reason": "compensation",
        "felled_on": "2024-03-01",
        "felled_lon": "76.9100",
        "felled_lat": "43.2395",
        "felled_count": "10",
        "responsible": "Green Economy Department",
        "note": "",
        "inspected_on": "",
        "alive": "",
        "dead": "",
    }
    row.update(cells)
    cells_text = [f'"{value}"' if "," in value else value for value in row.values()]
    return ",".join(row) + "\n" + ",".join(cells_text) + "\n"


def data_rows(text: str) -> str:
    return text.split("\n", 1)[1]


def test_a_good_file_imports_every_planting_with_its_district_and_inspection(city, urbanist):
    report = run(GOOD, city, user=urbanist)
    assert problems(report) == []
    assert (report.created, report.inspections, report.already) == (3, 1, 0)
    elms = Planting.objects.get(species="Ulmus pumila")
    assert (elms.count, elms.planted_on, elms.reason) == (20, datetime.date(2024, 4, 15), "compensation")
    assert (elms.felled_place.x, elms.felled_place.y, elms.felled_count) == (76.91, 43.2395, 10)
    assert elms.district.name == "Almaly"
    assert elms.reason_note == "Metro works"
    assert elms.created_by == urbanist
    inspection = elms.inspections.get()
    assert (inspection.inspected_on, inspection.alive, inspection.dead) == (datetime.date(2025, 4, 20), 18, 2)
    maples = Planting.objects.get(species="Acer negundo")
    assert maples.geom.geom_type == "LineString"
    assert maples.district.name == "Auezov"
    assert maples.felled_count is None
    pines = Planting.objects.get(species="Pinus sylvestris")
    assert (pines.reason, pines.felled_place, pines.felled_on) == ("other", None, None)


def test_a_file_with_a_byte_order_mark_and_semicolons_imports(city):
    text = (
        "\ufeffSpecies;Count;Planted_on;Lon;Lat;Reason;Felled_on;Felled_lon;Felled_lat;Responsible\r\n"
        "Ulmus pumila;20;2024-04-15;76,9458;43,2383;compensation;2024-03-01;76,9100;43,2395;Green Economy\r\n"
    )
    report = run(text, city)
    assert problems(report) == []
    planting = Planting.objects.get()
    assert (planting.geom.x, planting.geom.y) == (76.9458, 43.2383)
    assert planting.responsible == "Green Economy"


def test_a_second_import_of_the_same_file_adds_nothing(city):
    run(GOOD, city)
    report = run(GOOD, city)
    assert problems(report) == []
    assert (report.created, report.inspections, report.already) == (0, 0, 3)
    assert Planting.objects.count() == 3
    assert Inspection.objects.count() == 1


def test_a_later_inspection_of_a_planting_already_imported_is_added(city):
    run(GOOD, city)
    later = GOOD.replace("2025-04-20,18,2", "2025-10-01,17,3")
    report = run(later, city)
    assert (report.created, report.inspections, report.already) == (0, 1, 2)
    elms = Planting.objects.get(species="Ulmus pumila")
    assert list(elms.inspections.values_list("alive", flat=True)) == [18, 17]


def test_several_rows_may_carry_the_inspections_of_one_planting(city):
    text = one_row(inspected_on="2024-10-01", alive="20", dead="0") + data_rows(
        one_row(inspected_on="2025-04-20", alive="18", dead="2")
    )
    report = run(text, city)
    assert problems(report) == []
    assert (report.created, report.inspections) == (1, 2)
    assert Planting.objects.get().inspections.count() == 2


def test_a_dry_run_checks_the_file_and_imports_nothing(city):
    report = run(GOOD, city, dry_run=True)
    assert report.ok
    assert report.summary() == "The file is good: importing it would add 3 plantings and 1 inspection."
    assert not Planting.objects.exists()


# Bad rows: each refused with its row and column, and nothing of the file imported.

BAD_ROWS = [
    ({"planted_on": "15.04.2024"}, "planted_on", "“15.04.2024” is not a date written YYYY-MM-DD, such as 2024-04-15."),
    ({"planted_on": "2024-02-30"}, "planted_on", "“2024-02-30” is not a day of the calendar."),
    ({"planted_on": "2999-01-01"}, "planted_on", "The planting date Jan. 1, 2999 is in the future."),
    ({"count": "twenty"}, "count", "“twenty” is not a whole number of trees."),
    ({"count": "0"}, "count", "At least one tree must be planted."),
    ({"species": ""}, "species", "This column is required: fill it in."),
    ({"reason": "storm"}, "reason", "“storm” is not a reason: write compensation or other."),
    ({"felled_on": ""}, "felled_on", "For a compensation, give the date the trees were felled."),
    (
        {"felled_on": "2024-05-01"},
        "felled_on",
        "The trees were felled on May 1, 2024, after the planting on April 15, 2024: "
        "a compensation is planted after the felling.",
    ),
    ({"felled_lat": ""}, "felled_lat", "Give both “felled_lon” and “felled_lat”."),
    ({"lon": "", "lat": ""}, "lon, lat", "Say where the trees are: “lon” and “lat”, or “wkt”."),
    ({"lon": "east"}, "lon", "“east” is not a number of degrees, such as 76.9458."),
    ({"lon": "71.43", "lat": "51.13"}, "lon, lat", "The geometry lies outside the city's extent."),
    (
        {"lon": "", "lat": "", "wkt": "POLYGON ((76.9 43.2, 76.91 43.2, 76.91 43.21, 76.9 43.2))"},
        "wkt",
        "Only a POINT or a LINESTRING is accepted, such as POINT (76.9458 43.2383).",
    ),
    (
        {"lon": "", "lat": "", "wkt": "SRID=3857;POINT (8560000 5350000)"},
        "wkt",
        "A spatial reference is not accepted: write the WKT in longitude and latitude, without “SRID=”.",
    ),
    (
        {"lon": "", "lat": "", "wkt": "POINT (76.9 43.2"},
        "wkt",
        "The WKT cannot be read, such as POINT (76.9458 43.2383).",
    ),
    (
        {"lon": "", "lat": "", "wkt": "POINT Z (76.9 43.2 800)"},
        "wkt",
        "Only longitude and latitude are accepted: the geometry has heights.",
    ),
    ({"wkt": "POINT (76.9 43.2)"}, "wkt", "Give either “lon” and “lat” or “wkt”, not both."),
    (
        {"inspected_on": "2025-04-20", "alive": "22", "dead": "3"},
        "alive",
        "The inspection counts 25 trees (22 alive, 3 dead) but 20 were planted.",
    ),
    (
        {"inspected_on": "2024-04-01", "alive": "2", "dead": "3"},
        "inspected_on",
        "The inspection on April 1, 2024 is before the planting on April 15, 2024.",
    ),
    (
        {"inspected_on": "2025-04-20", "alive": "18"},
        "dead",
        "An inspection needs its date and the trees alive and dead: fill in “dead”.",
    ),
]


@pytest.mark.parametrize(("cells", "column", "message"), BAD_ROWS, ids=[row[2][:40] for row in BAD_ROWS])
def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_imported(city, cells, column, message):
    text = GOOD + data_rows(one_row(**cells))  # the fourth data row: row 5 of the file
    report = run(text, city)
    assert problems(report) == [f"Row 5, column “{column}”: {message}"]
    assert not report.ok
    assert not Planting.objects.exists()
    assert not Inspection.objects.exists()


def test_every_bad_row_is_listed(city):
    text = one_row(count="0") + data_rows(one_row(planted_on="2024/04/15", count="x"))
    assert problems(run(text, city)) == [
        "Row 2, column “count”: At least one tree must be planted.",
        "Row 3, column “count”: “x” is not a whole number of trees.",
        "Row 3, column “planted_on”: “2024/04/15” is not a date written YYYY-MM-DD, such as 2024-04-15.",
    ]


def test_a_row_repeated_in_the_file_is_refused(city):
    text = GOOD + GOOD.split("\n", 2)[1] + "\n"
    assert problems(run(text, city)) == [
        "Row 5: This row repeats row 2: a planting and its inspection are imported once."
    ]
    assert not Planting.objects.exists()


def test_an_inspection_that_contradicts_the_one_in_qala_is_refused(city):
    run(GOOD, city)
    report = run(GOOD.replace("2025-04-20,18,2", "2025-04-20,15,5"), city)
    assert problems(report) == [
        "Row 2, column “alive”: The planting's inspection of 2025-04-20 is in Qala with 18 alive and 2 dead; "
        "this row says otherwise. Correct it in Qala, not by importing."
    ]


def test_an_inspection_of_a_planting_already_in_qala_is_checked_against_it(city):
    run(GOOD, city)
    elms = Planting.objects.get(species="Ulmus pumila")
    InspectionFactory(planting=elms, inspected_on=datetime.date(2025, 6, 1), alive=10, dead=0)
    report = run(GOOD.replace("2025-04-20,18,2", "2025-06-01,18,2"), city)
    assert report.problems[0].row == 2


def test_an_unknown_and_a_missing_column_are_named(city):
    text = "species,count,planted_on,lon,lat,colour,responsible\nUlmus,1,2024-04-15,76.9,43.25,green,Us\n"
    assert problems(run(text, city)) == [
        "Row 1, column “colour”: “colour” is not a known column; the columns are "
        + ", ".join(f"“{name}”" for name in planting_import.COLUMNS[:-1])
        + f" and “{planting_import.COLUMNS[-1]}”.",
        "Row 1: The column “reason” is missing.",
    ]


def test_a_file_that_says_nowhere_where_the_trees_are_is_refused(city):
    text = "species,count,planted_on,reason,responsible\nUlmus,1,2024-04-15,other,Us\n"
    assert problems(run(text, city)) == [
        "Row 1: Say where the trees are: give the columns “lon” and “lat”, or the column “wkt”."
    ]


def test_a_file_that_is_not_utf8_is_refused(city):
    report = import_plantings(one_row(species="Вяз").encode("cp1251"), city)
    assert problems(report) == ["The file is not UTF-8 text: save it as “CSV UTF-8” and try again."]


def test_a_file_with_a_header_only_is_refused(city):
    assert problems(run(HEADER + "\n", city)) == ["The file has a header row but no planting."]


def test_a_file_with_too_many_rows_is_refused(city, monkeypatch):
    monkeypatch.setattr(planting_import, "MAX_ROWS", 2)
    assert problems(run(GOOD, city)) == ["The file has 3 rows; at most 2 are imported at once: split it."]


def test_a_file_too_large_is_refused(city, monkeypatch):
    monkeypatch.setattr(planting_import, "MAX_BYTES", 1024 * 1024)
    text = GOOD + "\n" * (3 * 1024 * 1024 // 2)
    assert problems(run(text, city)) == ["The file is 1.5 MB; at most 1.0 MB are imported at once: split it."]


# The command.


def test_the_command_imports_a_file(city, tmp_path):
    path = tmp_path / "plantings.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("parks_import_plantings", str(path), stdout=(out := _Out()))
    assert "Imported 3 plantings and 1 inspection." in out.text
    assert Planting.objects.count() == 3


def test_the_command_checks_only_with_dry_run(city, tmp_path):
    path = tmp_path / "plantings.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("parks_import_plantings", str(path), "--dry-run", stdout=(out := _Out()))
    assert "importing it would add 3 plantings" in out.text
    assert not Planting.objects.exists()


def test_the_command_lists_the_problems_and_fails(city, tmp_path):
    path = tmp_path / "plantings.csv"
    path.write_text(one_row(count="0"), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("parks_import_plantings", str(path), stdout=_Out(), stderr=(err := _Out()))
    assert "Row 2, column “count”: At least one tree must be planted." in err.text
    assert "Nothing was imported" in str(caught.value)
    assert not Planting.objects.exists()


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass
