"""Writes of renovation concepts: the concept, the zones of its plan, its plan images and its dated status.

Every rule a concept, a zone or a status step must pass is checked here, so
the web editor (parks.concept_editor), the admin (parks.concept_admin) and any
command refuse the same input with the same message, in the reader's
language, naming the problem. Each write runs in one transaction: a refused
write leaves nothing behind.

A zone is one point, one line or one polygon inside its concept's park (with
``ZONE_TOLERANCE_METRES`` of slack for a vertex drawn on the boundary); its
area or length is measured in the city's metric SRID when it is saved.

A concept's status moves forward one step at a time (``NEXT_STATUSES``); it
may be set aside, with a reason, from any status but completed, and taken up
again at the status it was set aside from. Every step is dated: not in the
future, never before the step it follows. A new concept starts with one
dated step, "concept".
"""

import datetime
import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from gis_data.formats import format_number
from gis_data.geometry import SRID, GeometryRuleError, check_geometry, rules_for_city
from parks.models import (
    ConceptStatus,
    ConceptStatusChange,
    Origin,
    Park,
    PlanImage,
    RenovationConcept,
    Zone,
)
from participation.models import Proposal, Visibility
from photos.processing import ProcessedPhoto, process_upload

# A vertex drawn on the park's boundary may land a little outside it: this much is forgiven.
ZONE_TOLERANCE_METRES = 1.0
# A cost estimate above this is a typing slip (a few digits too many), not a park's renovation.
MAX_COST_ESTIMATE = Decimal(1_000_000_000_000)
# simple-history's change reason is a CharField(max_length=100).
REASON_LENGTH = 100

# Forward one step at a time, or set aside (from any status but completed). A set-aside concept is taken up
# again at the status it was set aside from: of these, ``allowed_statuses`` keeps that one.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    ConceptStatus.CONCEPT: (ConceptStatus.SHORTLISTED, ConceptStatus.SET_ASIDE),
    ConceptStatus.SHORTLISTED: (ConceptStatus.IN_DESIGN, ConceptStatus.SET_ASIDE),
    ConceptStatus.IN_DESIGN: (ConceptStatus.IN_REPAIR, ConceptStatus.SET_ASIDE),
    ConceptStatus.IN_REPAIR: (ConceptStatus.COMPLETED, ConceptStatus.SET_ASIDE),
    ConceptStatus.COMPLETED: (),
    ConceptStatus.SET_ASIDE: (
        ConceptStatus.CONCEPT,
        ConceptStatus.SHORTLISTED,
        ConceptStatus.IN_DESIGN,
        ConceptStatus.IN_REPAIR,
    ),
}

# A zone's kinds of shape, as people name them.
SHAPE_NAMES = {
    "Point": _("a point"),
    "LineString": _("a line"),
    "Polygon": _("a polygon"),
    "MultiPoint": _("several points"),
    "MultiLineString": _("several lines"),
    "MultiPolygon": _("several polygons"),
    "GeometryCollection": _("a collection of shapes"),
}


def status_label(status: str) -> str:
    return str(ConceptStatus(status).label) if status in ConceptStatus.values else status


@contextmanager
def _recorded_as(instance: models.Model, user, reason: str | None = None) -> Iterator[None]:
    """Make the history record of the saves inside say who made them and why (simple-history's attributes)."""
    instance._history_user = user if user is not None and user.is_authenticated else None
    if reason:
        instance._change_reason = reason[:REASON_LENGTH]
    try:
        yield
    finally:
        for attribute in ("_history_user", "_change_reason"):
            instance.__dict__.pop(attribute, None)


# Zones --------------------------------------------------------------------------------------------------------


def _points_of(geometry: GEOSGeometry) -> Iterator[tuple[float, float]]:
    """Every vertex of a geometry, whatever its nesting, and a point inside each part (for a part in a hole)."""
    if geometry.geom_type.startswith("Multi") or geometry.geom_type == "GeometryCollection":
        for part in geometry:
            yield from _points_of(part)
        return
    if geometry.empty:
        return
    if geometry.geom_type == "Point":
        yield geometry.coords
        return
    rings = [geometry.exterior_ring, *geometry[1:]] if geometry.geom_type == "Polygon" else [geometry]
    for ring in rings:
        yield from ring.coords
    yield geometry.point_on_surface.coords


