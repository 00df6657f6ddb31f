"""Forums and other events: the list, an event's page with registering and cancelling, its calendar file; for
organisers the event's form, the attendees and their CSV.

Views are thin: participation.events does every write and says why it
refuses (RegistrationRefused, ValidationError), which the page shows as a
message. Anyone sees published events; an unpublished one only its
organisers (the event's ``organisers``, and whoever may change every event).
Organisers' pages send anonymous visitors to the log-in page and show the
signed-in who may not see them the 403 page.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gis_data.editing import add_errors
from gis_data.maps import district_outlines, feature, map_base
from gis_data.models import District
from gis_data.packs import current_city
from participation import events
from participation.event_forms import EventForm
from participation.export import as_text
from participation.models import Event, Proposal, Registration, RegistrationStatus

View = Callable[..., HttpResponse]

PAST_PAGE_SIZE = 20
# The venue's marker on the small map (7:1 on the light map ground).
VENUE_COLOUR = "#1d4ed8"
CSV_TIME = "%Y-%m-%d %H:%M"


# Who sees what ----------------------------------------------------------------------------------------------


def visible_events(user) -> QuerySet[Event]:
    """Published events for everyone; every event for those who may change them all; their own for organisers."""
    if user.is_authenticated and user.has_perm("participation.change_event"):
        return Event.objects.all()
    if user.is_authenticated:
        return Event.objects.filter(Q(is_published=True) | Q(pk__in=user.organised_events.values("pk")))
    return Event.objects.filter(is_published=True)


def get_event(request: HttpRequest, pk: int) -> Event:
    return get_object_or_404(visible_events(request.user), pk=pk)


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/events/forbidden.html", status=403)


def organisers_only(view: View) -> View:
    """Anonymous visitors to the log-in page; the signed-in who do not organise the event (``pk``) get the 403 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        event = get_object_or_404(Event, pk=pk)
        if not events.may_organise(request.user, event):
            return forbidden(request)
        return view(request, event, *args, **kwargs)

    return wrapped


def with_seats(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
    )


@dataclass
class EventCard:
    """What the list and the page say of an event, in the reader's language and the city's time."""

    event: Event
    when: str
    deadline: str
    phase: str
    confirmed: int
    waiting: int

    @property
    def seats_left(self) -> int:
        return max(self.event.capacity - self.confirmed, 0)

    @property
    def full(self) -> bool:
        return self.seats_left == 0

    @classmethod
    def of(cls, event: Event, now, confirmed: int, waiting: int) -> "EventCard":
        return cls(
            event=event,
            when=events.when_text(event),
            deadline=events.moment_text(event.registration_deadline),
            phase=events.phase(event, now),
            confirmed=confirmed,
            waiting=waiting,
        )


# The list -------------------------------------------------------------------------------------------------


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    shown = with_seats(visible_events(request.user))
    upcoming = shown.filter(ends_at__gt=now).order_by("starts_at", "pk")
    past_page = Paginator(shown.filter(ends_at__lte=now).order_by("-starts_at", "-pk"), PAST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "upcoming": [EventCard.of(event, now, event.confirmed, event.waiting) for event in upcoming],
        "past": [EventCard.of(event, now, event.confirmed, event.waiting) for event in past_page],
        "past_page": past_page,
        "page": past_page,
        "page_range": list(past_page.paginator.get_elided_page_range(past_page.number, on_each_side=2, on_ends=1)),
        "may_create": request.user.has_perm("participation.add_event"),
    }
    return render(request, "participation/events/list.html", context)


# An event's page ------------------------------------------------------------------------------------------


def venue_map(request: HttpRequest, event: Event) -> dict[str, Any]:
    config = map_base(current_city(), request)
    config["outlines"] = district_outlines(District.objects.filter(geom__contains=event.venue))
    config["feature"] = feature(event.venue, title=event.venue_name, colour=VENUE_COLOUR)
    return config


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event(request, pk)
    now = timezone.now()
    user = request.user
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
    )
    card = EventCard.of(event, now, counts["confirmed"], counts["waiting"])
    mine = events.live_registration(event, user)
    started = now >= event.starts_at
    context = {
        "event": event,
        "card": card,
        "mine": mine,
        "position": events.waiting_position(mine) if mine and mine.status == RegistrationStatus.WAITING else None,
        "may_register": card.phase == events.OPEN and event.is_published,
        "may_cancel": mine is not None and not started,
        "needs_confirmation": user.is_authenticated and not user.email_confirmed,
        "is_on": events.is_on(event, now),
        "started": started,
        "proposals": (
            list(Proposal.objects.published().filter(event=event).select_related("category").order_by("created_at"))
            if started
            else []
        ),
        "may_organise": events.may_organise(user, event),
        "map_config": venue_map(request, event),
    }
    return render(request, "participation/events/detail.html", context)


def signed_in_or_login(request: HttpRequest, event: Event) -> HttpResponse | None:
    """A form posted by a signed-out visitor: to the log-in page, then back to the event's page."""
    if request.user.is_authenticated:
        return None
    return redirect_to_login(event.get_absolute_url())


