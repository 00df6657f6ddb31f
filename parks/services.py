"""Writes of a park and its history, each in one transaction, and the rules its boundary and entrances pass.

A park's boundary is an area inside the city (a Polygon is stored as a
MultiPolygon of one), valid or repaired (and the repair told), at least
``MIN_AREA_M2``. Its entrances, where drawn, are points each within
``ENTRANCE_METRES`` of the boundary's edge: park access (parks.access) walks in
through them. The district (the one holding the largest part of the park) and
the area are derived here on every save and after every pack reload, in the
city's metric spatial reference, never typed. Every save records who made it
and, where it says more than "changed", why (simple-history's change reason).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.gis.geos import GEOSGeometry, MultiPoint, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis_data.districts import district_holding_most
from gis_data.formats import format_area, format_metres, format_moment
from gis_data.geometry import CheckedGeometry, GeometryRuleError, check_geometry, rules_for_city
from gis_data.models import City

from .models import Park

# An entrance is a gate in the park's edge; a point drawn this far from the edge is a slip of the mouse.
ENTRANCE_METRES = 30
# Smaller than a 10 m by 10 m square is not a park but a slip, or a flower bed.
MIN_AREA_M2 = 100
# A boundary drawn by hand has tens or hundreds of vertices; imported ones up to a few thousand.
MAX_BOUNDARY_VERTICES = 20_000
MAX_ENTRANCES = 200
# What a restore leaves as it is: where the park came from, who created it and when, and what is derived
# again from the restored boundary.
NOT_RESTORED = frozenset(
    {
        "id",
        "city",
        "created_by",
        "created_at",
        "updated_at",
        "is_demo",
        "district",
        "area_m2",
        "source",
        "osm_type",
        "osm_id",
    }
)
# simple-history's change reason is a CharField(max_length=100).
REASON_LENGTH = 100


@contextmanager
def _recorded_as(park: Park, user, reason: str | None = None) -> Iterator[None]:
    """Make the history record of the save inside say who made it and why (see corridors.services)."""
    park._history_user = user
    if reason:
        park._change_reason = reason[:REASON_LENGTH]
    try:
        yield
    finally:
        for attribute in ("_history_user", "_change_reason"):
            park.__dict__.pop(attribute, None)


def _metric_area(geometry: GEOSGeometry, city: City) -> float:
    return geometry.transform(city.metric_srid, clone=True).area


def inspect_park_boundary(geometry: GEOSGeometry | str | dict, city: City) -> CheckedGeometry:
    """Check a park's boundary and say whether it had to be repaired; ``.geometry`` is a MultiPolygon.

    Raises a ValidationError naming the problem: not an area, outside the
    city's extent, too many vertices, smaller than ``MIN_AREA_M2``.
    """
    rules = rules_for_city(city, ("Polygon", "MultiPolygon"), max_vertices=MAX_BOUNDARY_VERTICES)
    try:
        checked = check_geometry(geometry, rules)
    except GeometryRuleError as error:
        if error.code == "type":
            raise ValidationError(
                _("A park's boundary is an area: draw a polygon, not a %(type)s."),
                code="type",
                params=error.params,
            ) from None
        raise
    boundary = checked.geometry
    if boundary.geom_type == "Polygon":
        boundary = MultiPolygon(boundary, srid=boundary.srid)
    area = _metric_area(boundary, city)
    if area < MIN_AREA_M2:
        raise ValidationError(
            _("The boundary encloses %(area)s; a park covers at least %(minimum)s."),
            code="too_small",
            params={"area": format_area(area), "minimum": format_area(MIN_AREA_M2)},
        )
    return CheckedGeometry(boundary, checked.repaired, checked.problem)


def check_park_boundary(geometry: GEOSGeometry | str | dict, city: City) -> MultiPolygon:
    """A park's boundary once it passed the rules (see ``inspect_park_boundary``), as a MultiPolygon."""
    return inspect_park_boundary(geometry, city).geometry


