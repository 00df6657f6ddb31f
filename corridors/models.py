"""Green corridors and the bike and pedestrian network, made of ordered segments.

A corridor is a named route for cyclists and pedestrians (a river promenade, a
disused railway turned into a trail, a bike route); its segments are lines
with their own mode, width, surface, lighting and status. Everything that can
be measured from a segment's line is derived, never typed: its length, the
districts it crosses, the river, canal or railway it follows, its elevation
profile from the city's DEM, and its landscape type (see corridors.measures).
The corridor's figures are sums over its segments. Both are kept by
django-simple-history, so an urbanist can restore an earlier version.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry, LineString
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gis_data.geometry import SRID, GeometryRuleError, GeometryRules, check_geometry
from gis_data.models import City, District, NearQuerySet, in_language
from gis_data.packs import current_city

# A segment shorter than this (in the city's metric spatial reference) is a slip of the mouse, not a path.
MIN_SEGMENT_METRES = 1.0
# What a geometry that is not a line is, said to the urbanist who drew it.
GEOMETRY_NAMES = {
    "Point": _("a point"),
    "MultiPoint": _("several points"),
    "MultiLineString": _("several lines"),
    "Polygon": _("a polygon (an area)"),
    "MultiPolygon": _("several polygons"),
    "GeometryCollection": _("a collection of geometries"),
}


class Kind(models.TextChoices):
    GREEN_CORRIDOR = "green_corridor", _("green corridor")
    BIKE_ROUTE = "bike_route", _("bike route")
    PEDESTRIAN_ROUTE = "pedestrian_route", _("pedestrian route")
    RIVER_PROMENADE = "river_promenade", _("river promenade")
    RAILS_TO_TRAILS = "rails_to_trails", _("rails to trails")


class Status(models.TextChoices):
    EXISTING = "existing", _("existing")
    PLANNED = "planned", _("planned")
    PROPOSED = "proposed", _("proposed")


class Mode(models.TextChoices):
    BIKE = "bike", _("bike")
    PEDESTRIAN = "pedestrian", _("pedestrian")
    SHARED = "shared", _("shared (bike and pedestrian)")


class Surface(models.TextChoices):
    ASPHALT = "asphalt", _("asphalt")
    CONCRETE = "concrete", _("concrete")
    PAVING = "paving", _("paving stones")
    GRAVEL = "gravel", _("gravel")
    COMPACTED = "compacted", _("compacted earth")
    GROUND = "ground", _("natural ground")
    BOARDWALK = "boardwalk", _("boardwalk")


class Lighting(models.TextChoices):
    NONE = "none", _("none")
    PARTIAL = "partial", _("partial")
    FULL = "full", _("full length")


class Landscape(models.TextChoices):
    """The landscape of a segment: natural in the suburbs, free-form inside the city's blocks."""

    NATURAL = "natural", _("natural")
    FREE_FORM = "free_form", _("free-form")


class Follows(models.TextChoices):
    """The kind of natural line a segment runs along (see corridors.measures)."""

    RIVER = "river", _("river")
    CANAL = "canal", _("canal")
    RAILWAY = "railway", _("railway")
    DISUSED_RAILWAY = "disused_railway", _("disused railway")


class CorridorQuerySet(NearQuerySet):
    def published(self) -> "CorridorQuerySet":
        return self.filter(is_published=True)

    def visible_to(self, user) -> "CorridorQuerySet":
        """Published corridors for everyone; drafts too for those who may edit corridors."""
        if user is not None and user.has_perm("corridors.change_corridor"):
            return self
        return self.published()


