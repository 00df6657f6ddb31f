"""Suggested trajectories: the cost surface and the least-cost line over it (corridors.trajectory).

Most tests draw on synthetic elevation models at the factories' place (pixels of
0.001°, about 81 m east–west and 111 m north–south) with features laid through
pixel centres, so that which cells they burn is plain. One test runs on the
real Almaty DEM and the rivers of the 2012 extract.
"""

import json
import math
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon
from django.core.cache import cache
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from corridors import trajectory
from corridors.trajectory import (
    BARRIER_COST,
    BUILDING_COST,
    FOLLOW_BUFFER_COST,
    FOLLOW_COST,
    GREEN_COST,
    NODATA_COST,
    SLOPE_FACTOR_CAP,
    Suggestion,
    TrajectoryError,
    cost_surface,
    cost_surface_bounds,
    cost_surface_png,
    suggest_trajectory,
)
from gis_data.models import DataSource, GreenArea, Railway, Street, Waterway
from gis_data.raster import METRES_PER_DEGREE
from tests.factories import (
    DEM_NORTH,
    DEM_PEAK,
    DEM_RES,
    DEM_WEST,
    BuildingFactory,
    CityFactory,
    DataSourceFactory,
    GreenAreaFactory,
    RailwayFactory,
    RasterFactory,
    StreetFactory,
    WaterwayFactory,
    write_dem,
)

pytestmark = pytest.mark.django_db

# The flat synthetic plain: rows run south, columns east, from the factories' north-west corner.
PLAIN_HEIGHT, PLAIN_WIDTH, PLAIN_ELEVATION = 60, 80, 800.0
ALMATY_DATA = Path(settings.CITY_PACK).parent / "../../../../shared/data/almaty"


@pytest.fixture(autouse=True)
def fresh_caches():
    """Surfaces are cached per process and pictures in Django's cache; every test starts without either."""
    trajectory.clear_cache()
    cache.clear()
    yield
    trajectory.clear_cache()
    cache.clear()


# Helpers (also used by test_trajectory_views).


def lonlat(row: float, column: float) -> tuple[float, float]:
    """The longitude and latitude of the centre of the synthetic grids' pixel (row, column)."""
    return DEM_WEST + (column + 0.5) * DEM_RES, DEM_NORTH - (row + 0.5) * DEM_RES


def at(row: float, column: float) -> Point:
    return Point(*lonlat(row, column), srid=4326)


def through(*cells: tuple[float, float]) -> LineString:
    """A line through the centres of the pixels ``cells`` (row, column)."""
    return LineString([lonlat(row, column) for row, column in cells], srid=4326)


def box(first_row: float, first_column: float, last_row: float, last_column: float) -> MultiPolygon:
    """A polygon covering the pixels from (first_row, first_column) to (last_row, last_column), edges included."""
    west, north = DEM_WEST + first_column * DEM_RES, DEM_NORTH - first_row * DEM_RES
    east, south = DEM_WEST + (last_column + 1) * DEM_RES, DEM_NORTH - (last_row + 1) * DEM_RES
    return MultiPolygon(Polygon.from_bbox((west, south, east, north)), srid=4326)


def dem(path: Path, elevation: np.ndarray | None = None):
    """An elevation model at the factories' place, registered as the city's DEM (the cone when none is given)."""
    write_dem(path, elevation)
    height, width = (48, 64) if elevation is None else elevation.shape
    bounds = Polygon.from_bbox((DEM_WEST, DEM_NORTH - height * DEM_RES, DEM_WEST + width * DEM_RES, DEM_NORTH))
    return RasterFactory(path=str(path), width=width, height=height, bounds=bounds)


def plain(path: Path):
    """A flat plain of PLAIN_HEIGHT × PLAIN_WIDTH pixels at PLAIN_ELEVATION metres."""
    return dem(path, np.full((PLAIN_HEIGHT, PLAIN_WIDTH), PLAIN_ELEVATION))


