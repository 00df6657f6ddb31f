"""Reference layers of a city, loaded from its city pack.

Each feature keeps the data source it came from, so every layer carries its own
licence and attribution: the ODbL layers (districts, populated places) and the
CC BY-SA 2.0 OpenStreetMap 2012 layers live in separate tables and separate
sources and are never merged.
"""

import math

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from gis_data.geometry import SRID, GeometryRuleError, check_geometry, rules_for_city

# Reference data is detailed: allow more vertices than a drawing on the map.
MAX_REFERENCE_VERTICES = 200_000


class City(models.Model):
    slug = models.SlugField(unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    extent = models.PolygonField(_("extent"), srid=SRID)
    center = models.PointField(_("map centre"), srid=SRID)
    default_zoom = models.PositiveSmallIntegerField(_("default zoom"), default=12)
    metric_srid = models.PositiveIntegerField(_("metric spatial reference (EPSG)"))
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")


class DataSource(models.Model):
    """One file of a city pack, with its licence and the attribution line shipped with it."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="sources")
    key = models.SlugField(_("key"))
    title = models.CharField(_("title"), max_length=200)
    file = models.CharField(_("file"), max_length=500)
    licence = models.CharField(_("licence"), max_length=200)
    attribution = models.CharField(_("attribution"), max_length=500)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        constraints = [models.UniqueConstraint(fields=["city", "key"], name="gis_data_source_unique_key")]

    def __str__(self) -> str:
        return f"{self.title} ({self.licence})"


def localized(obj: object, field: str, language: str | None = None) -> str:
    """The value of ``field_<language>``, falling back to the plain field, then to English."""
    language = (language or translation.get_language() or "en")[:2]
    for name in (f"{field}_{language}", field, f"{field}_en"):
        value = getattr(obj, name, "")
        if value:
            return value
    return ""


def in_language(obj: object, field: str) -> str:
    """``field_<language>`` in the reader's language, else whichever of English, Russian, Kazakh was given.

    (gis_data's ``localized`` falls back to the plain ``field``, which here is
    the property asking, and a project may have a title in Kazakh only.)
    """
    language = (translation.get_language() or "en")[:2]
    for code in (language, "en", "ru", "kk"):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""


class NearQuerySet(models.QuerySet):
    """Features with a ``geom`` in SRID 4326 that can be found near a place, in metres on the ground."""

    def near(self, geom, metres: float) -> "NearQuerySet":
        """Features within ``metres`` of ``geom`` (any geometry), nearest first, with their ``distance``.

        Measured on the spheroid (geography). A first filter in degrees, wide
        enough at the geometry's latitude, lets the spatial index narrow the
        search before the exact distances are computed.
        """
        from django.contrib.gis.db.models.functions import Distance
        from django.contrib.gis.measure import D
        from django.db.models.functions import Cast

        _west, south, _east, north = geom.extent
        # A degree of longitude is shortest at the highest latitude: the widest box in degrees is there.
        shortest_degree = 111_320 * max(math.cos(math.radians(max(abs(south), abs(north)))), 0.01)
        return (
            self.filter(geom__dwithin=(geom, metres / shortest_degree))
            .alias(geography=Cast("geom", models.GeometryField(geography=True, srid=SRID)))
            .filter(geography__dwithin=(geom, D(m=metres)))
            .annotate(distance=Distance("geography", geom))
            .order_by("distance", "pk")
        )


class ReferenceFeature(models.Model):
    """A feature of a reference layer, identified in its source by its OpenStreetMap type and id."""

    OSM_TYPES = [("node", "node"), ("way", "way"), ("relation", "relation")]

    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, verbose_name=_("source"))
    osm_type = models.CharField(_("OSM type"), max_length=8, choices=OSM_TYPES)
    osm_id = models.BigIntegerField(_("OSM id"))
    name = models.CharField(_("name"), max_length=300, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    # The geometry type each layer stores; a single Polygon is promoted to a MultiPolygon.
    GEOMETRY_TYPES: tuple[str, ...] = ()

    objects = NearQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.localized_name or f"{self.osm_type}/{self.osm_id}"

    def clean(self) -> None:
        """Edits made in the admin pass the same geometry rules as the city pack loader."""
        super().clean()
        if self.geom is None or self.source_id is None:
            return
        rules = rules_for_city(
            self.source.city, self.GEOMETRY_TYPES, max_vertices=MAX_REFERENCE_VERTICES, promote_to_multi=True
        )
        try:
            self.geom = check_geometry(self.geom, rules).geometry
        except GeometryRuleError as error:
            raise ValidationError({"geom": error}) from None

    @property
    def localized_name(self) -> str:
        return localized(self, "name")


def _unique_osm(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["source", "osm_type", "osm_id"], name=f"gis_data_{model}_unique_osm")


class District(ReferenceFeature):
    GEOMETRY_TYPES = ("MultiPolygon",)
    geom = models.MultiPolygonField(_("boundary"), srid=SRID)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [_unique_osm("district")]


class Waterway(ReferenceFeature):
    GEOMETRY_TYPES = ("LineString",)
    KINDS = [
        ("river", _("river")),
        ("canal", _("canal")),
        ("stream", _("stream")),
        ("drain", _("drain")),
        ("ditch", _("ditch (aryk)")),
    ]
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    geom = models.LineStringField(_("line"), srid=SRID)

    class Meta:
        verbose_name = _("river or canal")
        verbose_name_plural = _("rivers and canals")
        constraints = [_unique_osm("waterway")]


class Railway(ReferenceFeature):
    GEOMETRY_TYPES = ("LineString",)
    KINDS = [
        ("rail", _("railway")),
        ("light_rail", _("light rail")),
        ("narrow_gauge", _("narrow-gauge railway")),
        ("tram", _("tram line")),
        ("subway", _("metro line")),
        ("disused", _("disused railway")),
        ("abandoned", _("abandoned railway")),
        ("preserved", _("heritage railway")),
        ("construction", _("railway under construction")),
    ]
    DISUSED_KINDS = ("disused", "abandoned")
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    in_use = models.BooleanField(_("in use"), default=True)
    geom = models.LineStringField(_("line"), srid=SRID)

    class Meta:
        verbose_name = _("railway or tram line")
        verbose_name_plural = _("railways and tram lines")
        constraints = [_unique_osm("railway")]


class GreenArea(ReferenceFeature):
    GEOMETRY_TYPES = ("MultiPolygon",)
    KINDS = [
        ("park", _("park")),
        ("garden", _("garden")),
        ("recreation_ground", _("recreation ground")),
        ("forest", _("forest")),
        ("wood", _("wood")),
        ("grass", _("grass")),
        ("meadow", _("meadow")),
        ("scrub", _("scrub")),
        ("cemetery", _("cemetery")),
    ]
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    geom = models.MultiPolygonField(_("area"), srid=SRID)

    class Meta:
        verbose_name = _("park or green area")
        verbose_name_plural = _("parks and green areas")
        constraints = [_unique_osm("greenarea")]


class Street(ReferenceFeature):
    """A way of the street network; main roads are the motorway to secondary classes."""

    GEOMETRY_TYPES = ("LineString",)

    MAIN_CLASSES = (
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
    )
    highway = models.CharField(_("road class"), max_length=40)
    is_main = models.BooleanField(_("main road"), default=False)
    geom = models.LineStringField(_("line"), srid=SRID)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        constraints = [_unique_osm("street")]


class PopulatedPlace(ReferenceFeature):
    GEOMETRY_TYPES = ("Point",)
    place = models.CharField(_("kind of place"), max_length=40)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    geom = models.PointField(_("location"), srid=SRID)

    class Meta:
        verbose_name = _("populated place")
        verbose_name_plural = _("populated places")
        constraints = [_unique_osm("populatedplace")]


class Building(ReferenceFeature):
    """A building footprint: the ground of the population estimate and of the urban blocks."""

    GEOMETRY_TYPES = ("MultiPolygon",)
    # OSM building=* values that are never homes; every other building (mostly "yes") may hold residents.
    NOT_RESIDENTIAL = (
        "commercial",
        "industrial",
        "office",
        "retail",
        "warehouse",
        "school",
        "hospital",
        "church",
        "mosque",
        "garage",
        "garages",
        "hangar",
        "shed",
        "store",
        "shelter",
        "kiosk",
        "public",
        "university",
        "train_station",
        "service",
        "roof",
    )
    building = models.CharField(_("building type"), max_length=40)
    levels = models.PositiveSmallIntegerField(_("levels"), null=True, blank=True)
    is_residential = models.BooleanField(_("may hold residents"), default=True)
    geom = models.MultiPolygonField(_("footprint"), srid=SRID)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [_unique_osm("building")]


class PopulationCell(models.Model):
    """One square of a city's resident estimate (see gis_data.population for how it is made).

    The pack gives the city's population and its places' populations, not a
    grid; the cells spread those totals over mapped homes and residential
    streets. Corridors' coverage and parks' access count residents by cell.
    """

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="population_cells")
    geom = models.PolygonField(_("cell"), srid=SRID)
    centre = models.PointField(_("centre"), srid=SRID)
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("district")
    )
    building_area_m2 = models.FloatField(_("residential building footprint (m²)"), default=0)
    street_length_m = models.FloatField(_("residential street length (m)"), default=0)
    residents = models.FloatField(_("estimated residents"), default=0)
    # Inside the city's blocks (dense building), where corridors take a free-form landscape.
    is_urban = models.BooleanField(_("inside urban blocks"), default=False)

    class Meta:
        verbose_name = _("population cell")
        verbose_name_plural = _("population cells")
        indexes = [models.Index(fields=["city", "is_urban"], name="gis_data_cell_city_urban")]

    def __str__(self) -> str:
        return f"{self.centre.x:.4f}, {self.centre.y:.4f}: {self.residents:.0f}"


class Raster(models.Model):
    """A raster of a city pack, registered by its path: the file stays where the pack keeps it."""

    KINDS = [("dem", _("elevation model"))]
    source = models.OneToOneField(DataSource, on_delete=models.CASCADE, verbose_name=_("source"))
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    path = models.CharField(_("path"), max_length=1000)
    srid = models.PositiveIntegerField(_("spatial reference (EPSG)"))
    width = models.PositiveIntegerField(_("width (pixels)"))
    height = models.PositiveIntegerField(_("height (pixels)"))
    resolution = models.FloatField(_("pixel size"))
    nodata = models.FloatField(_("no-data value"), null=True, blank=True)
    bounds = models.PolygonField(_("bounds"), srid=SRID)

    class Meta:
        verbose_name = _("raster")
        verbose_name_plural = _("rasters")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.path}"
