"""Heights from the city's elevation model: bilinear between pixel centres, no data and the outside told as nan."""

import math
import os

import numpy as np
import pytest
import rasterio
from django.conf import settings
from django.contrib.gis.geos import Point

from gis_data.packs import read_manifest
from gis_data.raster import Elevation
from tests.factories import (
    DEM_HEIGHT,
    DEM_NODATA,
    DEM_NORTH,
    DEM_RES,
    DEM_WEST,
    DEM_WIDTH,
    MEDEU,
    REPUBLIC_SQUARE,
    CityFactory,
    RasterFactory,
    write_dem,
)

pytestmark = pytest.mark.django_db

# The heights of two known places, and how close the DEM must come to them.
REPUBLIC_SQUARE_METRES, MEDEU_METRES, TOLERANCE_METRES = 874, 1707, 15


def plane(column: float | np.ndarray, row: float | np.ndarray) -> float | np.ndarray:
    """A tilted plane, in pixel coordinates (column and row of pixel centres): bilinear interpolation is exact on it."""
    return 900 + 2.0 * column - 3.0 * row


def lonlat(column: float, row: float) -> tuple[float, float]:
    """The longitude and latitude of a place given in the synthetic DEM's pixel coordinates (centres on integers)."""
    return DEM_WEST + (column + 0.5) * DEM_RES, DEM_NORTH - (row + 0.5) * DEM_RES


def plane_values() -> np.ndarray:
    rows, columns = np.mgrid[0:DEM_HEIGHT, 0:DEM_WIDTH]
    return plane(columns, rows)


def register(path) -> Elevation:
    RasterFactory(path=str(path))
    elevation = Elevation.for_city(CityFactory())
    assert elevation is not None
    return elevation


@pytest.fixture
def tilted(tmp_path) -> Elevation:
    return register(write_dem(tmp_path / "plane.tif", plane_values()))


@pytest.fixture
def real_dem_path() -> str:
    return str(read_manifest(settings.CITY_PACK).sources["dem"].path)


@pytest.fixture
def almaty(real_dem_path) -> Elevation:
    """The pack's SRTM3 DEM, registered as the pack loader registers it."""
    with rasterio.open(real_dem_path) as dataset:
        size = {"width": dataset.width, "height": dataset.height, "resolution": dataset.res[0]}
    RasterFactory(path=real_dem_path, **size)
    return Elevation.for_city(CityFactory())


def nearest_pixel(path: str, point: Point) -> float:
    """The DEM's own value at ``point``: the pixel it falls in, read by rasterio without Qala's code."""
    with rasterio.open(path) as dataset:
        return float(next(dataset.sample([(point.x, point.y)]))[0])


def test_republic_square_is_about_874_metres_high(almaty, real_dem_path):
    height = almaty.at([REPUBLIC_SQUARE.x], [REPUBLIC_SQUARE.y])[0]
    assert abs(height - nearest_pixel(real_dem_path, REPUBLIC_SQUARE)) <= TOLERANCE_METRES
    assert abs(height - REPUBLIC_SQUARE_METRES) <= TOLERANCE_METRES


def test_medeu_is_about_1707_metres_high(almaty, real_dem_path):
    height = almaty.at([MEDEU.x], [MEDEU.y])[0]
    assert abs(height - nearest_pixel(real_dem_path, MEDEU)) <= TOLERANCE_METRES
    assert abs(height - MEDEU_METRES) <= TOLERANCE_METRES


def test_places_given_in_the_metric_reference_get_the_same_heights(almaty):
    places = [REPUBLIC_SQUARE, MEDEU]
    metric = [place.transform(32643, clone=True) for place in places]
    in_utm = almaty.at([p.x for p in metric], [p.y for p in metric], srid=32643)
    in_lonlat = almaty.at([p.x for p in places], [p.y for p in places])
    np.testing.assert_allclose(in_utm, in_lonlat, atol=0.01)


def test_at_a_pixel_centre_the_height_is_the_pixel_value(tilted):
    lon, lat = lonlat(10, 20)
    assert tilted.at([lon], [lat])[0] == pytest.approx(plane(10, 20))


