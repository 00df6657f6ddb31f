"""Benchmark: counting a workshop ballot of 20 items and 10,000 votes, three ways, against hand-written SQL.

Runs on any migrated database (no city pack needed; a database of its own is
best: `DATABASE_URL=postgres://…/qala_bench`):

    .venv/bin/python bench/ballot_tally.py [--keep]

Inside a transaction that is rolled back at the end (kept with ``--keep``), it
writes, for each method (single choice, approval up to 3, points: 10 to
spread, at most 5 on one item), a ballot of 20 items with 10,000 votes cast
with participant codes, all with SQL: the votes favour the first items, so
the totals have a shape. The items point to concept ids that need not exist:
counting never reads the records. Then, in the same process and on the same
data, it times:

* ``participation.voting.results`` while the ballot is open (the live tally:
  the items annotated with the sum of their marks' points, and the count of
  votes; then ranks, shares and ties in Python) against the same two
  aggregates written by hand in SQL and run on a cursor;
* ``participation.voting.recount`` (every vote and mark read into Python and
  summed there, each vote checked against the method's limits) against the
  same SQL;
* ``results`` once the ballot has closed (the published totals read from the
  ballot's row) against the same SQL.

Every row checks that both ways give the same totals. Median of REPEATS runs
after a warm-up, the two ways in turn within each
repeat; the results are recorded in bench/RESULTS.md. Not a test:
compare the ratios.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 (settings must be chosen first)

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from participation import voting  # noqa: E402
from participation.models import Ballot, BallotItem, CodeBatch, Mark, Method, ResultsShown, Voters, Workshop  # noqa: E402

REPEATS = 15
ITEMS = 20
VOTES = 10_000
METHODS = {
    Method.SINGLE: {},
    Method.APPROVAL: {"max_choices": 3},
    Method.POINTS: {"points_total": 10, "points_per_item": 5},
}

# One code per vote, its digest made up (64 hex characters), all of one batch.
CODES = """
INSERT INTO participation_participantcode (ballot_id, batch_id, digest, redeemed_at)
SELECT %(ballot)s, %(batch)s, md5(%(ballot)s || '-' || n) || md5(n || '-' || %(ballot)s), now()
FROM generate_series(1, %(votes)s) AS n
"""
VOTE_ROWS = """
INSERT INTO participation_vote (ballot_id, by_code, voter_id, code_id, cast_at, changed_at)
SELECT %(ballot)s, true, NULL, c.id, now(), now() FROM participation_participantcode c WHERE c.ballot_id = %(ballot)s
"""
# The items a vote marks: the first items more often (the square of a uniform number leans towards 0).
# Single choice: one item. Approval: one to three different items. Points: one to three different items
# with 1 to 5 points each, at most 10 in all (3 × 5 could be 15: the third gets what is left, if any).
MARKS = """
WITH drawn AS (
    SELECT v.id AS vote_id, k,
        (%(items)s::bigint[])[1 + floor(power(random(), 2) * %(count)s)::int] AS item_id,
        1 + floor(random() * 5)::int AS points
    FROM participation_vote v, generate_series(1, %(marks)s) AS k
    -- The draw names the vote (0 * v.id), or PostgreSQL would draw once per k for every vote.
    WHERE v.ballot_id = %(ballot)s AND (k = 1 OR random() < 0.6 + 0 * v.id)
),
once AS (
    SELECT DISTINCT ON (vote_id, item_id) vote_id, item_id, k, points FROM drawn ORDER BY vote_id, item_id, k
),
capped AS (
    SELECT vote_id, item_id, points,
        sum(points) OVER (PARTITION BY vote_id ORDER BY k) AS running
    FROM once
)
INSERT INTO participation_mark (vote_id, item_id, points)
SELECT vote_id, item_id, CASE WHEN %(points)s THEN LEAST(points, 10 - (running - points)) ELSE 1 END
FROM capped
WHERE NOT %(points)s OR running - points < 10
"""

# The hand-written reference: the same two aggregates as the live tally.
RAW_TOTALS = """
SELECT i.id, COALESCE(sum(m.points), 0)
FROM participation_ballotitem i LEFT JOIN participation_mark m ON m.item_id = i.id
WHERE i.ballot_id = %s
GROUP BY i.id
"""
RAW_VOTERS = "SELECT count(*) FROM participation_vote WHERE ballot_id = %s"


def paired_medians(reference, ours) -> tuple[float, float]:
    """Median seconds of each, run in turn within each repeat (a busy moment of the machine slows both)."""
    reference()  # warm the caches
    ours()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEATS):
        for run, kept in ((reference, times[0]), (ours, times[1])):
            start = time.perf_counter()
            run()
            kept.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def raw_tally(ballot_id: int) -> tuple[dict[int, int], int]:
    with connection.cursor() as cursor:
        cursor.execute(RAW_TOTALS, [ballot_id])
        totals = dict(cursor.fetchall())
        cursor.execute(RAW_VOTERS, [ballot_id])
        return totals, cursor.fetchone()[0]


def make_ballot(workshop: Workshop, method: str, numbers: dict) -> Ballot:
    now = timezone.now()
    ballot = Ballot.objects.create(
        workshop=workshop,
        title_en=f"Bench ballot ({method})",
        method=method,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
        results_shown=ResultsShown.LIVE,
        voters=Voters.CODES,
        **numbers,
    )
    concept = ContentType.objects.get_by_natural_key("parks", "renovationconcept")
    items = BallotItem.objects.bulk_create(
        [BallotItem(ballot=ballot, content_type=concept, object_id=n, position=n) for n in range(1, ITEMS + 1)]
    )
    batch = CodeBatch.objects.create(ballot=ballot, size=VOTES, note="Bench")
    parameters = {
        "ballot": ballot.pk,
        "batch": batch.pk,
        "votes": VOTES,
        "items": [item.pk for item in items],
        "count": ITEMS,
        "marks": {Method.SINGLE: 1, Method.APPROVAL: numbers.get("max_choices", 1), Method.POINTS: 3}[method],
        "points": method == Method.POINTS,
    }
    with connection.cursor() as cursor:
        for sql in (CODES, VOTE_ROWS, MARKS):
            cursor.execute(sql, parameters)
    return ballot


def main() -> None:
    keep = "--keep" in sys.argv[1:]
    with transaction.atomic():
        workshop = Workshop.objects.create(
            title_en="Bench workshop", starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 1, 2)
        )
        ballots = {method: make_ballot(workshop, method, numbers) for method, numbers in METHODS.items()}
        with connection.cursor() as cursor:
            for table in ("participantcode", "vote", "mark", "ballotitem"):
                cursor.execute(f"ANALYZE participation_{table}")  # noqa: S608 (constant names)
        print(f"{ITEMS} items and {VOTES} votes per ballot\n")
        print("| method | marks | work | raw SQL (ms) | ours (ms) | ours / raw | same totals |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for method, ballot in ballots.items():
            ballot_id = ballot.pk
            marks = Mark.objects.filter(vote__ballot=ballot).count()
            reference = raw_tally(ballot_id)
            live = voting.results(ballot)
            counted = voting.recount(ballot)
            rows = [
                (
                    "results(), open: live tally",
                    lambda b=ballot: voting.results(b),
                    ({row.item_id: row.total for row in live.totals}, live.voters),
                ),
                ("recount(): Python", lambda b=ballot: voting.recount(b), (counted["items"], counted["voters"])),
            ]
            assert not counted["broken"], counted["broken"][:3]
            after = ballot.closes_at + datetime.timedelta(seconds=1)
            published = voting.results(Ballot.objects.get(pk=ballot_id), now=after)
            closed = Ballot.objects.get(pk=ballot_id)
            rows.append(
                (
                    "results(), closed: published totals",
                    lambda c=closed, a=after: voting.results(c, now=a),
                    ({row.item_id: row.total for row in published.totals}, published.voters),
                )
            )
            for work, run, answer in rows:
                raw_s, ours_s = paired_medians(lambda b=ballot_id: raw_tally(b), run)
                same = "yes" if answer == reference else "NO"
                print(
                    f"| {method} | {marks} | {work} | {raw_s * 1000:.1f} | {ours_s * 1000:.1f} | "
                    f"{ours_s / raw_s:.2f} | {same} |"
                )
        if not keep:
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
