"""Registering for forums and other events: seats, the waiting list, cancelling, the calendar file, the mails.

Every write takes the event's row lock first (``SELECT … FOR UPDATE``), so
registrations, cancellations and an organiser's change of the seats are done
one after the other: twenty people registering at once for five seats give
five confirmed and fifteen waiting, never six confirmed. The database keeps
one live registration per person and event (a partial unique constraint) as
well.

A registration is confirmed while confirmed registrations are fewer than the
seats, else it waits in line (first come, first served: ``registered_at``,
then ``pk``). When a seat frees up before the event starts (a confirmed
person cancels, or the organiser adds seats), the first in line moves up,
even after the registration deadline: a freed seat is still a seat.

Refusals are ``RegistrationRefused`` with a translated ``message``; rules an
organiser breaks are ``ValidationError`` keyed by field. Mails leave once the
transaction commits (as participation.notifications does): the confirmation
and the "seat freed up" mail carry the event's calendar file (.ics).

Times are stored in UTC and told in the city's time zone (``TIME_ZONE``).
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participation.models import Event, Registration, RegistrationStatus
from participation.notifications import absolute_url

CONFIRMED = RegistrationStatus.CONFIRMED
WAITING = RegistrationStatus.WAITING
CANCELLED = RegistrationStatus.CANCELLED

# The event's phases, as the pages name them.
OPEN = "open"  # registration open
CLOSED = "closed"  # registration closed, the event not started
UNDER_WAY = "under_way"
OVER = "over"

CALENDAR_TYPE = "text/calendar; charset=utf-8"


class RegistrationRefused(Exception):
    """A registration or a cancellation that cannot be done: ``message`` says why (translated), ``code`` which rule.

    Codes: "signed_out", "unconfirmed", "not_published", "started", "closed", "already", "already_cancelled".
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# Times, told in the city's time zone -----------------------------------------------------------------------


def city_zone() -> datetime.tzinfo:
    return timezone.get_default_timezone()


def in_city(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value, city_zone())


def moment_text(value: datetime.datetime) -> str:
    """ "18:00 on 14 May": a deadline or a start, in the city's time and the reader's language."""
    local = in_city(value)
    return _("%(time)s on %(date)s") % {
        "time": formats.date_format(local, "H:i"),
        "date": formats.date_format(local, "j E"),
    }


def when_text(event: Event) -> str:
    """When the event takes place: "May 14, 2025, 10:00–13:00", or both dates when it lasts past midnight."""
    start, end = in_city(event.starts_at), in_city(event.ends_at)
    if start.date() == end.date():
        return _("%(date)s, %(start)s–%(end)s") % {
            "date": formats.date_format(start, "DATE_FORMAT"),
            "start": formats.date_format(start, "H:i"),
            "end": formats.date_format(end, "H:i"),
        }
    return _("%(start_date)s, %(start)s – %(end_date)s, %(end)s") % {
        "start_date": formats.date_format(start, "DATE_FORMAT"),
        "start": formats.date_format(start, "H:i"),
        "end_date": formats.date_format(end, "DATE_FORMAT"),
        "end": formats.date_format(end, "H:i"),
    }


def phase(event: Event, now: datetime.datetime | None = None) -> str:
    """OPEN (registration open), CLOSED (registration over, not started), UNDER_WAY or OVER."""
    now = now or timezone.now()
    if now >= event.ends_at:
        return OVER
    if now >= event.starts_at:
        return UNDER_WAY
    if now >= event.registration_deadline:
        return CLOSED
    return OPEN


# Events on now, for tagging proposals ----------------------------------------------------------------------


def events_on_now(now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Published events that have started and whose last day (in the city) has not ended: proposals made now
    may be tagged to them. The day's end, not the event's, so that what people write down on the evening
    after a forum still counts."""
    now = now or timezone.now()
    today = timezone.localdate(now, city_zone())
    return (
        Event.objects.filter(is_published=True, starts_at__lte=now)
        .annotate(last_day=TruncDate("ends_at", tzinfo=city_zone()))
        .filter(last_day__gte=today)
        .order_by("starts_at", "pk")
    )


def is_on(event: Event, now: datetime.datetime | None = None) -> bool:
    """Whether ``event`` is one of events_on_now(now)."""
    now = now or timezone.now()
    return (
        event.is_published
        and event.starts_at <= now
        and timezone.localdate(now, city_zone()) <= in_city(event.ends_at).date()
    )


def not_on_message(event: Event) -> str:
    return _(
        "The proposal cannot be tagged to “%(title)s”: the event runs %(when)s, and proposals are tagged to it "
        "from its start until the end of its last day."
    ) % {"title": event.title, "when": when_text(event)}


# Seats ----------------------------------------------------------------------------------------------------


def _lock(event: Event) -> Event:
    """The event's row, locked until the transaction ends, as it is now."""
    return Event.objects.select_for_update().get(pk=event.pk)


def confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event_id=event.pk, status=CONFIRMED).count()


