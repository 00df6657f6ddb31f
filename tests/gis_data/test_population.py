"""The resident estimate: toy cities whose answer is worked out by hand, the map layers, and the real Almaty pack.

The toy cities are drawn in metres in UTM zone 43N (the pack's metric
reference), from a corner of the 200 m grid, so that every cell, building
and street is where the hand computation puts it.
"""

import json

import pytest
from django.conf import settings
from django.contrib.gis.db.models.functions import Centroid
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon
from django.db.models import Exists, OuterRef, Sum
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from gis_data.models import Building, District, PopulationCell
from gis_data.population import (
    CELL_METRES,
    ESTIMATE_NOTE,
    ESTIMATE_SOURCE_KEY,
    rebuild_population,
    residents_by_district,
)
from gis_data.registry import registry
from tests.factories import BuildingFactory, CityFactory, DistrictFactory, PopulatedPlaceFactory, StreetFactory

SHARED = settings.BASE_DIR.parent / "shared" / "data" / "almaty"
METRIC_SRID = 32643
# A corner of the 200 m grid in UTM 43N (multiples of 200 m), in Almaty's west.
X0, Y0 = 656_000, 4_790_000


def lonlat(geometry: GEOSGeometry) -> GEOSGeometry:
    geometry.srid = METRIC_SRID
    return geometry.transform(4326, clone=True)


def box(x: float, y: float, width: float, height: float) -> MultiPolygon:
    """A rectangle of ``width`` by ``height`` metres, its south-west corner ``x``, ``y`` metres from the grid's."""
    west, south = X0 + x, Y0 + y
    return lonlat(MultiPolygon(Polygon.from_bbox((west, south, west + width, south + height))))


def line(*points: tuple[float, float]) -> LineString:
    return lonlat(LineString([(X0 + x, Y0 + y) for x, y in points]))


def point(x: float, y: float) -> Point:
    return lonlat(Point(X0 + x, Y0 + y))


def cell(x: float, y: float) -> PopulationCell:
    """The cell under the point ``x``, ``y`` metres from the grid corner."""
    return PopulationCell.objects.get(geom__contains=point(x, y))


def residents(*cells: tuple[float, float]) -> list[float]:
    return [cell(x, y).residents for x, y in cells]


# The four cells of a 400 m district, by a point inside each.
SW, SE, NW, NE = (100, 100), (300, 100), (100, 300), (300, 300)


@pytest.fixture
def city(db):
    return CityFactory()


@pytest.fixture
def toy_city(city):
    """One district of 2 × 2 cells; a city of 1,000; homes in two cells, a residential street in a third.

    Weights: SW 20 m × 20 m × 2 levels = 800; SE 10 m × 30 m = 300; NW 50 m of
    street × 10 = 500; NE only a school (no weight). Total 1,600.
    """
    DistrictFactory(geom=box(0, 0, 400, 400))
    PopulatedPlaceFactory(place="city", population=1000, name_en="Toyville", geom=point(200, 210))
    BuildingFactory(geom=box(50, 50, 20, 20), levels=2)
    BuildingFactory(geom=box(250, 50, 10, 30), building="yes")
    StreetFactory(highway="residential", is_main=False, geom=line((20, 300), (70, 300)))
    BuildingFactory(geom=box(250, 250, 30, 30), building="school", is_residential=False)
    return city


def test_each_cell_gets_its_share_of_the_city_worked_out_by_hand(toy_city):
    with translation.override("en"):
        report = rebuild_population(toy_city)

    assert report.cells == PopulationCell.objects.count() == 4
    assert residents(SW, SE, NW, NE) == pytest.approx([500, 187.5, 312.5, 0], abs=0.01)
    assert report.residents == pytest.approx(1000)
    assert (report.city_place, report.city_population, report.notes) == ("Toyville", 1000, [])


def test_a_cell_records_the_residential_footprint_and_street_length_it_holds(toy_city):
    rebuild_population(toy_city)

    assert [cell(*SW).building_area_m2, cell(*SE).building_area_m2] == pytest.approx([400, 300], rel=1e-4)
    assert [cell(*NW).street_length_m, cell(*NE).building_area_m2] == pytest.approx([50, 0], rel=1e-4)


