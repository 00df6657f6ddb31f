"""What is measured from a segment's line: length, districts, the line it follows, urban share, elevation profile."""

import json

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.db import connection

from corridors.measures import measure_segment as measure
from corridors.measures import profile_along, refresh_corridor, segment_districts
from corridors.models import Landscape
from gis_data.models import District
from gis_data.raster import Elevation
from tests.factories import (
    ALMALY,
    ALMATINKA_PROMENADE,
    AUEZOV,
    DEM_CONE_RADIUS,
    DEM_NORTH,
    DEM_PEAK,
    DEM_RES,
    DEM_WEST,
    MALAYA_ALMATINKA,
    TURKSIB_LINE,
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    PopulationCellFactory,
    RailwayFactory,
    RasterFactory,
    SegmentFactory,
    WaterwayFactory,
    write_dem,
)

UTM = 32643
FOLLOW_METRES = 60

# A plane in UTM zone 43N rising 5 % to the east, on 30 m pixels, around central Almaty.
PLANE_WEST, PLANE_NORTH, PLANE_PIXEL, PLANE_SIZE, PLANE_GRADE = 655_000.0, 4_791_000.0, 30.0, 150, 0.05


def plane_height(x: float) -> float:
    return 800 + PLANE_GRADE * (x - PLANE_WEST)


def utm_plane(holes: tuple[slice, slice] | None = None) -> Elevation:
    """The 5 % plane as an elevation model, with no data in the ``holes`` (rows, columns) if given."""
    columns = np.arange(PLANE_SIZE)
    values = np.tile(plane_height(PLANE_WEST + (columns + 0.5) * PLANE_PIXEL), (PLANE_SIZE, 1))
    if holes is not None:
        values[holes] = np.nan
    transform = Affine(PLANE_PIXEL, 0, PLANE_WEST, 0, -PLANE_PIXEL, PLANE_NORTH)
    return Elevation(values, transform, UTM)


def utm_line(*offsets: tuple[float, float]) -> np.ndarray:
    """A line in UTM through points given in metres east and south of a place 1.5 km inside the plane."""
    start_x, start_y = PLANE_WEST + 1500, PLANE_NORTH - 1500
    return np.array([(start_x + east, start_y - south) for east, south in offsets])


# The profile: sampled every step, climbs and grades known by hand on the 5 % plane.


def test_a_line_going_east_for_a_kilometre_on_a_5_percent_slope_climbs_50_metres():
    profile = profile_along(utm_line((0, 0), (1000, 0)), UTM, utm_plane(), 30)
    assert profile.climb_m == pytest.approx(50, abs=0.01)
    assert profile.descent_m == pytest.approx(0, abs=0.01)
    assert profile.mean_grade == pytest.approx(0.05, abs=1e-4)
    assert profile.max_grade == pytest.approx(0.05, abs=1e-4)
    assert profile.gap_m == 0


def test_the_same_line_drawn_westwards_descends_50_metres():
    profile = profile_along(utm_line((1000, 0), (0, 0)), UTM, utm_plane(), 30)
    assert profile.climb_m == pytest.approx(0, abs=0.01)
    assert profile.descent_m == pytest.approx(50, abs=0.01)


def test_a_line_half_east_half_north_has_half_the_mean_grade_and_the_full_maximum():
    profile = profile_along(utm_line((0, 0), (500, 0), (500, -500)), UTM, utm_plane(), 30)
    assert profile.climb_m == pytest.approx(25, abs=0.01)
    assert profile.mean_grade == pytest.approx(0.025, abs=1e-4)
    assert profile.max_grade == pytest.approx(0.05, abs=1e-4)


def test_going_there_and_back_climbs_and_descends_and_counts_both_in_the_mean_grade():
    # The turn is on a sample (390 m): a turn between two samples is seen only at the samples' heights.
    profile = profile_along(utm_line((0, 0), (390, 0), (0, 0)), UTM, utm_plane(), 30)
    assert (profile.climb_m, profile.descent_m) == (pytest.approx(19.5, abs=0.01), pytest.approx(19.5, abs=0.01))
    assert profile.mean_grade == pytest.approx(0.05, abs=1e-4)


