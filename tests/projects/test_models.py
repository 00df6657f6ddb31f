"""A project's length, area and districts are derived from its geometry; its geometry follows its category's rule."""

import datetime

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from pyproj import Geod

from projects.models import Project
from tests.factories import ALMALY, AUEZOV, CategoryFactory, CityFactory, DistrictFactory, ProjectFactory

pytestmark = pytest.mark.django_db

# The independent measure: geodesic lengths and areas on the WGS 84 ellipsoid, by pyproj.
GEOD = Geod(ellps="WGS84")
# Geometries drawn in metres in the city's UTM zone (EPSG:32643), from a point in central Almaty.
ORIGIN = Point(76.90, 43.245, srid=4326).transform(32643, clone=True)


def utm(*xy: tuple[float, float]) -> list[tuple[float, float]]:
    """Coordinates in metres east and north of ORIGIN, in EPSG:32643."""
    return [(ORIGIN.x + x, ORIGIN.y + y) for x, y in xy]


def lonlat(geometry):
    geometry.srid = 32643
    return geometry.transform(4326, clone=True)


def geodesic_length(line: LineString) -> float:
    lons, lats = zip(*line.coords, strict=True)
    return GEOD.line_length(lons, lats)


def geodesic_area(polygon: Polygon) -> float:
    lons, lats = zip(*polygon.exterior_ring.coords, strict=True)
    return abs(GEOD.polygon_area_perimeter(lons, lats)[0])


@pytest.fixture
def city():
    return CityFactory()


def test_a_line_gets_its_length_in_metres_and_no_area(city):
    line = lonlat(LineString(utm((0, 0), (600, 200), (1100, 900))))

    project = ProjectFactory(geom=line)

    project.refresh_from_db()
    assert project.length_m == pytest.approx(geodesic_length(line), rel=0.005)
    assert project.area_m2 is None


def test_a_multiline_gets_the_length_of_all_its_lines(city):
    first = lonlat(LineString(utm((0, 0), (1000, 0))))
    second = lonlat(LineString(utm((0, 300), (0, 800), (400, 800))))

    project = ProjectFactory(geom=MultiLineString(first, second, srid=4326))

    project.refresh_from_db()
    assert project.length_m == pytest.approx(geodesic_length(first) + geodesic_length(second), rel=0.005)
    assert project.area_m2 is None


def test_a_polygon_gets_its_area_in_square_metres_and_no_length(city):
    polygon = lonlat(Polygon(utm((0, 0), (300, 0), (300, 200), (100, 350), (0, 0))))

    project = ProjectFactory(category__slug="square", geom=polygon)

    project.refresh_from_db()
    assert project.area_m2 == pytest.approx(geodesic_area(polygon), rel=0.005)
    assert project.length_m is None


def test_a_multipolygon_gets_the_area_of_all_its_polygons(city):
    west = lonlat(Polygon(utm((0, 0), (100, 0), (100, 20), (0, 20), (0, 0))))
    east = lonlat(Polygon(utm((500, 0), (700, 0), (700, 10), (500, 10), (500, 0))))

    project = ProjectFactory(category__slug="sidewalk", geom=MultiPolygon(west, east, srid=4326))

    project.refresh_from_db()
    assert project.area_m2 == pytest.approx(geodesic_area(west) + geodesic_area(east), rel=0.005)
    assert project.area_m2 == pytest.approx(4000, rel=0.005)


def test_a_point_has_neither_length_nor_area(city):
    project = ProjectFactory(category__slug="playground", geom=Point(76.93, 43.25, srid=4326))

    project.refresh_from_db()
    assert project.length_m is None and project.area_m2 is None


def test_without_a_city_the_length_is_measured_on_the_spheroid():
    line = lonlat(LineString(utm((0, 0), (2000, 1500))))

    project = ProjectFactory(geom=line)

    project.refresh_from_db()
    assert project.length_m == pytest.approx(geodesic_length(line), rel=0.001)


def test_editing_the_geometry_derives_the_length_again(city):
    project = ProjectFactory(geom=lonlat(LineString(utm((0, 0), (500, 0)))))
    longer = lonlat(LineString(utm((0, 0), (1500, 0))))

    project.geom = longer
    project.save()

    project.refresh_from_db()
    assert project.length_m == pytest.approx(geodesic_length(longer), rel=0.005)


def test_saving_the_geometry_among_update_fields_derives_the_length_again(city):
    project = ProjectFactory(geom=lonlat(LineString(utm((0, 0), (500, 0)))))

    project.geom = lonlat(LineString(utm((0, 0), (2000, 0))))
    project.save(update_fields=["geom"])

    project.refresh_from_db()
    assert project.length_m == pytest.approx(2000, rel=0.005)


