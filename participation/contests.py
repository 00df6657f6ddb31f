"""Photo-and-idea contests: entering, the jury's scores, the ranking, closing a contest, hiding an entry.

Every write runs in one transaction, and what it refuses leaves nothing
behind. Refusals are exceptions a view shows as they are:

* ``ValidationError`` (with field keys ``photo``, ``idea``, ``place``,
  ``hashtags``, ``criterion_<pk>`` where a form can show the message next to
  the field) when the input breaks a rule;
* ``PermissionDenied(message)`` when the person may not do it at all.

The rules a user sees:

* Entries are taken while ``Contest.accepts_entries`` (between opening and the
  deadline), from signed-in residents with a confirmed e-mail address, at most
  ``CONTEST_ENTRIES_PER_RESIDENT`` per person and contest (counted under a
  lock, so two requests at once cannot pass the limit together). An entry is
  exactly one photo (the shared photo mechanism) and an idea; its place, if
  given, lies inside the city.
* The jury scores from the moment an entry exists until the organiser closes
  the contest; a juror may change their scores until then. Nobody scores their
  own entry.
* The ranking is the weighted mean over *all* the criteria of the mean of the
  jurors' scores on each criterion. An entry that lacks the score of any
  criterion is "not fully scored": it is listed after the fully scored ones,
  without a rank, and cannot win. Scores are compared rounded half-up to three
  decimal places: equal scores share a rank (1, 2, 2, 4).
* Closing (organisers, after the deadline, once) writes each entry's final
  score and rank and publishes the results; the winners are the entries ranked
  within ``Contest.winners``, all of those tied at the cut-off included.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from gis_data.formats import format_moment
from gis_data.geometry import GeometryRuleError, GeometryRules, check_geometry, rules_for_city
from gis_data.packs import current_city
from participation.contest_models import HASHTAG_LENGTH, IDEA_LENGTH
from participation.models import Contest, Criterion, Entry, Score
from photos.processing import PhotoError, ProcessedPhoto, process_upload
from photos.services import add_photo

# At most this many hashtags on one entry.
HASHTAG_MAX = 10
# A moderator's reason for hiding an entry (Entry.hidden_reason).
HIDE_REASON_LENGTH = 500
# The photo's caption (Photo.caption) is the beginning of the idea.
CAPTION_LENGTH = 300
# Scores are shown and compared with this many decimal places.
PLACES = 3

_HASHTAG_SEPARATORS = re.compile(r"[\s,;]+")
# Letters and digits of any script, and the underscore (Python's \w on str is Unicode-aware).
_HASHTAG = re.compile(r"\w+")
# The key of a service's error that belongs to no field of a form.
NON_FIELD = "__all__"


# Who may do what -------------------------------------------------------------------------------------------


def may_organise(user, contest: Contest | None = None) -> bool:
    """Organisers of a contest: its ``organisers``, and anyone with ``participation.change_contest``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("participation.change_contest"):
        return True
    return contest is not None and contest.pk is not None and contest.organisers.filter(pk=user.pk).exists()


def may_create(user) -> bool:
    return user is not None and user.is_authenticated and user.has_perm("participation.add_contest")


def is_juror(user, contest: Contest) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return contest.jury.filter(pk=user.pk).exists()


def may_moderate(user) -> bool:
    return user is not None and user.is_authenticated and user.has_perm("participation.change_entry")


def results_visible(user, contest: Contest) -> bool:
    """Everybody sees the results once the contest is closed; before, its organisers and its jury only."""
    if contest.results_published_at is not None:
        return True
    return may_organise(user, contest) or is_juror(user, contest)


def _confirmed(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "email_confirmed_at", None) is not None
    )


