"""City packs: a manifest (pack.toml) that describes a city and the data files of its reference layers.

The manifest is read and checked here, before any data file is opened; the
loader (gis_data.loading) then reads the files it names.
"""

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gis_data.geometry import ALLOWED_SRIDS

MANIFEST_NAME = "pack.toml"
FORMATS = ("geojson", "osm", "geotiff")
# The reference layers a pack may describe, and the source formats each accepts.
LAYERS: dict[str, tuple[str, ...]] = {
    "districts": ("geojson",),
    "places": ("geojson", "osm"),
    "waterways": ("geojson", "osm"),
    "railways": ("geojson", "osm"),
    "green_areas": ("geojson", "osm"),
    "streets": ("geojson", "osm"),
    "buildings": ("geojson", "osm"),
    "dem": ("geotiff",),
}
REQUIRED_LAYERS = ("districts",)
LANGUAGES = ("kk", "ru", "en")


class PackError(Exception):
    """A city pack that cannot be loaded; the message names the file and the problem."""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    path: Path
    file: str
    format: str
    srid: int
    licence: str
    attribution: str

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


@dataclass(frozen=True)
class LayerSpec:
    key: str
    source: Source
    fields: dict[str, str] = field(default_factory=dict)
    names: dict[int, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class CityPack:
    manifest: Path
    slug: str
    names: dict[str, str]
    extent: tuple[float, float, float, float]
    center: tuple[float, float]
    zoom: int
    metric_srid: int
    data_dir: Path
    sources: dict[str, Source]
    layers: dict[str, LayerSpec]

    def file_digests(self) -> dict[str, str]:
        """The SHA-256 of each source's file, by source key."""
        return {key: source.sha256() for key, source in self.sources.items()}

    def fingerprint(self, file_digests: dict[str, str]) -> str:
        """A digest of the manifest and every data file: equal digests mean nothing changed."""
        digest = hashlib.sha256(self.manifest.read_bytes())
        for key in sorted(file_digests):
            digest.update(file_digests[key].encode())
        return digest.hexdigest()


def _require(table: dict, key: str, kind: type | tuple[type, ...], where: str, manifest: Path) -> Any:
    if key not in table:
        raise PackError(_("%(file)s: %(where)s has no “%(key)s”.") % {"file": manifest, "where": where, "key": key})
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise PackError(
            _("%(file)s: “%(key)s” in %(where)s has the wrong type.") % {"file": manifest, "where": where, "key": key}
        )
    return value


def _numbers(value: Any, count: int, key: str, manifest: Path) -> tuple[float, ...]:
    if (
        not isinstance(value, list)
        or len(value) != count
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise PackError(
            _("%(file)s: “%(key)s” must be a list of %(count)d numbers.")
            % {"file": manifest, "key": key, "count": count}
        )
    return tuple(float(v) for v in value)


def _srid(value: Any, where: str, manifest: Path) -> int:
    if not isinstance(value, int) or value not in ALLOWED_SRIDS:
        allowed = ", ".join(f"EPSG:{code}" for code in ALLOWED_SRIDS)
        raise PackError(
            _("%(file)s: %(where)s: the spatial reference %(value)s is not on the allowed list (%(allowed)s).")
            % {"file": manifest, "where": where, "value": value, "allowed": allowed}
        )
    return value


def read_manifest(path: Path | str) -> CityPack:
    """Read and check a pack manifest (a pack.toml file, or the folder that holds one)."""
    manifest = Path(path)
    if manifest.is_dir():
        manifest = manifest / MANIFEST_NAME
    if not manifest.is_file():
        raise PackError(_("%(file)s: the city pack manifest does not exist.") % {"file": manifest})
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PackError(
            _("%(file)s: the manifest cannot be read: %(error)s") % {"file": manifest, "error": exc}
        ) from None

    slug = _require(data, "slug", str, _("the manifest"), manifest)
    city_names = _require(data, "name", dict, _("the manifest"), manifest)
    for language in LANGUAGES:
        _require(city_names, language, str, "[name]", manifest)
    west, south, east, north = _numbers(data.get("extent"), 4, "extent", manifest)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise PackError(
            _("%(file)s: the extent must be west, south, east, north in longitude and latitude.") % {"file": manifest}
        )
    center = _numbers(data.get("center"), 2, "center", manifest)
    if not (west <= center[0] <= east and south <= center[1] <= north):
        raise PackError(_("%(file)s: the map centre lies outside the extent.") % {"file": manifest})
    zoom = _require(data, "zoom", int, _("the manifest"), manifest)
    metric_srid = _srid(data.get("metric_srid"), "metric_srid", manifest)
    if metric_srid == 4326 or metric_srid == 3857:
        raise PackError(_("%(file)s: metric_srid must be a metric projection such as a UTM zone.") % {"file": manifest})
    data_dir = (manifest.parent / _require(data, "data_dir", str, _("the manifest"), manifest)).resolve()
    if not data_dir.is_dir():
        raise PackError(_("%(file)s: the data folder %(dir)s does not exist.") % {"file": manifest, "dir": data_dir})

    sources: dict[str, Source] = {}
    for key, table in _require(data, "sources", dict, _("the manifest"), manifest).items():
        where = f"[sources.{key}]"
        fmt = _require(table, "format", str, where, manifest)
        if fmt not in FORMATS:
            raise PackError(
                _("%(file)s: %(where)s: unknown format “%(format)s” (use one of %(formats)s).")
                % {"file": manifest, "where": where, "format": fmt, "formats": ", ".join(FORMATS)}
            )
        file = _require(table, "file", str, where, manifest)
        path = (data_dir / file).resolve()
        if not path.is_relative_to(data_dir):
            raise PackError(
                _("%(file)s: %(where)s: the file must lie inside the data folder.") % {"file": manifest, "where": where}
            )
        if not path.is_file():
            raise PackError(_("%(file)s: the file does not exist.") % {"file": path})
        srid = _srid(table.get("srid", 4326), where, manifest)
        if fmt in ("geojson", "osm") and srid != 4326:
            raise PackError(
                _(
                    "%(file)s: GeoJSON and OpenStreetMap files are in longitude and latitude "
                    "(EPSG:4326), not EPSG:%(srid)d."
                )
                % {"file": path, "srid": srid}
            )
        sources[key] = Source(
            key=key,
            title=_require(table, "title", str, where, manifest),
            path=path,
            file=file,
            format=fmt,
            # A GeoTIFF names its own spatial reference; it is checked when it is read.
            srid=srid,
            licence=_require(table, "licence", str, where, manifest),
            attribution=_require(table, "attribution", str, where, manifest),
        )

    layers: dict[str, LayerSpec] = {}
    for key, table in _require(data, "layers", dict, _("the manifest"), manifest).items():
        where = f"[layers.{key}]"
        if key not in LAYERS:
            raise PackError(
                _("%(file)s: %(where)s is not a reference layer Qala knows (use one of %(layers)s).")
                % {"file": manifest, "where": where, "layers": ", ".join(LAYERS)}
            )
        source_key = _require(table, "source", str, where, manifest)
        if source_key not in sources:
            raise PackError(
                _("%(file)s: %(where)s names the source “%(source)s”, which is not in [sources].")
                % {"file": manifest, "where": where, "source": source_key}
            )
        source = sources[source_key]
        if source.format not in LAYERS[key]:
            raise PackError(
                _("%(file)s: %(where)s cannot be read from a %(format)s file.")
                % {"file": manifest, "where": where, "format": source.format}
            )
        feature_names = {}
        for osm_id, localized_names in table.get("names", {}).items():
            try:
                feature_names[int(osm_id)] = {
                    lang: str(localized_names[lang]) for lang in LANGUAGES if lang in localized_names
                }
            except (ValueError, TypeError):
                raise PackError(
                    _("%(file)s: %(where)s: names are keyed by OSM id, not “%(key)s”.")
                    % {"file": manifest, "where": where, "key": osm_id}
                ) from None
        layers[key] = LayerSpec(key=key, source=source, fields=dict(table.get("fields", {})), names=feature_names)
    for key in REQUIRED_LAYERS:
        if key not in layers:
            raise PackError(_("%(file)s: the pack has no [layers.%(layer)s].") % {"file": manifest, "layer": key})

    return CityPack(
        manifest=manifest,
        slug=slug,
        names={language: city_names[language] for language in LANGUAGES},
        extent=(west, south, east, north),
        center=(center[0], center[1]),
        zoom=zoom,
        metric_srid=metric_srid,
        data_dir=data_dir,
        sources=sources,
        layers=layers,
    )


@lru_cache(maxsize=1)
def _configured_slug() -> str | None:
    try:
        return read_manifest(settings.CITY_PACK).slug
    except PackError:
        return None


def current_city():
    """The city of the configured pack, once it is loaded; else the first city loaded, or None."""
    from gis_data.models import City

    slug = _configured_slug()
    return City.objects.filter(slug=slug).first() if slug else City.objects.order_by("pk").first()