class Corridor(models.Model):
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GREEN_CORRIDOR)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    is_published = models.BooleanField(_("published"), default=False)

    # Sums over the segments, kept by corridors.measures.refresh_corridor; never edited by hand.
    districts = models.ManyToManyField(
        District, blank=True, editable=False, related_name="+", verbose_name=_("districts")
    )
    length_m = models.FloatField(_("length (m)"), default=0, editable=False)
    climb_m = models.FloatField(_("climb (m)"), null=True, blank=True, editable=False)
    descent_m = models.FloatField(_("descent (m)"), null=True, blank=True, editable=False)
    mean_grade = models.FloatField(_("mean grade"), null=True, blank=True, editable=False)
    max_grade = models.FloatField(_("maximum grade"), null=True, blank=True, editable=False)
    dem_gap_m = models.FloatField(_("length without elevation data (m)"), default=0, editable=False)

    # Filled by the demo command (corridors_demo) and removed by it, so real corridors are never touched.
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    photos = GenericRelation("photos.Photo", related_query_name="corridor")
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[])

    objects = CorridorQuerySet.as_manager()

    class Meta:
        verbose_name = _("corridor")
        verbose_name_plural = _("corridors")
        ordering = ["name_en", "name_ru", "name_kk", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_kk="") | ~Q(name_ru="") | ~Q(name_en=""), name="corridors_corridor_has_a_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def description(self) -> str:
        return in_language(self, "description")

    def get_absolute_url(self) -> str:
        return reverse("corridors:detail", args=[self.pk])

    def drawing(self) -> list[dict]:
        """The corridor's segments as GeoJSON features, for small maps that show it among others."""
        from gis_data.maps import feature

        return [
            feature(segment.geom, role="shape", colour="#15803d", label=segment.name or self.name)
            for segment in self.segments.all()
        ]

    def clean(self) -> None:
        if not (self.name_kk or self.name_ru or self.name_en):
            raise ValidationError({"name_en": _("Give the corridor a name in at least one language.")}, code="name")


