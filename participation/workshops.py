"""What organisers do to workshops and ballots: the rules a workshop and a ballot follow, and saving them.

The organisers' pages (participation.organising) hand their forms' values to
these functions; what a rule refuses comes back as a ValidationError keyed by
the form's field names, with a message that names the problem and its
numbers. ``save_workshop`` and ``save_ballot`` write in one transaction:
nothing half-written is kept.

Once a ballot has a vote (participation.voting.edit_locked), its items and
its method (with the method's numbers) are frozen, its opening cannot move,
and once it has closed it cannot be reopened: ``save_ballot`` checks that
under a lock on the ballot's row, so a vote cast while an organiser edits
does not slip in between.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gis_data.formats import format_moment
from gis_data.geometry import GeometryRuleError, GeometryRules, check_geometry, rules_for_city
from gis_data.packs import current_city
from participation import voting
from participation.ballot_items import is_candidate, item_content_types, label_of
from participation.models import Ballot, BallotItem, Method, Workshop

TITLE_FIELDS = ("title_kk", "title_ru", "title_en")
# A ballot lists at least this many items: a choice of one is no choice.
MIN_ITEMS = 2
# The most points a points ballot may give each voter (N); a workshop counts in tens, not thousands.
POINTS_MAX = 1000
# What the method decides, frozen with the items once a vote exists.
METHOD_FIELDS = ("method", "max_choices", "points_total", "points_per_item")


def item_key(record: Model) -> str:
    """How a form names a record a ballot may list: ``parks.renovationconcept:12``."""
    return f"{record._meta.label_lower}:{record.pk}"


def stored_item_key(item: BallotItem) -> str:
    return f"{label_of(item.content_type)}:{item.object_id}"


def _title_given(record: Any) -> bool:
    return any(str(getattr(record, name) or "").strip() for name in TITLE_FIELDS)


# Workshops -------------------------------------------------------------------------------------------------


def check_venue(venue: GEOSGeometry | None) -> Point | None:
    """The venue as a point inside the city's extent (any point where no city is loaded yet), or None."""
    if venue is None:
        return None
    city = current_city()
    rules = rules_for_city(city, ("Point",)) if city is not None else GeometryRules(allowed_types=("Point",))
    try:
        return check_geometry(venue, rules).geometry
    except GeometryRuleError as error:
        raise ValidationError(
            {
                "venue": [
                    _("The venue must be one point in the city: %(problem)s") % {"problem": " ".join(error.messages)}
                ]
            }
        ) from None


def check_workshop(workshop: Workshop) -> None:
    """Raise a ValidationError naming every rule ``workshop`` breaks: a title, days in order, a venue point."""
    errors: dict[str, list[str]] = {}
    if not _title_given(workshop):
        errors["title_en"] = [_("Give the workshop a title in at least one language.")]
    if workshop.starts_on and workshop.ends_on and workshop.ends_on < workshop.starts_on:
        errors["ends_on"] = [
            _("The last day (%(last)s) is before the first day (%(first)s).")
            % {"last": date_format(workshop.ends_on), "first": date_format(workshop.starts_on)}
        ]
    try:
        workshop.venue = check_venue(workshop.venue)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_workshop(workshop: Workshop, organisers: Sequence[Any]) -> Workshop:
    """Save ``workshop`` (new or changed) with exactly these ``organisers`` (accounts), or nothing."""
    check_workshop(workshop)
    workshop.save()
    workshop.organisers.set(organisers)
    return workshop


# Ballots ---------------------------------------------------------------------------------------------------


def _method_errors(ballot: Ballot, item_count: int) -> dict[str, list[str]]:
    """What is wrong with the method's numbers; the numbers another method would need are cleared."""
    errors: dict[str, list[str]] = {}
    if ballot.method != Method.APPROVAL:
        ballot.max_choices = None
    if ballot.method != Method.POINTS:
        ballot.points_total = ballot.points_per_item = None
    if ballot.method == Method.APPROVAL:
        k, most = ballot.max_choices, max(item_count, 1)
        if k is None:
            errors["max_choices"] = [
                _(
                    "Approval needs the number of items a voter may choose (k): from 1 to %(count)s, "
                    "the number of items on the ballot."
                )
                % {"count": most}
            ]
        elif not 1 <= k <= most:
            errors["max_choices"] = [
                ngettext(
                    "A voter may choose from 1 to %(count)s item (the items on the ballot), not %(k)s.",
                    "A voter may choose from 1 to %(count)s items (the items on the ballot), not %(k)s.",
                    most,
                )
                % {"count": most, "k": k}
            ]
    elif ballot.method == Method.POINTS:
        total, per_item = ballot.points_total, ballot.points_per_item
        if total is None:
            errors["points_total"] = [
                _("Points need the number of points each voter spreads (N): from 1 to %(max)s.") % {"max": POINTS_MAX}
            ]
        elif not 1 <= total <= POINTS_MAX:
            errors["points_total"] = [
                _("Each voter spreads from 1 to %(max)s points (N), not %(total)s.")
                % {"max": POINTS_MAX, "total": total}
            ]
        top = total if total is not None and 1 <= total <= POINTS_MAX else None
        if per_item is None:
            errors["points_per_item"] = [
                _("Points need the most points a voter may give one item (m): from 1 to N.")
                if top is None
                else _("Points need the most points a voter may give one item (m): from 1 to %(total)s (N).")
                % {"total": top}
            ]
        elif per_item < 1 or (top is not None and per_item > top):
            errors["points_per_item"] = [
                _("The most points on one item (m) must be from 1 to %(total)s (N), not %(m)s.")
                % {"total": top if top is not None else "N", "m": per_item}
            ]
    return errors