def metres_within(line: LineString, other: GEOSGeometry, metres: float) -> float:
    """The length (m) of ``line`` within ``metres`` of ``other``, in UTM 43N."""
    utm_line, utm_other = (shapely.from_wkb(bytes(g.transform(32643, clone=True).wkb)) for g in (line, other))
    return utm_line.intersection(utm_other.buffer(metres)).length


def straight_metres(start: Point, end: Point) -> float:
    return start.transform(32643, clone=True).distance(end.transform(32643, clone=True))


@pytest.fixture
def flat(tmp_path):
    return plain(tmp_path / "plain.tif")


# The surface.


def test_a_river_is_cheap_a_park_cheaper_than_open_ground_and_a_building_dear(flat):
    WaterwayFactory(geom=through((10, 5), (10, 30)))
    GreenAreaFactory(geom=box(20, 20, 24, 24))
    BuildingFactory(geom=box(40, 40, 40, 40))
    cost = cost_surface(flat.source.city).cost
    assert cost[10, 10] == pytest.approx(FOLLOW_COST)
    assert cost[9, 10] == cost[11, 10] == pytest.approx(FOLLOW_BUFFER_COST)
    assert cost[22, 22] == pytest.approx(GREEN_COST)
    assert cost[40, 40] == pytest.approx(BUILDING_COST)
    assert cost[30, 60] == pytest.approx(1.0)


def test_a_building_covering_part_of_a_cell_costs_in_proportion(flat):
    west, north = lonlat(40, 40)
    # Half the cell, its western half: from its west edge to its centre's longitude.
    half = Polygon.from_bbox((west - DEM_RES / 2, north - DEM_RES / 2, west, north + DEM_RES / 2))
    BuildingFactory(geom=MultiPolygon(half, srid=4326))
    assert cost_surface(flat.source.city).cost[40, 40] == pytest.approx((1 + BUILDING_COST) / 2)


def test_railways_in_use_and_trunk_roads_are_barriers_but_disused_railways_and_tram_lines_are_not(flat):
    RailwayFactory(geom=through((10, 0), (10, 79)))
    RailwayFactory(kind="disused", in_use=False, geom=through((20, 0), (20, 79)))
    RailwayFactory(kind="tram", geom=through((30, 0), (30, 79)))
    StreetFactory(highway="trunk", geom=through((0, 60), (59, 60)))
    StreetFactory(highway="primary", geom=through((0, 70), (59, 70)))
    cost = cost_surface(flat.source.city).cost
    assert cost[10, 30] == cost[40, 60] == BARRIER_COST
    assert cost[20, 30] == pytest.approx(FOLLOW_COST)
    assert cost[30, 30] == cost[40, 70] == pytest.approx(1.0)


def test_a_slope_of_five_percent_doubles_the_cost(tmp_path):
    latitude = DEM_NORTH - PLAIN_HEIGHT / 2 * DEM_RES
    pixel_width = DEM_RES * METRES_PER_DEGREE * math.cos(math.radians(latitude))
    columns = np.arange(PLAIN_WIDTH) * pixel_width
    raster = dem(tmp_path / "tilted.tif", np.tile(800 + 0.05 * columns, (PLAIN_HEIGHT, 1)))
    assert cost_surface(raster.source.city).cost[30, 40] == pytest.approx(2.0, rel=1e-3)


def test_steep_ground_costs_at_most_the_cap(tmp_path):
    raster = dem(tmp_path / "cone.tif")
    cost = cost_surface(raster.source.city).cost
    assert cost[DEM_PEAK[0] + 5, DEM_PEAK[1]] == SLOPE_FACTOR_CAP
    assert np.nanmax(cost[np.isfinite(cost)]) == SLOPE_FACTOR_CAP


