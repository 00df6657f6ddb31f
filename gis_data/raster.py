"""Rasters of a city pack drawn for the map: the hillshade ("relief") of the elevation model.

The hillshade is computed once from the DEM file with numpy and written as an
RGBA PNG that the map stretches over the raster's bounds. Shadows are grey,
sunlit slopes a pale white, and flat land stays almost transparent, so the
relief tints the map under the vector layers instead of hiding it.
"""

import hashlib
import math

import numpy as np

from gis_data.models import Raster

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
