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
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gis_data.geometry import SRID
from gis_data.models import District, localized

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
        return localized(self, "name")

    @property
    def geometry_types(self) -> tuple[str, ...]:
        """The geometry types a project of this category may have: lengths need lines, areas polygons."""
        return MEASURE_GEOMETRY_TYPES[self.measure]


MEASURE_GEOMETRY_TYPES = {
    Measure.LENGTH: ("LineString", "MultiLineString"),
    Measure.AREA: ("Polygon", "MultiPolygon"),
    Measure.COUNT: GEOMETRY_TYPES,
}


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


class ProjectQuerySet(models.QuerySet):
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
        begins = models.functions.Coalesce("actual_start", "planned_start")
        ends = models.functions.Coalesce("actual_end", "planned_end")
        return (
            self.exclude(status=Status.CANCELLED)
            .alias(span_start=begins, span_end=ends)
            .filter(Q(span_start__isnull=True) | Q(span_start__lte=end))
            .filter(Q(span_end__isnull=True) | Q(span_end__gte=start))
        )

    def near(self, point, metres: float) -> "ProjectQuerySet":
        """Projects within ``metres`` of ``point``, nearest first, with their ``distance`` (a Distance)."""
        from django.contrib.gis.db.models.functions import Distance
        from django.contrib.gis.measure import D

        return (
            self.filter(geom__dwithin=(point, D(m=metres)))
            .annotate(distance=Distance("geom", point))
            .order_by("distance", "pk")
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

    # Derived from the geometry on every save (see update_metrics); never edited by hand.
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
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if not (self.title_kk or self.title_ru or self.title_en):
            errors["title_en"] = _("Give the project a title in at least one language.")
        for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            first, last = getattr(self, start), getattr(self, end)
            if first and last and last < first:
                errors[end] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)


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