def reach_outside(geometry: GEOSGeometry, park: Park) -> float:
    """How far ``geometry`` (SRID 4326) reaches outside ``park``'s boundary, in metres; 0 when it lies inside."""
    srid = park.city.metric_srid
    shape = geometry.transform(srid, clone=True)
    boundary = park.boundary.transform(srid, clone=True)
    if boundary.covers(shape):
        return 0.0
    outside = shape.difference(boundary)
    if outside.empty:
        return 0.0
    return max(boundary.distance(Point(x, y, srid=srid)) for x, y in _points_of(outside))


# GEOS says where an outline crosses itself as "Self-intersection[76.9685 43.26135]".
CROSSING = re.compile(r"Self-intersection\[(-?[\d.]+) (-?[\d.]+)\]")


def _invalid_shape(geom: GEOSGeometry) -> ValidationError:
    """What is wrong with a zone GEOS calls invalid: a line without length, or an outline crossing itself."""
    if geom.geom_type == "LineString":
        return ValidationError(
            _("The line has no length: draw it through at least two different points."), code="invalid"
        )
    if geom.srid not in (None, SRID):
        geom = geom.transform(SRID, clone=True)  # so the place is told in longitude and latitude
    crossing = CROSSING.match(geom.valid_reason)
    if crossing:
        return ValidationError(
            _("The zone's outline crosses itself near %(lon)s, %(lat)s: draw it without crossing itself."),
            code="invalid",
            params={"lon": f"{float(crossing[1]):.5f}", "lat": f"{float(crossing[2]):.5f}"},
        )
    return ValidationError(
        _("The zone's outline is not valid (%(reason)s): draw it without crossing itself."),
        code="invalid",
        params={"reason": geom.valid_reason},
    )


def check_zone_geometry(geom: GEOSGeometry, park: Park) -> GEOSGeometry:
    """``geom`` checked as a zone of a concept on ``park``: a point, a line or a polygon inside the park.

    Returns the geometry in SRID 4326. Raises a ValidationError naming the
    problem: not one point, line or polygon; a polygon whose outline crosses
    itself; any rule every geometry passes (coordinates, vertices, the city's
    extent; gis_data.geometry); or how far it reaches outside the park
    ("The zone reaches 35 m outside Gorky Central Park…"), with a tolerance of
    ``ZONE_TOLERANCE_METRES``.
    """
    if geom is None or geom.geom_type not in Zone.GEOMETRY_TYPES:
        given = SHAPE_NAMES.get(geom.geom_type, geom.geom_type) if geom is not None else _("nothing")
        raise ValidationError(
            _(
                "A zone is one point, one line or one polygon, not %(given)s: "
                "draw each part of the plan as a zone of its own."
            ),
            code="type",
            params={"given": given},
        )
    try:
        checked = check_geometry(geom, rules_for_city(park.city, Zone.GEOMETRY_TYPES, repair=False)).geometry
    except GeometryRuleError as error:
        if error.code == "invalid":
            raise _invalid_shape(geom) from None
        if error.code == "extent":
            raise ValidationError(
                _("The zone lies outside %(city)s: draw it inside %(park)s."),
                code="outside",
                params={"city": park.city.name, "park": park.name},
            ) from None
        raise
    reach = reach_outside(checked, park)
    if reach > ZONE_TOLERANCE_METRES:
        raise ValidationError(
            _("The zone reaches %(metres)s m outside %(park)s: draw it inside the park's boundary."),
            code="outside",
            params={"metres": format_number(math.ceil(reach)), "park": park.name},
        )
    return checked


def measure_zone(zone: Zone) -> None:
    """Set the zone's area (a polygon) or length (a line) in metres, measured in the city's metric SRID."""
    metric = zone.geom.transform(zone.concept.park.city.metric_srid, clone=True)
    zone.area_m2 = metric.area if zone.geom.geom_type == "Polygon" else None
    zone.length_m = metric.length if zone.geom.geom_type == "LineString" else None


