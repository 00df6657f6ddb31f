"""Voting on workshop ballots: participant codes, casting and changing votes, counting and publishing results.

Every rule is kept here, and the database keeps the ones that must hold
under concurrent requests:

* A participant code is ``CODE_LENGTH`` characters of ``CODE_ALPHABET`` (no
  0/O/1/I/L to confuse), printed as ABCD-EFGH. Only its keyed digest
  (``code_digest``, an HMAC-SHA256 keyed from SECRET_KEY) is stored: the
  texts ``generate_codes`` returns are the only time they exist in clear.
  Changing SECRET_KEY therefore invalidates every code not yet used.
* ``redeem_code`` marks a code used with one ``UPDATE … WHERE redeemed_at IS
  NULL``: of any number of concurrent redemptions exactly one succeeds.
  Refused codes (unknown, of another ballot, used) are recorded as
  ``CodeAttempt`` rows and limited per sender network
  (``BALLOT_CODE_LIMITS_PER_NETWORK``), so that guessing is slow.
* ``cast_vote`` stores at most one ``Vote`` per account (a partial unique
  constraint) or per code (a one-to-one) and replaces its marks when the
  voter changes their mind; ``VoteChange`` logs each cast and change. It takes
  a share lock on the ballot's row, and ``results`` takes an update lock to
  publish, so a vote is either committed before the totals are published
  (and counted in them) or refused as too late: never stored but uncounted.
* ``results`` counts live while voting is open, and once it has closed
  publishes the totals once (``Ballot.published_totals``) and from then on
  reads only them. ``recount`` counts again from the stored votes in Python,
  and ``manage.py ballots_recount`` compares the two.

Refusals are ``VoteRefused`` with a ``code`` (what went wrong, for the pages
to branch on) and a ``message`` in the reader's language that names the
numbers. Nothing refused leaves a partial write behind.
"""

import datetime
import secrets
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, ngettext

from gis_data.formats import format_moment
from participation import limits
from participation.models import (
    Ballot,
    BallotItem,
    CodeAttempt,
    CodeBatch,
    Mark,
    Method,
    ParticipantCode,
    ResultsShown,
    Vote,
    VoteAction,
    VoteChange,
    Workshop,
)

# Capital letters and digits without the look-alikes 0/O, 1/I/L: 31 characters, 31**8 ≈ 8.5e11 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# The salt that derives the codes' HMAC key from SECRET_KEY (changing it invalidates every code).
CODE_KEY_SALT = "qala.participation.voting.code_digest"
# Letters a Kazakh or Russian keyboard types for the Latin ones they look like (the printed codes are Latin).
CYRILLIC_LOOK_ALIKES = str.maketrans("АВЕКМНРСТУХ", "ABEKMHPCTYX")
# How many times a batch is drawn again when one of its digests is taken (astronomically rare).
GENERATE_ATTEMPTS = 5


