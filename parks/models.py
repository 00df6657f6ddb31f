"""Parks, the renovation concepts residents and urbanists draw for them, and compensatory plantings.

A park is the city's own record: loaded once from the pack's green areas
(``leisure=park`` and similar; see parks.loading) and from then on edited by
urbanists, with its history kept by django-simple-history. Its district and
area are derived from its boundary on every save (parks.services), never typed.

A renovation concept belongs to one park: a plan drawn as labelled zones
(polygons, lines and points, each with a purpose), plan images, authors and a
status whose every step is dated (``ConceptStatusChange``). Where a concept
came from is recorded: a workshop (participation.Workshop), an urbanist, or a
resident's proposal.

A planting is a point or line of trees, most often planted in compensation
for trees felled elsewhere; inspections count the trees alive and dead, and
the survival figures come from them (parks.plantings).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.gis.db import models
from django.core.validators import MinValueValidator
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from gis_data.geometry import SRID
from gis_data.models import City, DataSource, District, NearQuerySet, in_language


class State(models.TextChoices):
    """What a park is today; only open parks count in park access (parks.access)."""

    OPEN = "open", _("open")
    CLOSED = "closed", _("closed (for repair or otherwise)")
    PLANNED = "planned", _("planned, not yet a park")


class ParkQuerySet(NearQuerySet):
    def open(self) -> "ParkQuerySet":
        return self.filter(state=State.OPEN)

    def in_city(self, city: City) -> "ParkQuerySet":
        return self.filter(city=city)


class Park(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="parks", verbose_name=_("city"))
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    # A Polygon drawn or imported is stored as a MultiPolygon of one.
    boundary = models.MultiPolygonField(_("boundary"), srid=SRID)
    # Optional: where none are drawn, park access enters the park anywhere along its boundary.
    entrances = models.MultiPointField(_("entrances"), srid=SRID, null=True, blank=True)

    # Derived from the boundary by parks.services on every save and pack reload; never edited by hand.
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("district"),
    )
    area_m2 = models.FloatField(_("area (m²)"), default=0, editable=False)

    # Where an imported park came from: the pack's source (for its attribution line) and its OpenStreetMap id.
    source = models.ForeignKey(
        DataSource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("source"),
    )
    osm_type = models.CharField(_("OSM type"), max_length=8, blank=True, editable=False)
    osm_id = models.BigIntegerField(_("OSM id"), null=True, blank=True, editable=False)

    # Filled by parks_demo and removed by it, so real parks are never touched.
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    photos = GenericRelation("photos.Photo", related_query_name="park")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ParkQuerySet.as_manager()

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["name_en", "name_ru", "name_kk", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_kk="") | ~Q(name_ru="") | ~Q(name_en=""), name="parks_park_has_a_name"
            ),
            models.UniqueConstraint(
                fields=["city", "osm_type", "osm_id"],
                condition=Q(osm_id__isnull=False),
                name="parks_park_unique_osm",
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
        return reverse("parks:detail", args=[self.pk])


class Purpose(models.TextChoices):
    """What a zone of a concept's plan is for."""

    PLAYGROUND = "playground", _("playground")
    SPORTS = "sports", _("sports")
    PATH = "path", pgettext_lazy("zone purpose", "path")
    LAWN = "lawn", _("lawn")
    TREES = "trees", _("trees")
    WATER = "water", _("water")
    LIGHTING = "lighting", _("lighting")
    SEATING = "seating", _("seating")
    OTHER = "other", _("other")


class Origin(models.TextChoices):
    WORKSHOP = "workshop", _("a workshop")
    URBANIST = "urbanist", _("an urbanist")
    PROPOSAL = "proposal", _("a resident's proposal")


class ConceptStatus(models.TextChoices):
    """The way of a concept, from sketch to a repaired park; set aside may happen at any step."""

    CONCEPT = "concept", _("concept")
    SHORTLISTED = "shortlisted", _("shortlisted")
    IN_DESIGN = "in_design", _("in design")
    IN_REPAIR = "in_repair", _("in repair")
    COMPLETED = "completed", _("completed")
    SET_ASIDE = "set_aside", _("set aside")