@transaction.atomic
def save_zone(zone: Zone) -> Zone:
    """Check a zone (its shape inside its concept's park, its purpose, its label), measure it and save it.

    Raises a ValidationError whose ``geom`` (or ``purpose``, ``label``) entry
    names the problem; nothing is saved then.
    """
    errors: dict[str, list] = {}
    try:
        zone.clean_fields(exclude=["geom", "concept", "area_m2", "length_m"])
    except ValidationError as error:
        errors.update(error.error_dict)
    if zone.geom is None:
        errors.setdefault("geom", []).append(
            ValidationError(_("Draw the zone on the map, or enter it as GeoJSON."), code="required")
        )
    else:
        try:
            zone.geom = check_zone_geometry(zone.geom, zone.concept.park)
        except ValidationError as error:
            errors.setdefault("geom", []).extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    measure_zone(zone)
    zone.save()
    return zone


@transaction.atomic
def delete_zone(zone: Zone) -> None:
    """Delete one zone of a concept's plan."""
    zone.delete()


# Concepts -----------------------------------------------------------------------------------------------------


def _check_concept(concept: RenovationConcept) -> dict[str, list[ValidationError]]:
    """The concept's own rules, each refused with a message naming the problem, by the field it belongs to."""
    errors: dict[str, list[ValidationError]] = {}

    def refuse(field: str, message, code: str, params: dict | None = None) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    if concept.park_id is None or not Park.objects.filter(pk=concept.park_id).exists():
        refuse("park", _("There is no such park: choose the park the concept is for."), "park")
    if not any((concept.title_kk.strip(), concept.title_ru.strip(), concept.title_en.strip())):
        refuse("title_en", _("Give the concept a title in at least one language."), "title")
    if concept.origin == Origin.WORKSHOP and concept.workshop_id is None:
        refuse("workshop", _("The concept came from a workshop: choose which one."), "workshop")
    if concept.origin == Origin.PROPOSAL:
        if concept.proposal_id is None:
            refuse("proposal", _("The concept came from a resident's proposal: choose which one."), "proposal")
        elif not Proposal.objects.filter(pk=concept.proposal_id, visibility=Visibility.PUBLISHED).exists():
            refuse(
                "proposal",
                _("Only a published proposal can be named as where a concept came from: this one is not published."),
                "proposal",
            )
    cost = concept.cost_estimate
    if cost is not None:
        if cost < 0:
            refuse("cost_estimate", _("A cost estimate cannot be negative."), "cost")
        elif cost > MAX_COST_ESTIMATE:
            refuse(
                "cost_estimate",
                _("A cost estimate above %(limit)s %(currency)s cannot be right: check the number of zeros."),
                "cost",
                {"limit": format_number(MAX_COST_ESTIMATE), "currency": settings.CURRENCY_CODE},
            )
    return errors


def _check_zones_in(concept: RenovationConcept) -> list[ValidationError]:
    """When a concept moves to another park, each of its zones must lie inside the new one."""
    if concept.pk is None:
        return []
    previous = RenovationConcept.objects.filter(pk=concept.pk).values_list("park_id", flat=True).first()
    if previous is None or previous == concept.park_id:
        return []
    park = Park.objects.get(pk=concept.park_id)
    outside = [zone for zone in concept.zones.all() if reach_outside(zone.geom, park) > ZONE_TOLERANCE_METRES]
    if not outside:
        return []
    message = ngettext(
        "The zone %(zones)s lies outside %(park)s: the concept cannot move to that park.",
        "The zones %(zones)s lie outside %(park)s: the concept cannot move to that park.",
        len(outside),
    )
    zones = get_text_list([f"“{zone}”" for zone in outside], _("and"))
    return [ValidationError(message, code="outside", params={"zones": zones, "park": park.name})]


def _check_date(date: datetime.date) -> None:
    if date > timezone.localdate():
        message = _("The date cannot be in the future: a step is recorded once it has happened.")
        raise ValidationError({"date": ValidationError(message, code="future")})


