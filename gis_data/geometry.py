"""The geometry rules every geometry entering Qala passes (forms, API, file imports, city packs)."""

import json
import math
import struct
import sys
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import (
    GeometryCollection,
    GEOSException,
    GEOSGeometry,
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # models import SRID from here
    from gis_data.models import City

# Every geometry is stored in WGS 84 longitude/latitude.
SRID = 4326

# The only spatial references Qala hands to GDAL: EPSG codes from this list.
# A user-supplied WKT or PROJ string never reaches GDAL.
ALLOWED_SRIDS: dict[int, str] = {
    4326: "WGS 84 (longitude/latitude)",
    3857: "WGS 84 / Pseudo-Mercator",
    32642: "WGS 84 / UTM zone 42N",
    32643: "WGS 84 / UTM zone 43N",
    32644: "WGS 84 / UTM zone 44N",
}

_MULTI: dict[str, type[GEOSGeometry]] = {"Point": MultiPoint, "LineString": MultiLineString, "Polygon": MultiPolygon}
_EMPTY: dict[str, type[GEOSGeometry]] = {
    "Point": Point,
    "MultiPoint": MultiPoint,
    "LineString": LineString,
    "MultiLineString": MultiLineString,
    "Polygon": Polygon,
    "MultiPolygon": MultiPolygon,
}


class GeometryRuleError(ValidationError):
    """A geometry broke one of the rules; ``code`` names which one."""

    def __init__(self, message: Any, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message, code=code, params=params)


@dataclass(frozen=True)
class GeometryRules:
    """What one kind of geometry may be: its GEOS types, the box it lies in (lon/lat) and its size."""

    allowed_types: tuple[str, ...]
    extent: tuple[float, float, float, float] | None = None
    max_vertices: int = 10_000
    repair: bool = True
    promote_to_multi: bool = False


@dataclass
class CheckedGeometry:
    """A geometry that passed the rules; ``problem`` is GEOS's reason when it had to be repaired."""

    geometry: GEOSGeometry
    repaired: bool
    problem: str = ""


# Formatted when the message is shown, so in the reader's language ("12,345" in English).
_grouped = lazy(lambda number: number_format(number, force_grouping=True), str)


def _parse_error(message: Any, **params: Any) -> GeometryRuleError:
    return GeometryRuleError(message, "parse", params or None)


def refuse_json_constant(token: str) -> float:
    """``json.loads(..., parse_constant=refuse_json_constant)``: Python's json accepts NaN and Infinity,
    which are neither JSON nor coordinates."""
    raise GeometryRuleError(_("The geometry has a coordinate that is not a finite number."), "coordinates")


def geometry_from_geojson(value: str | bytes | dict) -> GEOSGeometry:
    """Build a GEOS geometry (SRID 4326) from an RFC 7946 geometry or Feature, given as a dict or JSON text.

    The GEOS objects are built here, coordinate by coordinate: GeoJSON never
    reaches GDAL, whose reader (3.6) would follow a spatial reference to a file or URL.
    Raises GeometryRuleError ("parse", "crs", "empty", "dimension" or "coordinates").
    """
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value, parse_constant=refuse_json_constant)
        except (ValueError, RecursionError):  # ValueError covers bad JSON and bad UTF-8
            raise _parse_error(_("The geometry is not valid JSON.")) from None
    geometry = _geojson_object(value, feature_allowed=True)
    geometry.srid = SRID
    return geometry


def _geojson_object(obj: Any, feature_allowed: bool = False, collection_allowed: bool = True) -> GEOSGeometry:
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise _parse_error(_("A GeoJSON geometry must be an object with a “type” member."))
    if "crs" in obj:
        raise GeometryRuleError(
            _("GeoJSON “crs” members are not accepted: coordinates must be longitude and latitude (RFC 7946)."), "crs"
        )
    kind = obj["type"]
    if kind == "FeatureCollection":
        raise _parse_error(_("A FeatureCollection is not accepted here: send one Feature or one geometry."))
    if kind == "Feature" and feature_allowed:
        if obj.get("geometry") is None:
            raise GeometryRuleError(_("The feature has no geometry."), "empty")
        return _geojson_object(obj["geometry"])
    if kind == "GeometryCollection":
        # RFC 7946 §3.1.8 advises against nesting, and GEOS in Django cannot build it.
        if not collection_allowed:
            raise _parse_error(_("A GeometryCollection inside a GeometryCollection is not accepted."))
        members = obj.get("geometries")
        if not isinstance(members, list):
            raise _parse_error(_("A GeometryCollection needs a “geometries” list."))
        return GeometryCollection(*(_geojson_object(m, collection_allowed=False) for m in members))
    if kind not in _EMPTY:
        raise _parse_error(_("“%(type)s” is not a GeoJSON geometry type."), type=kind[:50])
    coordinates = obj.get("coordinates")
    if not isinstance(coordinates, list):
        raise _parse_error(_("The geometry has no “coordinates” list."))
    if not coordinates:
        return _EMPTY[kind]()  # RFC 7946 §3.1: empty coordinates make an empty geometry
    if kind.startswith("Multi"):
        build = _BUILDERS[kind.removeprefix("Multi")]
        return _EMPTY[kind](*(build(part) for part in _items(coordinates)))
    return _BUILDERS[kind](coordinates)