def test_the_line_is_sampled_every_step_and_at_its_end():
    profile = profile_along(utm_line((0, 0), (1000, 0)), UTM, utm_plane(), 30)
    assert profile.distances == pytest.approx([*range(0, 1000, 30), 1000])
    assert len(profile.elevations) == len(profile.distances)
    assert profile.elevations[0] == pytest.approx(plane_height(PLANE_WEST + 1500))
    assert profile.elevations[-1] == pytest.approx(plane_height(PLANE_WEST + 2500))


def test_a_sample_a_hair_before_the_end_is_not_kept_beside_the_end():
    profile = profile_along(utm_line((0, 0), (60.001, 0)), UTM, utm_plane(), 30)
    assert profile.distances == pytest.approx([0, 30, 60.001])


def test_repeated_vertices_do_not_change_the_profile():
    plain = profile_along(utm_line((0, 0), (300, 0), (300, -300)), UTM, utm_plane(), 30)
    repeated = profile_along(utm_line((0, 0), (300, 0), (300, 0), (300, -300)), UTM, utm_plane(), 30)
    assert repeated.distances == pytest.approx(plain.distances)
    assert repeated.elevations == pytest.approx(plain.elevations)


def test_a_dem_gap_is_reported_and_never_filled_with_zeros():
    # No data over 10 columns (300 m) from 1,800 m east of the plane's west edge; the line crosses them.
    profile = profile_along(utm_line((0, 0), (1000, 0)), UTM, utm_plane((slice(None), slice(60, 70))), 30)
    heights = profile.elevations
    assert None in heights
    assert 0 not in heights
    assert heights[0] is not None and heights[-1] is not None
    # The hole, widened by the half pixels the interpolation needs on each side and a step at each end.
    assert 300 <= profile.gap_m <= 300 + PLANE_PIXEL + 2 * 30
    pairs = [(a, b) for a, b in zip(heights, heights[1:], strict=False) if a is not None and b is not None]
    assert profile.climb_m == pytest.approx(sum(max(b - a, 0) for a, b in pairs))
    assert profile.climb_m == pytest.approx(PLANE_GRADE * (1000 - profile.gap_m), abs=0.01)
    assert profile.mean_grade == pytest.approx(0.05, abs=1e-4)


def test_a_line_entirely_in_a_gap_has_no_figures():
    profile = profile_along(utm_line((0, 0), (200, 0)), UTM, utm_plane((slice(None), slice(40, 100))), 30)
    assert set(profile.elevations) == {None}
    assert (profile.climb_m, profile.descent_m, profile.mean_grade, profile.max_grade) == (None, None, None, None)
    assert profile.gap_m == pytest.approx(200)


def test_without_an_elevation_model_the_whole_line_is_a_gap():
    profile = profile_along(utm_line((0, 0), (100, 0)), UTM, None, 30)
    assert set(profile.elevations) == {None}
    assert profile.climb_m is None
    assert profile.gap_m == pytest.approx(100)


def test_the_profile_is_kept_as_json_with_nulls_where_there_is_no_data():
    profile = profile_along(utm_line((0, 0), (1000, 0)), UTM, utm_plane((slice(None), slice(60, 70))), 30)
    kept = json.loads(json.dumps(profile.as_json()))
    assert kept["step"] == 30
    assert kept["distances"][:3] == [0, 30, 60]
    assert None in kept["elevations"]
    assert kept["elevations"][0] == round(plane_height(PLANE_WEST + 1500), 1)


# Measuring a saved segment's line against the city's layers.


@pytest.fixture
def city(db):
    return CityFactory()


def shapely_metric(geom) -> shapely.Geometry:
    """``geom`` in UTM as a shapely geometry: transformed by GDAL, measured by shapely, not by PostGIS."""
    return shapely.from_wkb(bytes(geom.transform(UTM, clone=True).wkb))


