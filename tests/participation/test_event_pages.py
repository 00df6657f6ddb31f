"""The event pages: the list, an event's page with registering and cancelling, the calendar file, and the
organisers' form, attendee list and CSV."""

import csv
import datetime
import io
import json

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from participation import events
from participation.models import Event, Registration, RegistrationStatus
from tests.factories import (
    GORKY_GATE,
    CityFactory,
    EventFactory,
    ProposalFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("events:list")
CREATE = reverse("events:create")


@pytest.fixture(autouse=True)
def almaty(db):
    """Almaty, so that a venue is checked against the city's extent and the maps open on the city."""
    return CityFactory()


@pytest.fixture
def forum():
    return EventFactory(capacity=3)


def text(response) -> str:
    return response.content.decode()


def page_of(event) -> str:
    return reverse("events:detail", args=[event.pk])


def full(event, *, waiting: int = 0) -> None:
    for _ in range(event.capacity):
        RegistrationFactory(event=event)
    for _ in range(waiting):
        RegistrationFactory(event=event, status=RegistrationStatus.WAITING)


# The list


def test_the_list_shows_upcoming_events_soonest_first_then_past_ones(client):
    now = timezone.now()
    later = EventFactory(title_en="Later forum", starts_at=now + datetime.timedelta(days=20))
    sooner = EventFactory(title_en="Sooner forum", starts_at=now + datetime.timedelta(days=3))
    past = EventFactory(title_en="Past forum", starts_at=now - datetime.timedelta(days=10))

    page = text(client.get(LIST))

    assert page.index(sooner.title_en) < page.index(later.title_en) < page.index("Past events")
    assert page.index("Past events") < page.index(past.title_en)


def test_the_list_shows_the_seats_left_the_venue_and_the_deadline(client, forum):
    RegistrationFactory(event=forum)

    page = text(client.get(LIST))

    assert "2 seats left of 3" in page
    assert "Gorky Park, Gogol Street 1" in page
    assert events.moment_text(forum.registration_deadline) in page


def test_a_full_event_is_listed_as_full_with_a_waiting_list(client, forum):
    full(forum, waiting=2)

    page = text(client.get(LIST))

    assert "Full — waiting list" in page and "2 waiting" in page


def test_a_draft_is_neither_listed_nor_shown_to_residents(client, resident):
    draft = EventFactory(title_en="Secret forum", is_published=False)
    client.force_login(resident)

    assert "Secret forum" not in text(client.get(LIST))
    assert client.get(page_of(draft)).status_code == 404


def test_a_draft_is_shown_to_its_organiser_marked_as_a_draft(client, resident):
    draft = EventFactory(title_en="Secret forum", is_published=False)
    draft.organisers.add(resident)
    client.force_login(resident)

    page = text(client.get(LIST))

    assert "Secret forum" in page and "Draft: only organisers see it" in page


# An event's page


def test_the_page_shows_the_programme_with_its_line_breaks_and_the_venue(client, forum):
    page = text(client.get(page_of(forum)))

    assert "10:00 Welcome<br>10:30 The corridors along the rivers<br>12:00 Discussion" in page
    assert "Gorky Park, Gogol Street 1" in page
    assert events.when_text(forum) in page


def test_the_page_gives_the_map_the_venue(client, forum):
    response = client.get(page_of(forum))

    config = json.loads(
        response.content.decode().split('id="event-map-config" type="application/json">')[1].split("<")[0]
    )
    assert config["feature"]["geometry"]["coordinates"] == [GORKY_GATE.x, GORKY_GATE.y]
    assert config["feature"]["properties"]["title"] == "Gorky Park, Gogol Street 1"


def test_an_anonymous_visitor_is_asked_to_sign_in_to_register(client, forum):
    page = text(client.get(page_of(forum)))

    assert "Sign in to register" in page
    assert f"/accounts/login/?next=/events/{forum.pk}/" in page


def test_an_anonymous_registration_goes_to_the_log_in_page_and_back(client, forum):
    response = client.post(reverse("events:register", args=[forum.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/events/{forum.pk}/"
    assert not Registration.objects.exists()


def test_a_resident_registers_and_sees_their_seat_confirmed(client, resident, forum):
    client.force_login(resident)

    response = client.post(reverse("events:register", args=[forum.pk]), follow=True)

    registration = Registration.objects.get(event=forum, user=resident)
    assert registration.status == RegistrationStatus.CONFIRMED
    page = text(response)
    assert "You are registered. We sent a confirmation with a calendar file to resident@example.org." in page
    assert "You are registered: your seat is confirmed." in page
    assert "Cancel my registration" in page


def test_a_resident_joins_the_waiting_list_of_a_full_event_and_sees_their_position(client, resident, forum):
    full(forum, waiting=1)
    client.force_login(resident)
    assert "Join the waiting list" in text(client.get(page_of(forum)))

    response = client.post(reverse("events:register", args=[forum.pk]), follow=True)

    assert Registration.objects.get(event=forum, user=resident).status == RegistrationStatus.WAITING
    assert "You are on the waiting list: position 2." in text(response)


def test_a_resident_cancels_and_the_first_in_line_gets_the_seat(client, resident, forum):
    RegistrationFactory(event=forum, user=resident)
    RegistrationFactory(event=forum)
    RegistrationFactory(event=forum)
    waiting = RegistrationFactory(event=forum, status=RegistrationStatus.WAITING)
    client.force_login(resident)

    response = client.post(reverse("events:cancel", args=[forum.pk]), follow=True)

    assert "Your registration is cancelled." in text(response)
    assert Registration.objects.get(event=forum, user=resident).status == RegistrationStatus.CANCELLED
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_registering_after_the_deadline_is_refused_with_the_closing_time(client, resident):
    now = timezone.now()
    closed = EventFactory(
        starts_at=now + datetime.timedelta(days=1), registration_deadline=now - datetime.timedelta(hours=1)
    )
    client.force_login(resident)

    response = client.post(reverse("events:register", args=[closed.pk]), follow=True)

    local = events.in_city(closed.registration_deadline)
    assert f"Registration closed at {local:%H:%M} on {local.day} {local:%B}." in text(response)
    assert not Registration.objects.exists()


def test_the_calendar_file_downloads_as_ics(client, forum):
    response = client.get(reverse("events:calendar", args=[forum.pk]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-{forum.pk}.ics"'
    (entry,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(entry["url"]) == f"http://testserver/events/{forum.pk}/"


def test_proposals_made_at_the_event_are_shown_once_it_has_started(client):
    now = timezone.now()
    event = EventFactory(
        starts_at=now - datetime.timedelta(hours=1), registration_deadline=now - datetime.timedelta(days=1)
    )
    ProposalFactory(event=event, title="Shade on the forum's square")
    ProposalFactory(event=event, title="A hidden idea", visibility="hidden")
    ProposalFactory(title="Made elsewhere")

    page = text(client.get(page_of(event)))

    assert "Proposals made at this event" in page
    assert "Shade on the forum&#x27;s square" in page
    assert "A hidden idea" not in page and "Made elsewhere" not in page


def test_proposals_are_not_listed_before_the_event_starts(client, forum):
    assert "Proposals made at this event" not in text(client.get(page_of(forum)))


# Organisers' pages


@pytest.mark.parametrize("name", ["events:attendees", "events:attendees_csv", "events:edit"])
def test_organisers_pages_send_anonymous_visitors_to_log_in(client, forum, name):
    response = client.get(reverse(name, args=[forum.pk]))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", ["events:attendees", "events:attendees_csv", "events:edit"])
def test_organisers_pages_are_forbidden_to_a_resident(client, resident, forum, name):
    client.force_login(resident)

    response = client.get(reverse(name, args=[forum.pk]))

    assert response.status_code == 403
    assert "This page is for the event's organisers" in text(response)


def test_an_organiser_who_is_a_resident_sees_the_attendees_of_their_event(client, resident, forum):
    forum.organisers.add(resident)
    client.force_login(resident)

    assert client.get(reverse("events:attendees", args=[forum.pk])).status_code == 200


def test_the_attendee_page_lists_confirmed_then_waiting_in_order_and_cancelled_apart(client, urbanist, forum):
    start = timezone.now() - datetime.timedelta(days=1)
    names = ["Aigerim", "Bolat", "Daniyar", "Saule", "Timur"]
    for index, (name, status) in enumerate(
        zip(names, ["confirmed", "waiting", "confirmed", "cancelled", "waiting"], strict=True)
    ):
        RegistrationFactory(
            event=forum,
            user=UserFactory(display_name=name),
            status=status,
            registered_at=start + datetime.timedelta(minutes=index),
            cancelled_at=start + datetime.timedelta(hours=1) if status == "cancelled" else None,
        )
    client.force_login(urbanist)

    page = text(client.get(reverse("events:attendees", args=[forum.pk])))

    confirmed, rest = page.split('id="attendees-waiting"')
    waiting, cancelled = rest.split('id="attendees-cancelled"')
    assert confirmed.index("Aigerim") < confirmed.index("Daniyar") and "Bolat" not in confirmed
    assert waiting.index("Bolat") < waiting.index("Timur") and "Saule" not in waiting
    assert "Saule" in cancelled
    assert "2 of 3 seats" in page


def test_the_attendee_csv_lists_the_people_in_order_with_a_bom(client, urbanist, forum):
    start = timezone.now() - datetime.timedelta(days=1)
    first = RegistrationFactory(event=forum, user=UserFactory(display_name="Aigerim"), registered_at=start)
    RegistrationFactory(
        event=forum,
        user=UserFactory(display_name="=Bolat", email="bolat@example.org"),
        status="waiting",
        registered_at=start + datetime.timedelta(minutes=1),
    )
    moved = RegistrationFactory(
        event=forum,
        user=UserFactory(display_name="Daniyar"),
        registered_at=start + datetime.timedelta(minutes=2),
        moved_up_at=start + datetime.timedelta(hours=2),
    )
    client.force_login(urbanist)

    response = client.get(reverse("events:attendees_csv", args=[forum.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == ["Name", "E-mail", "Status", "Registered at", "Moved up at"]
    assert [row[0] for row in rows[1:]] == ["Aigerim", "Daniyar", "'=Bolat"]
    assert [row[2] for row in rows[1:]] == ["confirmed", "confirmed", "on the waiting list"]
    assert rows[1][3] == events.in_city(first.registered_at).strftime("%Y-%m-%d %H:%M")
    assert rows[2][4] == events.in_city(moved.moved_up_at).strftime("%Y-%m-%d %H:%M")


# The organisers' form


def event_data(**overrides) -> dict:
    start = (timezone.localtime() + datetime.timedelta(days=10)).replace(hour=10, minute=0, second=0, microsecond=0)
    data = {
        "title_kk": "",
        "title_ru": "Форум о парках",
        "title_en": "Parks forum",
        "programme_kk": "",
        "programme_ru": "",
        "programme_en": "10:00 Welcome\n11:00 Walk",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "registration_deadline": (start - datetime.timedelta(days=1)).replace(hour=18).strftime("%Y-%m-%dT%H:%M"),
        "venue_name": "Gorky Park, Gogol Street 1",
        "venue": GORKY_GATE.geojson,
        "capacity": "40",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def test_an_urbanist_creates_an_event_in_the_city_time_and_becomes_its_organiser(client, urbanist):
    client.force_login(urbanist)
    data = event_data()

    response = client.post(CREATE, data)

    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == page_of(event)
    assert events.in_city(event.starts_at).strftime("%Y-%m-%dT%H:%M") == data["starts_at"]
    assert event.title_ru == "Форум о парках" and event.capacity == 40 and event.is_published
    assert list(event.organisers.all()) == [urbanist]


def test_the_form_names_each_problem_and_saves_nothing(client, urbanist):
    client.force_login(urbanist)
    data = event_data(title_ru="", title_en="", capacity="0")
    data["ends_at"] = data["starts_at"]
    start = datetime.datetime.fromisoformat(data["starts_at"])
    data["registration_deadline"] = (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(CREATE, data)

    page = text(response)
    assert "Please correct these 4 problems:" in page
    assert "Give the event a title in at least one language." in page
    assert "The event must end after it starts (10:00 on" in page
    assert "Registration must close by the start of the event (10:00 on" in page
    assert "An event needs at least one seat." in page
    assert not Event.objects.exists()


def test_a_venue_outside_the_city_is_refused(client, urbanist):
    client.force_login(urbanist)

    response = client.post(CREATE, event_data(venue='{"type": "Point", "coordinates": [51.0, 42.0]}'))

    assert "The geometry lies outside the city&#x27;s extent." in text(response)
    assert not Event.objects.exists()


def test_a_resident_may_not_create_an_event(client, resident):
    client.force_login(resident)

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, event_data()).status_code == 403
    assert not Event.objects.exists()


def test_the_seats_cannot_be_set_below_the_people_confirmed(client, urbanist, forum):
    full(forum)
    client.force_login(urbanist)
    data = event_data(capacity="2")

    response = client.post(reverse("events:edit", args=[forum.pk]), data)

    assert "3 people are already confirmed: the event needs at least 3 seats." in text(response)
    forum.refresh_from_db()
    assert forum.capacity == 3


def test_seats_added_by_the_organiser_go_to_the_waiting_list(client, urbanist, forum):
    full(forum, waiting=2)
    client.force_login(urbanist)

    response = client.post(reverse("events:edit", args=[forum.pk]), event_data(capacity="4"), follow=True)

    assert "1 person moved up from the waiting list to a new seat; we e-mailed them." in text(response)
    assert Registration.objects.filter(event=forum, status="confirmed").count() == 4
    assert Registration.objects.filter(event=forum, status="waiting").count() == 1
