"""Server-side clusters: a large layer counted on a grid, so that the map gets a few hundred markers, not every feature.

A layer with a ``cluster_field`` (a point of each feature, in Web Mercator)
is sent for a bounding box and a zoom. Its points are grouped on a grid of
cells about 64 screen pixels wide at that zoom; a cell holding several
features becomes one cluster feature: a point at the mean of its members,
with ``{"cluster": true, "count": n, "bbox": [west, south, east, north]}``
(the extent of its members, for the map to zoom to). A cell holding one
feature sends the feature itself, written as ``feature_collection`` writes
it. When the box holds few features (``MAP_CLUSTER_FEATURE_LIMIT``), or the
map is zoomed in so far that a cluster could not be opened by zooming, every
feature is sent as itself.

The grid is fixed to Web Mercator's origin, not to the box, so that a cell
keeps its members when the map pans. Everything is computed by PostGIS: one
query to count the features in the box (it stops at the limit) and one to
build the collection. The box is tested on the cluster field with ``&&``, so
the spatial index on it narrows the rows before anything is read.
"""

import math

from django.conf import settings
from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import F, QuerySet

from gis_data.geometry import SRID
from gis_data.registry import COORDINATE_DECIMALS, Layer, feature_collection, feature_rows_sql

WEB_MERCATOR = 3857
# Web Mercator's metres per pixel at zoom 0 (one 256-pixel tile for the whole equator); halved at each zoom.
METRES_PER_PIXEL_AT_ZOOM_0 = 2 * math.pi * 6378137 / 256
# The width of a cell of the grid on the screen: clusters about this far apart do not overlap.
CELL_PIXELS = 64
# From this zoom on, every feature is sent as itself: a cluster there could not be opened by zooming further;
# unless the box is so wide that it holds more than this many times the limit (a request no map would make).
ALL_FEATURES_ZOOM = 18
ALL_FEATURES_FACTOR = 10
# Web Mercator ends short of the poles; a box reaching beyond is cut there before it is projected.
MAX_LATITUDE = 85.0511287798


def cell_size(zoom: int) -> float:
    """The width of a cell of the grid, in Web Mercator metres, at ``zoom``."""
    return CELL_PIXELS * METRES_PER_PIXEL_AT_ZOOM_0 / 2**zoom


def cluster_field(layer: Layer, queryset: QuerySet) -> str:
    """The layer's cluster field, checked to be a point field in Web Mercator (the grid's metres)."""
    if not layer.cluster_field:
        raise ImproperlyConfigured(f"Layer {layer.name!r} has no cluster_field.")
    field = queryset.model._meta.get_field(layer.cluster_field)
    if not isinstance(field, PointField) or field.srid != WEB_MERCATOR:
        raise ImproperlyConfigured(
            f"Layer {layer.name!r}: the cluster_field {layer.cluster_field!r} must be a PointField in EPSG:3857."
        )
    return layer.cluster_field


def _envelope(bbox: tuple[float, float, float, float]) -> Polygon:
    west, south, east, north = bbox
    south, north = (max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude)) for latitude in (south, north))
    envelope = Polygon.from_bbox((west, south, east, north))
    envelope.srid = SRID
    return envelope


def cluster_collection(layer: Layer, queryset: QuerySet, bbox: tuple[float, float, float, float], zoom: int) -> str:
    """The features of ``queryset`` whose cluster point lies in ``bbox``, clustered for ``zoom``, as GeoJSON text.

    ``queryset`` is the layer's, already narrowed by its filters
    (``layer.features(None, filters)``); ``bbox`` is (west, south, east,
    north) in degrees. Returns an RFC 7946 FeatureCollection of clusters and
    lone features, or of every feature when few are in the box.
    """
    field = cluster_field(layer, queryset)
    # The ORM writes ``field && ST_Transform(envelope, 3857)``: the envelope is projected once, the index is used.
    in_view = queryset.filter(**{f"{field}__bboverlaps": _envelope(bbox)})
    limit = settings.MAP_CLUSTER_FEATURE_LIMIT
    if zoom >= ALL_FEATURES_ZOOM:
        limit *= ALL_FEATURES_FACTOR
    # The count stops at one past the limit, so it costs little however many features the box holds.
    if in_view.order_by()[: limit + 1].count() <= limit:
        return feature_collection(layer, in_view)

    # Neither query needs an order, and a sort of the whole box would cost more than the grid itself.
    anchors = in_view.order_by().values(qala_id=F("pk"), qala_anchor=F(field))
    anchors_sql, anchors_params = anchors.query.get_compiler(using=anchors.db).as_sql()
    # The lone features are read by primary key; the filters repeat, so that nothing else could be read.
    lone_sql, lone_params, using = feature_rows_sql(layer, queryset.order_by())
    decimals = COORDINATE_DECIMALS
    sql = f"""
        WITH cells AS MATERIALIZED (
            SELECT floor(a.x / %s) AS i, floor(a.y / %s) AS j, count(*) AS n,
                sum(a.x) / count(*) AS x, sum(a.y) / count(*) AS y,
                min(a.x) AS xmin, min(a.y) AS ymin, max(a.x) AS xmax, max(a.y) AS ymax,
                min(a.qala_id) AS lone_id
            FROM (
                -- Each anchor is read once, not once per aggregate: OFFSET 0 keeps the planner from inlining x and y.
                SELECT p.qala_id, ST_X(p.qala_anchor) AS x, ST_Y(p.qala_anchor) AS y
                FROM ({anchors_sql}) AS p
                OFFSET 0
            ) AS a
            GROUP BY 1, 2
        ),
        features AS (
            SELECT 0 AS part, c.i, c.j, json_build_object(
                'type', 'Feature',
                'geometry', ST_AsGeoJSON(p.centre, {decimals}, 0)::json,
                'properties', json_build_object(
                    'cluster', true,
                    'count', c.n,
                    'bbox', json_build_array(
                        round(ST_X(p.south_west)::numeric, {decimals}), round(ST_Y(p.south_west)::numeric, {decimals}),
                        round(ST_X(p.north_east)::numeric, {decimals}), round(ST_Y(p.north_east)::numeric, {decimals})
                    )
                )
            ) AS feature
            FROM cells AS c
            CROSS JOIN LATERAL (
                SELECT
                    ST_Transform(ST_SetSRID(ST_MakePoint(c.x, c.y), {WEB_MERCATOR}), {SRID}) AS centre,
                    ST_Transform(ST_SetSRID(ST_MakePoint(c.xmin, c.ymin), {WEB_MERCATOR}), {SRID}) AS south_west,
                    ST_Transform(ST_SetSRID(ST_MakePoint(c.xmax, c.ymax), {WEB_MERCATOR}), {SRID}) AS north_east
            ) AS p
            WHERE c.n > 1
            UNION ALL
            SELECT 1, c.i, c.j, lone.feature
            FROM cells AS c
            JOIN ({lone_sql}) AS lone ON lone.qala_id = c.lone_id
            WHERE c.n = 1
        )
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', COALESCE(json_agg(feature ORDER BY part, i, j), '[]'::json)
        )::text
        FROM features
    """  # noqa: S608 (interpolated: compiled querysets, integer constants; values are parameters)
    size = cell_size(zoom)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, (size, size, *anchors_params, *lone_params))
        return cursor.fetchone()[0]
