"""Residents' proposals: what they pin on the map, who supports and discusses it, and what becomes of it.

A proposal passes two gates. Its *visibility* is the moderators': pending
until a moderator publishes it (or at once, when ``PROPOSALS_PREMODERATION``
is off), hidden with a reason shown to its author. Its *status* is the
city's answer, moved by the responsible department along ``TRANSITIONS``:
published → under review → accepted → implemented, or rejected, or a
duplicate. Everyone sees a proposal only while it is published
(``ProposalQuerySet.visible_to``); its author and the moderators see it always.

Where a proposal lies is derived on every save (``Proposal.save``): its
districts, the district that holds its anchor (the point the clusters of the
map count, in Web Mercator), and so the department a route sends it to.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_data.geometry import SRID, GeometryRules, rules_for_city
from gis_data.models import District, NearQuerySet, in_language
from gis_data.packs import current_city

# The spatial reference of the anchors the map's clusters are counted on: the map's own (Web Mercator).
ANCHOR_SRID = 3857
GEOMETRY_TYPES = ("Point", "LineString", "Polygon")
TITLE_LENGTH = 140
DESCRIPTION_LENGTH = 5000
COMMENT_LENGTH = 2000
REASON_LENGTH = 500


class Kind(models.TextChoices):
    """What a resident puts on the map: an idea for a place, or a problem to fix."""

    PUBLIC_SPACE = "public_space", _("Idea for a public space")
    CORRIDOR = "corridor", _("Idea for a green corridor")
    PARK = "park", _("Idea for a park")
    PROBLEM = "problem", _("Problem report")


class Visibility(models.TextChoices):
    """The moderators' gate, for proposals and comments alike."""

    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Hidden by a moderator")


class Status(models.TextChoices):
    """The city's answer to a published proposal."""

    PUBLISHED = "published", _("Published")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted (planned)")
    IMPLEMENTED = "implemented", _("Implemented")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


# Where a proposal may go from each status. Implemented, rejected and duplicate are final
# (an admin may still correct a mistake in the admin).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PUBLISHED: (Status.UNDER_REVIEW, Status.ACCEPTED, Status.REJECTED, Status.DUPLICATE),
    Status.UNDER_REVIEW: (Status.ACCEPTED, Status.REJECTED, Status.DUPLICATE),
    Status.ACCEPTED: (Status.IMPLEMENTED, Status.REJECTED),
    Status.IMPLEMENTED: (),
    Status.REJECTED: (),
    Status.DUPLICATE: (),
}
# The statuses in which the city still owes an answer: a proposal past its due date in one is overdue.
OPEN_STATUSES = (Status.PUBLISHED, Status.UNDER_REVIEW)
CLOSED_STATUSES = (Status.IMPLEMENTED, Status.REJECTED, Status.DUPLICATE)


