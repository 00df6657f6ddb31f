"""A park's boundary and entrances: the rules they pass, what is derived from them, history and restore."""

import pytest
from django.contrib.gis.geos import LineString, MultiPoint, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.db import connection

from gis_data.districts import district_holding_most
from parks import services
from parks.models import Park
from tests.factories import GORKY_GATE, GORKY_PARK, CityFactory, DistrictFactory, ParkFactory

pytestmark = pytest.mark.django_db

# Two districts split at longitude 76.968: the west one holds a sliver of Gorky Park, the east one the rest.
WEST = MultiPolygon(Polygon.from_bbox((76.90, 43.20, 76.968, 43.30)), srid=4326)
EAST = MultiPolygon(Polygon.from_bbox((76.968, 43.20, 77.05, 43.30)), srid=4326)
# A bow tie: its ring crosses itself in the middle.
BOW_TIE = Polygon(
    ((76.9660, 43.2580), (76.9700, 43.2620), (76.9700, 43.2580), (76.9660, 43.2620), (76.9660, 43.2580)), srid=4326
)
# Gorky Park without its northern tip: its boundary as an urbanist redrew it.
GORKY_SOUTH = MultiPolygon(
    Polygon(((76.9655, 43.2596), (76.9663, 43.2567), (76.9718, 43.2568), (76.9737, 43.2610), (76.9655, 43.2596))),
    srid=4326,
)
# About 120 m east of the park's eastern edge.
FAR_POINT = Point(76.9752, 43.2610, srid=4326)


@pytest.fixture
def city(db):
    return CityFactory()


@pytest.fixture
def districts(city):
    west = DistrictFactory(name="West", name_en="West District", geom=WEST.clone())
    east = DistrictFactory(name="East", name_en="East District", geom=EAST.clone())
    return west, east


def geography_area(geometry) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeomFromEWKT(%s)::geography)", [geometry.ewkt])
        return cursor.fetchone()[0]


def messages(caught) -> str:
    return " ".join(caught.value.messages)


# The boundary ----------------------------------------------------------------------------------------------


def test_a_polygon_becomes_a_multipolygon_of_one(city):
    boundary = services.check_park_boundary(GORKY_PARK[0].clone(), city)
    assert boundary.geom_type == "MultiPolygon"
    assert boundary.equals_exact(GORKY_PARK, 1e-9)


def test_it_refuses_a_line_for_a_boundary(city):
    line = LineString((76.9655, 43.2596), (76.9718, 43.2568), srid=4326)
    with pytest.raises(ValidationError) as caught:
        services.check_park_boundary(line, city)
    assert messages(caught) == "A park's boundary is an area: draw a polygon, not a LineString."


def test_it_refuses_a_boundary_outside_the_city(city):
    bishkek = Polygon.from_bbox((74.55, 42.85, 74.60, 42.88))
    bishkek.srid = 4326
    with pytest.raises(ValidationError) as caught:
        services.check_park_boundary(bishkek, city)
    assert "outside the city's extent" in messages(caught)


def test_it_refuses_a_boundary_smaller_than_a_hundred_square_metres(city):
    # About 5 m by 5 m.
    bed = Polygon.from_bbox((76.96800, 43.26000, 76.96806, 43.26005))
    bed.srid = 4326
    with pytest.raises(ValidationError) as caught:
        services.check_park_boundary(bed, city)
    assert "a park covers at least 100 m²" in messages(caught)
    assert "The boundary encloses 2" in messages(caught)


def test_a_boundary_crossing_itself_is_repaired_and_the_repair_reported(city):
    checked = services.inspect_park_boundary(BOW_TIE.clone(), city)
    assert checked.repaired
    assert "Self-intersection" in checked.problem
    assert checked.geometry.geom_type == "MultiPolygon"
    assert checked.geometry.valid
    assert len(checked.geometry) == 2


def test_a_valid_boundary_is_not_reported_as_repaired(city):
    assert not services.inspect_park_boundary(GORKY_PARK.clone(), city).repaired


# Entrances -------------------------------------------------------------------------------------------------


def test_an_entrance_on_the_edge_is_kept_as_a_multipoint(city):
    entrances = services.check_park_entrances(GORKY_GATE.clone(), GORKY_PARK, city)
    assert entrances.geom_type == "MultiPoint"
    assert entrances[0].equals_exact(GORKY_GATE, 1e-9)


def test_it_refuses_an_entrance_far_from_the_boundary_and_says_which_and_how_far(city):
    entrances = MultiPoint(GORKY_GATE.clone(), FAR_POINT.clone(), srid=4326)
    with pytest.raises(ValidationError) as caught:
        services.check_park_entrances(entrances, GORKY_PARK, city)
    text = messages(caught)
    assert text.startswith("Entrance 2 is ")
    assert "an entrance must be within 30 m of it" in text
    metres = int(text.removeprefix("Entrance 2 is ").split(" m")[0])
    assert 100 < metres < 140


def test_an_entrance_in_the_middle_of_the_park_is_no_entrance(city):
    middle = Point(76.9700, 43.2620, srid=4326)
    with pytest.raises(ValidationError) as caught:
        services.check_park_entrances(middle, GORKY_PARK, city)
    assert messages(caught).startswith("Entrance 1 is ")


def test_it_refuses_a_line_for_an_entrance(city):
    with pytest.raises(ValidationError) as caught:
        services.check_park_entrances(LineString((76.9656, 43.2598), (76.9660, 43.2600)), GORKY_PARK, city)
    assert messages(caught) == "Entrances are points: draw each entrance as a point, not a LineString."


