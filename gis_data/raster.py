"""Rasters of a city pack: the hillshade ("relief") of the elevation model, and heights read from it.

The hillshade is computed once from the DEM file with numpy and written as an
RGBA PNG that the map stretches over the raster's bounds. Shadows are grey,
sunlit slopes a pale white, and flat land stays almost transparent, so the
relief tints the map under the vector layers instead of hiding it.

``Elevation`` keeps the DEM's first band in memory, once per process, and
gives the height of any points by bilinear interpolation: corridor profiles,
route climbs and the trajectory's slopes all read heights through it.
"""

import hashlib
import logging
import math
import os
from functools import lru_cache

import numpy as np

from gis_data.geometry import ALLOWED_SRIDS
from gis_data.models import Raster

logger = logging.getLogger(__name__)

# Degrees to metres on the sphere of the mean Earth radius: close enough for the slope of a city's hills.
METRES_PER_DEGREE = math.pi / 180 * 6_371_008.8
# How opaque a slope in full shadow and one facing the sun straight on are drawn (0 to 255).
SHADOW_ALPHA = 150
HIGHLIGHT_ALPHA = 70
# Below this change of light from flat land's, a pixel stays fully transparent: plains are not speckled.
FLAT_TOLERANCE = 0.02
# Web Mercator metres are ground metres divided by the cosine of the latitude.
WEB_MERCATOR = 3857


def pixel_size_metres(dataset, latitude: float) -> tuple[float, float]:
    """The ground width and height of a pixel of ``dataset``, in metres, at ``latitude``.

    A longitude/latitude raster's resolution is in degrees: a degree of latitude
    is the same everywhere, a degree of longitude shrinks with the cosine of the
    latitude. A projected raster's resolution is in metres already (Web
    Mercator's shrink with the same cosine).
    """
    res_x, res_y = (abs(value) for value in dataset.res)
    cosine = math.cos(math.radians(latitude))
    if dataset.crs.is_geographic:
        return res_x * METRES_PER_DEGREE * cosine, res_y * METRES_PER_DEGREE
    if dataset.crs.to_epsg() == WEB_MERCATOR:
        return res_x * cosine, res_y * cosine
    return res_x, res_y


def horn_gradient(values: np.ndarray, valid: np.ndarray, dx: float, dy: float) -> tuple[np.ndarray, np.ndarray]:
    """The rise of each pixel eastwards and northwards, in metres per metre, by Horn's 3 × 3 method.

    ``values`` are heights in metres, rows from north to south; ``dx`` and
    ``dy`` the pixel's width and height in metres. A neighbour without data
    (``valid`` false) counts as the pixel's own height, so the edge of a hole
    reads as flat land, not as a cliff.
    """
    height, width = values.shape
    padded = np.pad(values, 1, mode="edge")
    padded_valid = np.pad(valid, 1, mode="edge")

    def neighbour(row: int, column: int) -> np.ndarray:
        rows = slice(1 + row, 1 + row + height)
        columns = slice(1 + column, 1 + column + width)
        return np.where(padded_valid[rows, columns], padded[rows, columns], values)

    north_west, north, north_east = neighbour(-1, -1), neighbour(-1, 0), neighbour(-1, 1)
    west, east = neighbour(0, -1), neighbour(0, 1)
    south_west, south, south_east = neighbour(1, -1), neighbour(1, 0), neighbour(1, 1)
    rise_east = ((north_east + 2 * east + south_east) - (north_west + 2 * west + south_west)) / (8 * dx)
    rise_north = ((north_west + 2 * north + north_east) - (south_west + 2 * south + south_east)) / (8 * dy)
    return rise_east, rise_north


def shade(elevation: np.ma.MaskedArray, dx: float, dy: float, azimuth: float, altitude: float) -> np.ndarray:
    """The light on each pixel, 0 (in shadow) to 1 (facing the sun), with Horn's slopes.

    ``elevation`` is in metres, its rows run from north to south, ``dx`` and
    ``dy`` are the pixel's width and height in metres. ``azimuth`` is where the
    light comes from, in degrees clockwise from north; ``altitude`` its height
    above the horizon in degrees. A neighbour without data counts as the
    pixel's own elevation, so that the edge of a hole stays shaded as flat land.
    """
    values = np.ma.getdata(elevation).astype(np.float64)
    valid = ~np.ma.getmaskarray(elevation) & np.isfinite(values)
    rise_east, rise_north = horn_gradient(values, valid, dx, dy)

    # The cosine of the angle between the surface's normal and the direction of the light.
    light_azimuth, light_altitude = math.radians(azimuth), math.radians(altitude)
    light = (
        -rise_east * math.sin(light_azimuth) * math.cos(light_altitude)
        - rise_north * math.cos(light_azimuth) * math.cos(light_altitude)
        + math.sin(light_altitude)
    ) / np.sqrt(rise_east**2 + rise_north**2 + 1)
    return np.clip(light, 0, 1)


