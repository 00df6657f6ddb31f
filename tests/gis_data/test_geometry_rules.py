"""The geometry rules: every geometry entering Qala is read, checked and, if need be, repaired here."""

import json
import math

import pytest
from django.contrib.gis.gdal import OGRGeometry
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError
from django.utils import translation

from gis_data.geometry import (
    SRID,
    GeometryRuleError,
    GeometryRules,
    check_geometry,
    geometry_from_geojson,
    rules_for_city,
)
from gis_data.models import City

ALMATY = (76.5, 42.9, 77.35, 43.6)
POLYGONS = GeometryRules(allowed_types=("Polygon", "MultiPolygon"))
ANYTHING = GeometryRules(
    allowed_types=(
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    )
)
SQUARE = [[76.9, 43.2], [77.0, 43.2], [77.0, 43.3], [76.9, 43.3], [76.9, 43.2]]
# A ring that crosses itself in its middle: GEOS finds it invalid, ST_MakeValid makes two triangles.
BOW_TIE = {"type": "Polygon", "coordinates": [[[76.9, 43.2], [77.0, 43.3], [77.0, 43.2], [76.9, 43.3], [76.9, 43.2]]]}


def polygon(ring: list[list[float]] = SQUARE) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def error_of(value: object, rules: GeometryRules = ANYTHING) -> GeometryRuleError:
    with pytest.raises(GeometryRuleError) as caught:
        check_geometry(value, rules)
    return caught.value


def message_of(error: ValidationError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


# Reading GeoJSON


@pytest.mark.parametrize(
    ("geojson", "geom_type", "num_coords"),
    [
        ({"type": "Point", "coordinates": [76.95, 43.24]}, "Point", 1),
        ({"type": "MultiPoint", "coordinates": [[76.95, 43.24], [76.96, 43.25]]}, "MultiPoint", 2),
        ({"type": "LineString", "coordinates": [[76.95, 43.24], [76.96, 43.25]]}, "LineString", 2),
        ({"type": "MultiLineString", "coordinates": [[[76.95, 43.24], [76.96, 43.25]]]}, "MultiLineString", 2),
        (polygon(), "Polygon", 5),
        ({"type": "MultiPolygon", "coordinates": [[SQUARE]]}, "MultiPolygon", 5),
        (
            {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [76.95, 43.24]}, polygon()]},
            "GeometryCollection",
            6,
        ),
    ],
)
def test_it_reads_every_geojson_geometry_type(geojson, geom_type, num_coords):
    geometry = geometry_from_geojson(geojson)

    assert geometry.geom_type == geom_type
    assert geometry.num_coords == num_coords
    assert geometry.srid == SRID


def test_it_reads_geojson_text_and_bytes_as_well_as_a_dict():
    text = json.dumps(polygon())

    assert geometry_from_geojson(text).equals_exact(geometry_from_geojson(polygon()))
    assert geometry_from_geojson(text.encode()).equals_exact(geometry_from_geojson(polygon()))


def test_it_keeps_longitude_first():
    point = geometry_from_geojson({"type": "Point", "coordinates": [76.95, 43.24]})

    assert (point.x, point.y) == (76.95, 43.24)


def test_it_reads_polygon_holes():
    hole = [[76.93, 43.23], [76.96, 43.23], [76.96, 43.26], [76.93, 43.26], [76.93, 43.23]]

    geometry = geometry_from_geojson({"type": "Polygon", "coordinates": [SQUARE, hole]})

    assert len(geometry) == 2


