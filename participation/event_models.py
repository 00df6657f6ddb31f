"""Forums and other events: a programme, a place and time, seats, and who registered for them.

A signed-in resident registers until ``registration_deadline``; while seats
remain the registration is confirmed, after that it waits in line. When a
confirmed person cancels, the first in line moves up (``participation.events``).
The database holds at most one live (not cancelled) registration per person
per event. Proposals made during an event name it (``Proposal.event``) and the
event's page shows them afterwards.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_data.geometry import SRID
from gis_data.models import in_language


class Event(models.Model):
    title_kk = models.CharField(_("title (Kazakh)"), max_length=200, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    programme_kk = models.TextField(_("programme (Kazakh)"), blank=True)
    programme_ru = models.TextField(_("programme (Russian)"), blank=True)
    programme_en = models.TextField(_("programme (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.PointField(_("venue"), srid=SRID)
    venue_name = models.CharField(_("venue (name and address)"), max_length=300)
    capacity = models.PositiveIntegerField(_("seats"))
    registration_deadline = models.DateTimeField(
        _("registration closes"), help_text=_("For example, 18:00 on the day before.")
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="organised_events", verbose_name=_("organisers")
    )
    is_published = models.BooleanField(_("published"), default=False)
    is_demo = models.BooleanField(_("demo"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_kk="") | ~Q(title_ru="") | ~Q(title_en=""), name="participation_event_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="participation_event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_deadline__lte=models.F("starts_at")),
                name="participation_event_registration_before_start",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="participation_event_has_seats"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self, "title")

    @property
    def programme(self) -> str:
        return in_language(self, "programme")

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations", verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    # The language the person used the site in when registering: later mails (a seat freed up) are written in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    # When a waiting registration was confirmed because someone cancelled.
    moved_up_at = models.DateTimeField(_("moved up from the waiting list at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status="cancelled"),
                name="participation_registration_one_live_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False) | (~Q(status="cancelled")),
                name="participation_registration_cancel_dated",
            ),
        ]
