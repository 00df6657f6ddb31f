"""Workshops and their ballots: what is voted on, by whom, how, and every vote and change of vote.

A ``Ballot`` lists items of any votable kind (``BALLOT_ITEM_MODELS``: park
renovation concepts, corridor alternatives, projects, proposals) and counts
them by one ``Method``. A voter is a signed-in account or a one-time
``ParticipantCode``; either way the database holds at most one ``Vote`` per
voter per ballot (a partial unique constraint for accounts, a one-to-one for
codes), so concurrent submissions cannot store two. A vote's ``Mark`` rows
say how many points each item got (1 for single choice and approval).

A code is stored only as a keyed digest (``participation.voting.code_digest``):
the printed sheet is the only place its text exists, and nothing in the
database ties a code to a person. ``VoteChange`` is the audit log organisers
read: an account's changes name the account, a code's name nothing.

The services that cast, count and publish are in ``participation.voting``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_data.geometry import SRID
from gis_data.models import in_language

# What a ballot may list (app_label.model); participation.ballot_items knows how to title and draw each.
BALLOT_ITEM_MODELS = ("parks.renovationconcept", "corridors.corridor", "projects.project", "participation.proposal")


class Workshop(models.Model):
    """A participatory workshop: days when residents design and choose concepts together.

    Renovation concepts (parks.RenovationConcept) name the workshop they came
    from; the programme summary counts them per workshop. Its ballots are
    where participants choose among them.
    """

    title_kk = models.CharField(_("title (Kazakh)"), max_length=200, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    venue = models.PointField(_("venue"), srid=SRID, null=True, blank=True)
    venue_name = models.CharField(_("venue (name)"), max_length=300, blank=True)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_workshops", verbose_name=_("organisers")
    )
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_kk="") | ~Q(title_ru="") | ~Q(title_en=""), name="participation_workshop_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="participation_workshop_ends_after_start"
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
        return reverse("workshops:detail", args=[self.pk])


class Method(models.TextChoices):
    SINGLE = "single", _("single choice")
    APPROVAL = "approval", _("approval")
    POINTS = "points", _("points")


class ResultsShown(models.TextChoices):
    LIVE = "live", _("live, while voting is open")
    AFTER_CLOSE = "after_close", _("only after voting closes")


class Voters(models.TextChoices):
    ACCOUNTS = "accounts", _("signed-in residents")
    CODES = "codes", _("holders of participant codes")
    BOTH = "both", _("signed-in residents and holders of participant codes")


class Ballot(models.Model):
    """One question put to a workshop's participants, with its items, method and voting window."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("workshop"))
    title_kk = models.CharField(_("question (Kazakh)"), max_length=200, blank=True)
    title_ru = models.CharField(_("question (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    description_kk = models.TextField(_("explanation (Kazakh)"), blank=True)
    description_ru = models.TextField(_("explanation (Russian)"), blank=True)
    description_en = models.TextField(_("explanation (English)"), blank=True)

    method = models.CharField(_("voting method"), max_length=8, choices=Method.choices, default=Method.SINGLE)
    # Approval: how many items a voter may approve at most (k).
    max_choices = models.PositiveSmallIntegerField(_("items a voter may choose at most"), null=True, blank=True)
    # Points: each voter spreads up to points_total (N), at most points_per_item (m) on one item.
    points_total = models.PositiveSmallIntegerField(_("points each voter spreads"), null=True, blank=True)
    points_per_item = models.PositiveSmallIntegerField(_("most points on one item"), null=True, blank=True)

    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    results_shown = models.CharField(
        _("results shown"), max_length=12, choices=ResultsShown.choices, default=ResultsShown.AFTER_CLOSE
    )
    voters = models.CharField(_("who votes"), max_length=8, choices=Voters.choices, default=Voters.CODES)

    # The totals published once voting closed ({item id: total}); recounted by `manage.py ballots_recount`.
    published_totals = models.JSONField(_("published totals"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True, editable=False)

    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["workshop", "opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_kk="") | ~Q(title_ru="") | ~Q(title_en=""), name="participation_ballot_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="participation_ballot_closes_after_opening"
            ),
            # Each method has exactly the numbers it needs, and they make sense together.
            models.CheckConstraint(
                condition=(
                    Q(
                        method="single",
                        max_choices__isnull=True,
                        points_total__isnull=True,
                        points_per_item__isnull=True,
                    )
                    | Q(method="approval", max_choices__gte=1, points_total__isnull=True, points_per_item__isnull=True)
                    | Q(
                        method="points",
                        max_choices__isnull=True,
                        points_total__gte=1,
                        points_per_item__gte=1,
                        points_per_item__lte=models.F("points_total"),
                    )
                ),
                name="participation_ballot_method_numbers",
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
        return reverse("workshops:ballot", args=[self.pk])

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    @property
    def accepts_accounts(self) -> bool:
        return self.voters in (Voters.ACCOUNTS, Voters.BOTH)

    @property
    def accepts_codes(self) -> bool:
        return self.voters in (Voters.CODES, Voters.BOTH)


class BallotItem(models.Model):
    """One thing on a ballot: a concept, a corridor, a project or a proposal (``BALLOT_ITEM_MODELS``)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="items", verbose_name=_("ballot"))
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("kind"))
    object_id = models.PositiveBigIntegerField(_("record"))
    subject = GenericForeignKey("content_type", "object_id")
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("ballot item")
        verbose_name_plural = _("ballot items")
        ordering = ["ballot", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "content_type", "object_id"], name="participation_ballotitem_once_per_ballot"
            ),
        ]

    def __str__(self) -> str:
        return str(self.subject) if self.subject is not None else _("(removed)")


class CodeBatch(models.Model):
    """Participant codes generated and printed together for one ballot."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="code_batches", verbose_name=_("ballot"))
    size = models.PositiveIntegerField(_("number of codes"))
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("For example, the table or the day."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("generated at"), default=timezone.now)

    class Meta:
        verbose_name = _("batch of participant codes")
        verbose_name_plural = _("batches of participant codes")
        ordering = ["ballot", "created_at", "pk"]


class ParticipantCode(models.Model):
    """A one-time code: the digest of its text only (``participation.voting.code_digest``), never a person."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="codes", verbose_name=_("ballot"))
    batch = models.ForeignKey(CodeBatch, on_delete=models.CASCADE, related_name="codes", verbose_name=_("batch"))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # Set, once, when the code is entered (participation.voting.redeem_code); its vote can then be changed.
    redeemed_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("participant code")
        verbose_name_plural = _("participant codes")


class CodeAttempt(models.Model):
    """A code that was refused (unknown or used), counted per network to slow down guessing."""

    sender_network = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)


class Vote(models.Model):
    """One voter's ballot: an account's or a code's, at most one per ballot (enforced by the database)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="votes", verbose_name=_("ballot"))
    # Whether an account or a code cast it; the account may later be deleted, the vote stays counted.
    by_code = models.BooleanField(_("cast with a participant code"), default=False)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ballot_votes",
        verbose_name=_("voter"),
    )
    code = models.OneToOneField(
        ParticipantCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vote",
        verbose_name=_("participant code"),
    )
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)
    changed_at = models.DateTimeField(_("last changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["ballot", "cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "voter"], condition=Q(voter__isnull=False), name="participation_vote_one_per_account"
            ),
            models.CheckConstraint(
                condition=Q(by_code=False, code__isnull=True) | Q(by_code=True, code__isnull=False, voter__isnull=True),
                name="participation_vote_account_or_code",
            ),
        ]


class Mark(models.Model):
    """The points one vote gives one item (1 for single choice and approval)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="marks")
    item = models.ForeignKey(BallotItem, on_delete=models.PROTECT, related_name="marks")
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.UniqueConstraint(fields=["vote", "item"], name="participation_mark_once_per_item"),
            models.CheckConstraint(condition=Q(points__gte=1), name="participation_mark_has_points"),
        ]


class VoteAction(models.TextChoices):
    CAST = "cast", _("cast")
    CHANGED = "changed", _("changed")


class VoteChange(models.Model):
    """The audit log: every vote cast or changed, with the marks it left; a code's entries name nobody."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="vote_changes")
    vote = models.ForeignKey(Vote, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    action = models.CharField(_("what happened"), max_length=8, choices=VoteAction.choices)
    by_code = models.BooleanField(_("cast with a participant code"), default=False)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {item id (as text): points} after the change.
    marks = models.JSONField(_("marks"), default=dict)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("vote change")
        verbose_name_plural = _("vote changes")
        ordering = ["ballot", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by_code=False) | Q(account__isnull=True), name="participation_votechange_code_is_anonymous"
            ),
        ]
