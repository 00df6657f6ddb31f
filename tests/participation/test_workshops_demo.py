"""workshops_demo: ballots, forums and a contest made through the services, on a small piece of the city."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from participation import contests, voting
from participation.models import Ballot, Contest, Entry, Event, Method, Registration, Vote, Workshop
from photos.models import Photo
from tests.factories import (
    CityFactory,
    ConceptFactory,
    CorridorFactory,
    EventFactory,
    GreenAreaFactory,
    SegmentFactory,
    StreetFactory,
    WaterwayFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    """A park, a street and a river; the demo park workshop with four concepts; three demo corridors."""
    city = CityFactory()
    GreenAreaFactory()
    StreetFactory()
    WaterwayFactory()
    workshop = WorkshopFactory(is_demo=True)
    for _number in range(4):
        ConceptFactory(workshop=workshop, origin="workshop", is_demo=True)
    for _number in range(3):
        SegmentFactory(corridor=CorridorFactory(is_demo=True))
    return city


def run(*args) -> str:
    out = StringIO()
    call_command("workshops_demo", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_park_workshop_gets_a_closed_points_ballot_whose_published_totals_the_recount_confirms(city):
    run()

    ballot = Ballot.objects.get(is_demo=True, method=Method.POINTS)
    assert ballot.items.count() == 4
    assert ballot.votes.filter(by_code=True).count() == 46
    assert ballot.published_totals["voters"] == 46
    assert sum(ballot.published_totals["items"].values()) == sum(
        mark.points for vote in ballot.votes.all() for mark in vote.marks.all()
    )
    call_command("ballots_recount", stdout=StringIO())  # raises CommandError on any difference


def test_a_corridor_workshop_on_now_has_an_open_approval_ballot_with_live_results(city):
    run()

    ballot = Ballot.objects.get(method=Method.APPROVAL, is_demo=True)
    assert ballot.is_open()
    assert ballot.items.count() == 3
    assert ballot.votes.count() == 26
    assert voting.results(ballot).voters == 26
    assert not voting.results(ballot).published


def test_the_forum_next_week_is_full_with_a_waiting_list_and_the_past_one_is_over(city):
    run()

    forum, past = Event.objects.filter(is_demo=True).order_by("-starts_at")
    assert forum.registrations.filter(status="confirmed").count() == forum.capacity == 10
    assert forum.registrations.filter(status="waiting").count() == 2
    assert forum.venue_name == "парк им. Горького"
    assert past.ends_at < forum.starts_at


def test_the_contest_has_six_entries_with_a_picture_each_and_four_scored_by_two_jurors(city):
    run()

    contest = Contest.objects.get(is_demo=True)
    assert contest.entries.count() == 6
    assert all(entry.photos.count() == 1 for entry in contest.entries.all())
    assert [criterion.weight for criterion in contest.criteria.all()] == [3, 2]
    ranked = [row for row in contests.ranking(contest) if row.rank is not None]
    assert len(ranked) == 4


def test_running_it_again_replaces_the_demo(city):
    run()
    run()

    assert Ballot.objects.filter(is_demo=True).count() == 2
    assert Event.objects.filter(is_demo=True).count() == 2
    assert Contest.objects.filter(is_demo=True).count() == 1
    assert Workshop.objects.filter(is_demo=True).count() == 2


def test_if_empty_leaves_a_city_with_an_event_alone(city):
    EventFactory()

    assert "already" in run("--if-empty")
    assert not Ballot.objects.exists() and not Contest.objects.exists()


def test_remove_deletes_the_demo_with_its_votes_entries_and_pictures_and_nothing_else(city):
    real = EventFactory()
    run()

    run("--remove")

    assert list(Event.objects.all()) == [real]
    assert not Ballot.objects.exists() and not Vote.objects.exists()
    assert not Contest.objects.exists() and not Entry.objects.exists() and not Photo.objects.exists()
    assert not Registration.objects.exists()
    # The park workshop is parks_demo's: it stays, with its concepts.
    assert Workshop.objects.filter(is_demo=True, concepts__isnull=False).exists()


def test_the_park_demo_can_still_be_removed_after_its_workshop_was_voted_on(city):
    run()

    call_command("parks_demo", "--remove", stdout=StringIO())

    assert not Workshop.objects.filter(concepts__isnull=False).exists()
    assert not Ballot.objects.filter(method=Method.POINTS).exists()


def test_it_refuses_when_no_city_is_loaded(db):
    with pytest.raises(CommandError, match="No city is loaded"):
        run()