def share_within(segment_line, *lines, metres: float = FOLLOW_METRES) -> float:
    metric = shapely_metric(segment_line)
    near = shapely.union_all([shapely_metric(line).buffer(metres) for line in lines])
    return metric.intersection(near).length / metric.length


def measured(geom, **kwargs):
    segment = SegmentFactory.build(geom=geom, corridor=CorridorFactory(), **kwargs)
    measure(segment)
    return segment


def along_river(start: float, end: float) -> tuple[float, float]:
    """The point of the Malaya Almatinka's first stretch at fraction ``start`` to ``end`` of the way."""
    (x0, y0), (x1, y1) = MALAYA_ALMATINKA.coords[0], MALAYA_ALMATINKA.coords[1]
    return x0 + (x1 - x0) * start, y0 + (y1 - y0) * end


def test_the_length_is_measured_in_the_citys_metric_reference(city):
    segment = measured(ALMATINKA_PROMENADE.clone())
    assert segment.length_m == pytest.approx(ALMATINKA_PROMENADE.transform(UTM, clone=True).length, abs=0.01)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Length(ST_GeomFromText(%s, 4326)::geography)", [ALMATINKA_PROMENADE.wkt])
        on_spheroid = cursor.fetchone()[0]
    assert segment.length_m == pytest.approx(on_spheroid, rel=0.005)


def test_the_districts_are_those_the_line_crosses(city):
    DistrictFactory(name="Almaly", geom=ALMALY.clone())
    DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    DistrictFactory(name="Medeu", geom=MultiPolygon(Polygon.from_bbox((77.0, 43.1, 77.1, 43.2)), srid=4326))
    segment = measured(LineString((76.845, 43.225), (76.90, 43.245), srid=4326))
    assert sorted(segment_districts(segment).values_list("name", flat=True)) == ["Almaly", "Auezov"]


def test_a_promenade_along_the_river_follows_it(city):
    WaterwayFactory()
    segment = measured(ALMATINKA_PROMENADE.clone())
    assert segment.follows == "river"
    assert segment.follows_name == "Малая Алматинка"
    assert segment.follows_share == pytest.approx(share_within(ALMATINKA_PROMENADE, MALAYA_ALMATINKA), abs=0.01)
    assert segment.follows_share > 0.95


def test_the_share_along_the_river_is_the_share_within_the_follow_distance(city):
    WaterwayFactory()
    leaving = LineString(along_river(0.1, 0.1), along_river(0.5, 0.5), (76.9715, 43.2580), srid=4326)
    expected = share_within(leaving, MALAYA_ALMATINKA)
    assert 0.4 < expected < 0.7
    assert measured(leaving).follows_share == pytest.approx(expected, abs=0.01)


def test_a_segment_mostly_away_from_the_river_does_not_follow_it(city):
    WaterwayFactory()
    crossing = LineString((76.9560, 43.2580), (76.9700, 43.2560), srid=4326)
    assert share_within(crossing, MALAYA_ALMATINKA) < 0.3
    segment = measured(crossing)
    assert (segment.follows, segment.follows_name, segment.follows_share) == ("", "", None)


def test_ways_of_one_river_count_together(city):
    (x0, y0), (x1, y1) = MALAYA_ALMATINKA.coords[:2]
    middle = ((x0 + x1) / 2, (y0 + y1) / 2)
    WaterwayFactory(geom=LineString((x0, y0), middle, srid=4326))
    WaterwayFactory(geom=LineString(middle, (x1, y1), srid=4326))
    assert measured(ALMATINKA_PROMENADE.clone()).follows_share > 0.95


def test_a_stream_is_not_followed(city):
    WaterwayFactory(kind="stream")
    assert measured(ALMATINKA_PROMENADE.clone()).follows == ""


def shifted(line: LineString, north: float) -> LineString:
    return LineString([(x, y + north) for x, y in line.coords], srid=4326)


def test_a_path_beside_a_railway_follows_it(city):
    RailwayFactory(name="Турксиб")
    segment = measured(shifted(TURKSIB_LINE, 0.0002))
    assert (segment.follows, segment.follows_name) == ("railway", "Турксиб")