def test_it_never_hands_geojson_to_gdal(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("GeoJSON reached GDAL")

    monkeypatch.setattr(OGRGeometry, "__init__", refuse)
    monkeypatch.setattr(OGRGeometry, "from_json", refuse)

    assert geometry_from_geojson(json.dumps(polygon())).valid


def test_it_takes_the_geometry_of_a_feature():
    feature = {"type": "Feature", "properties": {"name": "Park"}, "geometry": polygon()}

    assert geometry_from_geojson(feature).geom_type == "Polygon"


def test_it_refuses_a_feature_collection():
    collection = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": polygon()}]}

    error = error_of(collection)

    assert error.code == "parse"
    assert "FeatureCollection" in message_of(error)


def test_it_refuses_text_that_is_not_json():
    assert error_of('{"type": "Point", "coordinates": [76.9, 43.2]').code == "parse"


def test_it_refuses_json_that_is_not_an_object():
    assert error_of("[76.9, 43.2]").code == "parse"


def test_it_refuses_an_unknown_geometry_type():
    error = error_of({"type": "Circle", "coordinates": [76.9, 43.2], "radius": 100})

    assert error.code == "parse"
    assert "“Circle” is not a GeoJSON geometry type" in message_of(error)


def test_it_refuses_a_geometry_without_coordinates():
    assert error_of({"type": "Polygon"}).code == "parse"


def test_it_refuses_coordinates_nested_at_the_wrong_depth():
    assert error_of({"type": "Polygon", "coordinates": SQUARE}).code == "parse"


def test_it_refuses_a_ring_with_fewer_than_four_positions():
    error = error_of(polygon([[76.9, 43.2], [77.0, 43.2], [76.9, 43.2]]))

    assert error.code == "parse"
    assert "at least 4 positions" in message_of(error)


def test_it_refuses_a_ring_that_is_not_closed():
    error = error_of(polygon(SQUARE[:-1] + [[76.95, 43.2]]))

    assert error.code == "parse"
    assert "must end at the position where it starts" in message_of(error)


def test_it_refuses_a_line_with_a_single_position():
    error = error_of({"type": "LineString", "coordinates": [[76.9, 43.2]]})

    assert error.code == "parse"
    assert "at least 2 positions" in message_of(error)


@pytest.mark.parametrize("value", ["76.9", True, None, [76.9]])
def test_it_refuses_a_coordinate_that_is_not_a_number(value):
    assert error_of({"type": "Point", "coordinates": [value, 43.2]}).code == "parse"


def test_it_refuses_a_nested_geometry_collection():
    inner = {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [76.9, 43.2]}]}

    assert error_of({"type": "GeometryCollection", "geometries": [inner]}).code == "parse"


# crs members


