"""Casting and changing votes: every method's limits, the voting window, who may vote, and the audit log."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from participation import voting
from participation.models import Mark, ResultsShown, Vote, VoteChange, Voters
from tests.factories import BallotFactory, ConceptFactory, ItemFactory, ParkFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def ballot_of(count: int = 3, **options):
    """A ballot with ``count`` concepts of one park; returns it and its items' pks in order."""
    ballot = BallotFactory(**options)
    park = ParkFactory()
    items = [ItemFactory(ballot=ballot, subject=ConceptFactory(park=park)).pk for _ in range(count)]
    return ballot, items


def refused(call) -> voting.VoteRefused:
    with pytest.raises(voting.VoteRefused) as caught:
        call()
    return caught.value


def code_voter(ballot) -> voting.Voter:
    _batch, (text,) = voting.generate_codes(ballot, 1)
    return voting.Voter(code=voting.redeem_code(ballot, text, network=""))


# Single choice


def test_a_single_choice_vote_stores_one_mark_and_logs_that_it_was_cast(resident):
    ballot, (a, _b, _c) = ballot_of()
    now = timezone.now()

    vote = voting.cast_vote(ballot, voting.Voter(account=resident), {a: 1}, now=now)

    vote.refresh_from_db()
    assert (vote.ballot, vote.voter, vote.by_code, vote.cast_at, vote.changed_at) == (ballot, resident, False, now, now)
    assert list(vote.marks.values_list("item_id", "points")) == [(a, 1)]
    change = VoteChange.objects.get()
    assert (change.vote, change.action, change.by_code, change.account) == (vote, "cast", False, resident)
    assert change.marks == {str(a): 1}


def test_a_single_choice_vote_for_two_items_is_refused(resident):
    ballot, (a, b, _c) = ballot_of()

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 1, b: 1}))

    assert (refusal.code, refusal.message) == ("limits", "Choose one item; you chose 2.")
    assert not Vote.objects.exists()


def test_a_single_choice_vote_for_nothing_is_refused(resident):
    ballot, _items = ballot_of()

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {}))

    assert (refusal.code, refusal.message) == ("empty", "Choose one item.")


def test_a_single_choice_vote_gives_its_item_one_vote_not_more(resident):
    ballot, (a, _b, _c) = ballot_of()

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 3}))

    assert (refusal.code, refusal.message) == ("limits", "Each chosen item gets one vote; you gave one item 3 votes.")


# Approval


def test_an_approval_vote_may_choose_up_to_k_items(resident):
    ballot, (a, b, _c) = ballot_of(approval=True)

    vote = voting.cast_vote(ballot, voting.Voter(account=resident), {a: 1, b: 1})

    assert dict(vote.marks.values_list("item_id", "points")) == {a: 1, b: 1}


def test_an_approval_vote_for_more_than_k_items_is_refused_naming_both_numbers(resident):
    ballot, (a, b, c) = ballot_of(approval=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 1, b: 1, c: 1}))

    assert (refusal.code, refusal.message) == ("limits", "Choose at most 2 items; you chose 3.")
    assert not Vote.objects.exists()


def test_an_empty_approval_vote_is_refused(resident):
    ballot, _items = ballot_of(approval=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {}))

    assert (refusal.code, refusal.message) == ("empty", "Choose at least one item, at most 2.")


# Points


def test_a_points_vote_may_spread_all_points_up_to_the_most_on_one_item(resident):
    ballot, (a, b, c) = ballot_of(points=True)

    vote = voting.cast_vote(ballot, voting.Voter(account=resident), {a: 5, b: 4, c: 1})

    assert dict(vote.marks.values_list("item_id", "points")) == {a: 5, b: 4, c: 1}


def test_more_points_on_one_item_than_allowed_are_refused(resident):
    ballot, (a, _b, _c) = ballot_of(points=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 7}))

    assert refusal.code == "limits"
    assert refusal.message == "You gave 7 points to one item; at most 5 are allowed on one item."


def test_more_points_in_all_than_a_voter_has_are_refused(resident):
    ballot, (a, b, c) = ballot_of(points=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 5, b: 5, c: 2}))

    assert (refusal.code, refusal.message) == ("limits", "You spread 12 points; you have 10.")
    assert not Mark.objects.exists()


@pytest.mark.parametrize("points", [0, -2])
def test_zero_or_negative_points_are_refused(resident, points):
    ballot, (a, b, _c) = ballot_of(points=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 3, b: points}))

    assert refusal.code == "limits"
    assert refusal.message.startswith(f"You gave {points} points to one item; give an item at least 1 point")
    assert not Vote.objects.exists()