def test_a_gap_in_the_dem_costs_as_much_as_the_steepest_ground_not_nothing(tmp_path):
    raster = dem(tmp_path / "cone.tif")
    surface = cost_surface(raster.source.city)
    assert surface.gap[:, :4].all()
    assert (surface.cost[:, :4] == NODATA_COST).all()


def test_cells_outside_the_citys_extent_cannot_be_crossed(tmp_path):
    west, north = DEM_WEST, DEM_NORTH
    CityFactory(extent=Polygon.from_bbox((west, north - 0.030, west + 0.040, north)))
    raster = plain(tmp_path / "plain.tif")
    surface = cost_surface(raster.source.city)
    # The surface is clipped to the extent's box: 30 rows and 40 columns of the plain.
    assert surface.shape == (30, 40)
    assert np.isfinite(surface.cost).all()
    assert cost_surface_bounds(raster.source.city) == pytest.approx((west, north - 0.030, west + 0.040, north))


def test_cells_of_the_extents_box_outside_the_extent_are_impassable(tmp_path):
    west, north = DEM_WEST, DEM_NORTH
    # A triangle: its box is the plain's, its south-east half is outside the city.
    corners = ((west, north), (west + 0.080, north), (west, north - 0.060), (west, north))
    CityFactory(extent=Polygon(corners, srid=4326))
    surface = cost_surface(plain(tmp_path / "plain.tif").source.city)
    assert np.isfinite(surface.cost[5, 5])
    assert surface.cost[55, 75] == np.inf


def test_the_surface_is_built_once_and_again_when_a_source_changes(flat, django_assert_max_num_queries):
    city = flat.source.city
    first = cost_surface(city)
    # Only the key is asked for: which sources and their checksums.
    with django_assert_max_num_queries(2):
        assert cost_surface(city) is first
    WaterwayFactory(geom=through((10, 5), (10, 30)))
    DataSource.objects.filter(key="osm2012").update(sha256="1" * 64)
    second = cost_surface(city)
    assert second is not first
    assert second.cost[10, 10] == pytest.approx(FOLLOW_COST)


def test_a_city_without_an_elevation_model_has_no_surface(db):
    city = CityFactory()
    with pytest.raises(TrajectoryError, match="no elevation model"):
        cost_surface(city)
    with pytest.raises(TrajectoryError, match="no elevation model"):
        cost_surface_bounds(city)


def test_an_unreadable_elevation_model_is_reported_not_raised_as_a_crash(tmp_path):
    raster = RasterFactory(path=str(tmp_path / "missing.tif"))
    with pytest.raises(TrajectoryError, match="cannot be read"):
        cost_surface_bounds(raster.source.city)


# The picture.