def relief_rgba(light: np.ndarray, valid: np.ndarray, altitude: float) -> np.ndarray:
    """The four bands (red, green, blue, alpha) of the relief image for ``light`` from ``shade``.

    The grey is the light itself. The alpha grows with the difference from
    flat land's light, faster into shadow than into sunlight, so plains stay
    transparent, shaded slopes read as grey and sunlit ones as a pale veil.
    Pixels without data are transparent.
    """
    flat = math.sin(math.radians(altitude))
    change = light - flat
    darker = np.clip(-change / flat, 0, 1)
    lighter = np.clip(change / (1 - flat), 0, 1) if flat < 1 else np.zeros_like(change)
    alpha = np.where(change < 0, darker * SHADOW_ALPHA, lighter * HIGHLIGHT_ALPHA)
    alpha[np.abs(change) < FLAT_TOLERANCE] = 0
    alpha[~valid] = 0
    grey = np.rint(light * 255)
    # Transparent pixels all take flat land's grey: they are not seen, and the PNG compresses better.
    grey[alpha == 0] = round(flat * 255)
    return np.stack([grey, grey, grey, np.rint(alpha)]).astype(np.uint8)


def hillshade_png(raster: Raster, azimuth: float = 315, altitude: float = 45) -> bytes:
    """The hillshade of ``raster``'s first band as an RGBA PNG of the raster's size.

    The light comes from ``azimuth`` degrees clockwise from north (315: the
    north-west, as cartographers draw it) at ``altitude`` degrees above the
    horizon. Slopes are measured in metres: a degree resolution is converted
    with the latitude of the raster's centre. Pixels without data are
    transparent. The PNG is written by GDAL's PNG driver, so Qala needs no
    imaging library.
    """
    import rasterio
    from rasterio.io import MemoryFile
    from rasterio.warp import transform

    with rasterio.open(raster.path) as dataset:
        elevation = dataset.read(1, masked=True)
        centre_x, centre_y = dataset.xy(dataset.height / 2, dataset.width / 2, offset="ul")
        if dataset.crs.is_geographic:
            latitude = centre_y
        else:
            latitude = transform(dataset.crs, "EPSG:4326", [centre_x], [centre_y])[1][0]
        dx, dy = pixel_size_metres(dataset, latitude)
        georeferencing = {"crs": dataset.crs, "transform": dataset.transform}

    valid = ~np.ma.getmaskarray(elevation) & np.isfinite(np.ma.getdata(elevation))
    bands = relief_rgba(shade(elevation, dx, dy, azimuth, altitude), valid, altitude)
    count, height, width = bands.shape
    # The map places the image by the bounds it is given. The georeferencing is passed only so that
    # rasterio does not warn of its absence: without PAM, GDAL keeps it nowhere (no .aux.xml).
    profile = {"driver": "PNG", "width": width, "height": height, "count": count, "dtype": "uint8", "zlevel": 9}
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), MemoryFile() as memory:
        with memory.open(**profile, **georeferencing) as png:
            png.write(bands)
        return memory.read()


def relief_etag(raster: Raster, azimuth: float = 315, altitude: float = 45) -> str:
    """A strong entity tag of ``raster``'s relief: its file's checksum and every setting of the drawing."""
    settings = (raster.source.sha256, azimuth, altitude, SHADOW_ALPHA, HIGHLIGHT_ALPHA, FLAT_TOLERANCE)
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:32]


# Elevation at any point: the DEM read once per process and interpolated between pixel centres.

# How many elevation models a process keeps in memory (a city's DEM and, in tests, a few synthetic ones).
ELEVATION_CACHE_SIZE = 4


