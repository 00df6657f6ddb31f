"""Park access (parks.access) on a toy city whose every figure is worked out by hand.

The toy city is drawn in metres east (x) and north (y) of an origin in
central Almaty, in the city's UTM zone (EPSG:32643), and stored in
longitude/latitude as the app stores it:

    y
    1000                  + (1000, 1000)
                          |
                          S2
                          |
       0  +------S1-------+-------S1-------+ (2000, 0)    [park P: x 2010–2410, y -100–100]
          (0, 0)          (1000, 0)

S1 runs from (0, 0) through (1000, 0) to (2000, 0); S2 from (1000, 0) north
to (1000, 1000), sharing S1's vertex at (1000, 0): three edges. The park P
is open on every side, its west edge 10 m east of the node (2000, 0): that
node is an entry point, 10 m from the park (ENTRY_METRES is 30 m).

Cells (centre, residents), walking distance to P:

- west  (300, -20), 300:  20 m to S1 + 700 m to (1000, 0) + 1,000 m + 10 m = 1,730 m: outside;
- north (1040, 500), 200: 40 m to S2 + 500 m to (1000, 0) + 1,000 m + 10 m = 1,550 m: outside;
- mid   (1500, 50), 100:  50 m to S1 + 500 m to (2000, 0) + 10 m = 560 m: within;
- east  (1950, 200), 400: 200 m to S1 + 50 m to (2000, 0) + 10 m = 260 m: within.

So 500 of 1,000 residents (50 %) live within 800 m.
"""

import pytest
from django.contrib.gis.geos import LineString, MultiPoint, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError

from gis_data.models import PopulationCell
from gis_data.streets import clear_cache as clear_street_cache
from parks import access
from parks.services import derive_park
from tests.factories import CityFactory, ConceptFactory, DistrictFactory, ParkFactory, StreetFactory

pytestmark = pytest.mark.django_db