def check_ballot(
    ballot: Ballot,
    keys: Sequence[str],
    *,
    stored: Ballot | None = None,
    stored_keys: Sequence[str] = (),
    locked: bool = False,
    now: datetime.datetime | None = None,
) -> None:
    """Raise a ValidationError naming every rule ``ballot`` with these item ``keys`` (in order) breaks.

    ``stored`` is the ballot as saved (None for a new one) with its item keys in
    order, ``locked`` whether it has votes: then the items, the method and its
    numbers, and the opening stay as they were; a closed ballot is not reopened.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if not _title_given(ballot):
        errors["title_en"] = [_("Give the ballot a question in at least one language.")]

    if locked and stored is not None:
        if list(keys) != list(stored_keys):
            errors["items"] = [
                _("Votes have been cast on this ballot: its items and their order can no longer change.")
            ]
        if any(getattr(ballot, name) != getattr(stored, name) for name in METHOD_FIELDS):
            errors["method"] = [_("Votes have been cast on this ballot: its method and numbers can no longer change.")]
        if ballot.opens_at != stored.opens_at:
            errors["opens_at"] = [
                _("Votes have been cast on this ballot: its opening (%(opens)s) can no longer move.")
                % {"opens": format_moment(stored.opens_at)}
            ]
    else:
        if len(keys) < MIN_ITEMS:
            errors["items"] = [
                ngettext(
                    "A ballot needs at least %(min)s items; %(count)s is chosen.",
                    "A ballot needs at least %(min)s items; %(count)s are chosen.",
                    len(keys),
                )
                % {"min": MIN_ITEMS, "count": len(keys)}
            ]
        errors.update(_method_errors(ballot, len(keys)))

    if ballot.opens_at and ballot.closes_at:
        closing_moved = stored is None or ballot.closes_at != stored.closes_at
        if stored is not None and stored.has_closed(now) and closing_moved:
            errors["closes_at"] = [
                _("Voting closed at %(closed)s: a closed ballot cannot be reopened, nor its closing moved.")
                % {"closed": format_moment(stored.closes_at)}
            ]
        elif ballot.closes_at <= ballot.opens_at:
            errors["closes_at"] = [
                _("Voting must close after it opens (%(opens)s); it closes at %(closes)s.")
                % {"opens": format_moment(ballot.opens_at), "closes": format_moment(ballot.closes_at)}
            ]
        elif stored is None and ballot.closes_at <= now:
            errors["closes_at"] = [
                _("Voting would close at %(closes)s, which has passed: choose a time to come.")
                % {"closes": format_moment(ballot.closes_at)}
            ]
    if errors:
        raise ValidationError(errors)


def _records_by_key(records: Sequence[Model]) -> dict[str, Model]:
    return {item_key(record): record for record in records}


def _sync_items(ballot: Ballot, records: Sequence[Model]) -> None:
    """Make the ballot's items exactly ``records``, in this order; a new item must be a candidate."""
    types = item_content_types()
    existing = {stored_item_key(item): item for item in ballot.items.select_related("content_type")}
    wanted = _records_by_key(records)
    gone = [item.pk for key, item in existing.items() if key not in wanted]
    try:
        BallotItem.objects.filter(pk__in=gone).delete()
    except ProtectedError:
        raise ValidationError(
            {"items": [_("Votes have been cast on this ballot meanwhile: its items can no longer change.")]}
        ) from None
    for position, (key, record) in enumerate(wanted.items(), start=1):
        item = existing.get(key)
        if item is None:
            if not is_candidate(record):
                raise ValidationError(
                    {"items": [_("“%(title)s” cannot be on a ballot: only published records can.") % {"title": record}]}
                )
            BallotItem.objects.create(
                ballot=ballot,
                content_type=types[record._meta.label_lower],
                object_id=record.pk,
                position=position,
            )
        elif item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def save_ballot(
    ballot: Ballot, records: Sequence[Model], *, by: Any = None, now: datetime.datetime | None = None
) -> Ballot:
    """Save ``ballot`` (new or changed) with ``records`` as its items, in this order, in one transaction.

    The ballot's row is locked while its votes are looked at: once one exists the
    items, the method and the opening stay as they were (a ValidationError says
    so). ``by`` is recorded as the creator of a new ballot.
    """
    is_new = ballot.pk is None
    try:
        with transaction.atomic():
            stored, stored_keys, locked = None, [], False
            if ballot.pk is not None:
                stored = Ballot.objects.select_for_update().get(pk=ballot.pk)
                stored_keys = [stored_item_key(item) for item in stored.items.select_related("content_type")]
                locked = voting.edit_locked(stored)
            keys = list(_records_by_key(records))
            check_ballot(ballot, keys, stored=stored, stored_keys=stored_keys, locked=locked, now=now)
            if stored is None and by is not None and getattr(by, "is_authenticated", False):
                ballot.created_by = by
            ballot.save()
            if not locked:
                _sync_items(ballot, records)
    except IntegrityError:
        # A constraint the checks above did not foresee, or a vote on an item that was being removed.
        if is_new:
            ballot.pk = None
        raise ValidationError(
            _("The ballot could not be saved as it is (it was changed meanwhile?): nothing was changed; try again.")
        ) from None
    except ValidationError:
        if is_new:
            ballot.pk = None  # rolled back: the form shown again is still a new ballot's
        raise
    return ballot