class VoteRefused(Exception):
    """A vote, a code or a count that is refused: ``code`` says what, ``message`` says it in the reader's language.

    Codes: "not_open", "closed", "not_allowed", "unknown_code", "used_code",
    "too_many_attempts", "not_on_ballot", "empty", "limits", "edit_locked".
    """

    def __init__(self, code: str, message: str, *, retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # For "too_many_attempts": whole seconds until one more code may be tried (an HTTP Retry-After).
        self.retry_after_seconds = retry_after_seconds


# Codes


def normalise_code(text: str) -> str:
    """What a person typed → the raw code: "abcd efgh", "ABCD-EFGH", "авсd-efgh" all give "ABCDEFGH".

    Full-width characters are folded (NFKC), Cyrillic letters that look like
    Latin ones are read as those, and everything but letters and digits
    (spaces, hyphens, dots) is dropped. The result may still not be a code.
    """
    folded = unicodedata.normalize("NFKC", text or "").upper().translate(CYRILLIC_LOOK_ALIKES)
    return "".join(character for character in folded if character.isalnum())


def format_code(raw: str) -> str:
    """The printed form of a code: "ABCDEFGH" → "ABCD-EFGH"."""
    code = normalise_code(raw)
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if code else ""


def is_well_formed(raw: str) -> bool:
    return len(raw) == CODE_LENGTH and all(character in CODE_ALPHABET for character in raw)


def code_digest(text: str) -> str:
    """The keyed HMAC-SHA256 (hex) of the normalised code: what the database stores instead of the code."""
    return salted_hmac(CODE_KEY_SALT, normalise_code(text), algorithm="sha256").hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _draw_codes(count: int) -> dict[str, str]:
    """``count`` new codes, none of which is stored already: {digest: raw code}."""
    drawn: dict[str, str] = {}
    while len(drawn) < count:
        while len(drawn) < count:
            raw = _new_code()
            drawn[code_digest(raw)] = raw
        for taken in ParticipantCode.objects.filter(digest__in=list(drawn)).values_list("digest", flat=True):
            del drawn[taken]
    return drawn


@transaction.atomic
def generate_codes(ballot: Ballot, count: int, *, by=None, note: str = "") -> tuple[CodeBatch, list[str]]:
    """Generate a batch of ``count`` one-time codes for ``ballot``; return it and the codes' printed texts.

    The texts exist in clear only in what this returns: print them or lose
    them. Raises ``ValueError`` (with a translated message) when ``count`` is
    not between 1 and BALLOT_CODE_BATCH_MAX or the ballot does not take codes;
    a closed ballot still gets codes (to record a paper vote, say).
    """
    limit = settings.BALLOT_CODE_BATCH_MAX
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= limit:
        raise ValueError(
            ngettext(
                "Ask for between 1 and %(limit)d code; you asked for %(count)s.",
                "Ask for between 1 and %(limit)d codes; you asked for %(count)s.",
                limit,
            )
            % {"limit": limit, "count": count}
        )
    if not ballot.accepts_codes:
        raise ValueError(gettext("This ballot is for signed-in residents only: it takes no participant codes."))
    batch = CodeBatch.objects.create(ballot=ballot, size=count, created_by=by, note=(note or "").strip()[:200])
    for attempt in range(GENERATE_ATTEMPTS):
        drawn = _draw_codes(count)
        try:
            # A savepoint: a digest inserted meanwhile by another batch is drawn again, not half-written.
            with transaction.atomic():
                ParticipantCode.objects.bulk_create(
                    [ParticipantCode(ballot=ballot, batch=batch, digest=digest) for digest in drawn]
                )
        except IntegrityError:
            if attempt == GENERATE_ATTEMPTS - 1:
                raise
            continue
        return batch, [format_code(raw) for raw in drawn.values()]
    raise AssertionError("unreachable")  # pragma: no cover


def _check_window(opens_at: datetime.datetime, closes_at: datetime.datetime, now: datetime.datetime) -> None:
    if now < opens_at:
        raise VoteRefused(
            "not_open", gettext("Voting on this ballot opens on %(when)s.") % {"when": format_moment(opens_at)}
        )
    if now >= closes_at:
        raise VoteRefused(
            "closed", gettext("Voting on this ballot closed on %(when)s.") % {"when": format_moment(closes_at)}
        )


def _codes_not_taken() -> str:
    return gettext("This ballot is for signed-in residents: participant codes do not work on it. Sign in to vote.")


def _unknown_code_message(raw: str, *, any_ballot: bool = False) -> str:
    if len(raw) != CODE_LENGTH:
        return ngettext(
            "A code has %(length)d letters and digits, such as ABCD-EFGH; you typed %(count)d.",
            "A code has %(length)d letters and digits, such as ABCD-EFGH; you typed %(count)d.",
            len(raw),
        ) % {"length": CODE_LENGTH, "count": len(raw)}
    if not is_well_formed(raw):
        return gettext("A code has no O, I, L, 0 or 1: check it against your card.")
    if any_ballot:
        return gettext("There is no code %(code)s: check it against your card.") % {"code": format_code(raw)}
    return gettext("There is no code %(code)s for this ballot: check it against your card.") % {
        "code": format_code(raw)
    }


def _lock_network(network: str) -> None:
    """Serialize the refusals counted for one network until the transaction ends, so the limit counts exactly."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"participation.code.{network}"])


def _check_attempts(network: str, now: datetime.datetime) -> None:
    """Refuse ("too_many_attempts") when ``network`` has had too many codes refused lately.

    Holds, until the transaction ends, a lock per network, so that
    concurrent refusals are counted exactly. An empty network is not limited.
    """
    if not network:
        return
    _lock_network(network)
    try:
        limits.check_limits(
            limits.limits_from_setting("BALLOT_CODE_LIMITS_PER_NETWORK"),
            CodeAttempt.objects.filter(sender_network=network).annotate(created_at=F("at")),
            limits.BALLOT_CODES_BY_NETWORK,
            now=now,
        )
    except limits.LimitReached as error:
        raise VoteRefused("too_many_attempts", error.message, retry_after_seconds=error.retry_after_seconds) from error


def refuse_unknown_code(text: str, *, network: str, now: datetime.datetime | None = None) -> None:
    """Refuse a code that is no ballot's (the page where any code is entered): always raises ``VoteRefused``.

    As ``redeem_code`` refuses an unknown code: "too_many_attempts" when the
    network's limit is reached (checked first, so the answer tells a guesser
    nothing), else "unknown_code", recorded as a refused attempt.
    """
    now = now or timezone.now()
    raw = normalise_code(text)
    if not raw:
        raise VoteRefused("unknown_code", gettext("Type the code printed on your card, such as ABCD-EFGH."))
    with transaction.atomic():
        _check_attempts(network, now)
        CodeAttempt.objects.create(sender_network=network, at=now)
    raise VoteRefused("unknown_code", _unknown_code_message(raw, any_ballot=True))


def redeem_code(ballot: Ballot, text: str, *, network: str, now: datetime.datetime | None = None) -> ParticipantCode:
    """Use the code a participant typed to vote on ``ballot``; return it, marked used.

    Exactly one of any number of concurrent redemptions of one code succeeds
    (one conditional UPDATE). Refused: ballot not for codes ("not_allowed"),
    not open yet or closed ("not_open", "closed"), too many refused codes
    from ``network`` lately ("too_many_attempts"), unknown or of another
    ballot ("unknown_code"), already used ("used_code"). The last two are
    recorded for the network's limit, and stay recorded although this raises:
    do not call it inside a transaction that a refusal rolls back.
    """
    now = now or timezone.now()
    if not ballot.accepts_codes:
        raise VoteRefused("not_allowed", _codes_not_taken())
    _check_window(ballot.opens_at, ballot.closes_at, now)
    raw = normalise_code(text)
    if not raw:
        raise VoteRefused("unknown_code", gettext("Type the code printed on your card, such as ABCD-EFGH."))
    refusal: VoteRefused | None = None
    with transaction.atomic():
        _check_attempts(network, now)
        code = None
        if is_well_formed(raw):
            code = ParticipantCode.objects.filter(digest=code_digest(raw), ballot=ballot).first()
        if code is None:
            refusal = VoteRefused("unknown_code", _unknown_code_message(raw))
        elif not ParticipantCode.objects.filter(pk=code.pk, redeemed_at__isnull=True).update(redeemed_at=now):
            refusal = VoteRefused(
                "used_code",
                gettext(
                    "The code %(code)s has been used already. Each code votes once; its vote can be changed "
                    "on the phone or computer where the code was entered, until voting closes."
                )
                % {"code": format_code(raw)},
            )
        if refusal is not None:
            CodeAttempt.objects.create(sender_network=network, at=now)
    if refusal is not None:
        raise refusal
    code.redeemed_at = now
    return code


# Voters


@dataclass(frozen=True)
class Voter:
    """Who casts a vote: a signed-in account or a redeemed participant code, exactly one of the two."""

    account: object | None = None
    code: ParticipantCode | None = None

    def __post_init__(self) -> None:
        if (self.account is None) == (self.code is None):
            raise ValueError("A voter is an account or a code: give exactly one.")


def _session_key(ballot: Ballot) -> str:
    return f"ballot-{ballot.pk}-code"


def remember_code(request, ballot: Ballot, code: ParticipantCode) -> None:
    """Let this browser session vote (and change its vote) with ``code``, which it has just redeemed."""
    request.session[_session_key(ballot)] = code.pk


def voter_for(request, ballot: Ballot) -> Voter | None:
    """Who votes from this request: the code the session redeemed for the ballot, else the signed-in account.

    The account only if the ballot accepts accounts (and it is active); None
    when nobody may vote from here yet (enter a code, or sign in).
    """
    code_pk = request.session.get(_session_key(ballot))
    if code_pk is not None and ballot.accepts_codes:
        code = ParticipantCode.objects.filter(pk=code_pk, ballot=ballot, redeemed_at__isnull=False).first()
        if code is not None:
            return Voter(code=code)
    user = getattr(request, "user", None)
    if ballot.accepts_accounts and user is not None and user.is_authenticated and user.is_active:
        return Voter(account=user)
    return None


def _vote_of(ballot: Ballot, voter: Voter):
    # Unordered: Vote's default ordering joins the ballot and the workshop, and FOR UPDATE would lock them too.
    if voter.code is not None:
        return Vote.objects.filter(ballot=ballot, code=voter.code).order_by()
    return Vote.objects.filter(ballot=ballot, voter=voter.account).order_by()


def current_marks(ballot: Ballot, voter: Voter | None) -> dict[int, int]:
    """{item pk: points} of the voter's stored vote on ``ballot``; {} if they have not voted."""
    if voter is None:
        return {}
    vote = _vote_of(ballot, voter).first()
    if vote is None:
        return {}
    return dict(vote.marks.values_list("item_id", "points"))