def test_saving_other_fields_only_leaves_the_derived_fields_alone(city):
    project = ProjectFactory(geom=lonlat(LineString(utm((0, 0), (500, 0)))))
    measured = Project.objects.get(pk=project.pk).length_m

    project.title_en = "Renamed"
    project.save(update_fields=["title_en"])

    project.refresh_from_db()
    assert project.title_en == "Renamed"
    assert project.length_m == measured


def test_a_project_crossing_almaly_and_auezov_gets_both_districts(city):
    almaly = DistrictFactory(name="Almaly", geom=ALMALY.clone())
    auezov = DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())
    # West to east along latitude 43.245, from Auezov into Almaly.
    crossing = LineString((76.8500, 43.2450), (76.8900, 43.2450), srid=4326)

    project = ProjectFactory(geom=crossing)

    assert set(Project.objects.get(pk=project.pk).districts.all()) == {almaly, auezov}


def test_moving_a_project_into_one_district_leaves_it_in_that_one_only(city):
    almaly = DistrictFactory(name="Almaly", geom=ALMALY.clone())
    DistrictFactory(name="Auezov", name_en="Auezov District", geom=AUEZOV.clone())
    project = ProjectFactory(geom=LineString((76.8500, 43.2450), (76.8900, 43.2450), srid=4326))

    project.geom = LineString((76.9000, 43.2450), (76.9300, 43.2460), srid=4326)
    project.save()

    assert list(Project.objects.get(pk=project.pk).districts.all()) == [almaly]


def test_a_project_outside_every_district_has_none(city):
    DistrictFactory(geom=ALMALY.clone())

    project = ProjectFactory(geom=LineString((77.2000, 43.4000), (77.2100, 43.4000), srid=4326))

    assert Project.objects.get(pk=project.pk).districts.count() == 0


# The geometry rules of the category, checked by clean().


def test_a_sidewalk_drawn_as_a_line_is_refused_with_a_message_to_draw_a_polygon(city):
    project = ProjectFactory.build(category=CategoryFactory(slug="sidewalk", name_en="Sidewalk"))

    with pytest.raises(ValidationError) as caught:
        project.full_clean()

    assert caught.value.message_dict["geom"] == [
        "A Sidewalk project is counted in square metres: draw it as a polygon."
    ]


def test_a_bike_lane_drawn_as_a_polygon_is_refused_with_a_message_to_draw_a_line(city):
    project = ProjectFactory.build(
        category=CategoryFactory(slug="bike_lane", name_en="Bike lane"),
        geom=Polygon(((76.94, 43.25), (76.95, 43.25), (76.95, 43.26), (76.94, 43.25)), srid=4326),
    )

    with pytest.raises(ValidationError) as caught:
        project.full_clean()

    assert caught.value.message_dict["geom"] == ["A Bike lane project is counted in kilometres: draw it as a line."]


def test_a_playground_may_be_a_point(city):
    project = ProjectFactory.build(category=CategoryFactory(slug="playground"), geom=Point(76.93, 43.25, srid=4326))

    project.full_clean()


def test_a_project_outside_the_city_is_refused(city):
    project = ProjectFactory.build(category=CategoryFactory(), geom=LineString((70.0, 40.0), (70.1, 40.1), srid=4326))

    with pytest.raises(ValidationError) as caught:
        project.full_clean()

    assert caught.value.message_dict["geom"] == ["The geometry lies outside the city's extent."]


def test_a_self_intersecting_square_is_replaced_by_its_repair(city):
    bow_tie = Polygon(((76.940, 43.250), (76.945, 43.255), (76.945, 43.250), (76.940, 43.255), (76.940, 43.250)))
    bow_tie.srid = 4326
    project = ProjectFactory.build(category=CategoryFactory(slug="square"), geom=bow_tie)

    project.full_clean()

    assert project.geom.valid
    assert project.geom.geom_type == "MultiPolygon"


# The spatial and date queries of the queryset.


def test_near_measures_the_distance_in_metres_and_leaves_out_what_is_farther(city):
    near = ProjectFactory(geom=lonlat(LineString(utm((0, 300), (500, 300)))))
    ProjectFactory(geom=lonlat(LineString(utm((0, 900), (500, 900)))))
    here = lonlat(Point(*utm((0, 0))[0]))

    found = list(Project.objects.near(here, 500))

    assert found == [near]
    assert found[0].distance.m == pytest.approx(300, rel=0.005)


def test_active_between_takes_the_actual_dates_before_the_planned_ones(city):
    late = ProjectFactory(planned_start=datetime.date(2024, 1, 1), actual_start=datetime.date(2024, 6, 1))

    assert list(Project.objects.active_between(datetime.date(2024, 2, 1), datetime.date(2024, 3, 1))) == []
    assert list(Project.objects.active_between(datetime.date(2024, 6, 1), datetime.date(2024, 7, 1))) == [late]