def concept_errors(concept: RenovationConcept, drawn_on: datetime.date | None = None) -> dict[str, list]:
    """Every rule ``concept`` breaks, as ValidationErrors by field; empty when it may be saved.

    For a new concept, ``drawn_on`` is the date of its first step: not in
    the future, not before its workshop began. save_concept raises these; a
    form that saves later (the admin's) may check them first.
    """
    errors = _check_concept(concept)
    try:
        concept.clean_fields(exclude=["park", "workshop", "proposal", "cost_estimate", *errors])
    except ValidationError as error:
        for field, messages in error.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    if "park" not in errors:
        zone_errors = _check_zones_in(concept)
        if zone_errors:
            errors["park"] = zone_errors
    if drawn_on is not None:
        try:
            _check_date(drawn_on)
        except ValidationError as error:
            errors.setdefault("date", []).extend(error.error_dict["date"])
        workshop = concept.workshop if concept.workshop_id else None
        if "date" not in errors and workshop is not None and drawn_on < workshop.starts_on:
            errors.setdefault("date", []).append(
                ValidationError(
                    _("The concept came from a workshop that began on %(start)s: it cannot be dated before that."),
                    code="before_workshop",
                    params={"start": date_format(workshop.starts_on)},
                )
            )
    return errors


# What an edit of a concept writes: never its status (change_concept_status's), its author or its creation.
NOT_EDITED = frozenset({"id", "status", "set_aside_reason", "created_by", "created_at", "is_demo"})


@transaction.atomic
def save_concept(
    concept: RenovationConcept,
    user=None,
    authors: Iterable | None = None,
    *,
    drawn_on: datetime.date | None = None,
) -> RenovationConcept:
    """Check and save a concept, with its linked ``authors`` (accounts) when given.

    A new concept starts at "concept", with that first step dated
    ``drawn_on`` (today when not given; not in the future, not before its
    workshop began). An existing one keeps its status (change_concept_status
    moves it); moved to another park, its zones must lie inside the new one.
    Raises a ValidationError by field (``park``, ``title_en``, ``workshop``,
    ``proposal``, ``cost_estimate``, ``date``, ...); nothing is saved then.
    """
    is_new = concept.pk is None
    date = drawn_on or timezone.localdate()
    errors = concept_errors(concept, date if is_new else None)
    if errors:
        raise ValidationError(errors)

    if is_new:
        concept.status = ConceptStatus.CONCEPT
        concept.set_aside_reason = ""
        concept.created_by = user if user is not None and user.is_authenticated else None
        with _recorded_as(concept, user):
            concept.save()
        ConceptStatusChange.objects.create(
            concept=concept, status=ConceptStatus.CONCEPT, date=date, changed_by=concept.created_by
        )
    else:
        fields = [
            field.name
            for field in RenovationConcept._meta.concrete_fields
            if field.name not in NOT_EDITED and field.name != "updated_at"
        ]
        with _recorded_as(concept, user):
            concept.save(update_fields=[*fields, "updated_at"])
    if authors is not None:
        concept.authors.set(list(authors))
    return concept


# Plan images --------------------------------------------------------------------------------------------------


def add_plan_image(concept: RenovationConcept, upload: UploadedFile | ProcessedPhoto, caption: str = "", user=None):
    """Store an uploaded drawing of the concept's plan: checked, re-encoded and thumbnailed (photos.processing).

    Raises PhotoError (a ValidationError naming the problem) for an upload
    that cannot be a picture. The files are written before the row; if the
    row cannot be saved, they are deleted again.
    """
    caption = (caption or "").strip()
    limit = PlanImage._meta.get_field("caption").max_length
    if len(caption) > limit:
        message = _("The caption is too long: at most %(limit)s characters.")
        raise ValidationError({"caption": ValidationError(message, code="max_length", params={"limit": limit})})
    processed = upload if isinstance(upload, ProcessedPhoto) else process_upload(upload)
    plan = PlanImage(
        concept=concept, caption=caption, uploaded_by=user if user is not None and user.is_authenticated else None
    )
    written: list[str] = []
    try:
        with transaction.atomic():
            plan.image.save(processed.image.name, processed.image, save=False)
            written.append(plan.image.name)
            plan.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
            written.append(plan.thumbnail.name)
            plan.save()
    except BaseException:
        storage = PlanImage._meta.get_field("image").storage
        for name in written:
            storage.delete(name)
        raise
    return plan