def test_points_that_are_not_whole_numbers_are_refused(resident):
    ballot, (a, _b, _c) = ballot_of(points=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: "three"}))

    assert (refusal.code, refusal.message) == ("limits", "Points are whole numbers, such as 1 or 3.")


def test_a_points_vote_with_no_points_is_refused(resident):
    ballot, _items = ballot_of(points=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {}))

    assert (refusal.code, refusal.message) == ("empty", "Give at least one point to an item; you have 10 to spread.")


# Items


def test_an_item_that_does_not_exist_is_refused(resident):
    ballot, (a, _b, _c) = ballot_of(points=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 2, 999_999: 2}))

    assert refusal.code == "not_on_ballot"
    assert refusal.message == "1 of the items you chose is not on this ballot; reload the page and choose again."
    assert not Vote.objects.exists()


def test_an_item_of_another_ballot_is_refused(resident):
    ballot, (a, _b, _c) = ballot_of(points=True)
    _other, (elsewhere, _d, _e) = ballot_of(points=True)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 2, elsewhere: 2}))

    assert refusal.code == "not_on_ballot"
    assert not Vote.objects.exists()


# The window


def test_a_vote_before_voting_opens_is_refused(resident):
    ballot, (a, _b, _c) = ballot_of()

    refusal = refused(
        lambda: voting.cast_vote(
            ballot, voting.Voter(account=resident), {a: 1}, now=ballot.opens_at - datetime.timedelta(seconds=1)
        )
    )

    assert refusal.code == "not_open"
    assert refusal.message.startswith("Voting on this ballot opens on ")
    assert not Vote.objects.exists()


def test_a_vote_when_voting_closes_is_refused(resident):
    ballot, (a, _b, _c) = ballot_of()

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 1}, now=ballot.closes_at))

    assert refusal.code == "closed"
    assert not Vote.objects.exists()


def test_the_window_is_read_from_the_database_not_from_a_stale_ballot(resident):
    ballot, (a, _b, _c) = ballot_of()
    stale = type(ballot).objects.get(pk=ballot.pk)
    ballot.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    ballot.save()

    refusal = refused(lambda: voting.cast_vote(stale, voting.Voter(account=resident), {a: 1}))

    assert refusal.code == "closed"


def test_a_vote_is_checked_against_the_method_as_stored_not_as_a_stale_ballot_says(resident):
    ballot, (a, b, _c) = ballot_of()
    stale = type(ballot).objects.get(pk=ballot.pk)
    ballot.method, ballot.points_total, ballot.points_per_item = "points", 10, 5
    ballot.save()

    vote = voting.cast_vote(stale, voting.Voter(account=resident), {a: 5, b: 3})

    assert dict(vote.marks.values_list("item_id", "points")) == {a: 5, b: 3}


def test_a_vote_after_the_results_were_published_is_refused_even_with_an_earlier_time(resident):
    ballot, (a, _b, _c) = ballot_of()
    voting.results(ballot, now=ballot.closes_at)

    refusal = refused(
        lambda: voting.cast_vote(
            ballot, voting.Voter(account=resident), {a: 1}, now=ballot.closes_at - datetime.timedelta(minutes=1)
        )
    )

    assert refusal.code == "closed"
    assert not Vote.objects.exists()


# Who votes


def test_a_ballot_for_accounts_only_refuses_a_code(resident):
    ballot, (a, _b, _c) = ballot_of()
    voter = code_voter(ballot)
    ballot.voters = Voters.ACCOUNTS
    ballot.save()

    refusal = refused(lambda: voting.cast_vote(ballot, voter, {a: 1}))

    assert refusal.code == "not_allowed"
    assert not Vote.objects.exists()


def test_a_ballot_for_codes_only_refuses_an_account(resident):
    ballot, (a, _b, _c) = ballot_of(voters=Voters.CODES)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=resident), {a: 1}))

    assert refusal.code == "not_allowed"
    assert refusal.message == "This ballot is for holders of participant codes: enter the code printed on your card."


def test_an_inactive_account_may_not_vote():
    ballot, (a, _b, _c) = ballot_of()
    inactive = UserFactory(is_active=False)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(account=inactive), {a: 1}))

    assert refusal.code == "not_allowed"


def test_a_code_that_was_not_redeemed_cannot_vote():
    ballot, (a, _b, _c) = ballot_of()
    batch, _texts = voting.generate_codes(ballot, 1)

    refusal = refused(lambda: voting.cast_vote(ballot, voting.Voter(code=batch.codes.get()), {a: 1}))

    assert refusal.code == "unknown_code"
    assert not Vote.objects.exists()