@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event(request, pk)
    if (to_login := signed_in_or_login(request, event)) is not None:
        return to_login
    try:
        registration = events.register(event, request.user)
    except events.RegistrationRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(
                request,
                _("You are registered. We sent a confirmation with a calendar file to %(email)s.")
                % {"email": request.user.email},
            )
        else:
            messages.success(
                request,
                _(
                    "All seats are taken: you are on the waiting list (position %(position)s). If a seat frees up, "
                    "you will be registered at once and we will e-mail you."
                )
                % {"position": events.waiting_position(registration)},
            )
    return redirect(f"{event.get_absolute_url()}#registration")


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event(request, pk)
    if (to_login := signed_in_or_login(request, event)) is not None:
        return to_login
    registration = events.live_registration(event, request.user)
    if registration is None:
        messages.info(request, _("You have no registration for this event to cancel."))
        return redirect(f"{event.get_absolute_url()}#registration")
    was_waiting = registration.status == RegistrationStatus.WAITING
    try:
        events.cancel(registration)
    except events.RegistrationRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if was_waiting:
            messages.success(request, _("You left the waiting list."))
        else:
            messages.success(request, _("Your registration is cancelled. Thank you for freeing your seat."))
    return redirect(f"{event.get_absolute_url()}#registration")


@require_safe
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event(request, pk)
    response = HttpResponse(events.calendar_file(event, request=request), content_type=events.CALENDAR_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{events.calendar_filename(event)}"'
    return response


# Organisers -----------------------------------------------------------------------------------------------


def render_form(request: HttpRequest, form: EventForm, event: Event | None) -> HttpResponse:
    config = map_base(current_city(), request, city_bounds=event is None)
    config["strings"].update(
        {
            "placed": _("The venue is at the point you chose. Click elsewhere on the map to move it."),
            "centred": _("The venue was put at the centre of the map."),
            "cleared": _("The venue was removed from the map."),
            "unreadable": _("The GeoJSON below cannot be read: the map shows the venue as it was."),
            "venueTitle": _("The venue"),
        }
    )
    config["colour"] = VENUE_COLOUR
    context = {"form": form, "event": event, "editor_config": config}
    # A form sent back with its problems is a page to act on, as every editor's (200, not 400).
    return render(request, "participation/events/form.html", context)


def save_from_form(request: HttpRequest, form: EventForm, event: Event | None) -> HttpResponse:
    if not form.is_valid():
        return render_form(request, form, event)
    draft = form.save(commit=False)
    try:
        moved = events.save_event(draft, by=request.user)
    except ValidationError as error:
        add_errors(form, error)
        return render_form(request, form, event)
    messages.success(request, _("The event is saved.") if event else _("The event is created."))
    if moved:
        messages.info(
            request,
            ngettext(
                "%(count)s person moved up from the waiting list to a new seat; we e-mailed them.",
                "%(count)s people moved up from the waiting list to the new seats; we e-mailed them.",
                len(moved),
            )
            % {"count": len(moved)},
        )
    return redirect(draft)


@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("participation.add_event"):
        return forbidden(request)
    if request.method == "POST":
        return save_from_form(request, EventForm(request.POST), None)
    return render_form(request, EventForm(), None)


@require_http_methods(["GET", "POST"])
@organisers_only
def event_edit(request: HttpRequest, event: Event) -> HttpResponse:
    if request.method == "POST":
        # The form changes its own copy: the page keeps naming the event as it is stored.
        return save_from_form(request, EventForm(request.POST, instance=Event.objects.get(pk=event.pk)), event)
    return render_form(request, EventForm(instance=event), event)


def attendee_groups(event: Event) -> tuple[list[Registration], list[Registration], list[Registration]]:
    """Confirmed (in order of registering), waiting (in line), cancelled (latest first)."""
    registrations = list(
        Registration.objects.filter(event=event).select_related("user").order_by("registered_at", "pk")
    )
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in registrations if r.status == RegistrationStatus.WAITING]
    cancelled = sorted(
        (r for r in registrations if r.status == RegistrationStatus.CANCELLED),
        key=lambda r: (r.cancelled_at, r.pk),
        reverse=True,
    )
    return confirmed, waiting, cancelled


@require_safe
@organisers_only
def attendees(request: HttpRequest, event: Event) -> HttpResponse:
    confirmed, waiting, cancelled = attendee_groups(event)
    context = {
        "event": event,
        "card": EventCard.of(event, timezone.now(), len(confirmed), len(waiting)),
        "confirmed": confirmed,
        "waiting": waiting,
        "cancelled": cancelled,
    }
    return render(request, "participation/events/attendees.html", context)


def csv_time(value) -> str:
    return events.in_city(value).strftime(CSV_TIME) if value else ""


@require_safe
@organisers_only
def attendees_csv(request: HttpRequest, event: Event) -> HttpResponse:
    """Confirmed, then waiting in line, then cancelled; UTF-8 with a BOM so that spreadsheets read the names."""
    confirmed, waiting, cancelled = attendee_groups(event)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-attendees.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("E-mail"), _("Status"), _("Registered at"), _("Moved up at")])
    for registration in [*confirmed, *waiting, *cancelled]:
        user = registration.user
        writer.writerow(
            [
                as_text(user.display_name),
                as_text(user.email),
                registration.get_status_display(),
                csv_time(registration.registered_at),
                csv_time(registration.moved_up_at),
            ]
        )
    return response
