"""Registrations that arrive at the same moment: the event's row lock keeps the seats exact.

Real threads, each with its own database connection, against committed data
(a transactional test), released together by a barrier.
"""

import pytest

from participation import events
from participation.models import Registration, RegistrationStatus
from tests.concurrency import at_once
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_people_registering_at_once_for_five_seats_give_five_confirmed_and_fifteen_waiting():
    event = EventFactory(capacity=5)
    residents = [UserFactory(role="resident") for _ in range(20)]

    results = at_once(*(lambda person=person: events.register(event, person) for person in residents))

    assert all(isinstance(result, Registration) for result in results), results
    stored = Registration.objects.filter(event=event)
    assert stored.filter(status=RegistrationStatus.CONFIRMED).count() == 5
    assert stored.filter(status=RegistrationStatus.WAITING).count() == 15
    assert sorted(stored.values_list("user_id", flat=True)) == sorted(person.pk for person in residents)


def test_one_person_registering_ten_times_at_once_holds_one_registration():
    event = EventFactory(capacity=5)
    resident = UserFactory(role="resident")

    results = at_once(*(lambda: events.register(event, resident) for _ in range(10)))

    assert sum(isinstance(result, Registration) for result in results) == 1
    refusals = [result for result in results if isinstance(result, events.RegistrationRefused)]
    assert len(refusals) == 9 and {refusal.code for refusal in refusals} == {"already"}
    assert Registration.objects.filter(event=event, user=resident).count() == 1


def test_cancellations_at_once_move_up_exactly_as_many_as_seats_freed():
    event = EventFactory(capacity=3)
    registrations = [events.register(event, UserFactory(role="resident")) for _ in range(8)]
    seated = registrations[:3]

    at_once(*(lambda registration=registration: events.cancel(registration) for registration in seated))

    stored = Registration.objects.filter(event=event)
    assert stored.filter(status=RegistrationStatus.CONFIRMED).count() == 3
    assert (
        list(stored.filter(status=RegistrationStatus.CONFIRMED).order_by("registered_at", "pk")) == (registrations[3:6])
    )
    assert stored.filter(status=RegistrationStatus.WAITING).count() == 2