def edit_locked(ballot: Ballot) -> bool:
    """Whether the ballot's items and method are frozen: they are once a vote exists."""
    return Vote.objects.filter(ballot=ballot).exists()


# Casting


def _check_voter(ballot: Ballot, voter: Voter) -> None:
    if voter.code is not None:
        if not ballot.accepts_codes:
            raise VoteRefused("not_allowed", _codes_not_taken())
        if voter.code.ballot_id != ballot.pk:
            raise VoteRefused("unknown_code", gettext("This code is for another ballot."))
        return
    account = voter.account
    if not ballot.accepts_accounts:
        raise VoteRefused(
            "not_allowed",
            gettext("This ballot is for holders of participant codes: enter the code printed on your card."),
        )
    if not getattr(account, "is_authenticated", False) or not account.is_active:
        raise VoteRefused("not_allowed", gettext("Sign in with an active account to vote."))


def _clean_marks(marks) -> dict[int, int]:
    """The marks as {int: int}; keys or points that are not whole numbers are refused."""
    cleaned: dict[int, int] = {}
    for key, value in dict(marks or {}).items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            raise VoteRefused(
                "not_on_ballot", gettext("One of the items you chose is not on this ballot; reload the page.")
            ) from None
        try:
            points = int(value)
        except (TypeError, ValueError):
            raise VoteRefused("limits", gettext("Points are whole numbers, such as 1 or 3.")) from None
        if isinstance(value, float) and value != points:
            raise VoteRefused("limits", gettext("Points are whole numbers, such as 1 or 3."))
        cleaned[item_id] = points
    return cleaned