def delete_plan_image(plan: PlanImage) -> None:
    """Delete a plan image; its files go once the deletion is committed (parks.models.delete_plan_files)."""
    plan.delete()


@transaction.atomic
def delete_concept(concept: RenovationConcept) -> None:
    """Delete a concept with its zones, steps and plan images (their files go once the deletion is committed)."""
    concept.delete()


# Status -------------------------------------------------------------------------------------------------------


def set_aside_from(concept: RenovationConcept) -> str | None:
    """The status a set-aside concept was set aside from (where it is taken up again); None otherwise."""
    if concept.status != ConceptStatus.SET_ASIDE:
        return None
    steps = list(concept.status_changes.order_by("-date", "-recorded_at", "-pk").values_list("status", flat=True))
    for index, status in enumerate(steps):
        if status == ConceptStatus.SET_ASIDE:
            earlier = next((s for s in steps[index + 1 :] if s != ConceptStatus.SET_ASIDE), None)
            return earlier or ConceptStatus.CONCEPT
    return ConceptStatus.CONCEPT


def allowed_statuses(concept: RenovationConcept) -> tuple[str, ...]:
    """The statuses ``concept`` may move to now: the next step, set aside, or back where it was set aside from."""
    if concept.status == ConceptStatus.SET_ASIDE:
        return (set_aside_from(concept) or ConceptStatus.CONCEPT,)
    return NEXT_STATUSES.get(concept.status, ())


def last_step(concept: RenovationConcept) -> ConceptStatusChange | None:
    return concept.status_changes.order_by("date", "recorded_at", "pk").last()


@transaction.atomic
def change_concept_status(
    concept: RenovationConcept, status: str, date: datetime.date, note: str = "", user=None
) -> ConceptStatusChange:
    """Move ``concept`` to ``status`` on ``date`` and record the dated step.

    Refused with a ValidationError when the move is not allowed (the message
    lists the statuses that are), when the date is in the future or before
    the concept's previous step, or when a concept is set aside without a
    reason (``note``).
    """
    # Locked and read again, so two urbanists moving the same concept cannot both pass the checks.
    RenovationConcept.objects.select_for_update().filter(pk=concept.pk).first()
    concept.refresh_from_db(fields=["status", "set_aside_reason"])
    note = (note or "").strip()
    allowed = allowed_statuses(concept)
    if status not in allowed:
        if allowed:
            message = _("A concept that is “%(current)s” cannot move to “%(new)s”; it may move to %(allowed)s.")
        else:
            message = _("A concept that is “%(current)s” cannot move to “%(new)s”: its status is final.")
        raise ValidationError(
            {
                "status": ValidationError(
                    message,
                    code="transition",
                    params={
                        "current": status_label(concept.status),
                        "new": status_label(status),
                        "allowed": get_text_list([f"“{status_label(value)}”" for value in allowed], _("or")),
                    },
                )
            }
        )
    _check_date(date)
    previous = last_step(concept)
    if previous is not None and date < previous.date:
        raise ValidationError(
            {
                "date": ValidationError(
                    _("The date is before the concept's previous step (“%(status)s” on %(date)s)."),
                    code="before_previous",
                    params={"status": previous.get_status_display(), "date": date_format(previous.date)},
                )
            }
        )
    if status == ConceptStatus.SET_ASIDE and not note:
        raise ValidationError({"note": ValidationError(_("Say why the concept is set aside."), code="reason")})
    limit = ConceptStatusChange._meta.get_field("note").max_length
    if len(note) > limit:
        raise ValidationError(
            {"note": ValidationError(_("At most %(limit)s characters."), code="max_length", params={"limit": limit})}
        )
    concept.status = status
    concept.set_aside_reason = note if status == ConceptStatus.SET_ASIDE else ""
    reason = gettext("Status: %(status)s") % {"status": status_label(status)}
    with _recorded_as(concept, user, reason):
        concept.save(update_fields=["status", "set_aside_reason", "updated_at"])
    return ConceptStatusChange.objects.create(
        concept=concept,
        status=status,
        date=date,
        note=note,
        changed_by=user if user is not None and user.is_authenticated else None,
    )