class Elevation:
    """A city's elevation model in memory, for the height of any point (corridor profiles, routes, slopes).

    The first band is read once and kept as float64 with ``nan`` for no data.
    Heights are interpolated bilinearly between the centres of the four
    nearest pixels; a point gets ``nan`` when one of the pixels it needs has no
    data or when it lies outside the raster. A point in the outer half pixel
    of the raster, where one row or column of neighbours is missing, takes the
    edge pixels' values (as if the raster went on flat). Coordinates are
    transformed with ``rasterio.warp.transform`` between EPSG codes only.
    """

    def __init__(self, values: np.ndarray, transform, epsg: int) -> None:
        self.values = values
        self.transform = transform
        self.epsg = epsg
        self.height, self.width = values.shape

    @classmethod
    def for_city(cls, city) -> "Elevation | None":
        """The elevation model of ``city`` (its pack's DEM), or None when it has none or its file cannot be read."""
        raster = Raster.objects.filter(source__city=city, kind="dem").select_related("source").order_by("pk").first()
        return cls.for_raster(raster) if raster is not None else None

    @classmethod
    def for_raster(cls, raster: Raster) -> "Elevation | None":
        """The elevation model in ``raster``'s file, read once per process for its path and checksum."""
        try:
            # The modification time joins the key: a test (or an operator) may rewrite a file in place
            # while the registered checksum stays the same until the pack is loaded again.
            modified = os.stat(raster.path).st_mtime_ns
        except OSError:
            logger.warning("The elevation model %s cannot be found: profiles are left without heights.", raster.path)
            return None
        return _read_elevation(raster.path, raster.source.sha256, modified)

    def at(self, xs, ys, srid: int = 4326) -> np.ndarray:
        """The heights (m) at the points ``xs``, ``ys`` in EPSG:``srid``; ``nan`` where the DEM cannot tell."""
        xs = np.atleast_1d(np.asarray(xs, dtype=np.float64))
        ys = np.atleast_1d(np.asarray(ys, dtype=np.float64))
        if xs.size == 0:
            return np.empty(0)
        if srid != self.epsg:
            from rasterio.warp import transform

            xs, ys = (
                np.asarray(v, dtype=np.float64) for v in transform(f"EPSG:{int(srid)}", f"EPSG:{self.epsg}", xs, ys)
            )
        # Fractional column and row, counted from the first pixel's centre.
        columns, rows = ~self.transform @ (xs, ys)
        inside = np.isfinite(columns) & np.isfinite(rows)
        inside &= (columns >= 0) & (columns <= self.width) & (rows >= 0) & (rows <= self.height)
        u = np.where(inside, columns - 0.5, 0.0)
        v = np.where(inside, rows - 0.5, 0.0)
        left, top = np.floor(u), np.floor(v)
        fx, fy = u - left, v - top
        left, top = left.astype(np.intp), top.astype(np.intp)
        heights = np.zeros(xs.shape)
        for row_step, column_step, weight in (
            (0, 0, (1 - fx) * (1 - fy)),
            (0, 1, fx * (1 - fy)),
            (1, 0, (1 - fx) * fy),
            (1, 1, fx * fy),
        ):
            row = np.clip(top + row_step, 0, self.height - 1)
            column = np.clip(left + column_step, 0, self.width - 1)
            value = self.values[row, column]
            # A pixel with no weight (the point on its neighbour's centre line) is not needed: its gap does not count.
            heights += np.where(weight > 0, value * weight, 0.0)
        heights[~inside] = np.nan
        return heights


@lru_cache(maxsize=ELEVATION_CACHE_SIZE)
def _read_elevation(path: str, sha256: str, modified: int) -> Elevation | None:
    import rasterio
    from rasterio.errors import RasterioError

    try:
        with rasterio.open(path) as dataset:
            band = dataset.read(1, masked=True)
            epsg = dataset.crs.to_epsg() if dataset.crs else None
            georeferencing = dataset.transform
    except RasterioError as error:
        logger.warning("The elevation model %s cannot be read (%s): profiles are left without heights.", path, error)
        return None
    if epsg not in ALLOWED_SRIDS:
        logger.warning("The elevation model %s is not in an allowed spatial reference: it is not used.", path)
        return None
    values = np.ma.getdata(band).astype(np.float64)
    values[np.ma.getmaskarray(band) | ~np.isfinite(values)] = np.nan
    values.setflags(write=False)
    return Elevation(values, georeferencing, epsg)