def _lock(name: str) -> None:
    """Serialise, until the transaction ends, the writes that share ``name`` (a PostgreSQL advisory lock)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])


# Hashtags --------------------------------------------------------------------------------------------------


def parse_hashtags(text: str | Iterable[str]) -> list[str]:
    """The hashtags of ``text`` ("#trees, shade #Тал"), lower-cased (casefold), without "#", in order, once each.

    Tags are separated by spaces, commas or semicolons; each is letters, digits
    or "_" of any script, at most HASHTAG_LENGTH characters; at most
    HASHTAG_MAX of them. A list of tags is read as their text joined by spaces.
    Raises ValidationError naming the tags that break the rules.
    """
    if not isinstance(text, str):
        text = " ".join(str(tag) for tag in text)
    text = unicodedata.normalize("NFC", text or "")
    tags: list[str] = []
    bad: list[str] = []
    long: list[str] = []
    for token in _HASHTAG_SEPARATORS.split(text):
        if not token:
            continue
        tag = token.lstrip("#").casefold()
        if not _HASHTAG.fullmatch(tag):
            bad.append(token)
        elif len(tag) > HASHTAG_LENGTH:
            long.append(token)
        elif tag not in tags:
            tags.append(tag)
    errors = []
    if bad:
        errors.append(
            ValidationError(
                ngettext_lazy(
                    "%(tags)s is not a hashtag: a hashtag is letters, digits and “_”, as in #trees.",
                    "%(tags)s are not hashtags: a hashtag is letters, digits and “_”, as in #trees.",
                    "count",
                ),
                code="hashtag",
                params={"tags": _quoted(bad), "count": len(bad)},
            )
        )
    if long:
        errors.append(
            ValidationError(
                ngettext_lazy(
                    "%(tags)s is too long: a hashtag has at most %(limit)d characters.",
                    "%(tags)s are too long: a hashtag has at most %(limit)d characters.",
                    "count",
                ),
                code="hashtag_length",
                params={"tags": _quoted(long), "count": len(long), "limit": HASHTAG_LENGTH},
            )
        )
    if len(tags) > HASHTAG_MAX:
        errors.append(
            ValidationError(
                _("You gave %(count)d hashtags; at most %(limit)d are allowed."),
                code="hashtags_count",
                params={"count": len(tags), "limit": HASHTAG_MAX},
            )
        )
    if errors:
        raise ValidationError(errors)
    return tags


def _quoted(tokens: Sequence[str]) -> str:
    return ", ".join(f"“{Truncator(token).chars(60)}”" for token in tokens)


# Entries ---------------------------------------------------------------------------------------------------


def place_rules() -> GeometryRules:
    """An entry's place: a point inside the loaded city's extent (the rules proposals follow)."""
    city = current_city()
    return rules_for_city(city, ("Point",)) if city is not None else GeometryRules(allowed_types=("Point",))


def check_place(place: GEOSGeometry | str | dict | None) -> GEOSGeometry | None:
    """The place of an entry checked (a point inside the city), or None; raises GeometryRuleError."""
    if place is None or place == "":
        return None
    return check_geometry(place, place_rules()).geometry


def deadline_error(contest: Contest, now) -> ValidationError:
    if contest.results_published_at is not None:
        return ValidationError(
            _("This contest was closed on %(date)s: it takes no more entries."),
            code="closed",
            params={"date": format_moment(contest.results_published_at)},
        )
    if now < contest.opens_at:
        return ValidationError(
            _("Entries open on %(opens)s (deadline: %(deadline)s)."),
            code="not_open",
            params={"opens": format_moment(contest.opens_at), "deadline": format_moment(contest.closes_at)},
        )
    return ValidationError(
        _("The deadline for entries, %(deadline)s, has passed."),
        code="closed",
        params={"deadline": format_moment(contest.closes_at)},
    )


def entries_left(contest: Contest, user) -> int:
    """How many more entries ``user`` may send to ``contest``."""
    if user is None or not user.is_authenticated:
        return settings.CONTEST_ENTRIES_PER_RESIDENT
    sent = Entry.objects.filter(contest=contest, author=user).count()
    return max(0, settings.CONTEST_ENTRIES_PER_RESIDENT - sent)


def limit_error(limit: int) -> ValidationError:
    return ValidationError(
        ngettext_lazy(
            "You have sent %(limit)d entry to this contest, the most one person may send.",
            "You have sent %(limit)d entries to this contest, the most one person may send.",
            "limit",
        ),
        code="limit",
        params={"limit": limit},
    )


@transaction.atomic
def submit_entry(
    contest: Contest,
    author,
    *,
    idea: str,
    photo_upload: UploadedFile | ProcessedPhoto | None,
    place: GEOSGeometry | str | dict | None = None,
    hashtags: str | Iterable[str] = (),
    language: str,
    now=None,
) -> Entry:
    """Enter ``author``'s photo and idea into ``contest``, all or nothing.

    Refused (PermissionDenied) for the anonymous, an unconfirmed e-mail
    address, and a contest that is not published; refused (ValidationError)
    outside the window of entries (the message names the deadline), beyond
    CONTEST_ENTRIES_PER_RESIDENT entries of one person (counted under a lock),
    and for bad input, every problem at once by field: no photo or one that
    cannot be a photo (the file is named), an empty or too long idea, bad
    hashtags, a place that is not a point inside the city. The photo is
    checked before anything is written; it is stored last, so a refusal
    leaves neither an entry nor a file.
    """
    now = now or timezone.now()
    if author is None or not author.is_authenticated:
        raise PermissionDenied(_("Sign in to enter the contest."))
    if not _confirmed(author):
        raise PermissionDenied(
            _("Confirm your e-mail address before you enter a contest: open the link we mailed you.")
        )
    if not contest.is_published:
        raise PermissionDenied(_("This contest is not published."))
    if not contest.accepts_entries(now):
        raise deadline_error(contest, now)

    errors: dict[str, list[ValidationError]] = defaultdict(list)
    text = (idea or "").strip()
    if not text:
        errors["idea"].append(ValidationError(_("Write your idea: what should change, and where."), code="required"))
    elif len(text) > IDEA_LENGTH:
        errors["idea"].append(
            ValidationError(
                _("The idea is %(length)d characters long; at most %(limit)d are allowed."),
                code="max_length",
                params={"length": len(text), "limit": IDEA_LENGTH},
            )
        )
    if language not in dict(settings.LANGUAGES):
        errors["language"].append(ValidationError(_("Choose the language the idea is written in."), code="language"))
    tags: list[str] = []
    try:
        tags = parse_hashtags(hashtags)
    except ValidationError as error:
        errors["hashtags"].extend(error.error_list)
    checked_place = None
    try:
        checked_place = check_place(place)
    except GeometryRuleError as error:
        errors["place"].append(error)
    processed = None
    if photo_upload is None:
        errors["photo"].append(ValidationError(_("Choose the photo of your entry."), code="required"))
    elif isinstance(photo_upload, ProcessedPhoto):
        processed = photo_upload
    else:
        try:
            processed = process_upload(photo_upload)
        except PhotoError as error:
            errors["photo"].extend(named_photo_errors(photo_upload, error))
    if errors:
        raise ValidationError(dict(errors))

    _lock(f"participation.contest.{contest.pk}.author.{author.pk}")
    limit = settings.CONTEST_ENTRIES_PER_RESIDENT
    if Entry.objects.filter(contest=contest, author=author).count() >= limit:
        raise limit_error(limit)

    entry = Entry.objects.create(
        contest=contest,
        author=author,
        idea=text,
        language=language,
        place=checked_place,
        hashtags=tags,
        submitted_at=now,
    )
    # Last: add_photo removes the files it wrote if its row cannot be saved, and nothing follows it here.
    add_photo(entry, processed, user=author, caption=Truncator(text).chars(CAPTION_LENGTH))
    return entry


def named_photo_errors(upload: Any, error: ValidationError) -> list[ValidationError]:
    """A photo's problems, each naming the file, so the resident knows which one was refused."""
    name = getattr(upload, "name", "") or _("the file")
    return [
        ValidationError(_("“%(name)s”: %(problem)s"), code="photo", params={"name": name, "problem": message})
        for message in error.messages
    ]


