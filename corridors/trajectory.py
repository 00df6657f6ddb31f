"""Suggest a corridor's trajectory: the least-cost path over a cost surface of the city.

The city's test of a green corridor is that it follows a natural line (a river
or canal embankment, a disused railway), keeps off steep slopes and links the
suburbs with the parks. Given a start and an end, Qala suggests the line an
urbanist starts from: the cheapest path over a *cost surface*, a raster on the
grid of the city's elevation model (DEM, clipped to the city's extent) whose
every cell holds what one metre of travel through it costs. The path is found
by ``skimage.graph.MCP_Geometric`` (Dijkstra over the 8-connected grid; a step
costs its length in metres times the mean cost of the two cells it joins),
then simplified and smoothed into a line with few enough vertices to edit.

What a cell costs, and why (every factor is a named constant below):

1. Open ground costs ``BASE_COST`` (1): a metre is a metre.
2. Parks and other green areas (``GREEN_KINDS``) cost ``GREEN_COST`` (0.6): a
   corridor should run through green space rather than beside it, but not go
   far out of its way for a lawn, so the discount is smaller than a river's.
3. Buildings cost ``BUILDING_COST`` (20): nobody routes a trail through a
   house. Most buildings are smaller than a pixel (about 70 × 90 m in
   Almaty), so a cell costs the area-weighted mean of its open ground and
   its buildings (the share each covers, measured on a grid
   ``COVERAGE_SUPERSAMPLING`` times finer): a block with a third built up
   costs about 7, a cell under one large building 20. Parks are measured
   the same way.
4. Rivers and canals (Waterway kinds ``FOLLOW_WATERWAY_KINDS``) and disused or
   abandoned railways (``Railway.in_use`` False) are the natural lines a
   corridor follows. The cells their line runs through cost ``FOLLOW_COST``
   (0.3), so the path follows one as long as that is less than about 1 / 0.3
   = 3.3 times as long as the way across open ground: corridors are routes
   for leisure, and a long way along the water is what the city asks for.
   A ring one pixel wide around them costs ``FOLLOW_BUFFER_COST`` (0.5): it
   bridges the breaks between mapped pieces of a river and the corners a
   line cuts between pixels, while the line's own cells stay cheaper, so
   the path keeps to the water and not to the ring. A natural line's cost
   replaces the ground's: an embankment runs between the houses and through
   the parks.
5. Slope, in metres per metre (Horn's method on the DEM, pixel sizes in
   metres at the surface's latitude), multiplies the cost by
   ``1 + (slope / SLOPE_SCALE)²``: 1.16 on a 2 % grade (the plain north of
   the centre), 2 at 5 % (the most a cyclist sustains comfortably), 10 at
   15 %; capped at ``SLOPE_FACTOR_CAP`` (20, about 22 %, steeper than any
   street) so that mountains stay crossable and a barrier stays dearer. The
   cost is the same in every direction: a path along a contour pays for
   the slope it does not climb, which the cap and the river valleys keep
   small in practice.
6. In-use railways (not tram or metro lines, ``UNBARRED_RAILWAY_KINDS``:
   trams run in the street, metros under it) and motorways and trunk roads
   (``BARRIER_HIGHWAYS``) are barriers: their cells cost at least
   ``BARRIER_COST`` (50), so crossing one (a pixel or two) costs as much as
   3.5 km of open ground or more. A path crosses a barrier where it has to, once,
   and runs beside it rather than along it; the crossing is where a bridge
   or an underpass has to be planned.
7. Gaps in the DEM (no data) cost ``NODATA_COST`` (20, as the steepest
   ground): SRTM's voids lie in the radar shadow of steep mountains, and an
   unknown slope must not look like a free flat one.
8. Cells whose centre lies outside the city's extent cannot be crossed: a
   segment that leaves the city is refused.

A suggestion runs on a window around its start and end (their box and
``WINDOW_MARGIN_METRES`` on every side) for speed. Vertices in cells a natural
line runs through are moved onto it, the staircase of pixel centres is
simplified with Douglas–Peucker (``SIMPLIFY_PIXELS`` of a pixel) and the
corners are rounded by a round of Chaikin's corner cutting that cuts at most
``SMOOTHING_PIXELS`` of a pixel from a corner: the line stays within half a
pixel of the path found, on the water it follows.

The surface is cached in the process, keyed by the checksums of the data
sources it is built from, the city's extent and ``COSTS_VERSION`` (a digest of
every constant here), so a reloaded pack or a changed constant builds a new one.
"""