def read_png(data: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(data) as memory, memory.open() as png:
            assert png.driver == "PNG"
            return png.read()


def test_the_picture_is_green_on_a_river_red_on_buildings_dark_on_barriers_and_clear_in_gaps(tmp_path):
    raster = dem(tmp_path / "cone.tif")
    WaterwayFactory(geom=through((5, 5), (5, 30)))
    BuildingFactory(geom=box(40, 10, 40, 10))
    RailwayFactory(geom=through((45, 0), (45, 63)))
    red, green, blue, alpha = read_png(cost_surface_png(raster.source.city)).astype(int)
    assert red.shape == (48, 64)
    assert green[5, 10] > red[5, 10] and alpha[5, 10] > 0
    assert red[40, 10] > green[40, 10]
    assert red[45, 30] + green[45, 30] + blue[45, 30] < 150 and alpha[45, 30] > alpha[5, 10]
    assert (alpha[:, :4] == 0).all()


# The suggestion.


def u_shaped_river(depth: int) -> LineString:
    """A river leaving (10, 30) southwards, running ``depth`` rows down, east, and back up to (10, 50)."""
    return through((10, 30), (10 + depth, 30), (10 + depth, 50), (10, 50))


def test_the_line_follows_a_river_that_is_a_small_detour(flat):
    river = WaterwayFactory(geom=u_shaped_river(depth=3)).geom
    start, end = at(10, 30), at(10, 50)
    suggestion = suggest_trajectory(flat.source.city, start, end)
    assert suggestion.follows_share > 0.9
    assert metres_within(suggestion.line, river, 30) > 0.9 * suggestion.length_m
    assert suggestion.length_m > 1.2 * straight_metres(start, end)


def test_the_line_leaves_a_river_that_is_a_long_detour(flat):
    # Along the river 6.5 km at 0.3 is dearer than the 1.6 km straight across.
    WaterwayFactory(geom=u_shaped_river(depth=22))
    start, end = at(10, 30), at(10, 50)
    suggestion = suggest_trajectory(flat.source.city, start, end)
    assert suggestion.follows_share < 0.2
    assert suggestion.length_m < 1.05 * straight_metres(start, end)


def test_the_line_follows_a_disused_railway(flat):
    railway = RailwayFactory(kind="abandoned", in_use=False, geom=u_shaped_river(depth=3)).geom
    suggestion = suggest_trajectory(flat.source.city, at(10, 30), at(10, 50))
    assert suggestion.follows_share > 0.9
    assert metres_within(suggestion.line, railway, 30) > 0.9 * suggestion.length_m


def test_the_line_goes_around_a_steep_hill_rather_than_over_it(tmp_path):
    raster = dem(tmp_path / "cone.tif")
    start, end = at(DEM_PEAK[0], 20), at(DEM_PEAK[0], 60)
    suggestion = suggest_trajectory(raster.source.city, start, end)
    # Straight over the peak would climb 1,000 m.
    assert suggestion.climb_m < 100
    assert max(height for height in suggestion.profile.elevations if height is not None) < 900
    assert suggestion.length_m > straight_metres(start, end)


def test_a_barrier_is_crossed_once_and_not_followed(flat):
    railway = RailwayFactory(geom=through((30, 0), (30, 79))).geom
    # The start is a row north of the railway, the end a row south of it, 4.9 km east.
    suggestion = suggest_trajectory(flat.source.city, at(29, 10), at(31, 70))
    crossing = shapely.from_wkb(bytes(suggestion.line.wkb)).intersection(shapely.from_wkb(bytes(railway.wkb)))
    assert crossing.geom_type == "Point"
    assert metres_within(suggestion.line, railway, 40) < 200


def test_the_line_runs_from_the_start_to_the_end_with_few_vertices_and_does_not_cross_itself(flat):
    WaterwayFactory(geom=through((10, 5), (20, 20), (12, 40), (25, 60), (15, 75)))
    start, end = at(8, 3), at(17, 77)
    suggestion = suggest_trajectory(flat.source.city, start, end)
    line = suggestion.line
    assert (line.srid, line.geom_type) == (4326, "LineString")
    assert line[0] == pytest.approx(start.coords) and line[-1] == pytest.approx(end.coords)
    assert line.simple
    assert suggestion.vertices == len(line) < 40
    assert suggestion.length_m == pytest.approx(line.transform(32643, clone=True).length)


def test_a_start_and_an_end_in_one_cell_are_joined_straight(flat):
    # 80 m apart north to south, in a pixel 111 m high.
    start, end = (
        Point(lonlat(10, 10)[0], DEM_NORTH - 10.1 * DEM_RES),
        Point(lonlat(10, 10)[0], DEM_NORTH - 10.82 * DEM_RES),
    )
    suggestion = suggest_trajectory(flat.source.city, start, end)
    assert len(suggestion.line) == 2
    assert suggestion.line[0] == pytest.approx(start.coords) and suggestion.line[1] == pytest.approx(end.coords)
    assert suggestion.length_m == pytest.approx(80, abs=1)


def test_the_line_keeps_inside_a_city_shaped_like_an_l(tmp_path):
    west, north = DEM_WEST, DEM_NORTH
    corners = (
        (west, north),
        (west + 0.020, north),
        (west + 0.020, north - 0.040),
        (west + 0.080, north - 0.040),
        (west + 0.080, north - 0.060),
        (west, north - 0.060),
        (west, north),
    )
    city = CityFactory(extent=Polygon(corners, srid=4326))
    raster = plain(tmp_path / "plain.tif")
    suggestion = suggest_trajectory(raster.source.city, at(5, 10), at(50, 70))
    # Around the inner corner, not across the missing quarter; the line may graze the corner itself.
    assert city.extent.buffer(1e-9).covers(suggestion.line)
    assert suggestion.line.simple


def test_the_climb_and_descent_come_from_the_elevation_profile(tmp_path):
    latitude = DEM_NORTH - PLAIN_HEIGHT / 2 * DEM_RES
    pixel_width = DEM_RES * METRES_PER_DEGREE * math.cos(math.radians(latitude))
    columns = np.arange(PLAIN_WIDTH) * pixel_width
    raster = dem(tmp_path / "tilted.tif", np.tile(800 + 0.02 * columns, (PLAIN_HEIGHT, 1)))
    suggestion = suggest_trajectory(raster.source.city, at(30, 10), at(30, 60))
    # 50 pixels east at 2 %: about 81 m up, none down.
    assert suggestion.climb_m == pytest.approx(0.02 * 50 * pixel_width, rel=0.05)
    assert suggestion.descent_m == pytest.approx(0, abs=1)
    assert suggestion.profile.step == settings.CORRIDOR_PROFILE_STEP_METRES


def test_the_summary_gives_length_share_and_climb():
    suggestion = Suggestion(
        line=LineString((0, 0), (1, 1), srid=4326),
        length_m=2430,
        follows_share=0.68,
        climb_m=35.2,
        descent_m=3,
        max_grade=0.04,
        dem_gap_m=0,
        vertices=2,
        profile=None,
    )
    assert suggestion.summary() == "2.4 km, 68 % along rivers, canals or disused railways, 35 m of climbing"
    suggestion.length_m, suggestion.climb_m = 640, None
    assert suggestion.summary() == "640 m, 68 % along rivers, canals or disused railways"


# Where no trajectory can be suggested.


def test_a_start_outside_the_citys_extent_is_refused(flat):
    with pytest.raises(TrajectoryError, match="start lies outside the city's extent"):
        suggest_trajectory(flat.source.city, Point(80.0, 43.0, srid=4326), at(10, 10))


def test_an_end_beyond_the_elevation_model_is_refused(flat):
    # Inside the city's extent, west of the plain.
    with pytest.raises(TrajectoryError, match="end lies outside the cost surface"):
        suggest_trajectory(flat.source.city, at(10, 10), Point(76.6, 43.0, srid=4326))


def test_the_same_point_twice_is_refused(flat):
    with pytest.raises(TrajectoryError, match="less than 50 m apart"):
        suggest_trajectory(flat.source.city, at(10, 10), at(10, 10))


def test_a_start_and_an_end_closer_than_fifty_metres_are_refused(flat):
    start = at(10, 10)
    with pytest.raises(TrajectoryError, match="less than 50 m apart"):
        suggest_trajectory(flat.source.city, start, Point(start.x + 0.0004, start.y, srid=4326))


def test_a_start_in_a_gap_of_the_dem_is_refused(tmp_path):
    raster = dem(tmp_path / "cone.tif")
    with pytest.raises(TrajectoryError, match="start lies in a gap of the elevation model"):
        suggest_trajectory(raster.source.city, at(10, 1), at(10, 20))


def test_points_the_city_does_not_join_are_refused(tmp_path):
    west, north = DEM_WEST, DEM_NORTH
    # Two squares of the city joined by a strip too thin to hold the centre of any pixel.
    halves = shapely.union_all(
        [
            shapely.box(west, north - 0.030, west + 0.030, north),
            shapely.box(west + 0.050, north - 0.030, west + 0.080, north),
            shapely.box(west + 0.030, north - 0.0102, west + 0.050, north - 0.0101),
        ]
    )
    CityFactory(extent=GEOSGeometry(halves.wkt, srid=4326))
    raster = plain(tmp_path / "plain.tif")
    with pytest.raises(TrajectoryError, match="No path joins the start and the end"):
        suggest_trajectory(raster.source.city, at(15, 10), at(15, 70))


def test_a_city_without_an_elevation_model_gets_no_suggestion(db):
    with pytest.raises(TrajectoryError, match="no elevation model"):
        suggest_trajectory(CityFactory(), Point(76.90, 43.25, srid=4326), Point(76.95, 43.25, srid=4326))


# The real Almaty pack.


def load_features(model, path: Path, source: DataSource, keep, **fields) -> int:
    """Features of one of the pack's derived GeoJSON files, as the loader would store them (without its checks)."""
    features = json.loads(path.read_text())["features"]
    rows = [
        model(
            source=source,
            osm_type=feature["properties"]["osm_type"],
            osm_id=feature["properties"]["osm_id"],
            name=feature["properties"].get("name") or "",
            geom=GEOSGeometry(json.dumps(feature["geometry"]), srid=4326),
            **{name: value(feature["properties"]) for name, value in fields.items()},
        )
        for feature in features
        if keep(feature["properties"])
    ]
    model.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@pytest.mark.skipif(not ALMATY_DATA.is_dir(), reason="the shared Almaty data is not beside the repository")
def test_from_a_hamlet_in_alatau_district_to_gorky_park_the_line_keeps_to_the_canal_and_rivers(db):
    city = CityFactory()
    osm = DataSourceFactory(city=city, key="osm2012", sha256="9582e955" + "0" * 56)
    RasterFactory(
        source=DataSourceFactory(city=city, key="dem", sha256="24cbdddd" + "0" * 56),
        path=str(ALMATY_DATA / "dem" / "almaty_srtm3_dem.tif"),
        width=661,
        height=601,
        resolution=1 / 1200,
    )
    derived = ALMATY_DATA / "osm" / "derived_2012"
    kind = {"kind": lambda tags: tags.get("waterway")}
    load_features(Waterway, derived / "almaty_osm2012_waterways.geojson", osm, lambda t: "waterway" in t, **kind)
    load_features(
        Railway,
        derived / "almaty_osm2012_railways.geojson",
        osm,
        lambda tags: "railway" in tags,
        kind=lambda tags: tags["railway"],
        in_use=lambda tags: True,
    )
    load_features(
        Street,
        derived / "almaty_osm2012_major_roads.geojson",
        osm,
        lambda tags: tags.get("highway") in trajectory.BARRIER_HIGHWAYS,
        highway=lambda tags: tags["highway"],
        is_main=lambda tags: True,
    )
    parks = derived / "almaty_osm2012_parks_green.geojson"
    load_features(GreenArea, parks, osm, lambda tags: tags.get("leisure") == "park", kind=lambda tags: "park")
    gorky = GreenArea.objects.get(osm_id=23650750)

    began = time.perf_counter()
    surface = cost_surface(city)
    built = time.perf_counter()
    # Madeniet, a hamlet in the north of Alatau district, to the park's north-western corner.
    start, end = Point(76.814125, 43.341095, srid=4326), Point(*gorky.geom.coords[0][0][0], srid=4326)
    suggestion = suggest_trajectory(city, start, end)
    suggested = time.perf_counter()

    assert surface.shape == (601, 661)
    assert city.extent.contains(suggestion.line)
    assert suggestion.follows_share > 0.6
    assert 15_000 < suggestion.length_m < 30_000
    assert suggestion.vertices < 200
    # Fast enough for a click on the map: the surface once per process, then a suggestion.
    assert built - began < 5 and suggested - built < 1