def check_marks(ballot: Ballot, marks: dict[int, int], item_ids) -> None:
    """Refuse marks that break the ballot's method, or name items not in ``item_ids`` (the ballot's items).

    Single choice: exactly one item, 1 vote. Approval: 1 to k items, 1 vote
    each. Points: each item 1 to m points, 1 to N in all.
    """
    unknown = [item_id for item_id in marks if item_id not in item_ids]
    if unknown:
        raise VoteRefused(
            "not_on_ballot",
            ngettext(
                "%(count)d of the items you chose is not on this ballot; reload the page and choose again.",
                "%(count)d of the items you chose are not on this ballot; reload the page and choose again.",
                len(unknown),
            )
            % {"count": len(unknown)},
        )
    if ballot.method == Method.SINGLE:
        if not marks:
            raise VoteRefused("empty", gettext("Choose one item."))
        if len(marks) > 1:
            raise VoteRefused(
                "limits",
                ngettext("Choose one item; you chose %(count)d.", "Choose one item; you chose %(count)d.", len(marks))
                % {"count": len(marks)},
            )
        _one_vote_each(marks)
    elif ballot.method == Method.APPROVAL:
        most = ballot.max_choices or 1
        if not marks:
            raise VoteRefused(
                "empty",
                ngettext(
                    "Choose at least one item, at most %(max)d.", "Choose at least one item, at most %(max)d.", most
                )
                % {"max": most},
            )
        if len(marks) > most:
            raise VoteRefused(
                "limits",
                ngettext(
                    "Choose at most %(max)d item; you chose %(count)d.",
                    "Choose at most %(max)d items; you chose %(count)d.",
                    most,
                )
                % {"max": most, "count": len(marks)},
            )
        _one_vote_each(marks)
    else:
        _check_points(ballot, marks)


