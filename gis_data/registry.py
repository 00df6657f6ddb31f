"""The layer registry: every map layer is declared once, as a ``Layer``, and every output reads it.

An app declares its layers in its ``layers.py`` (found by ``GisDataConfig.ready``)::

    registry.register(Layer(name="parks", title=_("Parks"), queryset=lambda: Park.objects.all(), ...))

The map's layer control and legend, the GeoJSON endpoint, the clusters of a
large layer (``gis_data.clusters``) and, later, the vector tiles and the OGC
API Features collections all come from that one declaration, and all ask the
same ``visible_to`` whether a user may see it.
"""

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import F, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gis_data.geometry import SRID

# "mixed" is for layers whose features may be points, lines or areas (projects): its swatch shows an area and a dot.
LEGEND_KINDS = ("area", "line", "mixed", "point")
# The style keys a layer may set; they are Leaflet's path options, so the map uses them as they are.
STYLE_KEYS = frozenset({"color", "weight", "opacity", "fillColor", "fillOpacity", "dashArray", "radius"})
NAME_ATTRIBUTES = ("name", "name_kk", "name_ru", "name_en")
MAX_ZOOM = 22
# RFC 7946 suggests 6 decimals: about 10 cm, finer than any source Qala publishes.
COORDINATE_DECIMALS = 6

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# A field lookup that follows relations, as in ``values()``: ``category__slug``.
_LOOKUP = re.compile(r"^[a-z][a-z0-9_]*$")
# GeoJSON gives each feature its own "id" member; a property of that name would be confused with it.
RESERVED_PROPERTIES = frozenset({"id"})


def everyone(user: Any) -> bool:
    """The default audience of a layer: everyone, signed in or not."""
    return True


@dataclass(frozen=True)
class Variant:
    """A style for the features of a layer whose ``attribute`` equals ``value``, with its own legend entry."""

    attribute: str
    value: Any
    title: str | Promise
    style: Mapping[str, Any] = field(default_factory=dict, hash=False)


def _split_attribute(entry: str) -> tuple[str, str]:
    """``"category=category__slug"`` is the property ``category`` read from ``category__slug``; ``"name"`` is both."""
    name, _sep, lookup = entry.partition("=")
    return name.strip(), (lookup.strip() if _sep else name.strip())


def _variant_problems(variants: Iterable[Variant], properties: Iterable[str]) -> list[str]:
    problems = []
    published = set(properties)
    for variant in variants:
        if variant.attribute not in published:
            problems.append(f"the variant attribute {variant.attribute!r} is not a published attribute")
        unknown = set(variant.style) - STYLE_KEYS
        if unknown:
            problems.append(f"unknown style keys {sorted(unknown)} (use {sorted(STYLE_KEYS)})")
    return problems


