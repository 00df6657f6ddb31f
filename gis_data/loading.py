"""Loading a city pack into the reference layers, in one transaction.

The loader reads GeoJSON with the standard library and OpenStreetMap extracts
(.osm.pbf) with GDAL's OSM driver through pyogrio, so any city with an OSM
extract can be set up the same way. Every geometry passes the rules of
gis_data.geometry. Any problem refuses the whole pack: the database stays as
it was (one exception: a building whose footprint has no area, a closed way
drawn back over itself, is skipped and reported). Re-running updates features
in place, keyed by OSM type and id. Once the layers are in, the population
estimate (gis_data.population) is rebuilt from them, in the same transaction.
"""

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point, Polygon
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_data.geometry import (
    ALLOWED_SRIDS,
    SRID,
    GeometryRuleError,
    GeometryRules,
    check_geometry,
    refuse_json_constant,
)
from gis_data.models import (
    MAX_REFERENCE_VERTICES,
    Building,
    City,
    DataSource,
    District,
    GreenArea,
    PopulatedPlace,
    Railway,
    Raster,
    ReferenceFeature,
    Street,
    Waterway,
)
from gis_data.packs import CityPack, LayerSpec, PackError, Source, read_manifest
from gis_data.population import PopulationReport, rebuild_population
from gis_data.signals import city_pack_loaded

WATERWAY_KINDS = {kind for kind, _label in Waterway.KINDS}
RAILWAY_KINDS = {kind for kind, _label in Railway.KINDS}
# OSM tags that make a park or green area, as (key, value) -> GreenArea kind.
GREEN_TAGS = {
    ("leisure", "park"): "park",
    ("leisure", "garden"): "garden",
    ("leisure", "recreation_ground"): "recreation_ground",
    ("landuse", "recreation_ground"): "recreation_ground",
    ("landuse", "forest"): "forest",
    ("natural", "wood"): "wood",
    ("landuse", "grass"): "grass",
    ("landuse", "village_green"): "grass",
    ("landuse", "meadow"): "meadow",
    ("natural", "scrub"): "scrub",
    ("landuse", "cemetery"): "cemetery",
}
# highway values that are not ways one can walk, cycle or drive along.
NOT_STREETS = {"construction", "proposed", "abandoned", "platform", "raceway", "bus_stop", "crossing", "elevator"}
# A building tagged with one of these land uses or amenities (on the building itself, not on a
# surrounding area) is a workplace, a shop or a public building: nobody is counted as living there.
NOT_RESIDENTIAL_LANDUSE = {"commercial", "industrial", "retail", "construction", "garages", "military", "railway"}
NOT_RESIDENTIAL_AMENITIES = {
    "school",
    "kindergarten",
    "college",
    "university",
    "hospital",
    "clinic",
    "place_of_worship",
    "fuel",
    "parking",
    "fire_station",
    "police",
    "townhall",
    "courthouse",
    "theatre",
    "cinema",
    "public_building",
    "embassy",
}
# building:levels above this is a typing slip (the tallest building in the world has 163 floors).
MAX_LEVELS = 200
# GeoJSON exports spell the OSM type in the singular or the plural.
OSM_TYPE_NAMES = {
    "node": "node",
    "way": "way",
    "relation": "relation",
    "nodes": "node",
    "ways": "way",
    "relations": "relation",
}


@dataclass
class Feature:
    """One feature read from a pack file, before it is checked: OSM-style tags and a geometry."""

    number: int
    tags: dict[str, str]
    osm_type: str | None
    geometry: Any  # a GeoJSON geometry dict, or WKB bytes from pyogrio


@dataclass
class LayerReport:
    layer: str
    source: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    repaired: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    city: City
    skipped: bool = False
    layers: list[LayerReport] = field(default_factory=list)
    population: PopulationReport | None = None


@dataclass(frozen=True)
class LayerKind:
    """How one reference layer is built: its model, geometry rules, default OSM type and tag reader."""

    model: type[ReferenceFeature]
    osm_layer: str  # the layer of GDAL's OSM driver that holds these features
    default_osm_type: str
    fields: Callable[[dict[str, str]], dict[str, Any] | None]
    # Skip (and report) a feature with no area left, instead of refusing the pack: a closed way drawn
    # back over itself, which GDAL returns as a ring of 2 or 3 points. Among thousands of buildings
    # such a shed has no footprint to lose; a district or a park without area is still refused.
    skip_degenerate: bool = False


