"""Counting: each method's totals, shares, ranks and ties on votes worked out by hand; publishing once."""

import datetime

import pytest
from django.utils import timezone

from participation import voting
from participation.models import Mark, Vote
from tests.factories import BallotFactory, ConceptFactory, ItemFactory, ParkFactory, UserFactory

pytestmark = pytest.mark.django_db


def ballot_of(count: int = 3, **options):
    """A ballot with ``count`` concepts of one park; returns it and its items' pks in order (A, B, C…)."""
    ballot = BallotFactory(**options)
    park = ParkFactory()
    items = [ItemFactory(ballot=ballot, subject=ConceptFactory(park=park)).pk for _ in range(count)]
    return ballot, items


def vote_all(ballot, *votes: dict) -> None:
    """Each of ``votes`` cast by a voter of its own: accounts and codes, alternately."""
    for number, marks in enumerate(votes):
        if number % 2:
            _batch, (text,) = voting.generate_codes(ballot, 1)
            voter = voting.Voter(code=voting.redeem_code(ballot, text, network=""))
        else:
            voter = voting.Voter(account=UserFactory())
        voting.cast_vote(ballot, voter, marks)


def table(results) -> list[tuple]:
    return [(row.item_id, row.total, row.rank, row.tied) for row in results.totals]


def test_single_choice_counts_votes_and_ranks_every_item():
    ballot, (a, b, c) = ballot_of()
    # Five voters: three choose A, two choose B, nobody C.
    vote_all(ballot, {a: 1}, {b: 1}, {a: 1}, {b: 1}, {a: 1})

    results = voting.results(ballot)

    assert table(results) == [(a, 3, 1, False), (b, 2, 2, False), (c, 0, 3, False)]
    assert [row.share for row in results.totals] == [3 / 5, 2 / 5, 0.0]
    assert (results.voters, results.published) == (5, False)
    assert results.rule == "Each voter chose one item; the item with the most votes leads."


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped():
    ballot, (a, b, c) = ballot_of()
    # Four voters: two for B, two for A; C none. A and B tie for first, C is third.
    vote_all(ballot, {b: 1}, {a: 1}, {b: 1}, {a: 1})

    results = voting.results(ballot)

    # Tied items are listed in the ballot's order.
    assert table(results) == [(a, 2, 1, True), (b, 2, 1, True), (c, 0, 3, False)]


def test_approval_counts_each_approval_and_shares_are_of_all_approvals():
    ballot, (a, b, c) = ballot_of(approval=True)
    # {A, B}, {A}, {B, C}, {A, C}: A 3, B 2, C 2 — seven approvals from four voters.
    vote_all(ballot, {a: 1, b: 1}, {a: 1}, {b: 1, c: 1}, {a: 1, c: 1})

    results = voting.results(ballot)

    assert table(results) == [(a, 3, 1, False), (b, 2, 2, True), (c, 2, 2, True)]
    assert [row.share for row in results.totals] == [3 / 7, 2 / 7, 2 / 7]
    assert results.voters == 4
    assert results.rule == "Each voter approved up to 2 items; the item approved by the most voters leads."


def test_points_are_summed_per_item():
    ballot, (a, b, c) = ballot_of(points=True)
    # {A5, B5}, {A5, B3, C2}, {C5, B1}: A 10, B 9, C 7 — 26 points from three voters.
    vote_all(ballot, {a: 5, b: 5}, {a: 5, b: 3, c: 2}, {c: 5, b: 1})

    results = voting.results(ballot)

    assert table(results) == [(a, 10, 1, False), (b, 9, 2, False), (c, 7, 3, False)]
    assert results.totals[0].share == 10 / 26
    assert results.voters == 3
    assert results.rule == (
        "Each voter spread up to 10 points, at most 5 on one item; the item with the most points leads."
    )


def test_a_ballot_without_votes_lists_every_item_at_zero_all_tied_first():
    ballot, (a, b, c) = ballot_of()

    results = voting.results(ballot)

    assert table(results) == [(a, 0, 1, True), (b, 0, 1, True), (c, 0, 1, True)]
    assert [row.share for row in results.totals] == [0.0, 0.0, 0.0]
    assert results.voters == 0


def test_a_changed_vote_moves_its_points_in_the_live_totals(resident):
    ballot, (a, b, _c) = ballot_of(points=True)
    voter = voting.Voter(account=resident)
    voting.cast_vote(ballot, voter, {a: 5})

    voting.cast_vote(ballot, voter, {b: 2})

    totals = {row.item_id: row.total for row in voting.results(ballot).totals}
    assert (totals[a], totals[b]) == (0, 2)


def close(ballot) -> datetime.datetime:
    """Close the ballot now; returns the moment after it closed."""
    ballot.closes_at = timezone.now()
    ballot.save(update_fields=["closes_at"])
    return ballot.closes_at + datetime.timedelta(seconds=1)


def test_the_first_results_after_closing_publish_the_totals():
    ballot, (a, b, c) = ballot_of()
    vote_all(ballot, {a: 1}, {b: 1}, {a: 1})
    after = close(ballot)

    results = voting.results(ballot, now=after)

    ballot.refresh_from_db()
    assert ballot.published_totals == {"items": {str(a): 2, str(b): 1, str(c): 0}, "voters": 3}
    assert ballot.published_at == after
    assert results.published
    assert table(results) == [(a, 2, 1, False), (b, 1, 2, False), (c, 0, 3, False)]


def test_published_totals_are_published_once_and_stay_whatever_is_written_later():
    ballot, (a, b, _c) = ballot_of()
    vote_all(ballot, {a: 1}, {b: 1}, {a: 1})
    after = close(ballot)
    voting.results(ballot, now=after)
    # Written behind the services' back: a mark for B added to a stored vote.
    Mark.objects.create(vote=Vote.objects.filter(marks__item_id=a).first(), item_id=b, points=1)

    later = voting.results(type(ballot).objects.get(pk=ballot.pk), now=after + datetime.timedelta(days=1))

    assert table(later)[:2] == [(a, 2, 1, False), (b, 1, 2, False)]
    ballot.refresh_from_db()
    assert ballot.published_at == after


def test_a_stale_ballot_reads_the_totals_another_request_published():
    ballot, (a, _b, _c) = ballot_of()
    vote_all(ballot, {a: 1})
    after = close(ballot)
    stale = type(ballot).objects.get(pk=ballot.pk)
    voting.results(ballot, now=after)
    Mark.objects.all().delete()

    results = voting.results(stale, now=after + datetime.timedelta(minutes=1))

    assert results.totals[0].total == 1
    stale.refresh_from_db()
    assert stale.published_at == after


def test_results_while_open_are_live_and_publish_nothing():
    ballot, (a, _b, _c) = ballot_of()
    vote_all(ballot, {a: 1})

    results = voting.results(ballot)

    assert not results.published
    ballot.refresh_from_db()
    assert (ballot.published_totals, ballot.published_at) == (None, None)