@dataclass(frozen=True)
class Layer:
    """One map layer, declared once.

    ``queryset`` is called on every request, so it always sees current data.
    ``attributes`` are the model fields published as the features'
    properties; published names stay in all languages (``name``, ``name_kk``,
    ``name_ru``, ``name_en``) so that a response does not depend on the
    language and caches well. An entry ``"alias=lookup"`` publishes a field
    reached through a relation under a readable name:
    ``"category=category__slug"``. ``id`` is not a property name: it is the
    feature's own member (the primary key).

    ``style`` holds Leaflet path options. ``variants`` restyle the features
    whose attribute has a value; the map applies *every* matching variant, in
    order, over the style (a project gets its category's colour, then its
    status's dashes), and the legend lists them all. ``variants`` may also be
    a callable returning them, called on every request, so that a layer is
    styled by the rows of a table (project categories, which admins add).
    ``legend`` is the kind of swatch: ``area``, ``line``, ``point``, or
    ``mixed`` for a layer of points, lines and areas together.

    ``source`` is the key of the city's ``DataSource`` whose attribution the
    layer carries (empty for Qala's own data). ``visible_to(user)`` decides
    who may see the layer in every output: the map, its GeoJSON, and later
    its tiles and OGC API collection.

    ``filter_form`` is a Form class the GeoJSON endpoint binds to the query
    string: a bad value answers 400 with the form's messages, good ones narrow
    the layer through ``form.filter(queryset)``. The map offers its
    ``MAP_FIELDS`` (all its fields when it has none) as select boxes.

    The map's popup is titled by the properties ``label``, ``label_<language>``
    (``"name"``, or ``"title"`` for projects). ``link`` is a URL name taking
    one primary key (``"projects:detail"``): the title links to that page,
    for the pk in the property ``link_attribute`` (the feature's id when
    empty). ``image`` names a property holding the name of a media file
    (a thumbnail) that the popup shows. ``direction`` names a property holding
    a bearing in degrees clockwise from north (may be null): a point is then
    drawn as a marker looking that way, as a photo's viewpoint.

    ``cluster_field`` names a ``PointField`` of the model in EPSG:3857 (Web
    Mercator, the map's own projection) holding one point of each feature,
    kept up to date by the model (a proposal's ``anchor``). A layer that has
    one is too large to send whole: the map asks its clusters endpoint
    instead, which counts the features on a grid of these points (see
    ``gis_data.clusters``) and sends the features themselves only where few
    remain. Empty for a layer sent whole as GeoJSON.
    """

    name: str
    title: str | Promise
    queryset: Callable[[], QuerySet]
    legend: str
    style: Mapping[str, Any] = field(hash=False)
    attributes: tuple[str, ...] = NAME_ATTRIBUTES
    geometry_field: str = "geom"
    variants: tuple[Variant, ...] | Callable[[], Iterable[Variant]] = ()
    min_zoom: int = 0
    max_zoom: int = MAX_ZOOM
    source: str = ""
    visible_to: Callable[[Any], bool] = everyone
    default_on: bool = True
    filter_form: type[forms.Form] | None = None
    label: str = "name"
    link: str = ""
    link_attribute: str = ""
    image: str = ""
    direction: str = ""
    cluster_field: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not _NAME.match(self.name):
            problems.append("the name must be lower-case letters, digits and underscores")
        if self.legend not in LEGEND_KINDS:
            problems.append(f"the legend must be one of {', '.join(LEGEND_KINDS)}")
        if not 0 <= self.min_zoom <= self.max_zoom <= MAX_ZOOM:
            problems.append(f"the zooms must satisfy 0 <= min_zoom <= max_zoom <= {MAX_ZOOM}")
        unknown = set(self.style) - STYLE_KEYS
        if unknown:
            problems.append(f"unknown style keys {sorted(unknown)} (use {sorted(STYLE_KEYS)})")
        names = []
        for entry in self.attributes:
            name, lookup = _split_attribute(entry)
            if not _NAME.match(name) or not _LOOKUP.match(lookup):
                problems.append(f"the attribute {entry!r} must be a field or lookup, or alias=lookup")
            elif name in RESERVED_PROPERTIES:
                problems.append(f"the attribute name {name!r} is reserved (it is the feature's id)")
            elif name in names:
                problems.append(f"the attribute name {name!r} is published twice")
            names.append(name)
        if not callable(self.variants):
            problems.extend(_variant_problems(self.variants, names))
        for role in ("link_attribute", "image", "direction"):
            value = getattr(self, role)
            if value and value not in names:
                problems.append(f"the {role} {value!r} is not a published attribute")
        if not any(name == self.label or name.startswith(f"{self.label}_") for name in names):
            problems.append(
                f"the label {self.label!r} names no published attribute ({self.label} or {self.label}_kk...)"
            )
        if self.cluster_field and not _NAME.match(self.cluster_field):
            problems.append(f"the cluster_field {self.cluster_field!r} must be the name of a point field of the model")
        if self.link_attribute and not self.link:
            problems.append("a link_attribute needs a link (a URL name)")
        if self.filter_form is not None:
            if not hasattr(self.filter_form, "filter"):
                problems.append("the filter_form needs a filter(queryset) method")
            unknown_fields = set(self.filter_fields) - set(self.filter_form.base_fields)
            if unknown_fields:
                problems.append(f"the filter_form has no fields {sorted(unknown_fields)} (named in MAP_FIELDS)")
        if problems:
            raise ImproperlyConfigured(f"Layer {self.name!r}: {'; '.join(problems)}.")

    @property
    def is_public(self) -> bool:
        """Whether everyone may see the layer, so that shared HTTP caches may keep its responses."""
        return self.visible_to is everyone

    @property
    def properties(self) -> tuple[tuple[str, str], ...]:
        """The published properties as (name, field lookup) pairs, in the declared order."""
        return tuple(_split_attribute(entry) for entry in self.attributes)

    def current_variants(self) -> tuple[Variant, ...]:
        """The variants as they stand now: a callable is called (and its variants checked) on every request."""
        if not callable(self.variants):
            return self.variants
        variants = tuple(self.variants())
        problems = _variant_problems(variants, (name for name, _lookup in self.properties))
        if problems:
            raise ImproperlyConfigured(f"Layer {self.name!r}: {'; '.join(problems)}.")
        return variants

    @property
    def filter_fields(self) -> tuple[str, ...]:
        """The names of the filter form's fields that the map offers."""
        if self.filter_form is None:
            return ()
        return tuple(getattr(self.filter_form, "MAP_FIELDS", self.filter_form.base_fields))

    def features(self, bbox: tuple[float, float, float, float] | None = None, filters: Any = None) -> QuerySet:
        """The layer's features, narrowed by a valid bound ``filters`` form, then to those that intersect ``bbox``.

        ``bbox`` is (west, south, east, north). The ``&&`` test on the
        bounding boxes lets PostgreSQL use the spatial index before the exact
        intersection test.
        """
        queryset = self.queryset()
        if filters is not None:
            queryset = filters.filter(queryset)
        if bbox is not None:
            envelope = Polygon.from_bbox(bbox)
            envelope.srid = SRID
            queryset = queryset.filter(
                **{f"{self.geometry_field}__bboverlaps": envelope, f"{self.geometry_field}__intersects": envelope}
            )
        return queryset