def _district_fields(tags: dict[str, str]) -> dict[str, Any] | None:
    return {}


def _waterway_fields(tags: dict[str, str]) -> dict[str, Any] | None:
    kind = tags.get("waterway")
    return {"kind": kind} if kind in WATERWAY_KINDS else None


def _railway_fields(tags: dict[str, str]) -> dict[str, Any] | None:
    kind = tags.get("railway")
    if kind not in RAILWAY_KINDS:
        return None
    # Disused lines are kept: they are candidates for rails-to-trails corridors.
    in_use = kind not in Railway.DISUSED_KINDS and tags.get("disused") != "yes" and tags.get("abandoned") != "yes"
    return {"kind": kind, "in_use": in_use}


def _green_area_fields(tags: dict[str, str]) -> dict[str, Any] | None:
    for (key, value), kind in GREEN_TAGS.items():
        if tags.get(key) == value:
            return {"kind": kind}
    return None


def _street_fields(tags: dict[str, str]) -> dict[str, Any] | None:
    highway = tags.get("highway")
    if not highway or highway in NOT_STREETS or tags.get("area") == "yes":
        return None
    return {"highway": highway[:40], "is_main": highway in Street.MAIN_CLASSES}


def _place_fields(tags: dict[str, str]) -> dict[str, Any] | None:
    place = tags.get("place")
    if not place:
        return None
    population = tags.get("population")
    if population in (None, ""):
        return {"place": place[:40], "population": None}
    text = str(population).replace(" ", "").replace(",", "")
    if not text.isdigit():
        raise ValueError(_("the population “%(value)s” is not a whole number") % {"value": population})
    return {"place": place[:40], "population": int(text)}


def _building_fields(tags: dict[str, str]) -> dict[str, Any] | None:
    building = tags.get("building", "").strip()
    if not building or building == "no":
        return None
    # Only a whole number of levels weighs: "1-2", "5.5" or "several" are left unknown (one level is assumed).
    text = tags.get("building:levels", "").strip()
    levels = int(text) if text.isdigit() and 0 < int(text) <= MAX_LEVELS else None
    is_residential = (
        building not in Building.NOT_RESIDENTIAL
        and tags.get("landuse") not in NOT_RESIDENTIAL_LANDUSE
        and tags.get("amenity") not in NOT_RESIDENTIAL_AMENITIES
    )
    return {"building": building[:40], "levels": levels, "is_residential": is_residential}


LAYER_KINDS: dict[str, LayerKind] = {
    "districts": LayerKind(District, "multipolygons", "relation", _district_fields),
    "waterways": LayerKind(Waterway, "lines", "way", _waterway_fields),
    "railways": LayerKind(Railway, "lines", "way", _railway_fields),
    "green_areas": LayerKind(GreenArea, "multipolygons", "way", _green_area_fields),
    "streets": LayerKind(Street, "lines", "way", _street_fields),
    "places": LayerKind(PopulatedPlace, "points", "node", _place_fields),
    "buildings": LayerKind(Building, "multipolygons", "way", _building_fields, skip_degenerate=True),
}
# The order layers are loaded in; the DEM is registered last.
LAYER_ORDER = ("districts", "places", "waterways", "railways", "green_areas", "streets", "buildings")