def test_between_pixel_centres_the_height_is_interpolated_bilinearly(tilted):
    rng = np.random.default_rng(5)
    columns, rows = rng.uniform(0, DEM_WIDTH - 1, 200), rng.uniform(0, DEM_HEIGHT - 1, 200)
    lons, lats = zip(*(lonlat(c, r) for c, r in zip(columns, rows, strict=True)), strict=True)
    np.testing.assert_allclose(tilted.at(lons, lats), plane(columns, rows), atol=1e-6)


def test_half_way_between_four_pixels_the_height_is_their_mean(tmp_path):
    values = np.full((DEM_HEIGHT, DEM_WIDTH), 1000.0)
    values[10:12, 20:22] = [[1000, 1004], [1008, 1012]]
    elevation = register(write_dem(tmp_path / "four.tif", values))
    lon, lat = lonlat(20.5, 10.5)
    assert elevation.at([lon], [lat])[0] == pytest.approx(1006)


def test_a_point_next_to_a_pixel_without_data_has_no_height(tmp_path):
    values = plane_values()
    values[10, 20] = DEM_NODATA
    elevation = register(write_dem(tmp_path / "hole.tif", values))
    lons, lats = zip(lonlat(19.5, 9.5), lonlat(20.2, 10.4), lonlat(20, 10), strict=True)
    heights = elevation.at(lons, lats)
    assert np.isnan(heights).all()
    assert not (heights == 0).any()


def test_a_pixel_centre_beside_a_hole_keeps_its_height(tmp_path):
    values = plane_values()
    values[10, 21] = DEM_NODATA
    elevation = register(write_dem(tmp_path / "hole.tif", values))
    lon, lat = lonlat(20, 10)
    assert elevation.at([lon], [lat])[0] == pytest.approx(plane(20, 10))


def test_the_no_data_strip_of_the_cone_has_no_height(tmp_path):
    elevation = register(write_dem(tmp_path / "cone.tif"))
    lon, lat = lonlat(1, 20)
    assert math.isnan(elevation.at([lon], [lat])[0])


def test_points_outside_the_raster_have_no_height(tilted):
    lons = [DEM_WEST - 0.01, DEM_WEST + 0.01, DEM_WEST + DEM_WIDTH * DEM_RES + 0.0001]
    lats = [DEM_NORTH - 0.01, DEM_NORTH + 0.01, DEM_NORTH - 0.01]
    assert np.isnan(tilted.at(lons, lats)).all()


def test_the_outer_half_pixel_takes_the_edge_pixels_height(tilted):
    lon, lat = DEM_WEST + DEM_RES * 0.25, DEM_NORTH - DEM_RES * 5.5
    assert tilted.at([lon], [lat])[0] == pytest.approx(plane(0, 5))


def test_many_points_are_read_in_one_call(tilted):
    lons = np.full(10_000, lonlat(3, 3)[0])
    lats = np.full(10_000, lonlat(3, 3)[1])
    heights = tilted.at(lons, lats)
    assert heights.shape == (10_000,)
    assert heights.dtype == np.float64


def test_the_model_is_read_once_per_process(tmp_path, monkeypatch):
    path = write_dem(tmp_path / "once.tif")
    RasterFactory(path=str(path))
    city = CityFactory()
    first = Elevation.for_city(city)
    opened = []
    monkeypatch.setattr(rasterio, "open", lambda *args, **kwargs: opened.append(args))
    assert Elevation.for_city(city) is first
    assert opened == []


def test_a_rewritten_file_is_read_again(tmp_path):
    path = write_dem(tmp_path / "again.tif")
    RasterFactory(path=str(path))
    city = CityFactory()
    lon, lat = lonlat(15, 5)  # on the cone's plain
    before = Elevation.for_city(city).at([lon], [lat])[0]
    modified = os.stat(path).st_mtime_ns
    write_dem(path, plane_values())
    # File times tick coarsely (a few milliseconds): the rewrite is dated a second later, as it would be in life.
    os.utime(path, ns=(modified + 10**9, modified + 10**9))
    after = Elevation.for_city(city).at([lon], [lat])[0]
    assert before == pytest.approx(800)
    assert after == pytest.approx(plane(15, 5))


def test_a_city_without_an_elevation_model_has_none():
    assert Elevation.for_city(CityFactory()) is None


def test_a_missing_file_gives_no_elevation_model(tmp_path):
    RasterFactory(path=str(tmp_path / "gone.tif"))
    assert Elevation.for_city(CityFactory()) is None