METRIC = 32643
ORIGIN = Point(76.915, 43.23, srid=4326).transform(METRIC, clone=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    point = Point(ORIGIN.x + x, ORIGIN.y + y, srid=METRIC).transform(4326, clone=True)
    return point.x, point.y


def at(x: float, y: float) -> Point:
    return Point(*lonlat(x, y), srid=4326)


def box(west: float, south: float, east: float, north: float) -> Polygon:
    corners = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    return Polygon([lonlat(x, y) for x, y in corners], srid=4326)


def street(*points: tuple[float, float]):
    return StreetFactory(geom=LineString([lonlat(*p) for p in points], srid=4326), highway="residential")


def cell(x: float, y: float, residents: float, district=None) -> PopulationCell:
    return PopulationCell.objects.create(
        city=CityFactory(),
        geom=box(x - 100, y - 100, x + 100, y + 100),
        centre=at(x, y),
        residents=residents,
        district=district,
    )


def park(west=2010, south=-100, east=2410, north=100, **fields):
    """A park over the box (metres), with its district and area derived as parks.services derives them."""
    built = ParkFactory.build(
        city=CityFactory(), boundary=MultiPolygon(box(west, south, east, north), srid=4326), **fields
    )
    derive_park(built)
    built.save()
    return built


@pytest.fixture(autouse=True)
def fresh_cache():
    access.clear_cache()
    clear_street_cache()
    yield
    access.clear_cache()
    clear_street_cache()


@pytest.fixture
def city():
    return CityFactory()


@pytest.fixture
def districts(city):
    """West (x < 1200) and East (x > 1200) districts, each 1,200 m tall and centred on the streets."""
    west = DistrictFactory(
        geom=MultiPolygon(box(-200, -600, 1200, 1200), srid=4326), name="West", name_en="West", name_ru="Запад"
    )
    east = DistrictFactory(
        geom=MultiPolygon(box(1200, -600, 2600, 1200), srid=4326), name="East", name_en="East", name_ru="Восток"
    )
    return west, east


@pytest.fixture
def toy(city, districts):
    west, east = districts
    street((0, 0), (1000, 0), (2000, 0))
    street((1000, 0), (1000, 1000))
    cells = {
        "west": cell(300, -20, 300, west),
        "north": cell(1040, 500, 200, west),
        "mid": cell(1500, 50, 100, east),
        "east": cell(1950, 200, 400, east),
    }
    return cells


def test_the_share_is_the_residents_within_800_m_walk_of_an_open_park(city, toy):
    park()

    result = access.park_access(city)

    # mid (560 m) and east (260 m) are within; west (1,730 m) and north (1,550 m) are not.
    assert result.metres == 800
    assert result.citywide.residents == 1000
    assert result.citywide.within == 500
    assert result.citywide.share == pytest.approx(0.5)
    assert result.park_count == 1


def test_the_share_is_given_per_district(city, toy):
    park()

    rows = {row.name: row for row in access.park_access(city).districts}

    # West holds west and north (500 residents, none within); East holds mid and east (500, all within).
    assert (rows["West"].residents, rows["West"].within) == (500, 0)
    assert (rows["East"].residents, rows["East"].within, rows["East"].share) == (500, 500, 1.0)


def test_each_cell_walks_along_the_streets_to_the_park(city, toy):
    park()

    distances = access.park_access(city, metres=2000).cell_distances()

    assert distances[toy["west"].pk] == pytest.approx(20 + 700 + 1000 + 10, abs=0.01)
    assert distances[toy["north"].pk] == pytest.approx(40 + 500 + 1000 + 10, abs=0.01)
    assert distances[toy["mid"].pk] == pytest.approx(50 + 500 + 10, abs=0.01)
    assert distances[toy["east"].pk] == pytest.approx(200 + 50 + 10, abs=0.01)


def test_a_longer_distance_takes_in_more_residents(city, toy):
    park()

    # At 1,600 m, north (1,550 m) is within too; west (1,730 m) is not.
    assert access.park_access(city, metres=1600).citywide.within == 700


def test_the_cells_outside_are_listed(city, toy):
    park()

    assert sorted(access.park_access(city).outside_cell_ids()) == sorted([toy["west"].pk, toy["north"].pk])


def test_a_park_serves_the_residents_who_walk_to_it_first(city, toy):
    first = park()
    # A second park just beyond S2's northern end (1000, 1000): its south edge at y 1010 is 10 m from that node.
    # North walks 40 m to S2 at (1000, 500), 500 m up it and 10 m in: 550 m to the second park.
    second = park(west=900, south=1010, east=1100, north=1200, name_en="North park")

    result = access.park_access(city)

    # North (200) walks to the second park, mid and east (500) to the first; west walks 1,730 m to either.
    assert result.served(first.pk) == 500
    assert result.served(second.pk) == 200
    assert result.citywide.within == 700


def test_closed_and_planned_parks_do_not_count(city, toy):
    closed = park(state="closed")
    park(state="planned")

    result = access.park_access(city)

    assert result.citywide.within == 0
    assert result.park_count == 0
    assert result.served(closed.pk) == 0


def test_a_park_with_entrances_is_entered_by_its_gates_only(city, toy):
    # A street east of the park, (2500, -500) to (2500, 500), not joined to S1; the park's only gate is on its east
    # edge at (2410, 0), 90 m from that street (snapped at (2500, 0)).
    street((2500, -500), (2500, 500))
    cell(2600, 100, 50)  # 100 m to the new street at (2500, 100), 100 m along it to the gate's point, + 90 m
    park(entrances=MultiPoint(at(2410, 0), srid=4326))

    result = access.park_access(city)

    # S1's residents cannot reach the gate: only the new cell is within (100 + 100 + 90 = 290 m).
    assert result.citywide.within == 50
    assert list(result.cell_distances().values())[-1] == pytest.approx(290, abs=0.01)


def test_a_street_crossing_a_park_enters_it_where_it_crosses_the_boundary(city, toy):
    # A park astride S2, its south edge at y 700 and north edge at y 900: S2's nodes are 700 m and 100 m away, but
    # the street enters the park at (1000, 700) and (1000, 900).
    park(west=900, south=700, east=1100, north=900)

    distances = access.park_access(city).cell_distances()

    # north: 40 m to S2 at (1000, 500), then 200 m north to the boundary.
    assert distances[toy["north"].pk] == pytest.approx(240, abs=0.01)
    # west: 20 + 700 m to (1000, 0) + 700 m north = 1,420 m: outside.
    assert distances[toy["west"].pk] == float("inf")


def test_a_street_passing_along_a_park_enters_it_where_it_comes_within_30_m(city, toy):
    # A park 20 m north of S1's western edge, from x 400 to 600: both ends of the edge are far, its middle 20 m
    # away. The edge comes within 30 m of the park sqrt(30² - 20²) = 22.36 m before x 400 and leaves that reach as
    # far after x 600: entry points 30 m from the park at x 377.64 and x 622.36 (and 20 m from it between).
    park(west=400, south=20, east=600, north=220)
    reach = (30**2 - 20**2) ** 0.5

    distances = access.park_access(city, metres=1000).cell_distances()

    # west (300, -20): 20 m to S1 at x 300, 77.64 m east along it, 30 m in.
    assert distances[toy["west"].pk] == pytest.approx(20 + (100 - reach) + 30, abs=0.05)
    # mid (1500, 50): 50 m to S1, 500 m to (1000, 0), then 377.64 m west along the edge, 30 m in = 957.64 m.
    assert distances[toy["mid"].pk] == pytest.approx(50 + 500 + (400 - reach) + 30, abs=0.05)


def test_residents_of_a_cell_whose_centre_is_in_a_park_are_there_already(city, toy):
    park(west=1400, south=0, east=1600, north=100)

    assert access.park_access(city).cell_distances()[toy["mid"].pk] == 0


def test_the_result_is_computed_again_when_a_park_changes(city, toy):
    changing = park()
    assert access.park_access(city).citywide.within == 500

    changing.state = "closed"
    changing.save()

    assert access.park_access(city).citywide.within == 0


def test_the_result_is_kept_while_nothing_changes(city, toy):
    park()

    assert access.park_access(city) is access.park_access(city)


def test_the_result_is_computed_again_when_the_cells_change(city, toy):
    park()
    assert access.park_access(city).citywide.residents == 1000

    cell(1900, -100, 1000)

    assert access.park_access(city).citywide.within == 1500


def test_a_city_without_parks_has_no_one_within(city, toy):
    result = access.park_access(city)

    assert (result.citywide.residents, result.citywide.within, result.park_count) == (1000, 0, 0)


def test_a_what_if_park_counts_the_residents_it_brings_within(city, toy):
    park()

    # A park astride S2 from y 700 to y 900 brings north (240 m) within; west (1,420 m) stays outside.
    change = access.what_if(city, box(900, 700, 1100, 900))

    assert change.before.within == 500
    assert change.after.within == 700
    assert change.gained == 200
    rows = {row.name: row for row in change.districts}
    assert (rows["West"].before.within, rows["West"].after.within, rows["West"].gained) == (0, 200, 200)
    assert rows["East"].gained == 0


def test_a_what_if_does_not_change_the_city_figures(city, toy):
    park()
    access.what_if(city, box(900, 700, 1100, 900))

    assert access.park_access(city).citywide.within == 500


def test_a_what_if_park_with_entrances_is_entered_by_them(city, toy):
    # The same park, its only gate on its east edge at (1100, 800), 100 m from S2: north walks 40 + 300 m north to
    # (1000, 800), the gate's point, + 100 m = 440 m: still within.
    change = access.what_if(city, box(900, 700, 1100, 900), entrances=MultiPoint(at(1100, 800), srid=4326))

    assert change.gained == 200


def test_a_concept_footprint_is_its_park_boundary(city, toy):
    closed = park(west=900, south=700, east=1100, north=900, state="closed")
    concept = ConceptFactory(park=closed)

    footprint = access.concept_footprint(concept)

    assert footprint.equals(closed.boundary)
    assert access.what_if(city, footprint).gained == 200


def test_a_what_if_refuses_a_line(city, toy):
    with pytest.raises(ValidationError, match="boundary is an area: draw a polygon"):
        access.what_if(city, LineString(lonlat(0, 0), lonlat(100, 100), srid=4326))


def test_a_what_if_refuses_a_park_outside_the_city(city, toy):
    far = Polygon(((10, 10), (10.01, 10), (10.01, 10.01), (10, 10)), srid=4326)

    with pytest.raises(ValidationError, match="outside the city"):
        access.what_if(city, far)


def test_a_what_if_refuses_a_park_larger_than_ten_square_kilometres(city, toy):
    with pytest.raises(ValidationError, match="at most 10 km²"):
        access.what_if(city, box(0, 0, 4000, 3000))