def _one_vote_each(marks: dict[int, int]) -> None:
    for points in marks.values():
        if points != 1:
            raise VoteRefused(
                "limits",
                ngettext(
                    "Each chosen item gets one vote; you gave one item %(points)d vote.",
                    "Each chosen item gets one vote; you gave one item %(points)d votes.",
                    points,
                )
                % {"points": points},
            )


def _check_points(ballot: Ballot, marks: dict[int, int]) -> None:
    total_allowed, per_item = ballot.points_total or 0, ballot.points_per_item or 0
    if not marks:
        raise VoteRefused(
            "empty",
            ngettext(
                "Give at least one point to an item; you have %(max)d to spread.",
                "Give at least one point to an item; you have %(max)d to spread.",
                total_allowed,
            )
            % {"max": total_allowed},
        )
    for points in marks.values():
        if points < 1:
            raise VoteRefused(
                "limits",
                ngettext(
                    "You gave %(points)d point to one item; give an item at least 1 point, or leave it out.",
                    "You gave %(points)d points to one item; give an item at least 1 point, or leave it out.",
                    points,
                )
                % {"points": points},
            )
        if points > per_item:
            raise VoteRefused(
                "limits",
                ngettext(
                    "You gave %(points)d points to one item; at most %(max)d is allowed on one item.",
                    "You gave %(points)d points to one item; at most %(max)d are allowed on one item.",
                    per_item,
                )
                % {"points": points, "max": per_item},
            )
    total = sum(marks.values())
    if total > total_allowed:
        raise VoteRefused(
            "limits",
            ngettext(
                "You spread %(total)d point; you have %(max)d.", "You spread %(total)d points; you have %(max)d.", total
            )
            % {"total": total, "max": total_allowed},
        )


# What a vote is checked against, read again under the ballot's lock (an organiser may have just changed it).
LOCKED_FIELDS = (
    "id",
    "opens_at",
    "closes_at",
    "published_at",
    "voters",
    "method",
    "max_choices",
    "points_total",
    "points_per_item",
)


def _share_lock(ballot: Ballot) -> Ballot:
    """Lock the ballot's row against publication and edits until the transaction ends; its rules as stored now.

    FOR SHARE: votes do not wait for each other, but ``results`` (which
    publishes under FOR UPDATE) and an organiser's edit wait for them, and
    they for it. The ballot returned holds only ``LOCKED_FIELDS``.
    """
    rows = list(
        Ballot.objects.raw(
            f"SELECT {', '.join(LOCKED_FIELDS)} FROM participation_ballot WHERE id = %s FOR SHARE",  # noqa: S608 (constant names)
            [ballot.pk],
        )
    )
    if not rows:
        raise VoteRefused("closed", gettext("This ballot no longer exists."))
    return rows[0]


def _find_or_create_vote(ballot: Ballot, voter: Voter, now: datetime.datetime) -> tuple[Vote, bool]:
    """The voter's vote, locked; created if they have none. The unique constraints make a second one impossible."""
    vote = _vote_of(ballot, voter).select_for_update(of=("self",)).first()
    if vote is not None:
        return vote, False
    try:
        with transaction.atomic():  # a savepoint: a concurrent insert fails here alone
            vote = Vote.objects.create(
                ballot=ballot,
                by_code=voter.code is not None,
                voter=voter.account,
                code=voter.code,
                cast_at=now,
                changed_at=now,
            )
        return vote, True
    except IntegrityError:
        # Another request of the same voter inserted first and has committed: change that one.
        return _vote_of(ballot, voter).select_for_update(of=("self",)).get(), False


