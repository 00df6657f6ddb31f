"""Registering for events: seats, the deadline, the waiting list moving up, cancelling, mails and the .ics file.

Every call is given its moment (``now=``), and the event fixed dates, so
nothing here depends on the clock.
"""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from participation import events
from participation.models import Registration, RegistrationStatus
from tests.factories import GORKY_GATE, EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

CONFIRMED, WAITING, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
    RegistrationStatus.CANCELLED,
)


def local(*parts: int) -> datetime.datetime:
    """A moment in the city's time."""
    return datetime.datetime(*parts, tzinfo=ZoneInfo(settings.TIME_ZONE))


START = local(2030, 5, 15, 10, 0)
DEADLINE = local(2030, 5, 14, 18, 0)
BEFORE = local(2030, 5, 10, 12, 0)


@pytest.fixture
def forum():
    """The forum on 15 May 2030, 10:00–13:00, registration until 18:00 the day before; three seats."""
    return EventFactory(starts_at=START, ends_at=local(2030, 5, 15, 13, 0), registration_deadline=DEADLINE, capacity=3)


def people(count: int) -> list:
    return [UserFactory(role="resident") for _ in range(count)]


def fill(event, count: int, at: datetime.datetime = BEFORE) -> list[Registration]:
    """``count`` people register one minute apart, from ``at``."""
    return [
        events.register(event, person, now=at + datetime.timedelta(minutes=index))
        for index, person in enumerate(people(count))
    ]


def statuses(registrations) -> list[str]:
    for registration in registrations:
        registration.refresh_from_db()
    return [registration.status for registration in registrations]


# Seats and the waiting list


def test_registrations_are_confirmed_until_the_seats_are_taken_then_they_wait(forum):
    registrations = fill(forum, 5)

    assert statuses(registrations) == [CONFIRMED, CONFIRMED, CONFIRMED, WAITING, WAITING]
    assert [events.waiting_position(r) for r in registrations[3:]] == [1, 2]


def test_a_person_cannot_register_twice(forum, resident):
    events.register(forum, resident, now=BEFORE)

    with pytest.raises(events.RegistrationRefused) as refused:
        events.register(forum, resident, now=BEFORE)

    assert refused.value.code == "already"
    assert refused.value.message == "You are already registered for this event."
    assert Registration.objects.filter(event=forum, user=resident).count() == 1


def test_a_person_on_the_waiting_list_is_told_their_position_when_registering_again(forum, resident):
    fill(forum, 4)
    events.register(forum, resident, now=BEFORE + datetime.timedelta(hours=1))

    with pytest.raises(events.RegistrationRefused) as refused:
        events.register(forum, resident, now=BEFORE + datetime.timedelta(hours=2))

    assert refused.value.message == "You are already on the waiting list for this event (number 2)."


def test_a_person_who_cancelled_may_register_again(forum, resident):
    first = events.register(forum, resident, now=BEFORE)
    events.cancel(first, now=BEFORE + datetime.timedelta(hours=1))

    again = events.register(forum, resident, now=BEFORE + datetime.timedelta(hours=2))

    assert again.pk != first.pk and statuses([first, again]) == [CANCELLED, CONFIRMED]


def test_the_database_keeps_one_live_registration_per_person(forum, resident):
    RegistrationFactory(event=forum, user=resident)

    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=forum, user=resident, status=WAITING)


# The deadline and the start


def test_registration_one_second_before_the_deadline_is_accepted(forum, resident):
    registration = events.register(forum, resident, now=DEADLINE - datetime.timedelta(seconds=1))

    assert statuses([registration]) == [CONFIRMED]


def test_registration_exactly_at_the_deadline_is_refused_with_the_closing_time(forum, resident):
    with pytest.raises(events.RegistrationRefused) as refused:
        events.register(forum, resident, now=DEADLINE)

    assert refused.value.code == "closed"
    assert refused.value.message == "Registration closed at 18:00 on 14 May."
    assert not Registration.objects.filter(event=forum).exists()


def test_registration_after_the_deadline_is_refused(forum, resident):
    with pytest.raises(events.RegistrationRefused) as refused:
        events.register(forum, resident, now=DEADLINE + datetime.timedelta(hours=2))

    assert refused.value.code == "closed"
    assert not Registration.objects.filter(event=forum).exists()


def test_registration_once_the_event_started_is_refused(forum, resident):
    with pytest.raises(events.RegistrationRefused) as refused:
        events.register(forum, resident, now=START + datetime.timedelta(minutes=5))

    assert refused.value.code == "started"
    assert refused.value.message == "Registration is over: the event started at 10:00 on 15 May."


def test_an_unpublished_event_refuses_registration(resident):
    draft = EventFactory(starts_at=START, is_published=False)

    with pytest.raises(events.RegistrationRefused) as refused:
        events.register(draft, resident, now=BEFORE)

    assert refused.value.code == "not_published"


