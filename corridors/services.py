"""Writes that touch a corridor, its segments and their history together, each in one transaction.

Every write records who made it and, where it says more than "changed", why
(simple-history's change reason), as projects.services does. Segments are
measured here (corridors.measures) before they are saved, and the corridor's
sums follow in the same transaction, so no reader ever sees a segment whose
figures do not match its line.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models, transaction
from django.utils.translation import gettext

from gis_data.formats import format_moment
from gis_data.models import City

from .measures import MEASURED_FIELDS, measure_segment, refresh_corridor, segment_districts
from .models import Corridor, Segment

# simple-history's change reason is a CharField(max_length=100).
REASON_LENGTH = 100
# What a restore leaves as it is: who created the record and when, whether it is a demo, and what is derived
# again from the restored line. A restored segment keeps its place in the corridor's order too.
CORRIDOR_NOT_RESTORED = frozenset(
    {
        "id",
        "created_by",
        "created_at",
        "updated_at",
        "is_demo",
        "length_m",
        "climb_m",
        "descent_m",
        "mean_grade",
        "max_grade",
        "dem_gap_m",
    }
)
SEGMENT_NOT_RESTORED = frozenset(
    {"id", "corridor", "position", "created_by", "created_at", "updated_at", *MEASURED_FIELDS}
)


@contextmanager
def _recorded_as(instance: models.Model, user, reason: str | None = None) -> Iterator[None]:
    """Make the history record of the saves (or the delete) inside say who made them and why.

    simple-history reads ``_history_user`` and ``_change_reason`` from the
    instance; both are removed afterwards so a later save does not repeat them.
    """
    instance._history_user = user
    if reason:
        instance._change_reason = reason[:REASON_LENGTH]
    try:
        yield
    finally:
        for attribute in ("_history_user", "_change_reason"):
            instance.__dict__.pop(attribute, None)


def _when(record) -> str:
    return format_moment(record.history_date)


@transaction.atomic
def create_corridor(corridor: Corridor, *, user) -> Corridor:
    """Check and save a new corridor, created by ``user``. Its figures are zero until it has segments."""
    if corridor.pk is not None:
        raise ValueError("create_corridor saves new corridors only")
    corridor.full_clean()
    corridor.created_by = user
    with _recorded_as(corridor, user):
        corridor.save()
    return corridor


@transaction.atomic
def update_corridor(corridor: Corridor, *, user) -> Corridor:
    """Check and save the changes to a corridor's own fields (names, descriptions, kind, status).

    The sums over the segments are taken again afterwards: an instance read
    before a segment changed must not write old figures back.
    """
    corridor.full_clean()
    with _recorded_as(corridor, user):
        corridor.save()
    refresh_corridor(corridor)
    return corridor


@transaction.atomic
def set_published(corridor: Corridor, published: bool, *, user) -> None:
    """Publish a corridor (everyone sees it) or take it back to draft (only those who edit corridors see it)."""
    if corridor.is_published == published:
        return
    corridor.is_published = published
    reason = gettext("Published") if published else gettext("Unpublished")
    with _recorded_as(corridor, user, reason):
        corridor.save(update_fields=["is_published", "updated_at"])


def _ordered(corridor_id: int) -> list[Segment]:
    # Locked in order, so two urbanists reordering one corridor wait for each other.
    return list(Segment.objects.select_for_update().filter(corridor_id=corridor_id).order_by("position", "pk"))


def _renumber(order: list[Segment | None]) -> None:
    """Give the segments of ``order`` the positions 0, 1, 2... in list order; None keeps a place free.

    Only the positions that change are written, with an update, not a save:
    the neighbours of a moved segment have not changed, and their history
    should not say they did.
    """
    for position, segment in enumerate(order):
        if segment is not None and segment.position != position:
            Segment.objects.filter(pk=segment.pk).update(position=position)
            segment.position = position


def _measure_and_save(segment: Segment, user, reason: str | None = None) -> Segment:
    measure_segment(segment)
    with _recorded_as(segment, user, reason):
        segment.save()
    segment.districts.set(segment_districts(segment))
    refresh_corridor(segment.corridor)
    return segment


@transaction.atomic
def save_segment(segment: Segment, *, user, position: int | None = None) -> Segment:
    """Check, measure and save a segment, then sum its corridor again.

    The segment's rules (Segment.clean: one line inside the city, at least
    1 m, not crossing itself; a reason for a landscape type set by hand) are
    checked first, and a ValidationError leaves nothing saved. A new segment
    goes last in its corridor unless ``position`` is given, where it is
    inserted (the others move one down); an existing one keeps its place
    (``move_segment`` moves it).
    """
    segment.full_clean()
    siblings = [other for other in _ordered(segment.corridor_id) if other.pk != segment.pk]
    if segment.pk is None:
        segment.created_by = user
        index = len(siblings) if position is None else max(0, min(position, len(siblings)))
        _renumber([*siblings[:index], None, *siblings[index:]])
        segment.position = index
        previous_corridor = None
    else:
        previous_corridor = Segment.objects.filter(pk=segment.pk).values_list("corridor_id", flat=True).first()
    _measure_and_save(segment, user)
    if previous_corridor is not None and previous_corridor != segment.corridor_id:
        # Moved to another corridor: the one it left closes the gap and sums again.
        _renumber(_ordered(previous_corridor))
        refresh_corridor(Corridor.objects.get(pk=previous_corridor))
    return segment


@transaction.atomic
def delete_segment(segment: Segment, *, user) -> None:
    """Delete a segment (its history keeps it, so it can be restored) and close the gap in the order."""
    corridor = segment.corridor
    _ordered(corridor.pk)
    with _recorded_as(segment, user, gettext("Deleted")):
        segment.delete()
    _renumber(_ordered(corridor.pk))
    refresh_corridor(corridor)


@transaction.atomic
def move_segment(segment: Segment, position: int, *, user) -> Segment:
    """Move a segment to ``position`` (0 is first; beyond the last means last) in its corridor's order.

    The moved segment's history records the move; the others only shift.
    """
    rows = _ordered(segment.corridor_id)
    others = [other for other in rows if other.pk != segment.pk]
    index = max(0, min(position, len(others)))
    _renumber([*others[:index], None, *others[index:]])
    current = next((row.position for row in rows if row.pk == segment.pk), None)
    if current == index:
        segment.position = index
        return segment
    segment.position = index
    reason = gettext("Moved to place %(place)d") % {"place": index + 1}
    with _recorded_as(segment, user, reason):
        segment.save(update_fields=["position", "updated_at"])
    return segment


@transaction.atomic
def restore_corridor(corridor: Corridor, history_id: int, *, user) -> Corridor:
    """Bring back the corridor's own fields as they were in one earlier version, as a new version.

    Names, descriptions, kind, status and publication come back; the figures
    stay the sums over today's segments (segments are restored one by one,
    with ``restore_segment``). Raises ``Corridor.history.model.DoesNotExist``
    when ``history_id`` is not a version of this corridor.
    """
    record = corridor.history.get(history_id=history_id)
    for field in Corridor._meta.concrete_fields:
        if field.name not in CORRIDOR_NOT_RESTORED:
            setattr(corridor, field.attname, getattr(record, field.attname))
    reason = gettext("Restored version of %(date)s") % {"date": _when(record)}
    with _recorded_as(corridor, user, reason):
        corridor.save()
    refresh_corridor(corridor)
    return corridor


@transaction.atomic
def restore_segment(corridor: Corridor, history_id: int, *, user) -> Segment:
    """Bring back one earlier version of a segment of ``corridor``, deleted or not, as a new version.

    Every field the urbanist sets comes back (line, mode, width, surface,
    lighting, status, landscape override and reason); the figures are measured
    again from the restored line, never copied from the history. A segment
    that still exists keeps its place in the order; a deleted one comes back
    with its id, at the place it had (clamped to the end), the others moving
    down. The restored line passes today's rules (it may lie outside a city
    pack loaded since): a ValidationError leaves everything as it was.
    Raises ``Segment.history.model.DoesNotExist`` when ``history_id`` is not a
    version of a segment of this corridor.
    """
    record = Segment.history.get(history_id=history_id, corridor_id=corridor.pk)
    segment = Segment.objects.filter(pk=record.id).first()
    if segment is None:
        segment = Segment(pk=record.id, corridor=corridor, created_by_id=record.created_by_id)
        segment.created_at = record.created_at
        wanted_position = record.position
    else:
        wanted_position = None
    for field in Segment._meta.concrete_fields:
        if field.name not in SEGMENT_NOT_RESTORED:
            setattr(segment, field.attname, getattr(record, field.attname))
    segment.full_clean()
    if wanted_position is not None:
        siblings = _ordered(corridor.pk)
        index = max(0, min(wanted_position, len(siblings)))
        _renumber([*siblings[:index], None, *siblings[index:]])
        segment.position = index
    reason = gettext("Restored version of %(date)s") % {"date": _when(record)}
    segment = _measure_and_save(segment, user, reason)
    if wanted_position is not None:
        # auto_now_add stamps a re-inserted row with today: it keeps the day it was first created.
        Segment.objects.filter(pk=segment.pk).update(created_at=record.created_at)
        segment.created_at = record.created_at
    return segment


def refresh_city(city: City) -> int:
    """Measure every segment inside ``city``'s extent again, then every corridor's sums; returns the segments.

    For when the city pack is loaded again (connected to ``city_pack_loaded``):
    districts, rivers, urban blocks or the DEM may have moved under the lines.
    The figures are written with an update, not a save, so no history record
    says a segment changed when only the city did.
    """
    count = 0
    corridors: set[int] = set()
    with transaction.atomic():
        for segment in Segment.objects.filter(geom__intersects=city.extent).select_related("corridor").iterator():
            measure_segment(segment, city)
            Segment.objects.filter(pk=segment.pk).update(**{name: getattr(segment, name) for name in MEASURED_FIELDS})
            segment.districts.set(segment_districts(segment, city))
            corridors.add(segment.corridor_id)
            count += 1
        for corridor in Corridor.objects.filter(pk__in=corridors):
            refresh_corridor(corridor)
    return count