def _items(value: Any) -> list:
    if not isinstance(value, list):
        raise _parse_error(_("The geometry's coordinates are not nested lists of positions."))
    return value


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) < 2:
        raise _parse_error(_("A position must be a list of two numbers: longitude and latitude."))
    if len(value) > 2:
        raise GeometryRuleError(_("Only longitude and latitude are accepted: a position has a height."), "dimension")
    # bool is an int in Python, but true is not a coordinate.
    if any(isinstance(n, bool) or not isinstance(n, int | float) for n in value):
        raise _parse_error(_("A position must be a list of two numbers: longitude and latitude."))
    try:
        lon, lat = float(value[0]), float(value[1])
    except OverflowError:  # an integer too large for a float
        lon = lat = math.inf
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise GeometryRuleError(_("The geometry has a coordinate that is not a finite number."), "coordinates")
    return lon, lat


def _point(value: Any) -> Point:
    return Point(*_position(value))


def _line(value: Any) -> LineString:
    positions = [_position(p) for p in _items(value)]
    if len(positions) < 2:
        raise _parse_error(_("A line needs at least 2 positions."))
    return LineString(positions)


def _polygon(value: Any) -> Polygon:
    rings = []
    for ring in _items(value):
        positions = [_position(p) for p in _items(ring)]
        if len(positions) < 4:
            raise _parse_error(_("A polygon ring needs at least 4 positions."))
        if positions[0] != positions[-1]:
            raise _parse_error(_("A polygon ring must end at the position where it starts."))
        rings.append(LinearRing(positions))
    return Polygon(*rings)


_BUILDERS: dict[str, Callable[[Any], GEOSGeometry]] = {"Point": _point, "LineString": _line, "Polygon": _polygon}


def _ordinates(geometry: GEOSGeometry) -> array:
    """Every x and y of a 2-D geometry, interleaved, read from its WKB.

    GEOSGeometry.coords makes library calls for each vertex (about a second per
    200,000); slicing runs of doubles out of the WKB keeps huge input cheap.
    """
    wkb = geometry.wkb
    values = array("d")

    def read(offset: int, order: str, count: int) -> int:
        run = array("d")
        run.frombytes(wkb[offset : offset + 16 * count])
        if order != sys.byteorder:
            run.byteswap()
        values.extend(run)
        return offset + 16 * count

    def walk(offset: int) -> int:
        order = "little" if wkb[offset] == 1 else "big"
        fmt = "<I" if order == "little" else ">I"
        (kind,) = struct.unpack_from(fmt, wkb, offset + 1)
        if kind == 1:  # Point
            end = read(offset + 5, order, 1)
            # WKB writes POINT EMPTY (a member of a collection) as NaN, NaN.
            if all(map(math.isnan, values[-2:])):
                del values[-2:]
            return end
        (count,) = struct.unpack_from(fmt, wkb, offset + 5)
        offset += 9
        if kind == 2:  # LineString
            return read(offset, order, count)
        for _index in range(count):
            if kind == 3:  # Polygon: count rings of points
                (points,) = struct.unpack_from(fmt, wkb, offset)
                offset = read(offset + 4, order, points)
            else:  # Multi* and GeometryCollection: count whole geometries
                offset = walk(offset)
        return offset

    walk(0)
    return values


def _check_coordinates(geometry: GEOSGeometry, lonlat: bool) -> None:
    values = _ordinates(geometry)
    if not all(map(math.isfinite, values)):
        raise GeometryRuleError(_("The geometry has a coordinate that is not a finite number."), "coordinates")
    xs, ys = values[0::2], values[1::2]
    if lonlat and (min(xs) < -180 or max(xs) > 180 or min(ys) < -90 or max(ys) > 90):
        raise GeometryRuleError(
            _(
                "The geometry has coordinates outside longitude -180 to 180 and latitude -90 to 90: "
                "coordinates must be longitude and latitude in degrees."
            ),
            "coordinates",
        )