class Segment(models.Model):
    """One line of a corridor, in the corridor's order (``position``)."""

    corridor = models.ForeignKey(Corridor, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200, blank=True)
    geom = models.LineStringField(_("line"), srid=SRID)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.SHARED)
    width_m = models.DecimalField(
        _("width (m)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(60)],
    )
    surface = models.CharField(_("surface"), max_length=12, choices=Surface.choices, blank=True)
    lighting = models.CharField(_("lighting"), max_length=8, choices=Lighting.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # Derived from where the segment runs (see corridors.measures); an urbanist may override it with a reason.
    landscape_derived = models.CharField(
        _("landscape type (derived)"), max_length=10, choices=Landscape.choices, blank=True, editable=False
    )
    landscape_override = models.CharField(
        _("landscape type (set by hand)"), max_length=10, choices=Landscape.choices, blank=True
    )
    landscape_reason = models.CharField(_("reason for setting the landscape type"), max_length=500, blank=True)

    # Derived from the line by corridors.measures.measure_segment on every change of the line or the pack.
    districts = models.ManyToManyField(
        District, blank=True, editable=False, related_name="+", verbose_name=_("districts")
    )
    length_m = models.FloatField(_("length (m)"), default=0, editable=False)
    urban_share = models.FloatField(_("share inside urban blocks"), null=True, blank=True, editable=False)
    follows = models.CharField(_("follows"), max_length=16, choices=Follows.choices, blank=True, editable=False)
    follows_name = models.CharField(_("follows (name)"), max_length=300, blank=True, editable=False)
    follows_share = models.FloatField(_("share along it"), null=True, blank=True, editable=False)
    # {"step": 30, "distances": [0, 30, ...], "elevations": [874.2, null, ...]}: null where the DEM has no data.
    profile = models.JSONField(_("elevation profile"), default=dict, blank=True, editable=False)
    climb_m = models.FloatField(_("climb (m)"), null=True, blank=True, editable=False)
    descent_m = models.FloatField(_("descent (m)"), null=True, blank=True, editable=False)
    mean_grade = models.FloatField(_("mean grade"), null=True, blank=True, editable=False)
    max_grade = models.FloatField(_("maximum grade"), null=True, blank=True, editable=False)
    dem_gap_m = models.FloatField(_("length without elevation data (m)"), default=0, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "profile"], m2m_fields=[])

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["corridor", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(landscape_override="") | ~Q(landscape_reason=""),
                name="corridors_segment_override_has_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(width_m__isnull=True) | Q(width_m__gte=0.5), name="corridors_segment_width_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name or _("Segment %(position)s of %(corridor)s") % {
            "position": self.position + 1,
            "corridor": self.corridor,
        }

    @property
    def landscape(self) -> str:
        """The landscape type in force: the urbanist's override, else the derived one."""
        return self.landscape_override or self.landscape_derived

    def get_landscape_display(self) -> str:
        return Landscape(self.landscape).label if self.landscape else ""

    def clean(self) -> None:
        """A segment is one line that does not cross itself, at least 1 m long, inside the city's extent.

        A landscape type set by hand needs its reason. The checked line
        replaces the given one (it is then in longitude/latitude).
        """
        errors = {}
        if self.geom is not None:
            try:
                self.geom = check_segment_line(self.geom, current_city())
            except ValidationError as error:
                errors["geom"] = error
        if self.landscape_override and not self.landscape_reason.strip():
            errors["landscape_reason"] = ValidationError(
                _("Say why the landscape type is set by hand: the reason is kept with the segment."), code="reason"
            )
        if errors:
            raise ValidationError(errors)


def check_segment_line(geom: GEOSGeometry, city: City | None) -> LineString:
    """``geom`` checked as a segment's line in ``city`` (or anywhere when there is none), in longitude/latitude.

    Raises a ValidationError naming the problem: not a single line, outside
    the city's extent, shorter than MIN_SEGMENT_METRES, crossing itself, or
    any rule every geometry passes (coordinates, vertices; see gis_data.geometry).
    """
    if geom.geom_type != "LineString":
        given = GEOMETRY_NAMES.get(geom.geom_type, geom.geom_type)
        raise ValidationError(
            _("A segment must be a single line, not %(given)s: draw it as one line from start to end."),
            code="type",
            params={"given": given},
        )
    try:
        # No repair: GEOS calls a line invalid only when all its points are one, which is the length rule's to say.
        line = check_geometry(geom, GeometryRules(("LineString",), repair=False)).geometry
    except GeometryRuleError as error:
        if error.code == "invalid":
            raise _too_short(0) from None
        raise
    # The extent itself, not only its bounding box: a city's extent need not be a rectangle.
    if city is not None and not city.extent.covers(line):
        raise ValidationError(
            _("The line leaves the city: every point of a segment must lie inside %(city)s's extent."),
            code="extent",
            params={"city": city.name},
        )
    length = line_length_m(line, city)
    if length < MIN_SEGMENT_METRES:
        raise _too_short(length)
    if not line.simple:
        crossing = _crossing_place(line)
        if crossing is None:
            raise ValidationError(_("The line crosses itself: draw it without loops, or as two segments."), "crosses")
        raise ValidationError(
            _("The line crosses itself near %(lon)s, %(lat)s: draw it without loops, or as two segments."),
            code="crosses",
            params={"lon": f"{crossing[0]:.5f}", "lat": f"{crossing[1]:.5f}"},
        )
    return line


def _too_short(length: float) -> ValidationError:
    return ValidationError(
        _("The line is %(length)s m long: a segment must be at least %(minimum)s m long."),
        code="short",
        params={"length": number_format(length, 2), "minimum": number_format(MIN_SEGMENT_METRES, 0)},
    )


def line_length_m(line: GEOSGeometry, city: City | None) -> float:
    """The length of a longitude/latitude line in metres: in the city's metric SRID, else on the spheroid."""
    if city is not None:
        return line.transform(city.metric_srid, clone=True).length
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Length(ST_GeomFromWKB(%s, 4326)::geography)", [bytes(line.wkb)])
        return float(cursor.fetchone()[0])


def _crossing_place(line: LineString) -> tuple[float, float] | None:
    """The first place (lon, lat) where ``line`` meets itself, or None when GEOS finds no single point."""
    # Noding the line splits it wherever it meets itself: a crossing is where three or more pieces end
    # (an end that touches the line makes three; its own start and end, meeting in a loop, only two).
    noded = line.unary_union
    pieces = [noded] if noded.geom_type == "LineString" else list(noded)
    ends: dict[tuple[float, float], int] = {}
    for piece in pieces:
        for point in (piece.coords[0], piece.coords[-1]):
            key = (round(point[0], 7), round(point[1], 7))
            ends[key] = ends.get(key, 0) + 1
    return next((point for point, count in ends.items() if count >= 3), None)