def test_a_person_whose_address_is_not_confirmed_cannot_register(forum):
    unconfirmed = UserFactory(role="resident", email_confirmed_at=None)

    with pytest.raises(events.RegistrationRefused) as refused:
        events.register(forum, unconfirmed, now=BEFORE)

    assert refused.value.code == "unconfirmed"
    assert not Registration.objects.filter(event=forum).exists()


# Cancelling and moving up


def test_when_a_confirmed_person_cancels_the_first_in_line_moves_up(forum):
    seated_1, seated_2, seated_3, first, second = fill(forum, 5)
    moment = BEFORE + datetime.timedelta(days=1)

    events.cancel(seated_2, now=moment)

    assert statuses([seated_1, seated_2, seated_3, first, second]) == [
        CONFIRMED,
        CANCELLED,
        CONFIRMED,
        CONFIRMED,
        WAITING,
    ]
    assert seated_2.cancelled_at == moment
    assert first.moved_up_at == moment and second.moved_up_at is None
    assert events.waiting_position(second) == 1


def test_the_waiting_list_moves_up_in_the_order_people_registered(forum):
    seated = fill(forum, 3)
    later, earlier = people(2)
    # Registered in this order: "earlier" first, although their account is newer.
    events.register(forum, earlier, now=BEFORE + datetime.timedelta(hours=1))
    events.register(forum, later, now=BEFORE + datetime.timedelta(hours=2))

    events.cancel(seated[0], now=BEFORE + datetime.timedelta(hours=3))

    assert Registration.objects.get(event=forum, user=earlier).status == CONFIRMED
    assert Registration.objects.get(event=forum, user=later).status == WAITING


def test_the_person_who_moves_up_is_mailed_with_the_calendar_file(forum, django_capture_on_commit_callbacks):
    seated_1, _seated_2, _seated_3, first = fill(forum, 4)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        events.cancel(seated_1, now=BEFORE + datetime.timedelta(days=1))

    (message,) = mail.outbox
    assert message.to == [first.user.email]
    assert message.subject == "A seat freed up: you are now registered for Green corridors forum"
    ((filename, content, mimetype),) = message.attachments
    assert filename == f"event-{forum.pk}.ics" and mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in content


def test_cancelling_a_waiting_registration_moves_nobody(forum, django_capture_on_commit_callbacks):
    registrations = fill(forum, 5)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        events.cancel(registrations[3], now=BEFORE + datetime.timedelta(days=1))

    assert statuses(registrations) == [CONFIRMED, CONFIRMED, CONFIRMED, CANCELLED, WAITING]
    assert registrations[4].moved_up_at is None
    assert mail.outbox == []


def test_the_waiting_list_still_moves_up_after_the_registration_deadline(forum):
    registrations = fill(forum, 4)

    events.cancel(registrations[0], now=DEADLINE + datetime.timedelta(hours=3))

    assert statuses(registrations)[3] == CONFIRMED


def test_nobody_moves_up_once_the_event_has_started(forum):
    registrations = fill(forum, 4)

    events.cancel(registrations[0], now=START + datetime.timedelta(minutes=30))

    assert statuses(registrations) == [CANCELLED, CONFIRMED, CONFIRMED, WAITING]


def test_cancelling_twice_is_refused(forum, resident):
    registration = events.register(forum, resident, now=BEFORE)
    events.cancel(registration, now=BEFORE + datetime.timedelta(hours=1))

    with pytest.raises(events.RegistrationRefused) as refused:
        events.cancel(registration, now=BEFORE + datetime.timedelta(hours=2))

    assert refused.value.code == "already_cancelled"
    registration.refresh_from_db()
    assert registration.cancelled_at == BEFORE + datetime.timedelta(hours=1)


# Mails on registering