import hashlib
import math
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely
from affine import Affine
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB, Transform
from django.contrib.gis.geos import LineString, Point, Polygon
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from corridors.measures import Profile, profile_along
from gis_data.geometry import SRID
from gis_data.models import Building, City, DataSource, GreenArea, Railway, Raster, Street, Waterway
from gis_data.raster import Elevation, horn_gradient, pixel_size_metres

if TYPE_CHECKING:  # rasterio is imported when a surface is built, not when the URLs load
    from rasterio.windows import Window

# The cost of one metre of travel, by what a cell holds (see the module's docstring for why each).
BASE_COST = 1.0
GREEN_COST = 0.6
BUILDING_COST = 20.0
FOLLOW_COST = 0.3
FOLLOW_BUFFER_COST = 0.5
BARRIER_COST = 50.0
NODATA_COST = 20.0
# The slope factor 1 + (slope / SLOPE_SCALE)², slope in metres per metre, capped.
SLOPE_SCALE = 0.05
SLOPE_FACTOR_CAP = 20.0
# What the layers contribute.
FOLLOW_WATERWAY_KINDS = ("river", "canal")
GREEN_KINDS = ("park", "garden", "recreation_ground", "forest", "wood", "grass", "meadow", "scrub")
UNBARRED_RAILWAY_KINDS = ("tram", "subway")
BARRIER_HIGHWAYS = ("motorway", "motorway_link", "trunk", "trunk_link")
# Buildings and parks are measured on a grid this many times finer than the DEM's, per axis.
COVERAGE_SUPERSAMPLING = 4
# The window a suggestion is searched in: the box of its start and end and this much on every side.
WINDOW_MARGIN_METRES = 3000.0
# A start and an end closer than this are one place, not a corridor.
MIN_DISTANCE_METRES = 50.0
# Douglas–Peucker's tolerance, and how far from a corner its rounding may cut, in pixels (of the smaller side).
SIMPLIFY_PIXELS = 0.5
SMOOTHING_PIXELS = 0.5
# After rounding, vertices closer than this (in pixels) to the line without them are dropped.
CLEANUP_PIXELS = 0.1
# The picture of the surface: colours by cost (log-interpolated), barriers dark, how opaque each is.
COLOUR_STOPS = (
    (FOLLOW_COST, (26, 152, 80)),
    (BASE_COST, (166, 217, 106)),
    (3.0, (254, 224, 139)),
    (8.0, (215, 48, 39)),
    (BUILDING_COST, (127, 59, 8)),
)
BARRIER_COLOUR = (45, 30, 25)
# Costs are drawn in this many steps of their logarithm: the eye tells no more apart, and the PNG is a third smaller.
COLOUR_LEVELS = 32
SURFACE_ALPHA = 140
BARRIER_ALPHA = 220
# A change in the way the surface is computed that the constants do not show bumps this.
ALGORITHM_VERSION = 1
COSTS_VERSION = hashlib.sha256(
    repr(
        (
            ALGORITHM_VERSION,
            BASE_COST,
            GREEN_COST,
            BUILDING_COST,
            FOLLOW_COST,
            FOLLOW_BUFFER_COST,
            BARRIER_COST,
            NODATA_COST,
            SLOPE_SCALE,
            SLOPE_FACTOR_CAP,
            FOLLOW_WATERWAY_KINDS,
            GREEN_KINDS,
            UNBARRED_RAILWAY_KINDS,
            BARRIER_HIGHWAYS,
            COVERAGE_SUPERSAMPLING,
        )
    ).encode()
).hexdigest()[:16]
# How close to a pixel's edge (in pixels) the extent's edge counts as on it.
EDGE_TOLERANCE = 1e-6
# How many cities' surfaces a process keeps (one in practice; two while a reloaded pack replaces the first).
CACHED_SURFACES = 2


class TrajectoryError(ValueError):
    """No trajectory can be suggested; the message says why, in the request's language."""