def cast_vote(ballot: Ballot, voter: Voter, marks: dict[int, int], *, now: datetime.datetime | None = None) -> Vote:
    """Cast the voter's vote on ``ballot``, or replace the one they cast; return it.

    ``marks`` is {item pk: points} (1 for single choice and approval). The
    database keeps one vote per voter whatever arrives at once. A
    ``VoteChange`` logs "cast" or "changed" with the marks left (none when
    they did not change; a code's entry names nobody). Refused with
    ``VoteRefused``: outside the voting window, or after the results were
    published ("not_open", "closed"); a voter the ballot does not take
    ("not_allowed"); a code not redeemed for it ("unknown_code"); items not
    on it ("not_on_ballot"); no marks ("empty"); the method's limits ("limits").
    """
    _check_voter(ballot, voter)  # at once, and again under the lock
    wanted = _clean_marks(marks)
    with transaction.atomic():
        current = _share_lock(ballot)
        # The time is read once the lock is held: publication either counted us already or waits for us.
        now = now or timezone.now()
        _check_window(current.opens_at, current.closes_at, now)
        if current.published_at is not None:
            raise VoteRefused(
                "closed",
                gettext("The results of this ballot were published on %(when)s: voting is over.")
                % {"when": format_moment(current.published_at)},
            )
        _check_voter(current, voter)
        check_marks(current, wanted, set(BallotItem.objects.filter(ballot=ballot).values_list("pk", flat=True)))
        if (
            voter.code is not None
            and not ParticipantCode.objects.filter(pk=voter.code.pk, ballot=ballot, redeemed_at__isnull=False).exists()
        ):
            raise VoteRefused("unknown_code", gettext("Enter your participant code before you vote."))

        vote, created = _find_or_create_vote(ballot, voter, now)
        if not created:
            before = dict(vote.marks.values_list("item_id", "points"))
            if before == wanted:
                return vote
            # Concurrent changes are ordered by the vote's lock, not by when they arrived: keep the log in that order.
            now = max(now, vote.changed_at)
            vote.marks.all().delete()
            vote.changed_at = now
            vote.save(update_fields=["changed_at"])
        Mark.objects.bulk_create(
            [Mark(vote=vote, item_id=item_id, points=points) for item_id, points in sorted(wanted.items())]
        )
        VoteChange.objects.create(
            ballot=ballot,
            vote=vote,
            action=VoteAction.CAST if created else VoteAction.CHANGED,
            by_code=vote.by_code,
            account=None if vote.by_code else vote.voter,
            marks={str(item_id): points for item_id, points in sorted(wanted.items())},
            at=now,
        )
    return vote


# Results


@dataclass(frozen=True)
class ItemTotal:
    """One item's count: votes (single), approvals (approval) or points (points); its share and rank."""

    item_id: int
    total: int
    share: float
    rank: int
    tied: bool


@dataclass(frozen=True)
class Results:
    """A ballot's totals by rank (then item position), every item listed; the method's rule in a sentence."""

    ballot: Ballot
    totals: list[ItemTotal]
    voters: int
    published: bool
    rule: str


def rule_of(ballot: Ballot) -> str:
    """The method's rule, as the results page states it."""
    if ballot.method == Method.SINGLE:
        return gettext("Each voter chose one item; the item with the most votes leads.")
    if ballot.method == Method.APPROVAL:
        most = ballot.max_choices or 1
        return ngettext(
            "Each voter approved up to %(max)d item; the item approved by the most voters leads.",
            "Each voter approved up to %(max)d items; the item approved by the most voters leads.",
            most,
        ) % {"max": most}
    total = ballot.points_total or 0
    return ngettext(
        "Each voter spread up to %(total)d point, at most %(per_item)d on one item; the item with the most points "
        "leads.",
        "Each voter spread up to %(total)d points, at most %(per_item)d on one item; the item with the most points "
        "leads.",
        total,
    ) % {"total": total, "per_item": ballot.points_per_item or 0}


def live_tally(ballot: Ballot) -> tuple[dict[int, int], int]:
    """({item pk: total}, number of votes) from the database's aggregate, as the votes stand now.

    The items come in the ballot's order (position, then pk): two queries in all.
    """
    items = (
        BallotItem.objects.filter(ballot=ballot)
        .order_by("position", "pk")
        .annotate(total=Coalesce(Sum("marks__points"), 0))
        .values_list("pk", "total")
    )
    return dict(items), Vote.objects.filter(ballot=ballot).count()


def _publish(ballot: Ballot, now: datetime.datetime) -> None:
    """Store the totals of a closed ballot, once: the first caller under the row lock writes, the others read."""
    with transaction.atomic():
        locked = (
            Ballot.objects.select_for_update(of=("self",)).only("published_totals", "published_at").get(pk=ballot.pk)
        )
        if locked.published_totals is None:
            totals, voters = live_tally(ballot)
            locked.published_totals = {"items": {str(pk): total for pk, total in totals.items()}, "voters": voters}
            locked.published_at = now
            locked.save(update_fields=["published_totals", "published_at"])
    ballot.published_totals, ballot.published_at = locked.published_totals, locked.published_at


