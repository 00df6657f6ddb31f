"""Recounting from the stored votes: it agrees with the results, and `ballots_recount` says when it does not."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from participation import voting
from participation.models import Ballot, Mark, Vote
from tests.factories import BallotFactory, ConceptFactory, ItemFactory, ParkFactory, UserFactory

pytestmark = pytest.mark.django_db

# Hand-made votes per method, on items A, B, C (the index of each in the ballot).
VOTES = {
    "single": ({}, [{0: 1}, {1: 1}, {0: 1}, {2: 1}, {0: 1}]),
    "approval": ({"approval": True}, [{0: 1, 1: 1}, {0: 1}, {1: 1, 2: 1}, {0: 1, 2: 1}]),
    "points": ({"points": True}, [{0: 5, 1: 5}, {0: 5, 1: 3, 2: 2}, {2: 5, 1: 1}]),
}


def voted_ballot(method: str, **options) -> tuple[Ballot, list[int]]:
    traits, votes = VOTES[method]
    ballot = BallotFactory(**traits, **options)
    park = ParkFactory(name_en=f"Park of the {method} ballot")
    items = [ItemFactory(ballot=ballot, subject=ConceptFactory(park=park)).pk for _ in range(3)]
    for number, marks in enumerate(votes):
        if number % 2:
            _batch, (text,) = voting.generate_codes(ballot, 1)
            voter = voting.Voter(code=voting.redeem_code(ballot, text, network=""))
        else:
            voter = voting.Voter(account=UserFactory())
        voting.cast_vote(ballot, voter, {items[index]: points for index, points in marks.items()})
    return ballot, items


def close(ballot: Ballot) -> None:
    ballot.closes_at = timezone.now()
    ballot.save(update_fields=["closes_at"])


def recount_command(*args: str) -> str:
    out = io.StringIO()
    call_command("ballots_recount", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("method", VOTES)
def test_the_recount_agrees_with_the_live_results(method):
    ballot, _items = voted_ballot(method)

    counted = voting.recount(ballot)

    results = voting.results(ballot)
    assert counted["items"] == {row.item_id: row.total for row in results.totals}
    assert counted["voters"] == results.voters == len(VOTES[method][1])
    assert counted["broken"] == []


@pytest.mark.parametrize("method", VOTES)
def test_the_recount_agrees_with_the_published_results(method):
    ballot, _items = voted_ballot(method)
    close(ballot)

    results = voting.results(ballot)

    counted = voting.recount(ballot)
    assert {str(pk): total for pk, total in counted["items"].items()} == ballot.published_totals["items"]
    assert counted["voters"] == results.voters


def test_the_recount_reports_a_vote_that_breaks_the_method():
    ballot, (a, b, _c) = voted_ballot("single")
    vote = Vote.objects.filter(marks__item_id=a).first()
    Mark.objects.create(vote=vote, item_id=b, points=1)

    counted = voting.recount(ballot)

    assert counted["broken"] == [f"Vote {vote.pk}: Choose one item; you chose 2."]


def test_the_command_says_each_ballot_matches_its_published_or_live_totals():
    published, _items = voted_ballot("points")
    close(published)
    voting.results(published)
    live, _items = voted_ballot("single")

    output = recount_command()

    assert output.splitlines() == [
        f"Ballot {published.pk} “Which concept is best?”: 3 votes, recount matches the published totals.",
        f"Ballot {live.pk} “Which concept is best?”: 5 votes, recount matches the live totals.",
    ]


def test_a_mark_written_after_publishing_makes_the_command_fail_and_name_the_item():
    ballot, (a, b, _c) = voted_ballot("single")
    close(ballot)
    voting.results(ballot)
    Mark.objects.filter(item_id=b).update(item_id=a)  # B's vote moved to A behind the services' back
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 ballot does not match its recount."):
        call_command("ballots_recount", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        f"Ballot {ballot.pk} “Which concept is best?”: 5 votes, recount DIFFERS from the published totals:"
    )
    assert f"  item {a} “Concept" in lines[1] and lines[1].endswith(": published 3, recounted 4")
    assert lines[2].endswith(": published 1, recounted 0")


def test_a_vote_deleted_after_publishing_shows_as_a_difference_in_voters():
    ballot, _items = voted_ballot("approval")
    close(ballot)
    voting.results(ballot)
    Vote.objects.filter(by_code=False).first().delete()

    output = io.StringIO()
    with pytest.raises(CommandError):
        call_command("ballots_recount", "--ballot", str(ballot.pk), stdout=output)

    assert "  votes: published 4, recounted 3" in output.getvalue().splitlines()


def test_a_stored_vote_that_breaks_the_method_makes_the_command_fail_on_an_open_ballot():
    ballot, (a, b, _c) = voted_ballot("single")
    Mark.objects.create(vote=Vote.objects.filter(marks__item_id=a).first(), item_id=b, points=1)

    with pytest.raises(CommandError):
        recount_command()


def test_the_command_recounts_only_the_ballot_asked_for():
    first, _items = voted_ballot("single")
    second, _items = voted_ballot("approval")

    output = recount_command("--ballot", str(second.pk))

    assert output.startswith(f"Ballot {second.pk} ")
    assert len(output.splitlines()) == 1


def test_the_command_refuses_a_ballot_that_does_not_exist():
    with pytest.raises(CommandError, match="There is no ballot 404."):
        recount_command("--ballot", "404")


def test_the_command_publishes_nothing():
    ballot, _items = voted_ballot("single")
    close(ballot)

    output = recount_command()

    assert output.endswith("recount matches the live totals.\n")
    ballot.refresh_from_db()
    assert ballot.published_totals is None