def feature_rows_sql(layer: Layer, queryset: QuerySet) -> tuple[str, tuple[Any, ...], str]:
    """The SQL of one RFC 7946 Feature per row of ``queryset``, its parameters and the database to run it on.

    The SQL selects ``qala_id`` and ``feature`` (``json``). Each Feature has
    the primary key as its ``id``, its geometry in longitude/latitude with six decimals and no
    ``crs`` member, and the layer's published attributes as ``properties``.
    ``feature_collection`` and the clusters' lone features share it, so a
    feature is written the same way wherever it is sent.
    """
    properties = layer.properties
    columns = {f"qala_p{index}": F(lookup) for index, (_name, lookup) in enumerate(properties)}
    rows = queryset.values(qala_id=F("pk"), qala_geom=F(layer.geometry_field), **columns)
    connection = connections[rows.db]
    inner_sql, inner_params = rows.query.get_compiler(using=rows.db).as_sql()
    quote = connection.ops.quote_name
    pairs = ", ".join(f"%s, f.{quote(alias)}" for alias in columns)
    sql = f"""
        SELECT f.qala_id, json_build_object(
            'type', 'Feature',
            'id', f.qala_id,
            'geometry', ST_AsGeoJSON(ST_Transform(f.qala_geom, {SRID}), {COORDINATE_DECIMALS}, 0)::json,
            'properties', json_build_object({pairs})
        ) AS feature
        FROM ({inner_sql}) AS f
    """  # noqa: S608 (the only interpolated names are generated aliases, quoted; values are parameters)
    return sql, (*(name for name, _lookup in properties), *inner_params), rows.db


def feature_collection(layer: Layer, queryset: QuerySet) -> str:
    """The RFC 7946 FeatureCollection of ``queryset``, built by PostGIS in one query.

    Coordinates are longitude/latitude with six decimals and no ``crs``
    member; each Feature has the primary key as its ``id`` and the layer's
    published attributes as its ``properties``, in the queryset's order.
    """
    features_sql, params, using = feature_rows_sql(layer, queryset)
    sql = f"""
        SELECT json_build_object(
            'type', 'FeatureCollection', 'features', COALESCE(json_agg(r.feature), '[]'::json)
        )::text
        FROM ({features_sql}) AS r
    """  # noqa: S608 (built from feature_rows_sql; values are parameters)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


class BboxError(ValueError):
    """A bbox parameter that is not west,south,east,north in longitude/latitude; the message says why."""


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """Read ``west,south,east,north`` in degrees of longitude and latitude, as in OGC API Features."""
    parts = value.split(",")
    if len(parts) != 4:
        raise BboxError(_("bbox must be four numbers: west,south,east,north."))
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise BboxError(_("bbox must be four numbers: west,south,east,north.")) from None
    if not all(math.isfinite(number) for number in (west, south, east, north)):
        raise BboxError(_("bbox numbers must be finite."))
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise BboxError(_("bbox longitudes (west, east) must lie between -180 and 180."))
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise BboxError(_("bbox latitudes (south, north) must lie between -90 and 90."))
    if west >= east:
        raise BboxError(_("bbox west must be less than east."))
    if south >= north:
        raise BboxError(_("bbox south must be less than north."))
    return west, south, east, north


class LayerRegistry:
    """The declared layers, in the order they were registered (the map draws them in that order)."""

    def __init__(self) -> None:
        self._layers: dict[str, Layer] = {}

    def register(self, layer: Layer) -> Layer:
        if layer.name in self._layers:
            raise ImproperlyConfigured(f"A layer named {layer.name!r} is already registered.")
        self._layers[layer.name] = layer
        return layer

    def unregister(self, name: str) -> None:
        del self._layers[name]

    def get(self, name: str) -> Layer | None:
        return self._layers.get(name)

    def for_user(self, user: Any) -> list[Layer]:
        """The layers ``user`` may see."""
        return [layer for layer in self._layers.values() if layer.visible_to(user)]

    def __iter__(self) -> Iterator[Layer]:
        return iter(list(self._layers.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._layers


registry = LayerRegistry()
# So that an app may write ``from gis_data import registry`` and ``registry.register(Layer(...))``.
register = registry.register
get = registry.get
for_user = registry.for_user