def read_geojson(source: Source, spec: LayerSpec) -> Iterator[Feature]:
    """The features of a GeoJSON FeatureCollection, their properties renamed by the layer's field map."""
    try:
        data = json.loads(source.path.read_bytes(), parse_constant=refuse_json_constant)
    except (ValueError, UnicodeDecodeError, GeometryRuleError) as exc:
        error = " ".join(exc.messages) if isinstance(exc, GeometryRuleError) else exc
        raise PackError(
            _("%(file)s: the file cannot be read as GeoJSON: %(error)s") % {"file": source.path, "error": error}
        ) from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise PackError(_("%(file)s: the file is not a GeoJSON FeatureCollection.") % {"file": source.path})
    if "crs" in data:
        raise PackError(
            _(
                "%(file)s: GeoJSON “crs” members are not accepted: "
                "coordinates must be longitude and latitude (RFC 7946)."
            )
            % {"file": source.path}
        )
    renames = {target.replace("name_", "name:"): source_key for target, source_key in spec.fields.items()}
    for number, feature in enumerate(data["features"], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise PackError(
                _("%(file)s: feature %(number)d is not a GeoJSON Feature.") % {"file": source.path, "number": number}
            )
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise PackError(
                _("%(file)s: feature %(number)d has properties that are not an object.")
                % {"file": source.path, "number": number}
            )
        tags = {key: str(value) for key, value in properties.items() if value is not None}
        for target, source_key in renames.items():
            value = properties.get(source_key)
            if value is None:
                tags.pop(target, None)
            else:
                tags[target] = str(value)
        if "crs" in feature:
            # Let the geometry rules refuse it with their message.
            geometry = dict(feature.get("geometry") or {}, crs=feature["crs"])
        else:
            geometry = feature.get("geometry")
        yield Feature(number=number, tags=tags, osm_type=tags.get("osm_type"), geometry=geometry)


_OTHER_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def _osm_tags(names: list[str], values: list[Any], index: int) -> dict[str, str]:
    tags: dict[str, str] = {}
    for name, column in zip(names, values, strict=True):
        value = column[index]
        if value is None or name in ("z_order", "osm_way_id"):
            continue
        if name == "other_tags":
            tags.update((k.replace('\\"', '"'), v.replace('\\"', '"')) for k, v in _OTHER_TAG.findall(value))
        else:
            tags[name] = str(value)
    return tags


def read_osm(source: Source, osm_layer: str) -> Iterator[Feature]:
    """The features of one layer (points, lines, multipolygons) of an OpenStreetMap extract."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

    try:
        meta, _fids, geometries, columns = pyogrio.raw.read(source.path, layer=osm_layer)
    except (DataSourceError, DataLayerError, FieldError, GeometryError, OSError) as exc:
        raise PackError(
            _("%(file)s: the file cannot be read as an OpenStreetMap extract: %(error)s")
            % {"file": source.path, "error": exc}
        ) from None
    names = [str(name) for name in meta["fields"]]
    way_ids = columns[names.index("osm_way_id")] if "osm_way_id" in names else None
    for index, wkb in enumerate(geometries):
        tags = _osm_tags(names, columns, index)
        osm_type = None
        if way_ids is not None:
            # GDAL's multipolygons layer: osm_id for relations, osm_way_id for closed ways.
            if way_ids[index] is not None:
                tags["osm_id"], osm_type = str(way_ids[index]), "way"
            else:
                osm_type = "relation"
        yield Feature(number=index + 1, tags=tags, osm_type=osm_type, geometry=wkb)


def _names(tags: dict[str, str], override: dict[str, str]) -> dict[str, str]:
    names = {
        "name": tags.get("name", ""),
        "name_kk": tags.get("name:kk", ""),
        "name_ru": tags.get("name:ru", ""),
        "name_en": tags.get("name:en", ""),
    }
    names.update({f"name_{language}": value for language, value in override.items()})
    return {key: value[:300] for key, value in names.items()}


def _feature_error(source: Source, feature: Feature, message: str) -> PackError:
    osm = feature.tags.get("osm_id")
    label = (
        _("feature %(number)d (OSM %(type)s %(id)s)") % {"number": feature.number, "type": feature.osm_type, "id": osm}
        if osm
        else _("feature %(number)d") % {"number": feature.number}
    )
    return PackError(f"{source.path}: {label}: {message}")


def _has_short_ring(geometry: GEOSGeometry) -> bool:
    """Whether a polygon's ring has fewer than 4 points (GDAL returns a closed way of 3 nodes so)."""
    if geometry.geom_type == "MultiPolygon":
        return any(_has_short_ring(polygon) for polygon in geometry)
    if geometry.geom_type == "Polygon":
        return any(len(ring) < 4 for ring in geometry)
    return False


def _checked_geometry(
    source: Source, feature: Feature, rules: GeometryRules, report: LayerReport, *, skip_degenerate: bool = False
) -> GEOSGeometry | None:
    """The feature's geometry once it passed the rules; None when it has no area and may be skipped."""
    label = f"{feature.number} ({feature.tags.get('osm_id', '?')})"
    value = feature.geometry
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            value = GEOSGeometry(memoryview(value), srid=SRID)
        except (GEOSException, ValueError):
            # GEOS refuses a ring of fewer than 4 points (a closed way of 2 nodes) outright.
            if skip_degenerate:
                report.skipped.append(f"{label}: " + _("a ring has fewer than 4 points; the feature has no area."))
                return None
            raise _feature_error(source, feature, _("the geometry cannot be read.")) from None
    if value is None:
        raise _feature_error(source, feature, _("the feature has no geometry."))
    # PostGIS refuses such a ring before ST_MakeValid could look at it: catch it here, with a clear message.
    # Such a geometry is never valid, so the rings of the valid ones (nearly all) need not be walked.
    if isinstance(value, GEOSGeometry) and not value.valid and _has_short_ring(value):
        message = _("a ring has fewer than 4 points; the feature has no area.")
        if skip_degenerate:
            report.skipped.append(f"{label}: {message}")
            return None
        raise _feature_error(source, feature, message)
    try:
        checked = check_geometry(value, rules)
    except GeometryRuleError as exc:
        if skip_degenerate and exc.code == "empty":
            report.skipped.append(f"{label}: " + " ".join(exc.messages))
            return None
        raise _feature_error(source, feature, " ".join(exc.messages)) from None
    if checked.repaired:
        report.repaired.append(f"{label}: {checked.problem}")
    return checked.geometry


def load_layer(pack: CityPack, spec: LayerSpec, data_source: DataSource) -> LayerReport:
    """Read one reference layer from its file and upsert it; features gone from the file are deleted."""
    kind = LAYER_KINDS[spec.key]
    source = spec.source
    report = LayerReport(layer=spec.key, source=source.key)
    rules = GeometryRules(
        allowed_types=kind.model.GEOMETRY_TYPES,
        extent=pack.extent,
        max_vertices=MAX_REFERENCE_VERTICES,
        promote_to_multi=True,
    )
    features = read_osm(source, kind.osm_layer) if source.format == "osm" else read_geojson(source, spec)
    rows: dict[tuple[str, int], ReferenceFeature] = {}
    for feature in features:
        try:
            values = kind.fields(feature.tags)
        except ValueError as exc:
            raise _feature_error(source, feature, str(exc)) from None
        if values is None:
            continue
        osm_type = OSM_TYPE_NAMES.get(feature.osm_type or kind.default_osm_type)
        raw_id = feature.tags.get("osm_id", "")
        if osm_type is None or not raw_id.lstrip("-").isdigit():
            raise _feature_error(source, feature, _("the feature has no usable OSM type and id."))
        key = (osm_type, int(raw_id))
        if key in rows:
            raise _feature_error(source, feature, _("the same OSM feature appears twice in this layer."))
        geometry = _checked_geometry(source, feature, rules, report, skip_degenerate=kind.skip_degenerate)
        if geometry is None:
            continue
        rows[key] = kind.model(
            source=data_source,
            osm_type=osm_type,
            osm_id=key[1],
            geom=geometry,
            **_names(feature.tags, spec.names.get(key[1], {})),
            **values,
        )

    model = kind.model
    existing = {
        (osm_type, osm_id): pk
        for pk, osm_type, osm_id in model.objects.filter(source=data_source).values_list("pk", "osm_type", "osm_id")
    }
    update_fields = [
        f.name for f in model._meta.concrete_fields if f.name not in ("id", "source", "osm_type", "osm_id")
    ]
    model.objects.bulk_create(
        rows.values(),
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["source", "osm_type", "osm_id"],
        update_fields=update_fields,
    )
    stale = [pk for key, pk in existing.items() if key not in rows]
    model.objects.filter(pk__in=stale).delete()
    report.created = len(rows.keys() - existing.keys())
    report.updated = len(rows.keys() & existing.keys())
    report.deleted = len(stale)
    return report


def register_dem(pack: CityPack, spec: LayerSpec, data_source: DataSource) -> LayerReport:
    """Register the elevation model: its file stays in the pack; its size, resolution and bounds are checked."""
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.warp import transform_bounds

    path = spec.source.path
    try:
        with rasterio.open(path) as dataset:
            epsg = dataset.crs.to_epsg() if dataset.crs else None
            if epsg not in ALLOWED_SRIDS:
                raise PackError(
                    _("%(file)s: the raster's spatial reference is not on the allowed list (%(allowed)s).")
                    % {"file": path, "allowed": ", ".join(f"EPSG:{code}" for code in ALLOWED_SRIDS)}
                )
            if dataset.count < 1:
                raise PackError(_("%(file)s: the raster has no band.") % {"file": path})
            west, south, east, north = transform_bounds(dataset.crs, "EPSG:4326", *dataset.bounds)
            values = {
                "kind": "dem",
                "path": str(path),
                "srid": epsg,
                "width": dataset.width,
                "height": dataset.height,
                "resolution": float(dataset.res[0]),
                "nodata": dataset.nodata if dataset.nodata is not None and math.isfinite(dataset.nodata) else None,
            }
    except RasterioError as exc:
        raise PackError(_("%(file)s: the raster cannot be read: %(error)s") % {"file": path, "error": exc}) from None
    bounds = Polygon.from_bbox((west, south, east, north))
    bounds.srid = SRID
    if not bounds.intersects(Polygon.from_bbox(pack.extent)):
        raise PackError(_("%(file)s: the raster lies outside the city's extent.") % {"file": path})
    _raster, created = Raster.objects.update_or_create(source=data_source, defaults={**values, "bounds": bounds})
    return LayerReport(layer=spec.key, source=spec.source.key, created=int(created), updated=int(not created))


def load_city_pack(path: Path | str | None = None, *, if_changed: bool = False) -> LoadReport:
    """Load the city pack at ``path`` (default: the CITY_PACK setting) in one transaction.

    With ``if_changed``, a pack whose manifest and files are unchanged since the
    last load is not read again.
    """
    pack = read_manifest(path or settings.CITY_PACK)
    file_digests = pack.file_digests()
    fingerprint = pack.fingerprint(file_digests)
    if if_changed:
        city = City.objects.filter(slug=pack.slug, manifest_sha256=fingerprint).first()
        if city is not None:
            return LoadReport(city=city, skipped=True)

    now = timezone.now()
    extent = Polygon.from_bbox(pack.extent)
    extent.srid = SRID
    with transaction.atomic():
        city, _created = City.objects.update_or_create(
            slug=pack.slug,
            defaults={
                "name_kk": pack.names["kk"],
                "name_ru": pack.names["ru"],
                "name_en": pack.names["en"],
                "extent": extent,
                "center": Point(*pack.center, srid=SRID),
                "default_zoom": pack.zoom,
                "metric_srid": pack.metric_srid,
            },
        )
        data_sources = {}
        for source in pack.sources.values():
            data_sources[source.key], _created = DataSource.objects.update_or_create(
                city=city,
                key=source.key,
                defaults={
                    "title": source.title,
                    "file": source.file,
                    "licence": source.licence,
                    "attribution": source.attribution,
                    "sha256": file_digests[source.key],
                    "loaded_at": now,
                },
            )
        report = LoadReport(city=city)
        for key in LAYER_ORDER:
            if key in pack.layers:
                spec = pack.layers[key]
                report.layers.append(load_layer(pack, spec, data_sources[spec.source.key]))
        if "dem" in pack.layers:
            spec = pack.layers["dem"]
            report.layers.append(register_dem(pack, spec, data_sources[spec.source.key]))
        # The resident estimate is derived from the layers just loaded; other apps' derived data reads it.
        report.population = rebuild_population(city)
        # Derived data of other apps (a project's districts) follows the new reference layers.
        city_pack_loaded.send(sender=load_city_pack, city=city)
        city.manifest_sha256 = fingerprint
        city.loaded_at = now
        city.save(update_fields=["manifest_sha256", "loaded_at"])
    return report