def test_a_confirmed_registration_is_mailed_with_the_calendar_file(forum, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events.register(forum, resident, now=BEFORE)

    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert message.subject == "You are registered: Green corridors forum"
    assert "Gorky Park, Gogol Street 1" in message.body
    assert f"/events/{forum.pk}/" in message.body
    assert message.attachments[0][0] == f"event-{forum.pk}.ics"


def test_a_person_on_the_waiting_list_is_mailed_their_position_without_a_calendar_file(
    forum, resident, django_capture_on_commit_callbacks
):
    fill(forum, 4)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        events.register(forum, resident, now=BEFORE + datetime.timedelta(hours=1))

    (message,) = mail.outbox
    assert message.subject == "You are on the waiting list: Green corridors forum"
    assert "you are on the waiting list (position 2)" in message.body
    assert message.attachments == []


def test_the_mail_is_written_in_the_language_the_person_used_the_site_in(
    forum, resident, django_capture_on_commit_callbacks
):
    with translation.override("ru"), django_capture_on_commit_callbacks(execute=True):
        events.register(forum, resident, now=BEFORE)

    (message,) = mail.outbox
    # The date in Russian (Django's own catalogue), whatever the language the mail is sent from.
    assert "15 мая 2030" in message.body


def test_a_refused_registration_mails_nobody(forum, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(events.RegistrationRefused):
        events.register(forum, resident, now=DEADLINE)

    assert mail.outbox == []


# Organisers change the seats


def test_new_seats_go_to_the_waiting_list_at_once(forum, django_capture_on_commit_callbacks):
    registrations = fill(forum, 6)
    forum.capacity = 5

    with django_capture_on_commit_callbacks(execute=True):
        moved = events.save_event(forum, now=BEFORE + datetime.timedelta(days=1))

    assert [r.pk for r in moved] == [registrations[3].pk, registrations[4].pk]
    assert statuses(registrations) == [CONFIRMED] * 5 + [WAITING]
    assert sorted(message.to[0] for message in mail.outbox[-2:]) == sorted(
        [registrations[3].user.email, registrations[4].user.email]
    )


def test_the_seats_cannot_drop_below_the_people_confirmed(forum):
    fill(forum, 3)
    forum.capacity = 2

    with pytest.raises(ValidationError) as refused:
        events.save_event(forum, now=BEFORE)

    assert refused.value.message_dict["capacity"] == [
        "3 people are already confirmed: the event needs at least 3 seats."
    ]
    forum.refresh_from_db()
    assert forum.capacity == 3


def test_a_new_event_has_its_creator_as_organiser(urbanist):
    event = EventFactory.build(starts_at=START, venue=GORKY_GATE.clone())

    events.save_event(event, by=urbanist)

    assert list(event.organisers.all()) == [urbanist]
    assert event.created_by == urbanist


# The calendar file


def test_the_calendar_file_parses_back_with_the_times_in_utc_the_venue_and_a_stable_uid(forum, settings):
    settings.QALA_SITE_URL = "https://qala.example.org"

    parsed = icalendar.Calendar.from_ical(events.calendar_file(forum))

    (entry,) = parsed.walk("VEVENT")
    assert str(entry["uid"]) == f"event-{forum.pk}@qala.example.org"
    assert entry.decoded("dtstart") == START.astimezone(datetime.UTC)
    assert entry.decoded("dtstart").utcoffset() == datetime.timedelta(0)
    assert entry.decoded("dtend") == local(2030, 5, 15, 13, 0).astimezone(datetime.UTC)
    assert str(entry["summary"]) == "Green corridors forum"
    assert str(entry["location"]) == "Gorky Park, Gogol Street 1"
    assert (entry["geo"].latitude, entry["geo"].longitude) == (43.2598, 76.9656)
    assert str(entry["url"]) == f"https://qala.example.org/events/{forum.pk}/"
    assert "10:30 The corridors along the rivers" in str(entry["description"])
    # The same UID each time: a calendar importing it again updates the event.
    again = icalendar.Calendar.from_ical(events.calendar_file(forum)).walk("VEVENT")[0]
    assert str(again["uid"]) == str(entry["uid"])


def test_the_calendar_file_writes_its_times_in_utc():
    event = EventFactory(starts_at=local(2030, 5, 15, 10, 0), ends_at=local(2030, 5, 15, 13, 0))

    text = events.calendar_file(event).decode()

    start = local(2030, 5, 15, 10, 0).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in text


# Events on now


def test_an_event_is_on_from_its_start_until_the_end_of_its_last_day(forum):
    assert list(events.events_on_now(START)) == [forum]
    assert list(events.events_on_now(local(2030, 5, 15, 23, 59))) == [forum]
    assert events.is_on(forum, local(2030, 5, 15, 23, 59))


def test_an_event_is_not_on_before_its_start_or_the_day_after(forum):
    for moment in (START - datetime.timedelta(seconds=1), local(2030, 5, 16, 0, 0)):
        assert list(events.events_on_now(moment)) == []
        assert not events.is_on(forum, moment)


def test_an_unpublished_event_is_never_on():
    EventFactory(starts_at=START, is_published=False)

    assert list(events.events_on_now(START)) == []


def test_the_seat_freed_up_mail_is_in_the_language_the_person_registered_in(forum, django_capture_on_commit_callbacks):
    seated = [events.register(forum, UserFactory(), now=BEFORE) for _ in range(forum.capacity)]
    with translation.override("ru"):
        waiting = events.register(forum, UserFactory(), now=BEFORE)
    mail.outbox.clear()

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        events.cancel(seated[0], now=BEFORE + datetime.timedelta(hours=1))

    waiting.refresh_from_db()
    assert waiting.language == "ru"
    (message,) = mail.outbox
    assert message.to == [waiting.user.email]
    assert "Форум зелёных коридоров" in message.subject