@transaction.atomic
def hide_entry(entry: Entry, moderator, reason: str) -> Entry:
    """Hide an entry from the gallery, the map and the ranking (moderators); its author still sees it, and why."""
    if not may_moderate(moderator):
        raise PermissionDenied(_("Only moderators may hide contest entries."))
    text = (reason or "").strip()
    if not text:
        raise ValidationError(
            {"reason": ValidationError(_("Write the reason: the author of the entry will read it."), code="required")}
        )
    if len(text) > HIDE_REASON_LENGTH:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("The reason is %(length)d characters long; at most %(limit)d are allowed."),
                    code="max_length",
                    params={"length": len(text), "limit": HIDE_REASON_LENGTH},
                )
            }
        )
    Entry.objects.select_for_update().filter(pk=entry.pk).first()
    entry.refresh_from_db()
    entry.is_hidden = True
    entry.hidden_reason = text
    entry.save(update_fields=["is_hidden", "hidden_reason"])
    return entry


# Scores ----------------------------------------------------------------------------------------------------


def score_field(criterion: Criterion | int) -> str:
    """The form field (and the error key) of a criterion's score."""
    return f"criterion_{criterion if isinstance(criterion, int) else criterion.pk}"


@transaction.atomic
def score_entry(entry: Entry, juror, values: Mapping[int, int], *, now=None) -> list[Score]:
    """Store ``juror``'s scores of ``entry``, {criterion pk: value}; a score given before is replaced.

    Refused (PermissionDenied) for anyone not on the contest's jury and for the
    juror's own entry; refused (ValidationError) once the contest is closed,
    for a hidden entry, for a criterion that is not the contest's and for a
    value outside 0..max_score (each message names the criterion). The
    criteria not in ``values`` keep the juror's earlier scores.
    """
    now = now or timezone.now()
    contest = Contest.objects.select_for_update().get(pk=entry.contest_id)
    if not is_juror(juror, contest):
        raise PermissionDenied(_("Only the jury of this contest may score its entries."))
    if entry.author_id == juror.pk:
        raise PermissionDenied(_("You cannot score your own entry."))
    if contest.results_published_at is not None:
        raise ValidationError(
            _("The contest was closed on %(date)s: scores can no longer change."),
            code="closed",
            params={"date": format_moment(contest.results_published_at)},
        )
    if Entry.objects.filter(pk=entry.pk, is_hidden=True).exists():
        raise ValidationError(_("A moderator hid this entry: it is not scored."), code="hidden")
    criteria = {criterion.pk: criterion for criterion in contest.criteria.all()}
    if not values:
        raise ValidationError(_("Give a score on at least one criterion."), code="empty")
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    for key, value in values.items():
        criterion = criteria.get(key) if isinstance(key, int) and not isinstance(key, bool) else None
        if criterion is None:
            errors[NON_FIELD].append(
                ValidationError(
                    _("“%(criterion)s” is not a criterion of this contest."),
                    code="criterion",
                    params={"criterion": key},
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= contest.max_score:
            errors[score_field(criterion)].append(
                ValidationError(
                    _("“%(criterion)s”: %(value)s is not a score; give a whole number from 0 to %(max)d."),
                    code="range",
                    params={"criterion": criterion.name, "value": value, "max": contest.max_score},
                )
            )
    if errors:
        raise ValidationError(dict(errors))
    scores = []
    for key, value in values.items():
        score, _created = Score.objects.update_or_create(
            entry=entry, criterion=criteria[key], juror=juror, defaults={"value": value, "scored_at": now}
        )
        scores.append(score)
    return scores


def juror_scores(entry: Entry, juror) -> dict[int, int]:
    """{criterion pk: value} of ``juror``'s scores of ``entry``."""
    return dict(Score.objects.filter(entry=entry, juror=juror).values_list("criterion_id", "value"))


# The ranking -----------------------------------------------------------------------------------------------


def rounded(value: Fraction | None) -> Decimal | None:
    """``value`` rounded half-up to PLACES decimal places (exactly: the value is a fraction)."""
    if value is None:
        return None
    scale = 10**PLACES
    scaled = value * scale
    # Half-up for the non-negative scores: floor(x + 1/2); a negative value rounds away from zero alike.
    whole = int((abs(scaled) + Fraction(1, 2)) // 1)
    if scaled < 0:
        whole = -whole
    return (Decimal(whole) / Decimal(scale)).quantize(Decimal(1).scaleb(-PLACES))


@dataclass(frozen=True)
class CriterionMean:
    """The jurors' mean score of one entry on one criterion; ``count`` jurors scored it (0: no mean)."""

    criterion: Criterion
    mean: Decimal | None
    count: int


@dataclass(frozen=True)
class RankedEntry:
    """One visible entry in the ranking.

    ``score`` is the weighted mean over all criteria for a fully scored entry,
    over the criteria scored so far for another (``fully_scored`` False), None
    with no score at all. ``rank`` is None for an entry not fully scored;
    ``tied`` says another entry has the same rank. ``jurors`` is how many
    jurors gave the entry at least one score. ``winner``: ranked within the
    contest's number of winners (in the live ranking: it would win if the
    contest closed now).
    """

    entry: Entry
    score: Decimal | None
    means: list[CriterionMean]
    jurors: int
    fully_scored: bool
    rank: int | None
    tied: bool = False
    winner: bool = False


def _weighted(means: dict[int, Fraction], criteria: list[Criterion]) -> Fraction | None:
    scored = [criterion for criterion in criteria if criterion.pk in means]
    weights = sum(criterion.weight for criterion in scored)
    if not scored or weights == 0:
        return None
    return sum((criterion.weight * means[criterion.pk] for criterion in scored), Fraction(0)) / weights


def ranking(contest: Contest) -> list[RankedEntry]:
    """The live ranking of the contest's visible entries: the fully scored ranked by score, then the others.

    For each entry and criterion, the mean of the jurors' scores; the entry's
    score is Σ(weight × mean) / Σ weight over all the criteria, rounded
    half-up to three places, and equal rounded scores share a rank (1, 2, 2, 4).
    An entry lacking any criterion's score comes after the ranked ones, by its
    partial score, without a rank. Hidden entries are left out. Every stored
    score counts, one given by a juror since taken off the jury too: only
    jurors write scores, and what they gave stays.
    """
    criteria = list(contest.criteria.all())
    entries = list(
        contest.entries.filter(is_hidden=False)
        .select_related("author")
        .prefetch_related("photos")
        .order_by("submitted_at", "pk")
    )
    sums: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    jurors: dict[int, set[int]] = defaultdict(set)
    rows = Score.objects.filter(entry__contest=contest, entry__is_hidden=False, criterion__contest=contest)
    for entry_id, criterion_id, juror_id, value in rows.values_list("entry_id", "criterion_id", "juror_id", "value"):
        sums[entry_id][criterion_id] += value
        counts[entry_id][criterion_id] += 1
        jurors[entry_id].add(juror_id)

    scored: list[tuple[Decimal | None, bool, Entry, list[CriterionMean]]] = []
    for entry in entries:
        means = {pk: Fraction(total, counts[entry.pk][pk]) for pk, total in sums[entry.pk].items()}
        complete = bool(criteria) and all(criterion.pk in means for criterion in criteria)
        listed = [
            CriterionMean(criterion, rounded(means.get(criterion.pk)), counts[entry.pk].get(criterion.pk, 0))
            for criterion in criteria
        ]
        scored.append((rounded(_weighted(means, criteria)), complete, entry, listed))

    complete_rows = sorted((row for row in scored if row[1]), key=lambda row: -row[0])  # stable: by submission
    partial_rows = sorted((row for row in scored if not row[1]), key=lambda row: (row[0] is None, -(row[0] or 0)))
    tally: dict[Decimal, int] = defaultdict(int)
    for score, *_rest in complete_rows:
        tally[score] += 1
    result: list[RankedEntry] = []
    rank = 0
    previous = None
    for position, (score, _complete, entry, listed) in enumerate(complete_rows, start=1):
        if score != previous:
            rank, previous = position, score
        result.append(
            RankedEntry(
                entry=entry,
                score=score,
                means=listed,
                jurors=len(jurors[entry.pk]),
                fully_scored=True,
                rank=rank,
                tied=tally[score] > 1,
                winner=rank <= contest.winners,
            )
        )
    for score, _complete, entry, listed in partial_rows:
        result.append(
            RankedEntry(
                entry=entry, score=score, means=listed, jurors=len(jurors[entry.pk]), fully_scored=False, rank=None
            )
        )
    return result


def published_ranking(contest: Contest) -> list[RankedEntry]:
    """The results written when the contest was closed (final score and rank), the per-criterion means beside.

    The entries hidden since are left out; the ranks stay as they were published.
    """
    live = {row.entry.pk: row for row in ranking(contest)}
    result = []
    for row in live.values():
        entry = row.entry
        result.append(
            RankedEntry(
                entry=entry,
                score=entry.final_score if entry.final_rank is not None else row.score,
                means=row.means,
                jurors=row.jurors,
                fully_scored=entry.final_rank is not None,
                rank=entry.final_rank,
                winner=entry.final_rank is not None and entry.final_rank <= contest.winners,
            )
        )
    ranks: dict[int, int] = defaultdict(int)
    for row in result:
        if row.rank is not None:
            ranks[row.rank] += 1
    result = [replace(row, tied=row.rank is not None and ranks[row.rank] > 1) for row in result]
    result.sort(key=lambda row: (row.rank is None, row.rank or 0, row.score is None, -(row.score or 0)))
    return result


def tie_at_cutoff(rows: Sequence[RankedEntry], winners: int) -> bool:
    """Whether entries tied at the last winning rank make more winners than the contest has."""
    return sum(1 for row in rows if row.winner) > winners


# Progress of the jury --------------------------------------------------------------------------------------


@dataclass
class JurorProgress:
    """What one juror has scored: of ``total`` entries they may score, ``done`` on every criterion."""

    done: int = 0
    total: int = 0
    # {entry pk: how many criteria this juror scored}
    scored: dict[int, int] = field(default_factory=dict)


def juror_progress(contest: Contest, juror) -> JurorProgress:
    criteria = contest.criteria.count()
    entries = contest.entries.filter(is_hidden=False).exclude(author=juror)
    progress = JurorProgress(total=entries.count())
    rows = Score.objects.filter(
        juror=juror, entry__contest=contest, entry__is_hidden=False, criterion__contest=contest
    ).exclude(entry__author=juror)
    for entry_id in rows.values_list("entry_id", flat=True):
        progress.scored[entry_id] = progress.scored.get(entry_id, 0) + 1
    progress.done = sum(1 for count in progress.scored.values() if criteria and count >= criteria)
    return progress


def missing_scores(contest: Contest) -> int:
    """How many scores the jury has yet to give: each juror, each visible entry not theirs, each criterion."""
    criteria = contest.criteria.count()
    jury = list(contest.jury.values_list("pk", flat=True))
    if not criteria or not jury:
        return 0
    expected = 0
    for author_id in contest.entries.filter(is_hidden=False).values_list("author_id", flat=True):
        expected += criteria * sum(1 for juror in jury if juror != author_id)
    given = Score.objects.filter(
        entry__contest=contest, entry__is_hidden=False, criterion__contest=contest, juror__in=jury
    ).count()
    return max(0, expected - given)


# Closing ---------------------------------------------------------------------------------------------------


@transaction.atomic
def close_contest(contest: Contest, by, *, now=None) -> list[RankedEntry]:
    """Close the contest (organisers, after the deadline, once): write each entry's final score and rank, publish.

    Each fully scored visible entry gets its score and rank of the ranking;
    the others (not fully scored, or hidden) get none. The contest row is
    locked, so two organisers closing at once close it once; the second is told
    it is closed already.
    """
    now = now or timezone.now()
    if not may_organise(by, contest):
        raise PermissionDenied(_("Only the organisers of this contest may close it."))
    locked = Contest.objects.select_for_update().get(pk=contest.pk)
    if locked.results_published_at is not None:
        raise ValidationError(
            _("This contest was closed on %(date)s; its results are published."),
            code="closed",
            params={"date": format_moment(locked.results_published_at)},
        )
    if now < locked.closes_at:
        raise ValidationError(
            _("Entries are taken until %(deadline)s: the contest can be closed only after that."),
            code="too_early",
            params={"deadline": format_moment(locked.closes_at)},
        )
    rows = ranking(locked)
    ranked = {row.entry.pk: row for row in rows if row.fully_scored}
    entries = list(locked.entries.all())
    for entry in entries:
        row = ranked.get(entry.pk)
        entry.final_score = row.score if row is not None else None
        entry.final_rank = row.rank if row is not None else None
    Entry.objects.bulk_update(entries, ["final_score", "final_rank"])
    locked.results_published_at = now
    locked.save(update_fields=["results_published_at"])
    contest.results_published_at = now
    return rows


# Making and editing a contest ------------------------------------------------------------------------------


@transaction.atomic
def save_contest(
    contest: Contest,
    *,
    criteria: Sequence[Criterion],
    removed: Sequence[Criterion] = (),
    jury: Iterable | None = None,
    by,
) -> Contest:
    """Save a new or changed contest with its criteria (in the order given) and its jury, all or nothing.

    A new contest needs ``participation.add_contest``, and its maker becomes
    one of its organisers; a change needs an organiser. Refused once the
    contest is closed, without a criterion, for a criterion that has scores
    and is removed, and for a highest score below one the jury already gave.
    """
    creating = contest.pk is None
    if creating and not may_create(by):
        raise PermissionDenied(_("You may not create contests."))
    if not creating:
        if not may_organise(by, contest):
            raise PermissionDenied(_("Only the organisers of this contest may change it."))
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.results_published_at is not None:
            raise PermissionDenied(_("This contest is closed: its results are published and no longer change."))
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    if not criteria:
        errors["criteria"].append(
            ValidationError(_("Give the jury at least one criterion to judge by."), code="criteria")
        )
    for criterion in removed:
        if criterion.pk is not None and criterion.scores.exists():
            errors["criteria"].append(
                ValidationError(
                    _("“%(criterion)s” cannot be removed: the jury has scored entries on it."),
                    code="criterion_scored",
                    params={"criterion": criterion.name},
                )
            )
    if not creating:
        highest = Score.objects.filter(entry__contest=contest).aggregate(highest=Max("value"))["highest"]
        if highest is not None and contest.max_score < highest:
            errors["max_score"].append(
                ValidationError(
                    _("The jury has already given scores up to %(highest)d: the highest score cannot be lower."),
                    code="max_score",
                    params={"highest": highest},
                )
            )
    if errors:
        raise ValidationError(dict(errors))
    contest.full_clean(exclude=["jury", "organisers"], validate_unique=False)
    if creating:
        contest.created_by = by
    contest.save()
    if creating:
        contest.organisers.add(by)
    for criterion in removed:
        if criterion.pk is not None:
            criterion.delete()
    for position, criterion in enumerate(criteria):
        criterion.contest = contest
        criterion.position = position
        criterion.save()
    if jury is not None:
        contest.jury.set(list(jury))
    return contest
