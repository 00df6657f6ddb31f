"""Photo-and-idea contests: residents post a photo of the city with an idea, a jury scores them.

A ``Contest`` has a theme, rules, a window for entries, its jury and its
``Criterion`` rows with weights. An ``Entry`` is a photo (the shared
``photos.Photo``), an idea, an optional place and hashtags. Each jury member
gives each entry a ``Score`` on each criterion, never on their own entry.
The ranking is by weighted mean (``participation.contests``); when the
organiser closes the contest, each entry's final score and rank are written
down and the winners are published.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_data.geometry import SRID
from gis_data.models import in_language

IDEA_LENGTH = 2000
HASHTAG_LENGTH = 50


class Contest(models.Model):
    title_kk = models.CharField(_("theme (Kazakh)"), max_length=200, blank=True)
    title_ru = models.CharField(_("theme (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("theme (English)"), max_length=200, blank=True)
    rules_kk = models.TextField(_("rules (Kazakh)"), blank=True)
    rules_ru = models.TextField(_("rules (Russian)"), blank=True)
    rules_en = models.TextField(_("rules (English)"), blank=True)
    opens_at = models.DateTimeField(_("entries open"))
    closes_at = models.DateTimeField(_("entries close"))
    max_score = models.PositiveSmallIntegerField(_("highest score on a criterion"), default=10)
    winners = models.PositiveSmallIntegerField(_("number of winners"), default=3)
    jury = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="juried_contests", verbose_name=_("jury")
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_contests", verbose_name=_("organisers")
    )
    is_published = models.BooleanField(_("published"), default=False)
    # Set when the organiser closes the contest: the final scores and ranks are written and the winners shown.
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_kk="") | ~Q(title_ru="") | ~Q(title_en=""), name="participation_contest_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="participation_contest_closes_after_opening"
            ),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="participation_contest_max_score_positive"),
            models.CheckConstraint(condition=Q(winners__gte=1), name="participation_contest_has_winners"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def rules(self) -> str:
        return in_language(self, "rules")

    def get_absolute_url(self) -> str:
        return reverse("contests:detail", args=[self.pk])

    def accepts_entries(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at and self.results_published_at is None


class Criterion(models.Model):
    """What the jury judges (the quality of the idea, the creativity of the photo) and how much it weighs."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("contest"))
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["contest", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_kk="") | ~Q(name_ru="") | ~Q(name_en=""), name="participation_criterion_has_a_name"
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="participation_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self, "name")


class Entry(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries", verbose_name=_("contest"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contest_entries", verbose_name=_("author")
    )
    idea = models.TextField(_("idea"), max_length=IDEA_LENGTH)
    language = models.CharField(_("written in"), max_length=2, choices=settings.LANGUAGES)
    place = models.PointField(_("place"), srid=SRID, null=True, blank=True)
    # Lower-case, without the "#", each at most HASHTAG_LENGTH characters (participation.contests.parse_hashtags).
    hashtags = ArrayField(
        models.CharField(max_length=HASHTAG_LENGTH), default=list, blank=True, verbose_name=_("hashtags")
    )
    photos = GenericRelation("photos.Photo", related_query_name="contest_entry")
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    hidden_reason = models.CharField(_("why it was hidden"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    # Written when the contest closes (participation.contests.close_contest).
    final_score = models.DecimalField(
        _("final score"), max_digits=7, decimal_places=3, null=True, blank=True, editable=False
    )
    final_rank = models.PositiveIntegerField(_("final rank"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)

    class Meta:
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        ordering = ["contest", "-submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_hidden=False) | ~Q(hidden_reason=""), name="participation_entry_hidden_why"
            ),
        ]

    def __str__(self) -> str:
        return self.idea[:60]

    def get_absolute_url(self) -> str:
        return reverse("contests:entry", args=[self.contest_id, self.pk])


class Score(models.Model):
    """One jury member's score of one entry on one criterion (0 to the contest's ``max_score``)."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contest_scores")
    value = models.PositiveSmallIntegerField(_("score"))
    scored_at = models.DateTimeField(_("scored at"), default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "criterion", "juror"], name="participation_score_once_per_juror_and_criterion"
            ),
        ]