def _fit_type(geometry: GEOSGeometry, rules: GeometryRules, repaired: bool = False) -> GEOSGeometry:
    """The geometry as an allowed type: as given, wrapped into its Multi type, or after repair unwrapped."""
    kind, allowed = geometry.geom_type, rules.allowed_types
    if kind in allowed:
        return geometry
    multi = _MULTI.get(kind)
    only_multi = all(t.startswith("Multi") for t in allowed)
    if rules.promote_to_multi and only_multi and multi is not None and multi.__name__ in allowed:
        return multi(geometry, srid=SRID)
    # ST_CollectionExtract always answers with a Multi type, even for one part.
    if repaired and kind.startswith("Multi") and len(geometry) == 1 and geometry[0].geom_type in allowed:
        return geometry[0]
    raise GeometryRuleError(
        _("A %(type)s is not allowed here: use a %(allowed)s."),
        "type",
        {"type": kind, "allowed": get_text_list(list(allowed), _("or"))},
    )


def _make_valid(geometry: GEOSGeometry) -> GEOSGeometry:
    # ST_MakeValid may add parts of a lower dimension (a spike becomes a line):
    # keep only parts of the geometry's own dimension (1 points, 2 lines, 3 polygons).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsBinary(ST_CollectionExtract(ST_MakeValid(ST_GeomFromWKB(%s, 4326)), %s))",
            [bytes(geometry.wkb), geometry.dims + 1],
        )
        (wkb,) = cursor.fetchone()
    # memoryview, not bytes: GEOSGeometry would read bytes as text.
    return GEOSGeometry(memoryview(wkb), srid=SRID)


def check_geometry(value: GEOSGeometry | str | bytes | dict, rules: GeometryRules) -> CheckedGeometry:
    """Check a geometry against the rules and return it in SRID 4326, valid and of an allowed type.

    GeoJSON (dict or text) is read with geometry_from_geojson; a GEOS geometry
    without SRID is taken as longitude/latitude. The caller's geometry is not
    modified. Raises GeometryRuleError naming the first rule broken.
    """
    geometry = value.clone() if isinstance(value, GEOSGeometry) else geometry_from_geojson(value)
    if geometry.empty:
        raise GeometryRuleError(_("The geometry is empty."), "empty")
    if geometry.hasz:
        raise GeometryRuleError(_("Only longitude and latitude are accepted: the geometry has heights."), "dimension")
    srid = geometry.srid or SRID
    _check_coordinates(geometry, lonlat=srid == SRID)
    if srid != SRID:
        if srid not in ALLOWED_SRIDS:
            raise GeometryRuleError(
                _("EPSG:%(srid)s is not an accepted spatial reference; use one of %(allowed)s."),
                "srid",
                {"srid": srid, "allowed": ", ".join(f"EPSG:{code}" for code in ALLOWED_SRIDS)},
            )
        try:
            geometry = geometry.transform(SRID, clone=True)
        except (GDALException, GEOSException):
            raise GeometryRuleError(
                _("The geometry cannot be transformed from EPSG:%(srid)s to longitude and latitude."),
                "coordinates",
                {"srid": srid},
            ) from None
        _check_coordinates(geometry, lonlat=True)
    geometry.srid = SRID
    # Counted before validity: validating or repairing huge input is what costs.
    if geometry.num_coords > rules.max_vertices:
        raise GeometryRuleError(
            _("The geometry has %(count)s vertices; at most %(limit)s are allowed."),
            "vertices",
            {"count": _grouped(geometry.num_coords), "limit": _grouped(rules.max_vertices)},
        )
    geometry = _fit_type(geometry, rules)
    repaired, problem = False, ""
    if not geometry.valid:
        problem = geometry.valid_reason
        if not rules.repair:
            raise GeometryRuleError(_("The geometry is not valid: %(reason)s."), "invalid", {"reason": problem})
        geometry = _make_valid(geometry)
        if geometry.empty:
            raise GeometryRuleError(
                _("Nothing of the geometry is left once repaired: %(reason)s."), "empty", {"reason": problem}
            )
        geometry = _fit_type(geometry, rules, repaired=True)
        repaired = True
    if rules.extent is not None and not _box_covers(rules.extent, geometry.extent):
        raise GeometryRuleError(_("The geometry lies outside the city's extent."), "extent")
    return CheckedGeometry(geometry, repaired, problem)


def _box_covers(box: tuple[float, float, float, float], extent: tuple[float, float, float, float]) -> bool:
    # A box covers a geometry exactly when it covers the geometry's bounding box.
    west, south, east, north = box
    xmin, ymin, xmax, ymax = extent
    return west <= xmin and south <= ymin and xmax <= east and ymax <= north


def rules_for_city(city: "City", allowed_types: tuple[str, ...], **kwargs: Any) -> GeometryRules:
    """Rules for geometries drawn in ``city`` (a gis_data.models.City): inside its extent's bounding box."""
    return GeometryRules(allowed_types=tuple(allowed_types), extent=city.extent.extent, **kwargs)