class ConceptQuerySet(models.QuerySet):
    def published(self) -> "ConceptQuerySet":
        return self.filter(is_published=True)

    def visible_to(self, user) -> "ConceptQuerySet":
        """Published concepts for everyone; drafts too for those who may edit concepts."""
        if user is not None and user.has_perm("parks.change_renovationconcept"):
            return self
        return self.published()


class RenovationConcept(models.Model):
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="concepts", verbose_name=_("park"))
    title_kk = models.CharField(_("title (Kazakh)"), max_length=200, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    team = models.CharField(
        _("authors (team)"), max_length=300, blank=True, help_text=_("The team's name or its members, as they sign.")
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="concepts", verbose_name=_("authors with an account")
    )
    origin = models.CharField(_("came from"), max_length=8, choices=Origin.choices, default=Origin.URBANIST)
    workshop = models.ForeignKey(
        "participation.Workshop",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concepts",
        verbose_name=_("workshop"),
    )
    proposal = models.ForeignKey(
        "participation.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concepts",
        verbose_name=_("resident's proposal"),
    )
    cost_estimate = models.DecimalField(
        _("cost estimate"), max_digits=15, decimal_places=0, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    # The current status; every change is also a dated ConceptStatusChange (parks.services.change_concept_status).
    status = models.CharField(
        _("status"), max_length=12, choices=ConceptStatus.choices, default=ConceptStatus.CONCEPT, editable=False
    )
    set_aside_reason = models.CharField(_("why it was set aside"), max_length=500, blank=True, editable=False)
    is_published = models.BooleanField(_("published"), default=False)

    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[])

    objects = ConceptQuerySet.as_manager()

    class Meta:
        verbose_name = _("renovation concept")
        verbose_name_plural = _("renovation concepts")
        ordering = ["park", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_kk="") | ~Q(title_ru="") | ~Q(title_en=""), name="parks_concept_has_a_title"
            ),
            models.CheckConstraint(
                condition=~Q(origin="workshop") | Q(workshop__isnull=False), name="parks_concept_workshop_named"
            ),
            models.CheckConstraint(
                condition=~Q(status="set_aside") | ~Q(set_aside_reason=""), name="parks_concept_set_aside_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(cost_estimate__isnull=True) | Q(cost_estimate__gte=0), name="parks_concept_cost_positive"
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
        return reverse("parks:concept", args=[self.pk])

    def drawing(self) -> list[dict]:
        """The park's outline and the concept's zones as GeoJSON features, for small maps that compare concepts."""
        from gis_data.maps import feature
        from parks.layers import ZONE_COLOURS

        outline = [feature(self.park.boundary, role="outline", colour="#166534", label=self.park.name)]
        return outline + [
            feature(zone.geom, role="shape", colour=ZONE_COLOURS.get(zone.purpose, "#166534"), label=str(zone))
            for zone in self.zones.all()
        ]


class Zone(models.Model):
    """One labelled piece of a concept's plan: a polygon, a line or a point with its purpose."""

    GEOMETRY_TYPES = ("Point", "LineString", "Polygon")

    concept = models.ForeignKey(RenovationConcept, on_delete=models.CASCADE, related_name="zones")
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    geom = models.GeometryField(_("shape"), srid=SRID)
    # Derived from the shape (parks.services): area for a polygon, length for a line, nothing for a point.
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True, editable=False)
    length_m = models.FloatField(_("length (m)"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["concept", "pk"]

    def __str__(self) -> str:
        return self.label or self.get_purpose_display()


def upload_plan(instance: "PlanImage", filename: str) -> str:
    return f"parks/plans/{filename}"


def upload_plan_thumbnail(instance: "PlanImage", filename: str) -> str:
    return f"parks/plans/thumbs/{filename}"


class PlanImage(models.Model):
    """A drawing of a concept's plan, re-encoded like every upload (photos.processing)."""

    concept = models.ForeignKey(RenovationConcept, on_delete=models.CASCADE, related_name="plan_images")
    image = models.ImageField(_("plan image"), upload_to=upload_plan, width_field="width", height_field="height")
    thumbnail = models.ImageField(_("thumbnail"), upload_to=upload_plan_thumbnail)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan image")
        verbose_name_plural = _("plan images")
        ordering = ["concept", "pk"]

    def __str__(self) -> str:
        return self.caption or f"{self._meta.verbose_name} {self.pk}"


@receiver(post_delete, sender=PlanImage)
def delete_plan_files(sender: type[PlanImage], instance: PlanImage, using: str, **kwargs) -> None:
    """Remove a deleted plan image's files once the deletion is committed, however it was deleted.

    A concept's deletion (its plan images go with it), the admin and
    parks.concepts all end here; a rolled-back deletion keeps its files.
    """
    names = [file.name for file in (instance.image, instance.thumbnail) if file and file.name]
    storage = instance.image.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names], using=using)


