"""Public-space projects and city works: what is built where, by whom, in which state.

A project's districts, length and area are derived from its geometry by
PostGIS whenever it is saved (``Project.save``), never typed by hand. Its
status moves through ``TRANSITIONS``; every move is a dated ``StatusChange``,
and every change of the project itself is kept by django-simple-history, so
an urbanist can see who changed what and restore an earlier version.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gis_data.geometry import SRID, GeometryRuleError, GeometryRules, check_geometry, rules_for_city
from gis_data.models import District, NearQuerySet, in_language
from gis_data.packs import current_city

# The geometry of a project: a point, a line or a polygon, or several of one kind.
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


class Measure(models.TextChoices):
    """How the yearly figures count the projects of a category."""

    LENGTH = "length", _("kilometres")
    AREA = "area", _("square metres")
    COUNT = "count", _("number of projects")


class Category(models.Model):
    """A kind of project. The built-in ones are created by a migration; admins may add more."""

    slug = models.SlugField(_("key"), unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    color = models.CharField(
        _("colour on the map"),
        max_length=7,
        default="#6d4c41",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hexadecimal digits."))],
    )
    measure = models.CharField(_("counted in the yearly figures as"), max_length=6, choices=Measure.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def geometry_types(self) -> tuple[str, ...]:
        """The geometry types a project of this category may have: lengths need lines, areas polygons."""
        return MEASURE_GEOMETRY_TYPES[self.measure]


MEASURE_GEOMETRY_TYPES = {
    Measure.LENGTH: ("LineString", "MultiLineString"),
    Measure.AREA: ("Polygon", "MultiPolygon"),
    Measure.COUNT: GEOMETRY_TYPES,
}


# What a category counted in metres must be drawn as, said in words a mapper understands.
MEASURE_SHAPE_MESSAGES = {
    Measure.LENGTH: _("A %(category)s project is counted in kilometres: draw it as a line."),
    Measure.AREA: _("A %(category)s project is counted in square metres: draw it as a polygon."),
}


def measure_sql(geometry: str, metric_srid: int | None) -> tuple[str, str]:
    """SQL for the length (m) and the area (m²) of ``geometry``, an SQL expression of an SRID 4326 geometry.

    Measured in the city's metric spatial reference (its UTM zone), or on the
    spheroid through geography when no city is loaded; never in degrees.
    ST_Length of a polygon and ST_Area of a line are 0.
    """
    # int(): nothing but a number reaches the SQL.
    measured = f"({geometry})::geography" if metric_srid is None else f"ST_Transform({geometry}, {int(metric_srid)})"
    return f"ST_Length({measured})", f"ST_Area({measured})"


def city_metric_srid() -> int | None:
    """The metric spatial reference of the loaded city, or None (measure on the spheroid)."""
    city = current_city()
    return city.metric_srid if city is not None else None


def measure_geometry(geom, srid: int | None) -> tuple[float | None, float | None]:
    """``(length_m, area_m2)`` of a geometry in one PostGIS query: a length for lines, an area for polygons."""
    length, area = measure_sql("g", srid)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN ST_Dimension(g) = 1 THEN {length} END, "  # noqa: S608 (no user input in the SQL)
            f"CASE WHEN ST_Dimension(g) = 2 THEN {area} END "
            "FROM (SELECT ST_Transform(ST_GeomFromWKB(%s, %s), 4326) AS g) AS project",
            [bytes(geom.wkb), geom.srid or SRID],
        )
        return cursor.fetchone()


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DESIGN = "design", _("Design")
    CONSTRUCTION = "construction", _("Construction")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# Where a project may go from each status. A suspended project resumes at any stage of the work;
# completed and cancelled are final (an admin may still correct a mistake in the admin).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PLANNED: (Status.DESIGN, Status.CONSTRUCTION, Status.SUSPENDED, Status.CANCELLED),
    Status.DESIGN: (Status.CONSTRUCTION, Status.SUSPENDED, Status.CANCELLED),
    Status.CONSTRUCTION: (Status.COMPLETED, Status.SUSPENDED, Status.CANCELLED),
    Status.SUSPENDED: (Status.PLANNED, Status.DESIGN, Status.CONSTRUCTION, Status.CANCELLED),
    Status.COMPLETED: (),
    Status.CANCELLED: (),
}


class ProjectQuerySet(NearQuerySet):
    def published(self) -> "ProjectQuerySet":
        return self.filter(is_published=True)

    def visible_to(self, user) -> "ProjectQuerySet":
        """Published projects for everyone; drafts too for those who may edit projects."""
        if user is not None and user.has_perm("projects.change_project"):
            return self
        return self.published()

    def active_between(self, start: datetime.date, end: datetime.date) -> "ProjectQuerySet":
        """Projects whose works span any day from ``start`` to ``end`` (not cancelled).

        A project's span runs from its actual start (else its planned start) to
        its actual end (else its planned end); a missing end leaves it open.
        """
        begins = Coalesce("actual_start", "planned_start")
        ends = Coalesce("actual_end", "planned_end")
        return (
            self.exclude(status=Status.CANCELLED)
            .alias(span_start=begins, span_end=ends)
            .filter(Q(span_start__isnull=True) | Q(span_start__lte=end))
            .filter(Q(span_end__isnull=True) | Q(span_end__gte=start))
        )


class Project(models.Model):
    title_kk = models.CharField(_("title (Kazakh)"), max_length=200, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="projects", verbose_name=_("category")
    )
    geom = models.GeometryField(_("geometry"), srid=SRID)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (KZT)"), max_digits=15, decimal_places=0, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    contractor = models.CharField(_("contractor"), max_length=200, blank=True)

    # Derived from the geometry on every save (see save and services.refresh_derived); never edited by hand.
    districts = models.ManyToManyField(District, blank=True, editable=False, verbose_name=_("districts"))
    length_m = models.FloatField(_("length (m)"), null=True, blank=True, editable=False)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True, editable=False)

    is_published = models.BooleanField(_("published"), default=False)
    # Filled by the demo command (projects_demo) and removed by it, so real projects are never touched.
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    photos = GenericRelation("photos.Photo", related_query_name="project")
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[])

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-updated_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__isnull=True) | Q(budget__gte=0), name="projects_budget_gte_0"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="projects_planned_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=True)
                | Q(actual_end__gte=F("actual_start")),
                name="projects_actual_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(title_kk="") | ~Q(title_ru="") | ~Q(title_en=""), name="projects_has_a_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def description(self) -> str:
        return in_language(self, "description")

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def drawing(self) -> list[dict]:
        """The project as GeoJSON features, for small maps that show it among others (a ballot's items)."""
        from gis_data.maps import feature

        return [feature(self.geom, role="shape", colour="#1d4ed8", label=self.title)]

    @property
    def next_statuses(self) -> tuple[str, ...]:
        """The statuses this project may move to next (see TRANSITIONS)."""
        return TRANSITIONS.get(self.status, ())

    def save(self, *args, **kwargs) -> None:
        """Save, deriving length, area and districts from the geometry unless ``update_fields`` leaves it out."""
        update_fields = kwargs.get("update_fields")
        derive = update_fields is None or "geom" in update_fields
        if derive:
            self.length_m, self.area_m2 = measure_geometry(self.geom, city_metric_srid())
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "length_m", "area_m2"}
        super().save(*args, **kwargs)
        if derive:
            self.districts.set(District.objects.filter(geom__intersects=self.geom))

    def geometry_rules(self) -> GeometryRules:
        """The geometry rules of this project's category, inside the loaded city's extent when there is one."""
        city = current_city()
        types = self.category.geometry_types
        return rules_for_city(city, types) if city is not None else GeometryRules(allowed_types=types)

    def clean(self) -> None:
        errors = {}
        if not (self.title_kk or self.title_ru or self.title_en):
            errors["title_en"] = _("Give the project a title in at least one language.")
        if self.geom is not None and self.category_id is not None:
            try:
                # The checked geometry replaces the input: it may have been repaired or made a Multi type.
                self.geom = check_geometry(self.geom, self.geometry_rules()).geometry
            except GeometryRuleError as error:
                errors["geom"] = self._geometry_error(error)
        for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            first, last = getattr(self, start), getattr(self, end)
            if first and last and last < first:
                errors[end] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)

    def _geometry_error(self, error: GeometryRuleError) -> ValidationError:
        # "A LineString is not allowed here" says less than what the category needs and why.
        message = MEASURE_SHAPE_MESSAGES.get(self.category.measure)
        if error.code == "type" and message is not None:
            return ValidationError(message, code="type", params={"category": self.category.name})
        return error


class StatusChange(models.Model):
    """One dated step of a project's status timeline."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["date", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.date})"