def test_a_building_across_a_cell_edge_weighs_in_both_cells_by_area(city):
    DistrictFactory(geom=box(0, 0, 400, 400))
    PopulatedPlaceFactory(place="city", population=1000, geom=point(200, 210))
    BuildingFactory(geom=box(190, 50, 20, 10))  # 100 m² each side of x = 200
    BuildingFactory(geom=box(250, 250, 15, 20))  # 300 m² in NE

    rebuild_population(city)

    # Weights 100, 100, 0, 300 of 500.
    assert residents(SW, SE, NW, NE) == pytest.approx([200, 200, 0, 600], rel=1e-4)


def test_cells_are_kept_where_their_centre_lies_in_a_district_which_is_recorded(city):
    west = DistrictFactory(name="West", geom=box(0, 0, 400, 400))
    # 290 m wide: the cells from 600 m have their centre (700 m) outside it.
    east = DistrictFactory(name="East", geom=box(400, 0, 290, 400))
    elsewhere = DistrictFactory(name="Elsewhere", geom=box(2000, 0, 90, 90))
    PopulatedPlaceFactory(place="city", population=600, geom=point(200, 210))
    StreetFactory(highway="living_street", is_main=False, geom=line((0, 100), (690, 100)))

    rebuild_population(city)

    assert PopulationCell.objects.count() == 6
    assert cell(500, 300).district == east and cell(100, 100).district == west
    assert not PopulationCell.objects.filter(geom__contains=point(650, 100)).exists()
    # The street weighs 200 m in each of the three cells it crosses on the southern row.
    assert residents_by_district(city) == pytest.approx({west.pk: 400, east.pk: 200, elsewhere.pk: 0})


@pytest.fixture
def village_city(city):
    """A district of 20 × 10 cells (4 km × 2 km), streets of 100 m in two cells, two annexed villages.

    P (west, cell 1,5) and Q (east, cell 19,5) weigh 1,000 each. The village V1
    (100 people) lies 200 m from P and far from Q: it all goes to P. V2 (50
    people) lies 1.8 km from both: it has no weighing cell within 1.5 km and
    goes to its own cell (10,5). The city (1,000) keeps 850 to spread: 425 each.
    """
    DistrictFactory(geom=box(0, 0, 4000, 2000))
    StreetFactory(highway="residential", is_main=False, geom=line((220, 1100), (320, 1100)))
    StreetFactory(highway="residential", is_main=False, geom=line((3820, 1100), (3920, 1100)))
    PopulatedPlaceFactory(place="city", population=1000, name_en="Toyville", geom=point(3000, 500))
    PopulatedPlaceFactory(place="village", population=100, name_en="V1", geom=point(500, 1100))
    PopulatedPlaceFactory(place="hamlet", population=50, name_en="V2", geom=point(2150, 1150))
    # Neither a place without a population nor a larger town outside the districts counts.
    PopulatedPlaceFactory(place="village", population=None, geom=point(1000, 1000))
    PopulatedPlaceFactory(place="town", population=5_000_000, geom=point(-3000, 1000))
    return city


def test_an_annexed_village_is_spread_within_1500_m_and_taken_from_the_city_total(village_city):
    with translation.override("en"):
        report = rebuild_population(village_city)

    assert residents((300, 1100), (3900, 1100)) == pytest.approx([525, 425])
    assert report.residents == pytest.approx(1000)
    assert (report.city_place, report.city_population) == ("Toyville", 1000)
    assert [(v.name, v.population, v.cells, v.own_cell) for v in report.villages] == [
        ("V1", 100, 1, False),
        ("V2", 50, 1, True),
    ]


def test_a_village_without_a_weighing_cell_near_it_goes_to_its_own_cell_and_is_reported(village_city):
    with translation.override("en"):
        report = rebuild_population(village_city)

    assert residents((2150, 1150)) == pytest.approx([50])
    assert PopulationCell.objects.filter(residents__gt=0).count() == 3
    assert report.notes == ["No mapped home lies within 1500 m of V2: its 50 residents are put in its own cell."]


def test_villages_larger_than_the_city_leave_it_nothing_and_are_reported(city):
    DistrictFactory(geom=box(0, 0, 400, 400))
    PopulatedPlaceFactory(place="city", population=100, name_en="Small", geom=point(100, 100))
    PopulatedPlaceFactory(place="village", population=80, name_en="A", geom=point(300, 100))
    PopulatedPlaceFactory(place="village", population=70, name_en="B", geom=point(300, 300))
    StreetFactory(highway="residential", is_main=False, geom=line((20, 100), (380, 100)))

    with translation.override("en"):
        report = rebuild_population(city)

    assert report.residents == pytest.approx(150)
    assert "more than the 100 of Small" in report.notes[-1]