def check_park_entrances(entrances: GEOSGeometry | str | dict | None, boundary: MultiPolygon, city: City):
    """A park's entrances as a MultiPoint (None when there are none), each within ``ENTRANCE_METRES`` of the edge.

    The distance is to the boundary's edge, not its area: a point in the
    middle of the park is no entrance. Raises a ValidationError naming the
    first entrance too far away and how far it is.
    """
    if entrances is None or entrances == "" or (isinstance(entrances, GEOSGeometry) and entrances.empty):
        return None
    rules = rules_for_city(city, ("Point", "MultiPoint"), max_vertices=MAX_ENTRANCES, repair=False)
    try:
        checked = check_geometry(entrances, rules).geometry
    except GeometryRuleError as error:
        if error.code == "type":
            raise ValidationError(
                _("Entrances are points: draw each entrance as a point, not a %(type)s."),
                code="type",
                params=error.params,
            ) from None
        raise
    points = MultiPoint(checked, srid=checked.srid) if checked.geom_type == "Point" else checked
    edge = boundary.transform(city.metric_srid, clone=True).boundary
    for number, point in enumerate(points, start=1):
        distance = point.transform(city.metric_srid, clone=True).distance(edge)
        if distance > ENTRANCE_METRES:
            raise ValidationError(
                _(
                    "Entrance %(number)s is %(distance)s from the park's boundary; "
                    "an entrance must be within %(limit)s of it."
                ),
                code="entrance_far",
                params={
                    "number": number,
                    "distance": format_metres(distance),
                    "limit": format_metres(ENTRANCE_METRES),
                },
            )
    return points


def check_park(park: Park) -> None:
    """Check a park's names, boundary and entrances, putting the checked shapes on it.

    Raises one ValidationError with every problem, by field, so a form shows
    each next to its field.
    """
    errors: dict[str, list[ValidationError]] = {}
    if not (park.name_kk.strip() or park.name_ru.strip() or park.name_en.strip()):
        errors["name_en"] = [ValidationError(_("Give the park a name in at least one language."), code="no_name")]
    try:
        park.boundary = check_park_boundary(park.boundary, park.city)
    except ValidationError as error:
        errors["boundary"] = error.error_list
    else:
        try:
            park.entrances = check_park_entrances(park.entrances, park.boundary, park.city)
        except ValidationError as error:
            errors["entrances"] = error.error_list
    if errors:
        raise ValidationError(errors)


def derive_park(park: Park) -> None:
    """Set what a park's boundary decides: its district (the one holding its largest part) and its area in m²."""
    park.district = district_holding_most(park.boundary, park.city)
    park.area_m2 = _metric_area(park.boundary, park.city)


@transaction.atomic
def save_park(park: Park, user=None, reason: str | None = None) -> Park:
    """Check, derive and save a park (new or changed), recording ``user`` and ``reason`` in its history.

    Raises a ValidationError (nothing saved) when a rule is broken; see
    ``check_park``. A new park is recorded as created by ``user``.
    """
    check_park(park)
    park.full_clean(exclude=["boundary", "entrances"])
    derive_park(park)
    if park.pk is None:
        park.created_by = user
    with _recorded_as(park, user, reason):
        park.save()
    return park


def _when(record) -> str:
    return format_moment(record.history_date)


@transaction.atomic
def restore_park(park: Park, history_id: int, user) -> Park:
    """Bring back the names, descriptions, state, boundary and entrances of one earlier version, as a new version.

    The district and area are derived again from the restored boundary, which
    passes today's rules (a city pack loaded since may draw the city smaller):
    a ValidationError leaves the park as it was. Raises
    ``Park.history.model.DoesNotExist`` when ``history_id`` is not a version of this park.
    """
    record = park.history.get(history_id=history_id)
    for field in Park._meta.concrete_fields:
        if field.name not in NOT_RESTORED:
            setattr(park, field.attname, getattr(record, field.attname))
    reason = gettext("Restored version of %(date)s") % {"date": _when(record)}
    return save_park(park, user=user, reason=reason)


def refresh_city_parks(city: City) -> int:
    """Derive the district and area of every park of ``city`` again; returns how many parks there are.

    For when the city pack is loaded again (connected to ``city_pack_loaded``):
    districts may have moved under the parks. Written with an update, not a
    save, so no history record says a park changed when only the city did.
    """
    count = 0
    with transaction.atomic():
        for park in Park.objects.in_city(city).only("pk", "city_id", "boundary").iterator():
            park.city = city
            derive_park(park)
            Park.objects.filter(pk=park.pk).update(district=park.district, area_m2=park.area_m2)
            count += 1
    return count