def test_a_disused_railway_is_preferred_to_a_line_in_use_beside_it(city):
    RailwayFactory(name="Турксиб")
    RailwayFactory(kind="disused", in_use=False, name="old siding", geom=shifted(TURKSIB_LINE, -0.0002))
    segment = measured(TURKSIB_LINE.clone())
    assert (segment.follows, segment.follows_name) == ("disused_railway", "old siding")
    assert segment.follows_share > 0.95


def test_a_tram_line_is_not_followed(city):
    RailwayFactory(kind="tram")
    assert measured(shifted(TURKSIB_LINE, 0.0002)).follows == ""


# Three cells of 200 m side by side, west to east, and a line through them from west to east.
CELL_CORNERS = [(76.9200, 43.2400), (76.92247, 43.2400), (76.92494, 43.2400)]
THROUGH_CELLS = LineString((76.9205, 43.2409), (76.9270, 43.2409), srid=4326)


def cells(*urban: bool) -> list:
    return [
        PopulationCellFactory(corner=corner, is_urban=flag) for corner, flag in zip(CELL_CORNERS, urban, strict=True)
    ]


def test_without_population_cells_the_landscape_is_not_derived(city):
    segment = measured(THROUGH_CELLS.clone())
    assert segment.urban_share is None
    assert segment.landscape_derived == ""


def test_a_segment_mostly_inside_urban_blocks_is_free_form(city):
    made = cells(True, True, False)
    segment = measured(THROUGH_CELLS.clone())
    urban = shapely.union_all([shapely_metric(cell.geom) for cell in made[:2]])
    expected = shapely_metric(THROUGH_CELLS).intersection(urban).length / shapely_metric(THROUGH_CELLS).length
    assert segment.urban_share == pytest.approx(expected, abs=0.005)
    assert segment.urban_share > 0.5
    assert segment.landscape_derived == Landscape.FREE_FORM


def test_a_segment_mostly_outside_urban_blocks_is_natural(city):
    cells(False, True, False)
    segment = measured(THROUGH_CELLS.clone())
    assert 0.2 < segment.urban_share < 0.5
    assert segment.landscape_derived == Landscape.NATURAL


def test_a_segment_beyond_every_cell_is_natural(city):
    cells(True, True, True)
    segment = measured(ALMATINKA_PROMENADE.clone())
    assert segment.urban_share == 0
    assert segment.landscape_derived == Landscape.NATURAL


def test_an_override_wins_over_the_derived_landscape(city):
    cells(True, True, True)
    segment = measured(THROUGH_CELLS.clone(), landscape_override="natural", landscape_reason="riverside meadow")
    assert segment.landscape_derived == Landscape.FREE_FORM
    assert segment.landscape == Landscape.NATURAL


@pytest.fixture
def cone(city, tmp_path):
    """The synthetic cone DEM (a no-data strip along its west edge), registered for the city."""
    return RasterFactory(path=str(write_dem(tmp_path / "cone.tif")))


def cone_height(lon: float, lat: float) -> float:
    """The cone's height by its own formula, in pixel coordinates of the synthetic DEM (not interpolated)."""
    column, row = (lon - DEM_WEST) / DEM_RES - 0.5, (DEM_NORTH - lat) / DEM_RES - 0.5
    distance = np.hypot(row - DEM_PEAK[0], column - DEM_PEAK[1])
    return 800 + 1000 * max(1 - distance / DEM_CONE_RADIUS, 0)


def test_a_segment_up_the_cone_climbs_as_the_cone_rises(cone):
    end = (76.930, 43.250)
    segment = measured(LineString((76.910, 43.250), end, srid=4326))
    assert segment.climb_m == pytest.approx(cone_height(*end) - 800, abs=10)
    assert segment.descent_m == pytest.approx(0, abs=0.5)
    assert segment.dem_gap_m == 0
    assert segment.profile["step"] == 30
    assert len(segment.profile["distances"]) == len(segment.profile["elevations"])
    assert segment.profile["distances"][-1] == pytest.approx(segment.length_m, abs=0.1)