def test_without_a_place_population_every_cell_has_no_residents_and_the_report_says_so(city):
    DistrictFactory(geom=box(0, 0, 400, 400))
    BuildingFactory(geom=box(50, 50, 20, 20))

    with translation.override("en"):
        report = rebuild_population(city)

    assert report.cells == 4 and report.residents == 0
    assert not PopulationCell.objects.filter(residents__gt=0).exists()
    assert cell(*SW).building_area_m2 == pytest.approx(400, rel=1e-4)
    assert "every cell has 0 residents" in report.notes[0]


def test_without_homes_or_streets_the_residents_are_spread_evenly_and_the_report_says_so(city):
    DistrictFactory(geom=box(0, 0, 400, 400))
    PopulatedPlaceFactory(place="city", population=1000, geom=point(200, 210))

    with translation.override("en"):
        report = rebuild_population(city)

    assert residents(SW, SE, NW, NE) == pytest.approx([250] * 4)
    assert "spread evenly" in report.notes[0]


# The urban rule on a district of 5 × 5 cells, by cell index (column, row) from the south-west.
COVERED = {(1, 1), (2, 1), (3, 1), (1, 2), (3, 2), (1, 3), (3, 3)}


def cell_index(population_cell: PopulationCell) -> tuple[int, int]:
    centre = population_cell.centre.transform(METRIC_SRID, clone=True)
    return int((centre.x - X0) // CELL_METRES), int((centre.y - Y0) // CELL_METRES)


@pytest.fixture
def blocks_city(city):
    """Covered cells in a U around (2, 2), open at (2, 3); and a cell (4, 4) covered 7 %."""
    DistrictFactory(geom=box(0, 0, 1000, 1000))
    for column, row in COVERED:
        # 60 m × 60 m = 3,600 m², 9 % of a cell; one is a school: any mapped building covers.
        kind = {"building": "school", "is_residential": False} if (column, row) == (2, 1) else {}
        BuildingFactory(geom=box(column * 200 + 70, row * 200 + 70, 60, 60), **kind)
    BuildingFactory(geom=box(870, 870, 40, 70))  # 2,800 m²: 7 %
    return city


def test_a_cell_is_urban_where_buildings_cover_8_percent_of_it_or_most_of_its_neighbours(blocks_city):
    report = rebuild_population(blocks_city)

    urban = {cell_index(c) for c in PopulationCell.objects.filter(is_urban=True)}
    # (2, 2) has 7 covered neighbours: a courtyard inside the block.
    assert urban == COVERED | {(2, 2)}
    assert report.urban_cells == 8


def test_the_neighbour_rule_is_one_pass_over_covered_cells_only(blocks_city):
    rebuild_population(blocks_city)

    # (2, 3) has 4 covered neighbours and the filled courtyard (2, 2): a second pass would make it urban.
    assert cell(500, 700).is_urban is False
    assert cell(900, 900).is_urban is False


def test_rebuilding_replaces_the_cells_and_keeps_the_counts(toy_city):
    first = rebuild_population(toy_city)
    pks = set(PopulationCell.objects.values_list("pk", flat=True))

    second = rebuild_population(toy_city)

    assert (second.cells, second.residents, second.urban_cells) == (first.cells, first.residents, first.urban_cells)
    assert PopulationCell.objects.count() == 4
    assert pks.isdisjoint(PopulationCell.objects.values_list("pk", flat=True))


def test_the_estimate_names_both_licences_it_is_derived_from(toy_city):
    rebuild_population(toy_city)

    source = toy_city.sources.get(key=ESTIMATE_SOURCE_KEY)
    assert source.attribution == "© OpenStreetMap contributors, ODbL; © OpenStreetMap contributors, CC BY-SA 2.0"
    assert source.licence == "ODbL 1.0; CC BY-SA 2.0"


def test_the_estimate_note_is_translatable_and_says_it_is_an_estimate():
    assert isinstance(ESTIMATE_NOTE, Promise)
    with translation.override("en"):
        note = str(ESTIMATE_NOTE)
    assert "estimate" in note and "200" in note and "residential streets" in note


def test_the_population_and_urban_blocks_layers_are_optional_and_hidden_at_city_zoom():
    for name in ("population", "urban_blocks"):
        layer = registry.get(name)
        assert layer.default_on is False
        assert layer.min_zoom >= 13
    assert registry.get("population").source == registry.get("urban_blocks").source == ESTIMATE_SOURCE_KEY


def test_the_cell_layers_are_not_published_to_visitors(client, toy_city):
    rebuild_population(toy_city)

    names = {layer["name"] for layer in client.get(reverse("gis_data:layer_list")).json()["layers"]}

    assert not {"population", "urban_blocks"} & names
    assert client.get(reverse("gis_data:layer_geojson", args=["population"])).status_code == 404


def test_the_population_layer_sends_populated_cells_banded_by_residents_per_km2(client, urbanist, toy_city):
    rebuild_population(toy_city)
    client.force_login(urbanist)

    collection = json.loads(client.get(reverse("gis_data:layer_geojson", args=["population"])).content)

    # 500 residents on 0.04 km² is 12,500 per km²; 187.5 is 4,688; 312.5 is 7,813. NE (no one) is left out.
    bands = sorted((f["properties"]["density_band"], f["properties"]["residents"]) for f in collection["features"])
    assert [band for band, _residents in bands] == [2500, 5000, 10000]
    assert [residents for _band, residents in bands] == pytest.approx([187.5, 312.5, 500], abs=0.51)
    assert collection["features"][0]["properties"]["name_en"] == "Almaly District"


def test_the_cell_layers_carry_both_attribution_lines(client, urbanist, toy_city):
    rebuild_population(toy_city)
    client.force_login(urbanist)

    layers = {layer["name"]: layer for layer in client.get(reverse("gis_data:layer_list")).json()["layers"]}

    both = "© OpenStreetMap contributors, ODbL; © OpenStreetMap contributors, CC BY-SA 2.0"
    assert layers["population"]["attribution"] == layers["urban_blocks"]["attribution"] == both


def test_the_population_cell_admin_is_read_only(client, urbanist, toy_city):
    rebuild_population(toy_city)
    population_cell = cell(*SW)
    client.force_login(urbanist)

    assert client.get(reverse("admin:gis_data_populationcell_changelist")).status_code == 200
    page = client.get(reverse("admin:gis_data_populationcell_change", args=[population_cell.pk]))
    assert page.status_code == 200 and "Almaly" in page.content.decode()
    assert client.get(reverse("admin:gis_data_populationcell_add")).status_code == 403
    client.post(reverse("admin:gis_data_populationcell_change", args=[population_cell.pk]), {"residents": 1})
    population_cell.refresh_from_db()
    assert population_cell.residents == pytest.approx(500)


@pytest.fixture(scope="module")
def almaty(django_db_setup, django_db_blocker):
    """The real Almaty pack's population report, loaded once for this module and rolled back after it."""
    from django.db import transaction

    from gis_data.loading import load_city_pack

    with django_db_blocker.unblock(), transaction.atomic():
        yield load_city_pack(settings.CITY_PACK).population
        transaction.set_rollback(True)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared Almaty data is not beside the repository")
class TestTheAlmatyPack:
    def test_it_loads_the_extract_s_buildings(self, almaty, db):
        assert Building.objects.count() == 8201
        assert Building.objects.filter(building="yes").count() == 8108
        in_a_district = District.objects.filter(geom__intersects=OuterRef("centre"))
        centres = Building.objects.annotate(centre=Centroid("geom")).filter(Exists(in_a_district))
        assert centres.count() == 8053

    def test_the_city_total_is_kept(self, almaty, db):
        total = PopulationCell.objects.aggregate(total=Sum("residents"))["total"]
        assert total == pytest.approx(2_228_515, abs=1)
        assert almaty.residents == pytest.approx(2_228_515, abs=1)
        assert almaty.city_population == 2_228_515
        assert len(almaty.villages) == 10

    def test_every_district_gets_residents_even_the_suburbs_with_few_mapped_buildings(self, almaty, db):
        by_district = residents_by_district(almaty.city)
        names = dict(District.objects.values_list("pk", "name_en"))
        assert len(by_district) == 8
        for pk, count in by_district.items():
            assert count > 20_000, names[pk]
        suburbs = {names[pk]: count for pk, count in by_district.items() if names[pk].startswith(("Alatau", "Nau"))}
        assert len(suburbs) == 2

    def test_the_centre_is_urban_and_the_mountains_are_not(self, almaty, db):
        assert 500 < almaty.urban_cells < 5000
        # Republic Square lies in the blocks; Medeu's skating rink in the mountains does not.
        assert PopulationCell.objects.get(geom__contains=Point(76.9458, 43.2383, srid=4326)).is_urban
        assert not PopulationCell.objects.get(geom__contains=Point(77.0586, 43.1573, srid=4326)).is_urban

    def test_the_rebuild_takes_seconds(self, almaty, db):
        assert almaty.seconds < 20
