"""The yearly figures, checked against numbers counted by hand from geometries drawn in metres.

Two square districts side by side, West (x 0 to 1,000 m) and East (x 1,000 to
2,000 m), drawn in EPSG:32643 from a point in central Almaty; every project is
drawn in metres in the same frame, so its length, area and district parts are
known before PostGIS measures them.
"""

import datetime

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon

from projects.figures import FIGURES, FigureRow, figures_csv_rows, yearly_figures
from tests.factories import CategoryFactory, CityFactory, DistrictFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ORIGIN = Point(76.90, 43.245, srid=4326).transform(32643, clone=True)


def _lonlat(geometry):
    geometry.srid = 32643
    return geometry.transform(4326, clone=True)


def box(xmin, ymin, xmax, ymax):
    """A rectangle, in metres east and north of ORIGIN."""
    return _lonlat(Polygon.from_bbox((ORIGIN.x + xmin, ORIGIN.y + ymin, ORIGIN.x + xmax, ORIGIN.y + ymax)))


def line(*points):
    return _lonlat(LineString([(ORIGIN.x + x, ORIGIN.y + y) for x, y in points]))


def point(x, y):
    return _lonlat(Point(ORIGIN.x + x, ORIGIN.y + y))


def completed(slug, geom, year, **kwargs):
    kwargs.setdefault("is_published", True)
    kwargs.setdefault("status", "completed")
    kwargs.setdefault("actual_end", datetime.date(year, 9, 30))
    return ProjectFactory(category=CategoryFactory(slug=slug), geom=geom, **kwargs)


@pytest.fixture
def districts(db):
    CityFactory()
    west = DistrictFactory(name="West", name_en="West District", geom=MultiPolygon(box(0, 0, 1000, 1000)))
    east = DistrictFactory(name="East", name_en="East District", geom=MultiPolygon(box(1000, 0, 2000, 1000)))
    return west, east


@pytest.fixture
def projects(districts):
    # 2023
    completed("pedestrian_zone", line((400, 500), (900, 500), (1400, 500)), 2023)  # 600 m West, 400 m East
    completed("bike_lane", line((1200, 300), (1700, 300)), 2023)  # 500 m East
    completed("sidewalk", box(100, 100, 200, 120), 2023)  # 2,000 m² West
    completed("sidewalk", box(850, 700, 1050, 710), 2023)  # 1,500 m² West, 500 m² East; counted West
    completed("playground", point(300, 800), 2023)  # West
    completed("playground", box(900, 850, 1300, 870), 2023)  # straddles; its point on surface (1100, 860) is East
    # 2022
    completed("square", box(1500, 600, 1550, 640), 2022)  # 2,000 m² East
    completed("sports_ground", point(1800, 200), 2022)  # East
    # 2021
    completed("road_repair", line((100, 900), (600, 900)), 2021)  # counted only as a completed project, West
    # Not counted: a draft, works still under way, a cancelled project.
    completed("pedestrian_zone", line((100, 400), (600, 400)), 2023, is_published=False)
    completed("bike_lane", line((100, 300), (600, 300)), 2023, status="construction", actual_end=None)
    completed("square", box(100, 500, 200, 600), 2023, status="cancelled")


def figures(row: FigureRow) -> dict:
    return dict(zip((key for key, _label in FIGURES), row.values(), strict=True))


def test_the_city_figures_per_year_match_the_hand_count(projects):
    rows = yearly_figures()

    assert [(row.year, row.district) for row in rows] == [(2023, None), (2022, None), (2021, None)]
    assert figures(rows[0]) == {
        "pedestrian_km": pytest.approx(1.0, rel=0.005),
        "bike_lane_km": pytest.approx(0.5, rel=0.005),
        "sidewalk_m2": pytest.approx(4000, rel=0.005),
        "square_m2": 0,
        "playgrounds": 2,
        "sports_grounds": 0,
        "completed": 6,
    }
    assert figures(rows[1]) == {
        "pedestrian_km": 0,
        "bike_lane_km": 0,
        "sidewalk_m2": 0,
        "square_m2": pytest.approx(2000, rel=0.005),
        "playgrounds": 0,
        "sports_grounds": 1,
        "completed": 2,
    }
    assert figures(rows[2]) == {
        "pedestrian_km": 0,
        "bike_lane_km": 0,
        "sidewalk_m2": 0,
        "square_m2": 0,
        "playgrounds": 0,
        "sports_grounds": 0,
        "completed": 1,
    }


def test_the_district_figures_split_lines_and_polygons_and_count_where_the_point_on_surface_lies(projects, districts):
    west, east = districts

    rows = yearly_figures(by_district=True)

    assert [(row.year, row.district) for row in rows] == [(2023, east), (2023, west), (2022, east), (2021, west)]
    assert figures(rows[0]) == {
        "pedestrian_km": pytest.approx(0.4, rel=0.005),
        "bike_lane_km": pytest.approx(0.5, rel=0.005),
        "sidewalk_m2": pytest.approx(500, rel=0.005),
        "square_m2": 0,
        "playgrounds": 1,
        "sports_grounds": 0,
        "completed": 2,
    }
    assert figures(rows[1]) == {
        "pedestrian_km": pytest.approx(0.6, rel=0.005),
        "bike_lane_km": 0,
        "sidewalk_m2": pytest.approx(3500, rel=0.005),
        "square_m2": 0,
        "playgrounds": 1,
        "sports_grounds": 0,
        "completed": 4,
    }
    assert figures(rows[2])["square_m2"] == pytest.approx(2000, rel=0.005)
    assert (figures(rows[2])["sports_grounds"], figures(rows[2])["completed"]) == (1, 2)
    assert figures(rows[3])["completed"] == 1


def test_the_figures_of_one_district_are_its_rows_of_the_district_figures(projects, districts):
    west, east = districts

    rows = yearly_figures(district=west)

    assert [(row.year, row.district) for row in rows] == [(2023, west), (2021, west)]
    assert [row.values() for row in rows] == [
        row.values() for row in yearly_figures(by_district=True) if row.district == west
    ]


def test_the_district_counts_add_up_to_the_city_counts(projects):
    city = {row.year: figures(row) for row in yearly_figures()}
    by_district = yearly_figures(by_district=True)

    for year, totals in city.items():
        for key in ("playgrounds", "sports_grounds", "completed"):
            assert sum(figures(row)[key] for row in by_district if row.year == year) == totals[key]


def test_a_corrected_geometry_corrects_the_figures_at_once(districts):
    project = completed("bike_lane", line((1200, 300), (1700, 300)), 2024)

    project.geom = line((1200, 300), (1950, 300))
    project.save()

    assert yearly_figures()[0].bike_lane_km == pytest.approx(0.75, rel=0.005)


def test_a_project_completed_without_being_published_is_not_counted(districts):
    completed("playground", point(300, 800), 2024, is_published=False)

    assert yearly_figures() == []


def test_the_csv_rows_have_a_heading_and_spreadsheet_numbers(projects):
    lines = figures_csv_rows(yearly_figures(by_district=True), by_district=True)

    assert lines[0] == [
        "Year",
        "District",
        "Pedestrian zones (km)",
        "Bike lanes (km)",
        "Sidewalks (m²)",
        "Squares (m²)",
        "Playgrounds",
        "Sports grounds",
        "Completed projects",
    ]
    assert lines[1] == ["2023", "East District", "0.400", "0.500", "500", "0", "1", "0", "2"]