def test_a_code_of_another_ballot_cannot_vote_here():
    ballot, (a, _b, _c) = ballot_of()
    other, _items = ballot_of()

    refusal = refused(lambda: voting.cast_vote(ballot, code_voter(other), {a: 1}))

    assert refusal.code == "unknown_code"


def test_a_voter_is_an_account_or_a_code_never_both_nor_neither(resident):
    ballot, _items = ballot_of()
    code = code_voter(ballot).code

    with pytest.raises(ValueError):
        voting.Voter()
    with pytest.raises(ValueError):
        voting.Voter(account=resident, code=code)


# Changing one's mind


def test_changing_a_vote_replaces_its_marks_and_logs_the_change(resident):
    ballot, (a, b, c) = ballot_of(points=True)
    voter = voting.Voter(account=resident)
    first = voting.cast_vote(ballot, voter, {a: 5, b: 5})
    later = timezone.now() + datetime.timedelta(minutes=5)

    second = voting.cast_vote(ballot, voter, {c: 4}, now=later)

    assert second.pk == first.pk
    first.refresh_from_db()
    assert first.changed_at == later and first.cast_at < later
    assert list(Mark.objects.values_list("vote_id", "item_id", "points")) == [(first.pk, c, 4)]
    assert list(VoteChange.objects.values_list("action", "marks")) == [
        ("cast", {str(a): 5, str(b): 5}),
        ("changed", {str(c): 4}),
    ]


def test_sending_the_same_vote_again_logs_nothing(resident):
    ballot, (a, b, _c) = ballot_of(points=True)
    voter = voting.Voter(account=resident)
    vote = voting.cast_vote(ballot, voter, {a: 3, b: 2})

    again = voting.cast_vote(ballot, voter, {b: 2, a: 3}, now=timezone.now() + datetime.timedelta(minutes=1))

    assert again.pk == vote.pk
    assert VoteChange.objects.count() == 1
    assert again.changed_at == vote.changed_at


def test_a_refused_change_keeps_the_vote_as_it_was(resident):
    ballot, (a, b, _c) = ballot_of(points=True)
    voter = voting.Voter(account=resident)
    voting.cast_vote(ballot, voter, {a: 3, b: 2})

    refused(lambda: voting.cast_vote(ballot, voter, {a: 9}))

    assert voting.current_marks(ballot, voter) == {a: 3, b: 2}
    assert VoteChange.objects.count() == 1


def test_a_code_changes_its_own_vote_and_its_log_names_nobody():
    ballot, (a, b, _c) = ballot_of()
    voter = code_voter(ballot)
    voting.cast_vote(ballot, voter, {a: 1})

    voting.cast_vote(ballot, voter, {b: 1})

    assert Vote.objects.get().code == voter.code
    assert voting.current_marks(ballot, voter) == {b: 1}
    assert list(VoteChange.objects.values_list("action", "by_code", "account")) == [
        ("cast", True, None),
        ("changed", True, None),
    ]


def test_current_marks_are_empty_for_someone_who_has_not_voted(resident):
    ballot, _items = ballot_of()

    assert voting.current_marks(ballot, voting.Voter(account=resident)) == {}
    assert voting.current_marks(ballot, None) == {}


def test_items_and_method_are_locked_once_a_vote_exists(resident):
    ballot, (a, _b, _c) = ballot_of()
    assert not voting.edit_locked(ballot)

    voting.cast_vote(ballot, voting.Voter(account=resident), {a: 1})

    assert voting.edit_locked(ballot)


# Who organises, who sees results


def test_organisers_are_the_workshops_own_and_those_who_may_change_workshops(resident, urbanist):
    workshop = WorkshopFactory()
    organiser = UserFactory(role="resident")
    workshop.organisers.add(organiser)

    assert voting.may_organise(organiser, workshop)
    assert voting.may_organise(urbanist, workshop)
    assert not voting.may_organise(resident, workshop)
    assert not voting.may_organise(AnonymousUser(), workshop)


def test_results_shown_after_closing_are_hidden_from_residents_until_then_but_not_from_organisers(resident, urbanist):
    ballot, _items = ballot_of(results_shown=ResultsShown.AFTER_CLOSE)

    assert not voting.results_visible(ballot, resident)
    assert not voting.results_visible(ballot, AnonymousUser())
    assert voting.results_visible(ballot, urbanist)
    assert voting.results_visible(ballot, resident, now=ballot.closes_at)


def test_live_results_are_visible_to_everybody_while_voting_is_open():
    ballot, _items = ballot_of(results_shown=ResultsShown.LIVE)

    assert voting.results_visible(ballot, AnonymousUser())