class Category(models.Model):
    """What a proposal is about (lighting, a pavement, trees...). Admins edit the list; Open311 calls them services."""

    slug = models.SlugField(_("key"), unique=True, help_text=_("Also the service code of the Open311 API."))
    name_kk = models.CharField(_("name (Kazakh)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_kk = models.CharField(_("description (Kazakh)"), max_length=300, blank=True)
    description_ru = models.CharField(_("description (Russian)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("offered to residents"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("proposal category")
        verbose_name_plural = _("proposal categories")
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")

    @property
    def description(self) -> str:
        return in_language(self, "description")


class Department(models.Model):
    """A body of the city that answers proposals: a district akimat, the housing or transport department..."""

    slug = models.SlugField(_("key"), unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("staff"),
        help_text=_("The people who see this department's queue and answer its proposals."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")


class Route(models.Model):
    """One row of the routing table: proposals of a category in a district go to a department.

    An empty category or district matches any. The most specific row wins:
    (category, district), then (category, any district), then (any category,
    district), then (any, any). See ``participation.routing``.
    """

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="routes", verbose_name=_("category")
    )
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("district")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="routes", verbose_name=_("responsible department")
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("days to answer"), default=30, help_text=_("Calendar days from publication to the department's answer.")
    )

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routing table")
        ordering = ["category__order", "category__slug", "district__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "district"], name="participation_one_route_per_pair", nulls_distinct=False
            ),
            models.CheckConstraint(condition=Q(deadline_days__gte=1), name="participation_route_deadline_gte_1"),
        ]

    def __str__(self) -> str:
        category = self.category.name if self.category_id else _("any category")
        district = self.district.localized_name if self.district_id else _("any district")
        return f"{category} · {district} → {self.department}"


class ProposalQuerySet(NearQuerySet):
    def published(self) -> "ProposalQuerySet":
        """What everyone may see: the proposals a moderator published (or that were published at once)."""
        return self.filter(visibility=Visibility.PUBLISHED)

    def visible_to(self, user) -> "ProposalQuerySet":
        """Published proposals for everyone; every proposal for moderators; their own too for authors."""
        if user is not None and user.is_authenticated:
            if user.has_perm("participation.moderate_proposal"):
                return self
            return self.filter(Q(visibility=Visibility.PUBLISHED) | Q(author=user))
        return self.published()

    def overdue(self, today: datetime.date | None = None) -> "ProposalQuerySet":
        """Published proposals still waiting for an answer after their due date."""
        today = today or timezone.localdate()
        return self.published().filter(status__in=OPEN_STATUSES, due_date__lt=today)


class Proposal(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=TITLE_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_LENGTH)
    language = models.CharField(_("written in"), max_length=2, choices=settings.LANGUAGES)
    geom = models.GeometryField(_("place"), srid=SRID)

    # What the proposal is about, if anything: a project now; a corridor, park or concept when they exist
    # (the models allowed are ``SUBJECT_MODELS``).
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("about")
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("author"),
    )
    # Reports that came through the Open311 API: the client that sent them and whom to contact (never shown).
    api_client = models.ForeignKey(
        "ApiClient", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("API client")
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # One form, one proposal: the key the form was drawn with is unique, so a second click finds the first.
    submission_key = models.UUIDField(_("submission key"), default=uuid.uuid4, unique=True, editable=False)
    # Counted by the limits per address: a keyed hash of the sender's network, never the address itself.
    sender_network = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PENDING
    )
    moderation_reason = models.CharField(_("moderator's reason"), max_length=REASON_LENGTH, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("responsible department"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    due_date = models.DateField(_("answer due"), null=True, blank=True)
    implemented_by = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("implemented by the project"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # The forum or other event the proposal was made at (participation.events.events_on_now).
    event = models.ForeignKey(
        "participation.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("made at the event"),
    )

    # Derived from the geometry on every save; never edited by hand.
    districts = models.ManyToManyField(District, blank=True, editable=False, verbose_name=_("districts"))
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("The district that holds the proposal's anchor point; it decides the route."),
    )
    anchor = models.PointField(_("anchor"), srid=ANCHOR_SRID, editable=False, null=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    photos = GenericRelation("photos.Photo", related_query_name="proposal")

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("moderate_proposal", _("Can publish and hide proposals and comments")),
            ("answer_proposal", _("Can answer and move the status of any department's proposals")),
        ]
        indexes = [
            models.Index(fields=["visibility", "status", "due_date"], name="participation_open_idx"),
            models.Index(fields=["kind", "category", "status"], name="participation_filter_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_type__isnull=True, subject_id__isnull=True)
                | Q(subject_type__isnull=False, subject_id__isnull=False),
                name="participation_subject_whole",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.IMPLEMENTED) | Q(implemented_by__isnull=False),
                name="participation_implemented_has_project",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="participation_duplicate_has_original",
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("pk")), name="participation_not_own_duplicate"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:detail", args=[self.pk])

    def drawing(self) -> list[dict]:
        """The proposal's place as a GeoJSON feature, for small maps that show it among others (a ballot's items)."""
        from gis_data.maps import feature

        return [feature(self.geom, role="shape", colour="#b45309", label=self.title)]

    @property
    def is_published(self) -> bool:
        return self.visibility == Visibility.PUBLISHED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_published and self.is_open and self.due_date is not None and self.due_date < timezone.localdate()

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.status, ())

    @property
    def open311_status(self) -> str:
        """ "open" or "closed", as GeoReport v2 says."""
        return "closed" if self.status in CLOSED_STATUSES else "open"

    def geometry_rules(self) -> GeometryRules:
        """A point, a line or a polygon inside the loaded city's extent."""
        city = current_city()
        return rules_for_city(city, GEOMETRY_TYPES) if city is not None else GeometryRules(allowed_types=GEOMETRY_TYPES)

    def save(self, *args, **kwargs) -> None:
        """Save, deriving the anchor and districts from the geometry unless ``update_fields`` leaves it out."""
        update_fields = kwargs.get("update_fields")
        derive = update_fields is None or "geom" in update_fields
        if derive:
            self.anchor, self.district_id = _anchor_and_district(self.geom)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "anchor", "district"}
        super().save(*args, **kwargs)
        if derive:
            self.districts.set(District.objects.filter(geom__intersects=self.geom))


def _anchor_and_district(geom) -> tuple:
    """The proposal's anchor (a point on it, in Web Mercator) and the district that holds it, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsEWKB(ST_Transform(a, %s)), "
            "(SELECT d.id FROM gis_data_district d WHERE ST_Intersects(d.geom, a) ORDER BY d.id LIMIT 1) "
            "FROM (SELECT ST_PointOnSurface(ST_Transform(ST_GeomFromWKB(%s, %s), 4326)) AS a) AS proposal",
            [ANCHOR_SRID, bytes(geom.wkb), geom.srid or SRID],
        )
        wkb, district_id = cursor.fetchone()
    return GEOSGeometry(memoryview(wkb)), district_id


class StatusChange(models.Model):
    """One dated, public step of a proposal's answer; the note is the department's answer or reason."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    note = models.TextField(_("answer"), max_length=DESCRIPTION_LENGTH, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.changed_at:%Y-%m-%d})"


class Support(models.Model):
    """A resident's support of a proposal: one per resident and proposal, withdrawn by deleting it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports")
    follows = models.BooleanField(_("e-mail me when its status changes"), default=True)
    created_at = models.DateTimeField(_("supported at"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="participation_one_support")]

    def __str__(self) -> str:
        return f"{self.user} → {self.proposal}"


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommentQuerySet":
        """Published comments for everyone; every comment for moderators; their own too for authors."""
        if user is not None and user.is_authenticated:
            if user.has_perm("participation.moderate_proposal"):
                return self
            return self.filter(Q(visibility=Visibility.PUBLISHED) | Q(author=user))
        return self.filter(visibility=Visibility.PUBLISHED)


class Comment(models.Model):
    """A comment on a proposal, or a reply to one (one level: a reply is never replied to)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", verbose_name=_("reply to")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments")
    text = models.TextField(_("comment"), max_length=COMMENT_LENGTH)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PENDING
    )
    moderation_reason = models.CharField(_("moderator's reason"), max_length=REASON_LENGTH, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sender_network = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="participation_comment_not_own_reply"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_published(self) -> bool:
        return self.visibility == Visibility.PUBLISHED


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Insults, threats or hate")
    PERSONAL = "personal", _("Someone's personal data")
    OFF_TOPIC = "off_topic", _("Not about the city")
    OTHER = "other", _("Something else")


class Flag(models.Model):
    """A resident's report that a proposal or a comment is abusive; moderators resolve it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=10, choices=FlagReason.choices)
    note = models.CharField(_("what is wrong"), max_length=REASON_LENGTH, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=False, comment__isnull=True)
                | Q(proposal__isnull=True, comment__isnull=False),
                name="participation_flag_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "proposal"], condition=Q(comment__isnull=True), name="participation_one_flag_proposal"
            ),
            models.UniqueConstraint(
                fields=["user", "comment"], condition=Q(proposal__isnull=True), name="participation_one_flag_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.proposal or self.comment}"


class ApiClient(models.Model):
    """A city back-end or an Open311 client allowed to post problem reports; its key is kept as a hash only."""

    name = models.CharField(_("name"), max_length=200)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


def subject_choices() -> list[ContentType]:
    """The kinds of records a proposal may be about (``SUBJECT_MODELS``: app_label.model)."""
    return [ContentType.objects.get_by_natural_key(*label.split(".")) for label in SUBJECT_MODELS]


# What a proposal may be about.
SUBJECT_MODELS = ("projects.project", "corridors.corridor", "parks.park", "parks.renovationconcept")


# Workshops and their ballots, forums, contests: in modules of their own, imported here so that Django finds them.
from participation.contest_models import Contest, Criterion, Entry, Score  # noqa: E402, F401
from participation.event_models import Event, Registration, RegistrationStatus  # noqa: E402, F401
from participation.workshop_models import (  # noqa: E402, F401
    BALLOT_ITEM_MODELS,
    Ballot,
    BallotItem,
    CodeAttempt,
    CodeBatch,
    Mark,
    Method,
    ParticipantCode,
    ResultsShown,
    Vote,
    VoteAction,
    VoteChange,
    Voters,
    Workshop,
)