def live_registration(event: Event, user) -> Registration | None:
    """``user``'s registration for ``event`` that is not cancelled, if any."""
    if user is None or not user.is_authenticated:
        return None
    return Registration.objects.filter(event_id=event.pk, user=user).exclude(status=CANCELLED).first()


def waiting_position(registration: Registration) -> int:
    """The registration's place in the waiting line, from 1."""
    ahead = Registration.objects.filter(event_id=registration.event_id, status=WAITING).filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def waiting_line(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(event_id=event.pk, status=WAITING).order_by("registered_at", "pk")


def _fill_seats(event: Event, now: datetime.datetime) -> list[Registration]:
    """Confirm the first in line while seats are free and the event has not started; mail each. Event locked."""
    if now >= event.starts_at:
        return []
    free = event.capacity - confirmed_count(event)
    if free <= 0:
        return []
    moved = list(waiting_line(event)[:free])
    for registration in moved:
        registration.status = CONFIRMED
        registration.moved_up_at = now
        registration.save(update_fields=["status", "moved_up_at"])
        _mail_on_commit("event_moved_up", registration, event, _language_of(registration), calendar=True)
    return moved


# Registering and cancelling -------------------------------------------------------------------------------


def _refuse_unless_open(event: Event, now: datetime.datetime) -> None:
    if not event.is_published:
        raise RegistrationRefused(
            _("This event is not open for registration: it has not been published."), "not_published"
        )
    if now >= event.starts_at:
        raise RegistrationRefused(
            _("Registration is over: the event started at %(moment)s.") % {"moment": moment_text(event.starts_at)},
            "started",
        )
    if now >= event.registration_deadline:
        local = in_city(event.registration_deadline)
        raise RegistrationRefused(
            _("Registration closed at %(time)s on %(date)s.")
            % {"time": formats.date_format(local, "H:i"), "date": formats.date_format(local, "j E")},
            "closed",
        )


def _already_message(registration: Registration) -> str:
    if registration.status == CONFIRMED:
        return _("You are already registered for this event.")
    return _("You are already on the waiting list for this event (number %(position)s).") % {
        "position": waiting_position(registration)
    }


def register(event: Event, user, *, now: datetime.datetime | None = None) -> Registration:
    """Register ``user`` for ``event``: confirmed while seats remain, else on the waiting list; mail them.

    Refused (RegistrationRefused) for the signed-out, an unconfirmed e-mail
    address (the confirmation goes there), an unpublished event, after the
    registration deadline (at it exactly too) or the start, and for someone
    who already holds a live registration.
    """
    now = now or timezone.now()
    if user is None or not user.is_authenticated:
        raise RegistrationRefused(_("Sign in to register for an event."), "signed_out")
    if not user.email_confirmed:
        raise RegistrationRefused(
            _("Confirm your e-mail address before you register: open the link we mailed you."), "unconfirmed"
        )
    # The person's language now, while they use the site: their mails are written in it.
    language = _site_language(translation.get_language())
    with transaction.atomic():
        locked = _lock(event)
        _refuse_unless_open(locked, now)
        existing = live_registration(locked, user)
        if existing is not None:
            raise RegistrationRefused(_already_message(existing), "already")
        status = CONFIRMED if confirmed_count(locked) < locked.capacity else WAITING
        registration = Registration(event=locked, user=user, status=status, registered_at=now, language=language)
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            # The unique constraint of live registrations: the same person at the same moment, elsewhere.
            existing = live_registration(locked, user)
            raise RegistrationRefused(
                _already_message(existing) if existing else _("You are already registered for this event."), "already"
            ) from None
        if status == CONFIRMED:
            _mail_on_commit("event_confirmed", registration, locked, language, calendar=True)
        else:
            _mail_on_commit("event_waiting", registration, locked, language, position=waiting_position(registration))
    return registration


def cancel(registration: Registration, *, now: datetime.datetime | None = None) -> Registration:
    """Cancel a registration; if it held a seat and the event has not started, the first in line moves up.

    Refused (RegistrationRefused "already_cancelled") for a registration cancelled before.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock(registration.event)
        current = Registration.objects.get(pk=registration.pk)
        if current.status == CANCELLED:
            raise RegistrationRefused(_("This registration was already cancelled."), "already_cancelled")
        held_a_seat = current.status == CONFIRMED
        current.status = CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        if held_a_seat:
            _fill_seats(event, now)
    registration.status, registration.cancelled_at = current.status, current.cancelled_at
    return registration


# Organisers ----------------------------------------------------------------------------------------------


def check_event(event: Event, *, confirmed: int = 0) -> None:
    """Every rule of an event's details, each problem named on its field (ValidationError keyed by field).

    Values that are None (a field the form could not read) are left to the form's own message.
    """
    errors: dict[str, list[ValidationError]] = {}

    def problem(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if not any((getattr(event, f"title_{code}") or "").strip() for code in ("kk", "ru", "en")):
        problem("title_en", _("Give the event a title in at least one language."), "no_title")
    starts_at, ends_at, deadline = event.starts_at, event.ends_at, event.registration_deadline
    if starts_at and ends_at and ends_at <= starts_at:
        problem(
            "ends_at",
            _("The event must end after it starts (%(start)s).") % {"start": moment_text(starts_at)},
            "ends_before_start",
        )
    if starts_at and deadline and deadline > starts_at:
        problem(
            "registration_deadline",
            _("Registration must close by the start of the event (%(start)s) at the latest.")
            % {"start": moment_text(starts_at)},
            "deadline_after_start",
        )
    capacity = event.capacity
    if capacity is not None:
        if capacity < 1:
            problem("capacity", _("An event needs at least one seat."), "no_seats")
        elif capacity < confirmed:
            problem(
                "capacity",
                ngettext(
                    "%(count)s person is already confirmed: the event needs at least %(count)s seat.",
                    "%(count)s people are already confirmed: the event needs at least %(count)s seats.",
                    confirmed,
                )
                % {"count": confirmed},
                "below_confirmed",
            )
    if errors:
        raise ValidationError(errors)


def save_event(event: Event, *, by=None, now: datetime.datetime | None = None) -> list[Registration]:
    """Create or change an event; return the registrations that moved up from the waiting list.

    A new event's creator becomes its organiser. The rules of check_event
    apply, with the confirmed registrations counted under the event's lock
    (the seats cannot drop below them). New seats go to the waiting line at
    once, before the event starts, and each person moved up is mailed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        is_new = event.pk is None
        if not is_new:
            Event.objects.select_for_update().filter(pk=event.pk).first()
        check_event(event, confirmed=0 if is_new else confirmed_count(event))
        if is_new:
            event.created_by = by
        event.save()
        if is_new and by is not None:
            event.organisers.add(by)
        return [] if is_new else _fill_seats(event, now)


def may_organise(user, event: Event) -> bool:
    """The event's organisers, and whoever may change every event (urbanists, admins)."""
    if user is None or not user.is_authenticated:
        return False
    if user.has_perm("participation.change_event"):
        return True
    return event.pk is not None and event.organisers.filter(pk=user.pk).exists()


# The calendar file -----------------------------------------------------------------------------------------


def site_host() -> str:
    return urlsplit(getattr(settings, "QALA_SITE_URL", "")).hostname or "qala"


def calendar_file(event: Event, *, request=None) -> bytes:
    """The event as an RFC 5545 calendar with one VEVENT, in the active language; times in UTC.

    The UID (event-<pk>@<site host>) stays the same whatever changes, so a
    calendar that imports the file again updates the event instead of adding it twice.
    """
    url = absolute_url(event.get_absolute_url(), request)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Qala//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.pk}@{site_host()}")
    entry.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    entry.add("dtstart", event.starts_at.astimezone(datetime.UTC))
    entry.add("dtend", event.ends_at.astimezone(datetime.UTC))
    entry.add("summary", event.title)
    entry.add("location", event.venue_name)
    entry.add("geo", (round(event.venue.y, 6), round(event.venue.x, 6)))
    programme = event.programme.strip()
    entry.add("description", f"{programme}\n\n{url}" if programme else url)
    entry.add("url", url)
    calendar.add_component(entry)
    return calendar.to_ical()


def calendar_filename(event: Event) -> str:
    return f"event-{event.pk}.ics"


# Mails ------------------------------------------------------------------------------------------------------


def _site_language(language: str | None) -> str:
    languages = dict(settings.LANGUAGES)
    code = (language or "")[:2]
    return code if code in languages else settings.LANGUAGE_CODE


def _language_of(registration: Registration) -> str:
    """The language the person registered in; the site's for registrations made before it was kept."""
    return _site_language(registration.language or settings.LANGUAGE_CODE)


def _mail_on_commit(
    template: str,
    registration: Registration,
    event: Event,
    language: str,
    *,
    calendar: bool = False,
    position: int | None = None,
) -> None:
    user = registration.user
    if not user.is_active or not user.email:
        return
    transaction.on_commit(
        lambda: _send(template, event, user.email, language, calendar=calendar, position=position), robust=True
    )


def _send(template: str, event: Event, address: str, language: str, *, calendar: bool, position: int | None) -> None:
    """Render ``participation/email/<template>_subject.txt`` and ``_body.txt`` in ``language``; mail them."""
    with translation.override(language):
        context = {
            "title": event.title,
            "when": when_text(event),
            "venue": event.venue_name,
            "capacity": event.capacity,
            "position": position,
            "calendar": calendar,
            "link": absolute_url(event.get_absolute_url()),
        }
        subject = "".join(render_to_string(f"participation/email/{template}_subject.txt", context).splitlines())
        body = render_to_string(f"participation/email/{template}_body.txt", context)
        message = EmailMessage(subject.strip(), body, None, [address])
        if calendar:
            message.attach(calendar_filename(event), calendar_file(event), CALENDAR_TYPE)
    get_connection().send_messages([message])