def test_a_segment_from_the_no_data_strip_reports_the_gap(cone):
    segment = measured(LineString((76.9005, 43.250), (76.920, 43.250), srid=4326))
    heights = segment.profile["elevations"]
    assert heights[0] is None
    assert heights[-1] == pytest.approx(800)
    assert 0 not in heights
    # The strip reaches 76.904 and the interpolation needs the next half pixel: about 325 m of the way.
    strip = Point(76.9045, 43.25, srid=4326).transform(UTM, clone=True).x
    start = Point(76.9005, 43.25, srid=4326).transform(UTM, clone=True).x
    assert strip - start <= segment.dem_gap_m <= strip - start + 30
    assert segment.climb_m == pytest.approx(0, abs=0.01)


def test_without_an_elevation_model_the_profile_has_no_heights(city):
    segment = measured(ALMATINKA_PROMENADE.clone())
    assert set(segment.profile["elevations"]) == {None}
    assert segment.climb_m is None and segment.max_grade is None
    assert segment.dem_gap_m == pytest.approx(segment.length_m)


def test_a_plane_in_longitude_and_latitude_gives_the_climb_computed_by_hand(city, tmp_path):
    # 1 m per pixel column to the east: the climb of a line is the difference of the plane's heights at its ends.
    rows, columns = np.mgrid[0:48, 0:64]
    RasterFactory(path=str(write_dem(tmp_path / "plane.tif", 900 + 1.0 * columns + 0 * rows)))
    start, end = (76.905, 43.26), (76.955, 43.24)
    segment = measured(LineString(start, end, srid=4326))

    def by_hand(lon: float) -> float:
        return 900 + (lon - DEM_WEST) / DEM_RES - 0.5

    assert segment.climb_m == pytest.approx(by_hand(end[0]) - by_hand(start[0]), abs=0.5)
    assert segment.descent_m == pytest.approx(0, abs=0.01)


# The corridor: sums over its segments.


def test_the_corridor_sums_its_segments(city):
    corridor = CorridorFactory()
    almaly, auezov = DistrictFactory(name="Almaly"), DistrictFactory(name="Auezov", geom=AUEZOV.clone())
    first = SegmentFactory(corridor=corridor, length_m=1000, dem_gap_m=0, climb_m=30, descent_m=10, max_grade=0.08)
    SegmentFactory(corridor=corridor, length_m=500, dem_gap_m=100, climb_m=5, descent_m=15, max_grade=0.12)
    third = SegmentFactory(corridor=corridor, length_m=200, dem_gap_m=200)
    first.districts.set([almaly])
    third.districts.set([almaly, auezov])

    refresh_corridor(corridor)
    corridor.refresh_from_db()

    assert corridor.length_m == pytest.approx(1700)
    assert corridor.dem_gap_m == pytest.approx(300)
    assert (corridor.climb_m, corridor.descent_m) == (pytest.approx(35), pytest.approx(25))
    # (35 + 25) m over the 1,400 m with heights.
    assert corridor.mean_grade == pytest.approx(60 / 1400)
    assert corridor.max_grade == pytest.approx(0.12)
    assert set(corridor.districts.all()) == {almaly, auezov}


def test_a_corridor_without_segments_has_no_figures(city):
    corridor = CorridorFactory(length_m=500, climb_m=10)
    corridor.districts.set([DistrictFactory()])
    refresh_corridor(corridor)
    corridor.refresh_from_db()
    assert (corridor.length_m, corridor.climb_m, corridor.mean_grade) == (0, None, None)
    assert not District.objects.filter(pk__in=corridor.districts.values("pk")).exists()


def test_the_elevation_model_file_is_read_once_for_many_segments(cone, monkeypatch):
    measured(LineString((76.910, 43.250), (76.930, 43.250), srid=4326))
    opened = []
    real_open = rasterio.open
    monkeypatch.setattr(rasterio, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    for offset in range(3):
        measured(LineString((76.910, 43.250 + offset * 0.001), (76.930, 43.250), srid=4326))
    assert opened == []