def test_it_refuses_a_geojson_crs_member():
    geojson = polygon() | {"crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}

    error = error_of(geojson)

    assert error.code == "crs"
    assert "RFC 7946" in message_of(error)


def test_it_refuses_a_crs_member_on_a_feature():
    feature = {"type": "Feature", "crs": {"type": "link", "properties": {"href": "file:///etc/passwd"}}}

    assert error_of(feature | {"geometry": polygon()}).code == "crs"


def test_it_refuses_a_crs_member_inside_a_geometry_collection():
    member = {"type": "Point", "coordinates": [76.9, 43.2], "crs": {"type": "name", "properties": {"name": "x"}}}

    assert error_of({"type": "GeometryCollection", "geometries": [member]}).code == "crs"


# Emptiness


def test_it_refuses_an_empty_geometry():
    assert error_of({"type": "Polygon", "coordinates": []}).code == "empty"


def test_it_refuses_an_empty_geos_geometry():
    assert error_of(Polygon(srid=SRID)).code == "empty"


def test_it_refuses_a_feature_without_geometry():
    assert error_of({"type": "Feature", "properties": {}, "geometry": None}).code == "empty"


# Two dimensions


def test_it_refuses_a_position_with_a_height():
    assert error_of({"type": "Point", "coordinates": [76.9, 43.2, 850.0]}).code == "dimension"


def test_it_refuses_a_geos_geometry_with_heights():
    assert error_of(Point(76.9, 43.2, 850.0, srid=SRID)).code == "dimension"


# Coordinates


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_it_refuses_json_text_with_a_coordinate_that_is_not_finite(token):
    error = error_of(f'{{"type": "Point", "coordinates": [{token}, 43.2]}}')

    assert error.code == "coordinates"


def test_it_refuses_a_nan_coordinate_in_a_dict():
    assert error_of({"type": "Point", "coordinates": [math.nan, 43.2]}).code == "coordinates"


def test_it_refuses_a_nan_coordinate_in_a_geos_geometry():
    line = LineString((76.9, 43.2), (math.nan, 43.3), (77.0, 43.4), srid=SRID)

    assert error_of(line).code == "coordinates"


def test_it_refuses_a_longitude_outside_the_world():
    assert error_of({"type": "Point", "coordinates": [196.9, 43.2]}).code == "coordinates"


def test_it_refuses_a_latitude_outside_the_world():
    assert error_of({"type": "LineString", "coordinates": [[76.9, 43.2], [76.9, 93.2]]}).code == "coordinates"


def test_it_refuses_metres_given_as_longitude_and_latitude():
    assert error_of(Point(577_000, 4_788_000, srid=SRID)).code == "coordinates"


# Spatial references


def test_it_takes_a_geos_geometry_without_srid_as_longitude_and_latitude():
    checked = check_geometry(Point(76.95, 43.24), ANYTHING)

    assert checked.geometry.srid == SRID
    assert checked.geometry.coords == (76.95, 43.24)


def test_it_transforms_a_utm_point_to_longitude_and_latitude():
    # Almaty's centre in UTM zone 43N.
    checked = check_geometry(Point(658_323, 4_789_313, srid=32643), ANYTHING)

    assert checked.geometry.srid == SRID
    assert checked.geometry.x == pytest.approx(76.95, abs=0.01)
    assert checked.geometry.y == pytest.approx(43.24, abs=0.01)


def test_it_leaves_the_callers_geometry_as_it_was():
    point = Point(658_323, 4_789_313, srid=32643)

    check_geometry(point, ANYTHING)

    assert (point.srid, point.coords) == (32643, (658_323, 4_789_313))


def test_it_refuses_a_spatial_reference_that_is_not_on_the_list():
    # EPSG:2154 (RGF93 / Lambert-93) is a real reference, but not one Qala hands to GDAL.
    error = error_of(Point(652_000, 6_862_000, srid=2154))

    assert error.code == "srid"
    assert "EPSG:2154" in message_of(error)


# Vertices


def test_it_refuses_a_geometry_with_too_many_vertices():
    line = LineString([(76.9 + i * 1e-5, 43.2) for i in range(12_345)], srid=SRID)

    error = error_of(line)

    assert error.code == "vertices"
    assert message_of(error) == "The geometry has 12,345 vertices; at most 10,000 are allowed."


def test_it_counts_vertices_before_it_checks_validity():
    # Invalid and too big: refused without a repair, so without the database (no django_db mark).
    zigzag = [(76.9 + (i % 2) * 0.1, 43.2 + i * 1e-5) for i in range(11_000)]
    ring = [(76.9, 43.2), *zigzag, (76.9, 43.2)]

    assert error_of(Polygon(ring, srid=SRID), POLYGONS).code == "vertices"


# Types


def test_it_refuses_a_type_that_is_not_allowed():
    error = error_of({"type": "Point", "coordinates": [76.9, 43.2]}, POLYGONS)

    assert error.code == "type"
    assert message_of(error) == "A Point is not allowed here: use a Polygon or MultiPolygon."


def test_it_wraps_a_polygon_into_a_multipolygon_when_asked():
    rules = GeometryRules(allowed_types=("MultiPolygon",), promote_to_multi=True)

    checked = check_geometry(polygon(), rules)

    assert checked.geometry.geom_type == "MultiPolygon"
    assert checked.geometry.srid == SRID
    assert checked.geometry[0].equals_exact(geometry_from_geojson(polygon()))


def test_it_does_not_wrap_a_polygon_unless_asked():
    assert error_of(polygon(), GeometryRules(allowed_types=("MultiPolygon",))).code == "type"


# Validity


def test_it_accepts_a_valid_geometry_as_it_is():
    checked = check_geometry(polygon(), POLYGONS)

    assert (checked.repaired, checked.problem) == (False, "")
    assert checked.geometry.equals_exact(geometry_from_geojson(polygon()))


@pytest.mark.django_db
def test_it_repairs_a_bow_tie_polygon_and_reports_it():
    checked = check_geometry(BOW_TIE, POLYGONS)

    assert checked.repaired
    assert checked.problem.startswith("Self-intersection")
    assert checked.geometry.valid
    assert checked.geometry.geom_type == "MultiPolygon"
    assert len(checked.geometry) == 2
    assert checked.geometry.srid == SRID


def test_it_refuses_a_bow_tie_polygon_when_repair_is_off():
    rules = GeometryRules(allowed_types=("Polygon", "MultiPolygon"), repair=False)

    error = error_of(BOW_TIE, rules)

    assert error.code == "invalid"
    assert "Self-intersection" in message_of(error)


@pytest.mark.django_db
def test_it_gives_back_a_polygon_when_the_repair_leaves_one_part():
    # A spike: ST_MakeValid answers a polygon and a line; only the polygon is kept.
    spike = polygon([[76.9, 43.2], [77.0, 43.2], [77.0, 43.3], [77.1, 43.4], [77.0, 43.3], [76.9, 43.3], [76.9, 43.2]])

    checked = check_geometry(spike, GeometryRules(allowed_types=("Polygon",)))

    assert checked.repaired
    assert checked.geometry.geom_type == "Polygon"
    assert checked.geometry.area == pytest.approx(0.01)


@pytest.mark.django_db
def test_it_refuses_a_polygon_that_a_repair_would_reduce_to_nothing():
    flat = polygon([[76.9, 43.2], [76.95, 43.25], [77.0, 43.3], [76.9, 43.2]])

    assert error_of(flat, POLYGONS).code == "empty"


# Extent


def test_it_refuses_a_geometry_outside_the_extent():
    rules = GeometryRules(allowed_types=("Point",), extent=ALMATY)

    error = error_of({"type": "Point", "coordinates": [71.43, 51.13]}, rules)

    assert error.code == "extent"
    assert message_of(error) == "The geometry lies outside the city's extent."


def test_it_refuses_a_geometry_that_crosses_the_edge_of_the_extent():
    line = {"type": "LineString", "coordinates": [[76.9, 43.2], [77.5, 43.2]]}

    assert error_of(line, GeometryRules(allowed_types=("LineString",), extent=ALMATY)).code == "extent"


def test_it_accepts_a_geometry_lying_on_the_edge_of_the_extent():
    line = {"type": "LineString", "coordinates": [[76.5, 42.9], [77.35, 42.9]]}

    checked = check_geometry(line, GeometryRules(allowed_types=("LineString",), extent=ALMATY))

    assert checked.geometry.geom_type == "LineString"


def test_rules_for_a_city_take_the_bounding_box_of_its_extent():
    city = City(extent=Polygon.from_bbox(ALMATY))

    rules = rules_for_city(city, ("Polygon", "MultiPolygon"), promote_to_multi=True)

    assert rules == GeometryRules(allowed_types=("Polygon", "MultiPolygon"), extent=ALMATY, promote_to_multi=True)


# The error


def test_a_geometry_rule_error_is_a_validation_error_for_forms():
    error = error_of({"type": "Point", "coordinates": [76.9, 43.2]}, POLYGONS)

    assert isinstance(error, ValidationError)
    assert error.error_list == [error]


def test_it_checks_a_geometry_read_from_wkb():
    # Files read through GDAL (OpenStreetMap extracts) arrive as WKB.
    wkb = MultiPolygon(Polygon([tuple(p) for p in SQUARE]), Polygon.from_bbox((77.1, 43.1, 77.2, 43.2))).wkb

    assert check_geometry(GEOSGeometry(wkb, srid=SRID), POLYGONS).geometry.geom_type == "MultiPolygon"
