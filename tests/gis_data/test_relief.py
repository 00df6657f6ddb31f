"""The relief: the hillshade of the city's elevation model, served as a PNG and drawn under the vector layers."""

import math
import warnings

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from gis_data import views
from gis_data.raster import hillshade_png
from tests.factories import (
    DEM_EAST,
    DEM_HEIGHT,
    DEM_NORTH,
    DEM_PEAK,
    DEM_RES,
    DEM_SOUTH,
    DEM_WEST,
    DEM_WIDTH,
    CityFactory,
    RasterFactory,
    write_dem,
)
from tests.gis_data.test_map_page import map_config

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pixels of the synthetic DEM (row, column): in its no-data strip, on the plain, on the cone's south-east
# flank (turned from the north-west light) and on its north-west flank (facing it).
NO_DATA = (10, 1)
PLAIN = (5, 15)
SOUTH_EAST_FLANK = (DEM_PEAK[0] + 5, DEM_PEAK[1] + 5)
NORTH_WEST_FLANK = (DEM_PEAK[0] - 5, DEM_PEAK[1] - 5)


@pytest.fixture(autouse=True)
def empty_cache():
    """The relief cache is keyed by the source's checksum, which the factories leave the same for every file."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dem(tmp_path):
    """The synthetic cone DEM, registered as the pack loader registers Almaty's."""
    return RasterFactory(path=str(write_dem(tmp_path / "dem.tif")))


def relief_url(raster) -> str:
    return reverse("gis_data:raster_relief", args=[raster.pk])


def read_png(data: bytes) -> np.ndarray:
    # The PNG carries no georeferencing, and needs none: the map places it by the raster's bounds.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(data) as memory, memory.open() as png:
            assert png.driver == "PNG"
            return png.read()


def test_the_relief_is_an_rgba_png_the_size_of_the_dem(dem):
    data = hillshade_png(dem)
    assert data.startswith(PNG_SIGNATURE)
    bands = read_png(data)
    assert bands.shape == (4, DEM_HEIGHT, DEM_WIDTH)
    assert bands.dtype == np.uint8


def test_pixels_without_data_are_fully_transparent(dem):
    alpha = read_png(hillshade_png(dem))[3]
    assert alpha[NO_DATA] == 0
    assert (alpha[:, :4] == 0).all()


def test_a_steep_slope_turned_from_the_light_is_darker_than_the_plain(dem):
    grey, alpha = read_png(hillshade_png(dem))[[0, 3]]
    assert grey[SOUTH_EAST_FLANK] < grey[PLAIN] - 50
    assert alpha[SOUTH_EAST_FLANK] > 60


def test_the_plain_stays_nearly_transparent(dem):
    alpha = read_png(hillshade_png(dem))[3]
    assert alpha[PLAIN] < 16


def test_the_light_comes_from_the_north_west_by_default(dem):
    grey = read_png(hillshade_png(dem))[0]
    assert grey[NORTH_WEST_FLANK] > grey[PLAIN] > grey[SOUTH_EAST_FLANK]
    turned = read_png(hillshade_png(dem, azimuth=135))[0]
    assert turned[NORTH_WEST_FLANK] < turned[PLAIN] < turned[SOUTH_EAST_FLANK]


def test_slopes_are_measured_in_metres_at_the_latitude_of_the_raster(tmp_path):
    # A ramp rising to the east at 45°: one metre up for each metre east, at the raster's central latitude.
    latitude = DEM_NORTH - DEM_HEIGHT * DEM_RES / 2
    metres_east = DEM_RES * 111_320 * math.cos(math.radians(latitude))
    ramp = np.tile(np.arange(DEM_WIDTH) * metres_east, (DEM_HEIGHT, 1))
    raster = RasterFactory(path=str(write_dem(tmp_path / "ramp.tif", ramp)))
    # Light at 45° from the west falls square on the slope; from the east it only grazes it.
    lit = read_png(hillshade_png(raster, azimuth=270, altitude=45))[0]
    grazed = read_png(hillshade_png(raster, azimuth=90, altitude=45))[0]
    assert lit[24, 32] >= 253
    assert grazed[24, 32] <= 2


def test_the_view_serves_the_relief_as_a_png_cached_for_a_day(client, dem):
    response = client.get(relief_url(dem))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_SIGNATURE)
    assert response["ETag"].startswith('"')
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=86400"}


def test_the_view_answers_304_to_a_browser_that_has_the_relief(client, dem):
    etag = client.get(relief_url(dem))["ETag"]
    response = client.get(relief_url(dem), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert "max-age=86400" in response["Cache-Control"]


def test_the_etag_changes_when_the_dem_file_does(client, dem):
    before = client.get(relief_url(dem))["ETag"]
    dem.source.sha256 = "1" * 64
    dem.source.save()
    dem.source.refresh_from_db()
    assert dem.source.sha256 == "1" * 64
    assert client.get(relief_url(dem))["ETag"] != before


def test_the_view_computes_the_relief_once(client, dem, monkeypatch):
    calls = []

    def counting(raster):
        calls.append(raster.pk)
        return hillshade_png(raster)

    monkeypatch.setattr(views, "hillshade_png", counting)
    first = client.get(relief_url(dem))
    second = client.get(relief_url(dem))
    assert second.content == first.content
    assert calls == [dem.pk]


def test_an_unknown_raster_is_not_found(client, dem):
    response = client.get(reverse("gis_data:raster_relief", args=[dem.pk + 1]))
    assert response.status_code == 404


def test_the_map_draws_the_relief_of_the_elevation_model_with_its_attribution(client):
    raster = RasterFactory()
    rasters = map_config(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))["rasters"]
    assert rasters == [
        {
            "name": "relief",
            "title": "Relief",
            "url": relief_url(raster),
            "bounds": [
                [pytest.approx(DEM_SOUTH), pytest.approx(DEM_WEST)],
                [pytest.approx(DEM_NORTH), pytest.approx(DEM_EAST)],
            ],
            "attribution": "SRTM data courtesy of NASA/USGS",
            "default_on": True,
        }
    ]


def test_the_map_draws_no_relief_without_an_elevation_model(client):
    CityFactory()
    assert map_config(client.get("/"))["rasters"] == []