class ConceptStatusChange(models.Model):
    """One dated step of a concept's way; a step to set aside carries its reason."""

    concept = models.ForeignKey(RenovationConcept, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=12, choices=ConceptStatus.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("concept status change")
        verbose_name_plural = _("concept status changes")
        ordering = ["date", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="set_aside") | ~Q(note=""), name="parks_status_change_set_aside_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.date})"


class PlantingReason(models.TextChoices):
    COMPENSATION = "compensation", _("compensation for felled trees")
    OTHER = "other", _("other")


class PlantingQuerySet(NearQuerySet):
    def in_city(self, city: City) -> "PlantingQuerySet":
        return self.filter(city=city)


class Planting(models.Model):
    """Trees planted at one point or along one line (an alley, a row along a street)."""

    GEOMETRY_TYPES = ("Point", "LineString")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="plantings", verbose_name=_("city"))
    geom = models.GeometryField(_("where"), srid=SRID)
    species = models.CharField(_("species"), max_length=200)
    count = models.PositiveIntegerField(_("trees planted"), validators=[MinValueValidator(1)])
    planted_on = models.DateField(_("date planted"))
    reason = models.CharField(
        _("why"), max_length=12, choices=PlantingReason.choices, default=PlantingReason.COMPENSATION
    )
    # For a compensation: where and when the trees it replaces were felled, and how many.
    felled_place = models.PointField(_("where trees were felled"), srid=SRID, null=True, blank=True)
    felled_on = models.DateField(_("date felled"), null=True, blank=True)
    felled_count = models.PositiveIntegerField(_("trees felled"), null=True, blank=True)
    reason_note = models.CharField(_("note on the reason"), max_length=500, blank=True)
    responsible = models.CharField(_("responsible party"), max_length=300)
    # Filled by parks_demo and removed by it, so real plantings are never touched.
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)

    # Derived from the geometry (parks.plantings): the district of the point, or of the line's middle.
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("district"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = PlantingQuerySet.as_manager()

    class Meta:
        verbose_name = _("planting")
        verbose_name_plural = _("plantings")
        ordering = ["-planted_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="parks_planting_count_positive"),
            models.CheckConstraint(
                condition=Q(felled_on__isnull=True) | Q(felled_on__lte=F("planted_on")),
                name="parks_planting_felled_before_planted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.species} × {self.count} ({self.planted_on})"

    def get_absolute_url(self) -> str:
        return reverse("parks:planting", args=[self.pk])


class Inspection(models.Model):
    """A visit that counted a planting's trees; alive and dead together never exceed the trees planted."""

    planting = models.ForeignKey(Planting, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField(_("date inspected"))
    alive = models.PositiveIntegerField(_("trees alive"))
    dead = models.PositiveIntegerField(_("trees dead"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    inspected_by = models.CharField(_("inspected by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["planting", "inspected_on", "pk"]
        constraints = [
            # Two counts of the same trees on one day cannot both be true (parks.plantings says so first).
            models.UniqueConstraint(fields=["planting", "inspected_on"], name="parks_one_inspection_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.inspected_on}: {self.alive} / {self.dead}"