def test_no_entrances_are_none(city):
    assert services.check_park_entrances(None, GORKY_PARK, city) is None
    assert services.check_park_entrances(MultiPoint(srid=4326), GORKY_PARK, city) is None


# What is derived -------------------------------------------------------------------------------------------


def test_the_district_is_the_one_holding_the_largest_part_of_the_park(city, districts):
    west, east = districts
    park = services.save_park(ParkFactory.build(city=city))
    park.refresh_from_db()
    assert park.district == east
    assert park.boundary.intersects(west.geom)  # the west district holds a part too, and has the lower id


def test_a_park_in_no_district_has_none(city):
    park = services.save_park(ParkFactory.build(city=city))
    park.refresh_from_db()
    assert park.district is None


def test_the_area_of_gorky_park_matches_its_area_on_the_spheroid(city):
    park = services.save_park(ParkFactory.build(city=city))
    park.refresh_from_db()
    assert park.area_m2 == pytest.approx(geography_area(GORKY_PARK), rel=0.01)
    assert 500_000 < park.area_m2 < 700_000


def test_the_district_of_a_line_is_the_one_it_runs_longest_in(city, districts):
    _west, east = districts
    line = LineString((76.9670, 43.2500), (76.9900, 43.2500), srid=4326)
    assert district_holding_most(line, city) == east


def test_the_district_of_another_city_is_not_taken(city, districts):
    other = CityFactory(slug="bishkek")
    assert district_holding_most(GORKY_PARK, other) is None


# Saving ----------------------------------------------------------------------------------------------------


def test_saving_records_who_created_the_park(city, urbanist):
    park = services.save_park(ParkFactory.build(city=city, entrances=MultiPoint(GORKY_GATE.clone())), user=urbanist)
    park.refresh_from_db()
    assert park.created_by == urbanist
    assert park.history.get().history_user == urbanist
    assert len(park.entrances) == 1


def test_a_park_without_a_name_is_refused_and_nothing_is_saved(city):
    park = ParkFactory.build(city=city, name_kk="", name_ru="", name_en=" ")
    with pytest.raises(ValidationError) as caught:
        services.save_park(park)
    assert caught.value.message_dict == {"name_en": ["Give the park a name in at least one language."]}
    assert not Park.objects.exists()


def test_every_problem_is_named_on_its_field(city):
    bed = MultiPolygon(Polygon.from_bbox((76.96800, 43.26000, 76.96806, 43.26005)), srid=4326)
    park = ParkFactory.build(city=city, name_en="", name_ru="", name_kk="", boundary=bed)
    with pytest.raises(ValidationError) as caught:
        services.save_park(park)
    assert set(caught.value.message_dict) == {"name_en", "boundary"}


def test_a_far_entrance_leaves_the_park_as_it_was(city, urbanist):
    park = services.save_park(ParkFactory.build(city=city), user=urbanist)
    park.name_en = "Renamed"
    park.entrances = MultiPoint(FAR_POINT.clone(), srid=4326)
    with pytest.raises(ValidationError) as caught:
        services.save_park(park, user=urbanist)
    assert "entrances" in caught.value.message_dict
    park.refresh_from_db()
    assert park.name_en == "Gorky Central Park"
    assert park.entrances is None
    assert park.history.count() == 1


# History and restore ---------------------------------------------------------------------------------------


def test_restoring_brings_back_the_boundary_and_derives_the_area_again(city, districts, urbanist, admin_user):
    park = services.save_park(ParkFactory.build(city=city), user=urbanist)
    original = park.history.get()
    park.boundary, park.name_en = GORKY_SOUTH.clone(), "Gorky Park, south"
    services.save_park(park, user=urbanist)
    park.refresh_from_db()
    smaller = park.area_m2

    services.restore_park(park, original.history_id, admin_user)

    park.refresh_from_db()
    assert park.boundary.equals_exact(GORKY_PARK, 1e-9)
    assert park.name_en == "Gorky Central Park"
    assert park.area_m2 == pytest.approx(original.area_m2)
    assert park.area_m2 > smaller
    latest = park.history.latest()
    assert latest.history_user == admin_user
    assert latest.history_change_reason.startswith("Restored version of ")


def test_a_version_of_another_park_cannot_be_restored(city, urbanist):
    park = services.save_park(ParkFactory.build(city=city), user=urbanist)
    other = services.save_park(ParkFactory.build(city=city, name_en="Other"), user=urbanist)
    with pytest.raises(Park.history.model.DoesNotExist):
        services.restore_park(park, other.history.get().history_id, urbanist)


def test_a_version_outside_todays_city_is_refused_and_nothing_changes(city, urbanist):
    park = services.save_park(ParkFactory.build(city=city), user=urbanist)
    original = park.history.get()
    park.boundary = GORKY_SOUTH.clone()
    services.save_park(park, user=urbanist)
    # A new pack draws the city smaller: the old northern tip now leaves it.
    city.extent = Polygon.from_bbox((76.95, 43.25, 76.98, 43.2650))
    city.extent.srid = 4326
    city.save()

    with pytest.raises(ValidationError):
        services.restore_park(park, original.history_id, urbanist)

    park.refresh_from_db()
    assert park.boundary.equals_exact(GORKY_SOUTH, 1e-9)
    assert park.history.count() == 2


def test_refreshing_the_city_derives_the_district_again_without_a_new_version(city, urbanist):
    park = services.save_park(ParkFactory.build(city=city), user=urbanist)
    assert park.district is None
    district = DistrictFactory(name="Medeu", geom=MultiPolygon(Polygon.from_bbox((76.95, 43.24, 77.00, 43.28))))

    assert services.refresh_city_parks(city) == 1

    park.refresh_from_db()
    assert park.district == district
    assert park.history.count() == 1
