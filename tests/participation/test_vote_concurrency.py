"""Votes that arrive at the same moment: the database keeps one redemption, one vote, and every counted vote.

Each test runs real threads, each with its own database connection, against
committed data (a transactional test). The races with publication are made
deterministic by waiting, in PostgreSQL's own view of its sessions
(pg_stat_activity), until one thread is blocked on the other's lock.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from participation import voting
from participation.models import Ballot, Vote, VoteChange
from tests.concurrency import at_once
from tests.factories import BallotFactory, ConceptFactory, ItemFactory, ParkFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def ballot_of(count: int = 3, **options) -> tuple[Ballot, list[int]]:
    ballot = BallotFactory(**options)
    park = ParkFactory()
    return ballot, [ItemFactory(ballot=ballot, subject=ConceptFactory(park=park)).pk for _ in range(count)]


def test_twenty_phones_redeeming_and_voting_with_one_code_store_exactly_one_vote():
    ballot, (a, _b, _c) = ballot_of()
    _batch, (text,) = voting.generate_codes(ballot, 1)

    def redeem_and_vote(network: str):
        code = voting.redeem_code(ballot, text, network=network)
        return voting.cast_vote(ballot, voting.Voter(code=code), {a: 1})

    # A network each, so that nothing but the code's own UPDATE orders them (refusals of one network queue).
    results = at_once(*[lambda n=n: redeem_and_vote(f"{n:064x}") for n in range(20)])

    votes = [result for result in results if isinstance(result, Vote)]
    refusals = [result for result in results if isinstance(result, voting.VoteRefused)]
    assert len(votes) == 1, results
    assert [refusal.code for refusal in refusals] == ["used_code"] * 19
    assert Vote.objects.filter(ballot=ballot).count() == 1
    assert VoteChange.objects.filter(ballot=ballot).count() == 1


def test_fifty_votes_of_one_account_at_once_leave_one_vote_with_one_of_the_sets_sent():
    ballot, items = ballot_of(count=5, points=True)
    resident = UserFactory()
    # Fifty different ways to spread points: all five on one item, then shifted by one, and so on.
    submitted = [{items[n % 5]: 1 + n % 5, items[(n + 1) % 5]: 1 + n // 10} for n in range(50)]

    results = at_once(
        *[lambda marks=marks: voting.cast_vote(ballot, voting.Voter(account=resident), marks) for marks in submitted]
    )

    assert all(isinstance(result, Vote) for result in results), results
    assert Vote.objects.filter(ballot=ballot).count() == 1
    assert len({result.pk for result in results}) == 1
    stored = voting.current_marks(ballot, voting.Voter(account=resident))
    assert stored in submitted
    changes = VoteChange.objects.filter(ballot=ballot).order_by("at", "pk")
    assert [change.action for change in changes].count("cast") == 1
    assert changes.last().marks == {str(pk): points for pk, points in stored.items()}


# The race between a late vote and the publication of the results.


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_until_blocked(pid: int) -> None:
    """Return once the session ``pid`` waits for a lock (a synchronisation point, not a timing assertion)."""
    for _ in range(2000):
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
        if row is not None and row[0] == "Lock":
            return
        time.sleep(0.01)
    raise AssertionError(f"session {pid} never waited for a lock")


class Step(threading.Thread):
    """A thread that reports its database session, runs ``call``, and keeps what it returned or raised."""

    def __init__(self, call):
        super().__init__()
        self.call, self.pid, self.result = call, None, None
        self.started_session = threading.Event()

    def run(self):
        try:
            self.pid = backend_pid()
            self.started_session.set()
            self.result = self.call()
        except Exception as error:  # noqa: BLE001 (the test inspects whatever the thread raised)
            self.result = error
        finally:
            self.started_session.set()
            connection.close()


def test_a_vote_being_cast_when_the_results_are_published_is_counted_in_them():
    ballot, (a, _b, _c) = ballot_of()
    before, after = ballot.closes_at - datetime.timedelta(seconds=1), ballot.closes_at
    voted, release = threading.Event(), threading.Event()

    def vote_and_hold():
        # The vote's transaction is still open (holding its share of the ballot's row) when publication starts.
        with transaction.atomic():
            vote = voting.cast_vote(ballot, voting.Voter(account=UserFactory()), {a: 1}, now=before)
            voted.set()
            release.wait(timeout=30)
        return vote

    voter = Step(vote_and_hold)
    voter.start()
    assert voted.wait(timeout=30)
    publisher = Step(lambda: voting.results(Ballot.objects.get(pk=ballot.pk), now=after))
    publisher.start()
    publisher.started_session.wait(timeout=30)
    wait_until_blocked(publisher.pid)
    release.set()
    voter.join(timeout=30)
    publisher.join(timeout=30)

    assert isinstance(voter.result, Vote), voter.result
    results = publisher.result
    assert isinstance(results, voting.Results), results
    assert (results.totals[0].item_id, results.totals[0].total, results.voters) == (a, 1, 1)
    ballot.refresh_from_db()
    assert ballot.published_totals["items"][str(a)] == 1


def test_a_vote_that_reaches_the_ballot_after_publication_began_is_refused_not_lost():
    ballot, (a, _b, _c) = ballot_of()
    before, after = ballot.closes_at - datetime.timedelta(seconds=1), ballot.closes_at
    published, release = threading.Event(), threading.Event()

    def publish_and_hold():
        with transaction.atomic():
            results = voting.results(Ballot.objects.get(pk=ballot.pk), now=after)
            published.set()
            release.wait(timeout=30)
        return results

    publisher = Step(publish_and_hold)
    publisher.start()
    assert published.wait(timeout=30)
    # Sent in time (``now`` before closing), it reaches the ballot's row while the totals are being published.
    voter = Step(lambda: voting.cast_vote(ballot, voting.Voter(account=UserFactory()), {a: 1}, now=before))
    voter.start()
    voter.started_session.wait(timeout=30)
    wait_until_blocked(voter.pid)
    release.set()
    publisher.join(timeout=30)
    voter.join(timeout=30)

    assert isinstance(voter.result, voting.VoteRefused), voter.result
    assert voter.result.code == "closed"
    assert not Vote.objects.filter(ballot=ballot).exists()
    ballot.refresh_from_db()
    assert ballot.published_totals == {
        "items": {str(pk): 0 for pk in ballot.items.values_list("pk", flat=True)},
        "voters": 0,
    }