@dataclass
class CostSurface:
    """The cost of a metre of travel on each cell of the DEM's grid over the city's extent.

    ``cost`` is ``inf`` outside the extent. ``transform`` places the grid in the
    DEM's spatial reference ``srid``; ``dx`` and ``dy`` are a pixel's width and
    height in metres. ``follow_lines`` are the rivers, canals and disused
    railways in the surface's *frame*: metres east and south of the grid's
    north-west corner (see ``to_frame``).
    """

    key: str
    srid: int
    transform: Affine
    dx: float
    dy: float
    cost: np.ndarray
    elevation: np.ndarray  # metres, nan where the DEM has no data
    inside: np.ndarray  # the cell's centre is inside the city's extent
    follow: np.ndarray  # a natural line runs through the cell
    barrier: np.ndarray
    bounds: tuple[float, float, float, float]  # west, south, east, north in longitude/latitude
    follow_lines: np.ndarray = field(repr=False)
    tree: shapely.STRtree = field(repr=False)
    extent: shapely.Polygon = field(repr=False)  # the city's extent in the frame

    @property
    def shape(self) -> tuple[int, int]:
        return self.cost.shape

    @property
    def gap(self) -> np.ndarray:
        return np.isnan(self.elevation)

    def to_frame(self, coords: np.ndarray) -> np.ndarray:
        """The frame coordinates (n, 2) of points (n, 2) in the DEM's spatial reference."""
        return _to_frame(self.transform, self.dx, self.dy, coords)

    def from_frame(self, coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The DEM's coordinates of frame coordinates (n, 2)."""
        xs, ys = self.transform @ (coords[:, 0] / self.dx, coords[:, 1] / self.dy)
        return np.asarray(xs), np.asarray(ys)


def _to_frame(transform: Affine, dx: float, dy: float, coords: np.ndarray) -> np.ndarray:
    coords = np.asarray(coords, dtype=float)
    columns, rows = ~transform @ (coords[:, 0], coords[:, 1])
    return np.column_stack([np.asarray(columns) * dx, np.asarray(rows) * dy])


@dataclass
class Suggestion:
    """A suggested trajectory: an editable line and what it is like."""

    line: LineString  # SRID 4326, from the start to the end
    length_m: float
    follows_share: float  # of the length, within CORRIDOR_FOLLOW_METRES of a river, canal or disused railway
    climb_m: float | None  # None without a DEM under the line
    descent_m: float | None
    max_grade: float | None
    dem_gap_m: float
    vertices: int
    profile: Profile

    def summary(self) -> str:
        """One sentence in the active language: "2.4 km, 68 % along rivers, canals or disused railways, 35 m…"."""
        if self.length_m >= 1000:
            length = _("%(km)s km") % {"km": number_format(self.length_m / 1000, 1)}
        else:
            length = _("%(m)s m") % {"m": number_format(round(self.length_m))}
        values = {"length": length, "share": number_format(round(self.follows_share * 100))}
        if self.climb_m is None:
            # Translators: a suggested trajectory, e.g. "2.4 km, 68 % along rivers, canals or disused railways".
            return _("%(length)s, %(share)s %% along rivers, canals or disused railways") % values
        values["climb"] = number_format(round(self.climb_m))
        # Translators: a suggested trajectory, e.g. "2.4 km, 68 % along rivers, canals or disused railways,
        # 35 m of climbing".
        return _("%(length)s, %(share)s %% along rivers, canals or disused railways, %(climb)s m of climbing") % values


# The surface: sources, grid, layers, costs.


def dem_raster(city: City) -> Raster | None:
    """The city's elevation model (the first one registered, as the map's relief takes it), or None."""
    return Raster.objects.filter(source__city=city, kind="dem").select_related("source").order_by("pk").first()


def _dem_or_error(city: City) -> Raster:
    raster = dem_raster(city)
    if raster is None:
        raise TrajectoryError(_("The city has no elevation model: a trajectory cannot be suggested."))
    return raster


def _layers(city: City) -> dict[str, QuerySet]:
    """The features of each layer the surface is built from."""
    in_city = {"source__city": city}
    return {
        "follow_waterways": Waterway.objects.filter(kind__in=FOLLOW_WATERWAY_KINDS, **in_city),
        "follow_railways": Railway.objects.filter(in_use=False, **in_city),
        "green": GreenArea.objects.filter(kind__in=GREEN_KINDS, **in_city),
        "buildings": Building.objects.filter(**in_city),
        "barrier_railways": Railway.objects.filter(in_use=True, **in_city).exclude(kind__in=UNBARRED_RAILWAY_KINDS),
        "barrier_streets": Street.objects.filter(highway__in=BARRIER_HIGHWAYS, **in_city),
    }


def surface_key(city: City, raster: Raster) -> str:
    """What the city's surface depends on, as a digest: the sources' checksums, the DEM, the extent, the costs."""
    layers = _layers(city)
    used = Q(pk=raster.source_id)
    for queryset in layers.values():
        used |= Exists(queryset.model.objects.filter(source=OuterRef("pk")))
    sources = list(DataSource.objects.filter(city=city).filter(used).order_by("pk").values_list("pk", "key", "sha256"))
    try:
        # As gis_data.raster.Elevation: a file rewritten in place keeps its registered checksum until the next load.
        modified = os.stat(raster.path).st_mtime_ns
    except OSError:
        modified = None
    parts = (COSTS_VERSION, city.pk, city.extent.ewkt, raster.pk, raster.path, modified, sources)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _geometries(queryset: QuerySet, srid: int, box: Polygon) -> np.ndarray:
    """The features of ``queryset`` whose box meets ``box`` (lon/lat), as shapely geometries in ``srid``."""
    expression = Transform("geom", srid) if srid != SRID else "geom"
    rows = queryset.filter(geom__bboverlaps=box).annotate(wkb=AsWKB(expression)).values_list("wkb", flat=True)
    return shapely.from_wkb([bytes(wkb) for wkb in rows])


def _rasterize(geometries: np.ndarray, shape: tuple[int, int], transform: Affine, all_touched: bool) -> np.ndarray:
    from rasterio.features import rasterize

    if len(geometries) == 0:
        return np.zeros(shape, dtype=bool)
    burnt = rasterize(
        ((geometry, 1) for geometry in geometries),
        out_shape=shape,
        transform=transform,
        all_touched=all_touched,
        dtype="uint8",
    )
    return burnt.astype(bool)


def _coverage(geometries: np.ndarray, shape: tuple[int, int], transform: Affine) -> np.ndarray:
    """The share (0 to 1) of each cell that ``geometries`` (polygons) cover, on a finer grid's cell centres."""
    if len(geometries) == 0:
        return np.zeros(shape)
    factor = COVERAGE_SUPERSAMPLING
    fine = _rasterize(geometries, (shape[0] * factor, shape[1] * factor), transform @ Affine.scale(1 / factor), False)
    return fine.reshape(shape[0], factor, shape[1], factor).mean(axis=(1, 3))


def slope(elevation: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """The steepest slope of each cell in metres per metre (Horn's method), 0 where the DEM has no data.

    ``elevation`` has ``nan`` in its gaps; a neighbour in a gap counts as the
    cell's own height, so the edge of a gap is not taken for a cliff.
    """
    valid = np.isfinite(elevation)
    rise_east, rise_north = horn_gradient(np.where(valid, elevation, 0.0), valid, dx, dy)
    return np.where(valid, np.hypot(rise_east, rise_north), 0.0)


def slope_factor(slopes: np.ndarray) -> np.ndarray:
    """How much a slope (metres per metre) multiplies the cost of a metre: 1 + (slope / SLOPE_SCALE)², capped."""
    return np.minimum(1 + (slopes / SLOPE_SCALE) ** 2, SLOPE_FACTOR_CAP)


def combine_costs(
    *,
    elevation: np.ndarray,
    dx: float,
    dy: float,
    inside: np.ndarray,
    green: np.ndarray,
    buildings: np.ndarray,
    follow: np.ndarray,
    follow_ring: np.ndarray,
    barrier: np.ndarray,
) -> np.ndarray:
    """The cost of a metre on each cell from the layers' rasters, in the order the module's docstring gives."""
    ground = BASE_COST + green * (GREEN_COST - BASE_COST)
    ground = ground + buildings * (BUILDING_COST - ground)
    ground = np.where(follow_ring, FOLLOW_BUFFER_COST, ground)
    ground = np.where(follow, FOLLOW_COST, ground)
    cost = ground * slope_factor(slope(elevation, dx, dy))
    cost = np.where(np.isnan(elevation), NODATA_COST, cost)
    cost = np.where(barrier, np.maximum(cost, BARRIER_COST), cost)
    return np.where(inside, cost, np.inf)


_cache: OrderedDict[str, CostSurface] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget the surfaces this process has built."""
    with _cache_lock:
        _cache.clear()


def cost_surface(city: City) -> CostSurface:
    """The city's cost surface (see the module's docstring), built once per process and set of sources.

    Raises TrajectoryError when the city has no elevation model or the model
    does not reach the city's extent.
    """
    raster = _dem_or_error(city)
    key = surface_key(city, raster)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    surface = _build_surface(city, raster, key)
    with _cache_lock:
        _cache[key] = surface
        while len(_cache) > CACHED_SURFACES:
            _cache.popitem(last=False)
    return surface


@dataclass(frozen=True)
class Grid:
    """Where the surface lies: the DEM's pixels over the city's extent (a window of the DEM's file)."""

    window: "Window"
    transform: Affine
    srid: int
    dx: float
    dy: float
    bounds: tuple[float, float, float, float]  # west, south, east, north in longitude/latitude
    extent: Polygon  # the city's extent in the DEM's spatial reference


def surface_grid(city: City, raster: Raster) -> Grid:
    """The grid of the city's surface, read from the DEM file's header (cheap: no pixel is read).

    Raises TrajectoryError when the file cannot be read or does not reach the city's extent.
    """
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.transform import array_bounds
    from rasterio.warp import transform as transform_points
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window

    extent = city.extent if raster.srid == SRID else city.extent.transform(raster.srid, clone=True)
    try:
        with rasterio.open(raster.path) as dataset:
            inverse = ~dataset.transform
            west, south, east, north = extent.extent
            corners = [inverse @ (x, y) for x in (west, east) for y in (south, north)]
            # An extent on pixel edges lands a hair off them in floating point: not a pixel more.
            first_column = max(0, math.floor(min(column for column, _row in corners) + EDGE_TOLERANCE))
            last_column = min(dataset.width, math.ceil(max(column for column, _row in corners) - EDGE_TOLERANCE))
            first_row = max(0, math.floor(min(row for _column, row in corners) + EDGE_TOLERANCE))
            last_row = min(dataset.height, math.ceil(max(row for _column, row in corners) - EDGE_TOLERANCE))
            if first_column >= last_column or first_row >= last_row:
                raise TrajectoryError(_("The elevation model does not cover the city's extent."))
            window = Window(first_column, first_row, last_column - first_column, last_row - first_row)
            transform = dataset.transform @ Affine.translation(first_column, first_row)
            crs = dataset.crs
            centre_x, centre_y = transform @ (window.width / 2, window.height / 2)
            if crs.is_geographic:
                latitude = centre_y
            else:
                latitude = transform_points(crs, "EPSG:4326", [centre_x], [centre_y])[1][0]
            dx, dy = pixel_size_metres(dataset, latitude)
    except RasterioError as error:
        raise TrajectoryError(_("The elevation model cannot be read: %(error)s") % {"error": error}) from None
    grid_bounds = array_bounds(window.height, window.width, transform)
    bounds = grid_bounds if raster.srid == SRID else transform_bounds(crs, "EPSG:4326", *grid_bounds)
    return Grid(window, transform, raster.srid, dx, dy, tuple(float(value) for value in bounds), extent)


def _build_surface(city: City, raster: Raster, key: str) -> CostSurface:
    """Read the DEM's pixels over the city, rasterize the layers onto them and combine the costs."""
    import rasterio
    from scipy.ndimage import binary_dilation

    grid = surface_grid(city, raster)
    with rasterio.open(raster.path) as dataset:
        band = dataset.read(1, window=grid.window, masked=True)
    transform, dx, dy, extent, bounds = grid.transform, grid.dx, grid.dy, grid.extent, grid.bounds
    values = np.ma.getdata(band).astype(np.float64)
    elevation = np.where(np.ma.getmaskarray(band) | ~np.isfinite(values), np.nan, values)
    shape = elevation.shape
    box = Polygon.from_bbox(bounds)
    box.srid = SRID

    layers = _layers(city)
    fetched = {name: _geometries(queryset, raster.srid, box) for name, queryset in layers.items()}
    follow_lines = np.concatenate([fetched["follow_waterways"], fetched["follow_railways"]])
    follow = _rasterize(follow_lines, shape, transform, all_touched=True)
    follow_ring = binary_dilation(follow, structure=np.ones((3, 3), dtype=bool)) & ~follow
    barrier_lines = np.concatenate([fetched["barrier_railways"], fetched["barrier_streets"]])
    # Every cell a barrier touches is barred, so that no diagonal step slips between two of its cells.
    barrier = _rasterize(barrier_lines, shape, transform, all_touched=True)
    extent_shape = shapely.from_wkb(bytes(extent.wkb))
    inside = _rasterize(np.array([extent_shape]), shape, transform, all_touched=False)
    cost = combine_costs(
        elevation=elevation,
        dx=dx,
        dy=dy,
        inside=inside,
        green=_coverage(fetched["green"], shape, transform),
        buildings=_coverage(fetched["buildings"], shape, transform),
        follow=follow,
        follow_ring=follow_ring,
        barrier=barrier,
    )

    def to_frame(coords: np.ndarray) -> np.ndarray:
        return _to_frame(transform, dx, dy, coords)

    frame_lines = shapely.transform(follow_lines, to_frame)
    return CostSurface(
        key=key,
        srid=raster.srid,
        transform=transform,
        dx=dx,
        dy=dy,
        cost=cost,
        elevation=elevation,
        inside=inside,
        follow=follow,
        barrier=barrier,
        bounds=bounds,
        follow_lines=frame_lines,
        tree=shapely.STRtree(frame_lines),
        extent=shapely.transform(extent_shape, to_frame),
    )


def cost_surface_bounds(city: City) -> tuple[float, float, float, float]:
    """The (west, south, east, north) of the city's cost surface in longitude/latitude, for the map's overlay.

    Read from the DEM file's header without building the surface. Raises
    TrajectoryError when the city has no elevation model or it cannot be read.
    """
    return surface_grid(city, _dem_or_error(city)).bounds


def cost_surface_etag(city: City) -> str | None:
    """A strong entity tag of the city's cost surface picture, without building it; None without a DEM."""
    raster = dem_raster(city)
    if raster is None:
        return None
    colours = (COLOUR_STOPS, BARRIER_COLOUR, COLOUR_LEVELS, SURFACE_ALPHA, BARRIER_ALPHA)
    return hashlib.sha256(repr((surface_key(city, raster), colours)).encode()).hexdigest()[:32]


def surface_rgba(surface: CostSurface) -> np.ndarray:
    """The four bands (red, green, blue, alpha) of the surface's picture.

    The colour follows the logarithm of the cost, from green (a river) through
    pale green (open ground) and yellow to red and brown (built up, steep);
    barriers are dark. Cells without data (gaps in the DEM, outside the
    city's extent) are transparent.
    """
    stops = np.log([cost for cost, _colour in COLOUR_STOPS])
    lowest, highest = stops[0], stops[-1]
    drawn = np.where(np.isfinite(surface.cost), surface.cost, BASE_COST)
    costs = np.log(np.clip(drawn, COLOUR_STOPS[0][0], COLOUR_STOPS[-1][0]))
    steps = np.round((costs - lowest) / (highest - lowest) * COLOUR_LEVELS)
    costs = lowest + steps / COLOUR_LEVELS * (highest - lowest)
    bands = [np.interp(costs, stops, [colour[channel] for _cost, colour in COLOUR_STOPS]) for channel in range(3)]
    rgb = np.stack(bands)
    rgb[:, surface.barrier] = np.array(BARRIER_COLOUR, dtype=float)[:, None]
    alpha = np.where(surface.barrier, BARRIER_ALPHA, SURFACE_ALPHA).astype(float)
    alpha[~surface.inside | surface.gap] = 0
    rgb[:, alpha == 0] = 0
    return np.concatenate([np.rint(rgb), alpha[None]]).astype(np.uint8)


def cost_surface_png(city: City) -> bytes:
    """The city's cost surface as an RGBA PNG on its grid (north up), to stretch over ``cost_surface_bounds``."""
    import rasterio
    from rasterio.io import MemoryFile

    surface = cost_surface(city)
    bands = surface_rgba(surface)
    count, height, width = bands.shape
    profile = {"driver": "PNG", "width": width, "height": height, "count": count, "dtype": "uint8", "zlevel": 9}
    # As gis_data.raster.hillshade_png: the map places the image by its bounds; the georeferencing only
    # keeps rasterio from warning, and without PAM GDAL writes no .aux.xml beside the PNG.
    georeferencing = {"crs": f"EPSG:{surface.srid}", "transform": surface.transform}
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), MemoryFile() as memory:
        with memory.open(**profile, **georeferencing) as png:
            png.write(bands)
        return memory.read()


# The suggestion.


def _in_srid(point: Point, srid: int) -> Point:
    """``point`` in ``srid``; a point without a spatial reference is taken as longitude/latitude."""
    point = Point(point.x, point.y, srid=point.srid or SRID)
    return point if point.srid == srid else point.transform(srid, clone=True)


def _cell(surface: CostSurface, point: Point, which: str) -> tuple[int, int]:
    """The (row, column) of ``point`` (in the DEM's reference) on the surface; TrajectoryError where none serves."""
    column, row = ~surface.transform @ (point.x, point.y)
    row, column = math.floor(row), math.floor(column)
    height, width = surface.shape
    if not (0 <= row < height and 0 <= column < width) or not surface.inside[row, column]:
        messages = {
            "start": _("The start lies outside the cost surface: the elevation model does not cover it."),
            "end": _("The end lies outside the cost surface: the elevation model does not cover it."),
        }
        raise TrajectoryError(messages[which])
    if surface.gap[row, column]:
        messages = {
            "start": _("The start lies in a gap of the elevation model (no data there): pick a point nearby."),
            "end": _("The end lies in a gap of the elevation model (no data there): pick a point nearby."),
        }
        raise TrajectoryError(messages[which])
    return row, column


def _window(surface: CostSurface, cells: list[tuple[int, int]]) -> tuple[slice, slice]:
    """The rows and columns of the box of ``cells`` and WINDOW_MARGIN_METRES around it, inside the surface."""
    rows = [row for row, _column in cells]
    columns = [column for _row, column in cells]
    margin_rows = math.ceil(WINDOW_MARGIN_METRES / surface.dy)
    margin_columns = math.ceil(WINDOW_MARGIN_METRES / surface.dx)
    height, width = surface.shape
    return (
        slice(max(0, min(rows) - margin_rows), min(height, max(rows) + margin_rows + 1)),
        slice(max(0, min(columns) - margin_columns), min(width, max(columns) + margin_columns + 1)),
    )


def _snap_to_follow_lines(surface: CostSurface, cells: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Move the inner vertices in cells a natural line runs through onto the nearest such line (frame metres)."""
    on_line = surface.follow[cells[:, 0], cells[:, 1]]
    on_line[[0, -1]] = False
    if not on_line.any() or len(surface.follow_lines) == 0:
        return coords
    points = shapely.points(coords[on_line])
    # A touched cell's centre is at most half a diagonal from its line; a pixel's diagonal is ample.
    indices, _distances = surface.tree.query_nearest(
        points, max_distance=math.hypot(surface.dx, surface.dy), return_distance=True, all_matches=False
    )
    snapped = coords.copy()
    targets = np.flatnonzero(on_line)[indices[0]]
    nearest = shapely.shortest_line(surface.follow_lines[indices[1]], points[indices[0]])
    snapped[targets] = shapely.get_coordinates(shapely.get_point(nearest, 0))
    return snapped


def _round_corners(coords: np.ndarray, cut: float) -> np.ndarray:
    """Chaikin's corner cutting, once, each cut at most ``cut`` metres from the corner; the ends stay.

    Chaikin cuts a quarter of each side: on the long straight sides that
    Douglas–Peucker leaves, that would move the line hundreds of metres off
    the river it follows, so the cut is bounded.
    """
    if len(coords) < 3:
        return coords
    corners, before, after = coords[1:-1], coords[:-2], coords[2:]
    rounded = np.empty((2 * len(corners), 2))
    for index, neighbours in enumerate((before, after)):
        side = neighbours - corners
        length = np.hypot(side[:, 0], side[:, 1])
        share = np.minimum(0.25, cut / np.maximum(length, 1e-9))
        rounded[index::2] = corners + side * share[:, None]
    return np.vstack([coords[:1], rounded, coords[-1:]])


def _shape_line(surface: CostSurface, cells: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """From a path of cells to an editable line in frame metres: snapped, simplified and smoothed.

    Each step that could make the line cross itself or cut a corner of the
    city's extent is undone in turn: such a line would be refused when saved.
    """
    if len(cells) == 1:
        # Both ends in one cell: nothing lies between them that the surface can tell apart.
        return np.array([start, end])
    centres = np.column_stack([(cells[:, 1] + 0.5) * surface.dx, (cells[:, 0] + 0.5) * surface.dy])
    centres[0], centres[-1] = start, end
    pixel = min(surface.dx, surface.dy)
    snapped = _snap_to_follow_lines(surface, cells, centres)
    candidates = []
    for coords in (snapped, centres):
        simple = shapely.LineString(coords).simplify(SIMPLIFY_PIXELS * pixel, preserve_topology=True)
        rounded = shapely.LineString(_round_corners(shapely.get_coordinates(simple), SMOOTHING_PIXELS * pixel))
        # Rounding doubles the vertices; those where the line hardly turns are not worth a handle on the map.
        candidates.append(shapely.get_coordinates(rounded.simplify(CLEANUP_PIXELS * pixel, preserve_topology=True)))
        candidates.append(shapely.get_coordinates(simple))
    for coords in candidates:
        line = shapely.LineString(coords)
        if len(coords) >= 2 and line.is_simple and surface.extent.covers(line):
            return coords
    return centres


def _follows_share(surface: CostSurface, line: shapely.LineString) -> float:
    """The share of ``line`` (frame metres) within CORRIDOR_FOLLOW_METRES of a river, canal or disused railway."""
    if line.length == 0 or len(surface.follow_lines) == 0:
        return 0.0
    metres = settings.CORRIDOR_FOLLOW_METRES
    near = surface.tree.query(line, predicate="dwithin", distance=metres)
    if len(near) == 0:
        return 0.0
    zone = shapely.union_all(shapely.buffer(surface.follow_lines[near], metres))
    return float(line.intersection(zone).length / line.length)


def suggest_trajectory(city: City, start: Point, end: Point) -> Suggestion:
    """A corridor line from ``start`` to ``end`` over the city's cost surface (see the module's docstring).

    The line begins and ends at the two points. Raises TrajectoryError, with a
    message naming the problem, when a point lies outside the city's extent or
    the surface, on a gap of the DEM, when the points are closer than
    MIN_DISTANCE_METRES, or when no path joins them inside the city.
    """
    start, end = _in_srid(start, SRID), _in_srid(end, SRID)
    for point, outside in (
        (start, _("The start lies outside the city's extent.")),
        (end, _("The end lies outside the city's extent.")),
    ):
        if not city.extent.intersects(point):
            raise TrajectoryError(outside)
    metric_start, metric_end = _in_srid(start, city.metric_srid), _in_srid(end, city.metric_srid)
    if metric_start.distance(metric_end) < MIN_DISTANCE_METRES:
        raise TrajectoryError(
            _("The start and the end are less than %(metres)d m apart: pick two places farther apart.")
            % {"metres": MIN_DISTANCE_METRES}
        )
    surface = cost_surface(city)
    start_dem, end_dem = _in_srid(start, surface.srid), _in_srid(end, surface.srid)
    first, last = _cell(surface, start_dem, "start"), _cell(surface, end_dem, "end")

    from skimage.graph import MCP_Geometric

    rows, columns = _window(surface, [first, last])
    origin = np.array([rows.start, columns.start])
    search = MCP_Geometric(surface.cost[rows, columns], fully_connected=True, sampling=(surface.dy, surface.dx))
    local_first, local_last = tuple(np.array(first) - origin), tuple(np.array(last) - origin)
    cumulative, _traceback = search.find_costs([local_first], [local_last])
    if not np.isfinite(cumulative[local_last]):
        raise TrajectoryError(_("No path joins the start and the end inside the city's extent."))
    cells = np.array(search.traceback(local_last)) + origin

    ends = surface.to_frame([[start_dem.x, start_dem.y], [end_dem.x, end_dem.y]])
    coords = _shape_line(surface, cells, ends[0], ends[1])
    xs, ys = surface.from_frame(coords)
    line = LineString(list(zip(xs.tolist(), ys.tolist(), strict=True)), srid=surface.srid)
    if surface.srid != SRID:
        line.transform(SRID)
    metric = line.transform(city.metric_srid, clone=True)
    profile = profile_along(
        np.asarray(metric.coords), city.metric_srid, Elevation.for_city(city), settings.CORRIDOR_PROFILE_STEP_METRES
    )
    return Suggestion(
        line=line,
        length_m=metric.length,
        follows_share=_follows_share(surface, shapely.LineString(coords)),
        climb_m=profile.climb_m,
        descent_m=profile.descent_m,
        max_grade=profile.max_grade,
        dem_gap_m=profile.gap_m,
        vertices=len(coords),
        profile=profile,
    )