def rank(totals: dict[int, int], order: list[int]) -> list[ItemTotal]:
    """Totals ranked: equal totals share a rank (1, 1, 3) and are tied; ``order`` (item pks) breaks ties for display."""
    position = {item_id: index for index, item_id in enumerate(order)}
    everything = sum(totals.values())
    ranked = sorted(totals, key=lambda item_id: (-totals[item_id], position.get(item_id, len(position)), item_id))
    how_many = defaultdict(int)
    for total in totals.values():
        how_many[total] += 1
    rows = []
    for item_id in ranked:
        total = totals[item_id]
        above = sum(count for value, count in how_many.items() if value > total)
        rows.append(
            ItemTotal(
                item_id=item_id,
                total=total,
                share=total / everything if everything else 0.0,
                rank=above + 1,
                tied=how_many[total] > 1,
            )
        )
    return rows


def results(ballot: Ballot, *, now: datetime.datetime | None = None) -> Results:
    """The ballot's results: live while voting is open; once it has closed, the published totals.

    The first call after closing publishes the totals (under a lock on the
    ballot's row, so exactly once, and after every vote that was being cast);
    every later call reads them, whatever is written afterwards.
    """
    now = now or timezone.now()
    published = ballot.published_totals is not None or ballot.has_closed(now)
    if published:
        if ballot.published_totals is None:
            _publish(ballot, now)
        order = list(BallotItem.objects.filter(ballot=ballot).order_by("position", "pk").values_list("pk", flat=True))
        stored = ballot.published_totals
        counted = {int(pk): int(total) for pk, total in stored["items"].items()}
        totals = {item_id: counted.get(item_id, 0) for item_id in order}
        voters = int(stored["voters"])
    else:
        totals, voters = live_tally(ballot)
        order = list(totals)
    return Results(ballot=ballot, totals=rank(totals, order), voters=voters, published=published, rule=rule_of(ballot))


def may_organise(user, workshop: Workshop) -> bool:
    """Organisers of a workshop: its ``organisers``, and anyone who may change workshops (urbanists, admins)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm("participation.change_workshop") or workshop.organisers.filter(pk=user.pk).exists()


def results_visible(ballot: Ballot, user, *, now: datetime.datetime | None = None) -> bool:
    """Organisers see results always; everybody else while they are shown live, or once voting has closed."""
    if ballot.results_shown == ResultsShown.LIVE or ballot.has_closed(now):
        return True
    return may_organise(user, ballot.workshop)


# Recount


def recount(ballot: Ballot) -> dict:
    """The totals counted again in Python, vote by vote, from the stored Vote and Mark rows.

    Returns {"items": {item pk: total}, "voters": n, "broken": [text…]}:
    every item of the ballot (0 too) and any item a mark names although it is
    not on the ballot; "broken" describes each vote that breaks the method's
    limits (counted nonetheless: the recount says what is stored).
    """
    ballot_id = ballot.pk
    item_ids = set(BallotItem.objects.filter(ballot=ballot).values_list("pk", flat=True))
    votes = list(Vote.objects.filter(ballot=ballot).values_list("pk", "by_code", "code__ballot_id"))
    marks_of: dict[int, dict[int, int]] = defaultdict(dict)
    stored = Mark.objects.filter(vote__ballot=ballot).values_list("vote_id", "item_id", "points")
    for vote_id, item_id, points in stored:
        marks_of[vote_id][item_id] = points
    totals = dict.fromkeys(item_ids, 0)
    broken = []
    for vote_id, by_code, code_ballot_id in votes:
        marks = marks_of.get(vote_id, {})
        for item_id, points in marks.items():
            totals[item_id] = totals.get(item_id, 0) + points
        problems = []
        if by_code and code_ballot_id != ballot_id:
            problems.append(gettext("its code is not one of this ballot's"))
        try:
            check_marks(ballot, marks, item_ids)
        except VoteRefused as refusal:
            problems.append(refusal.message)
        if problems:
            broken.append(gettext("Vote %(vote)d: %(problems)s") % {"vote": vote_id, "problems": " ".join(problems)})
    return {"items": totals, "voters": len(votes), "broken": broken}
