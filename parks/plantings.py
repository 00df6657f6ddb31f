"""Compensatory plantings: the rules a planting and an inspection pass, and the survival figures.

A planting is a point or a line of trees inside the city; for a compensation,
where and when the trees it replaces were felled is part of the record. Its
district is derived from where it is (the point, or the middle of the line in
metres), never typed. An inspection counts the trees alive and dead; together
they never exceed the trees planted, and it is dated between the planting and
today.

Survival is the trees alive at each planting's latest inspection divided by the
trees planted, over the inspected plantings only: a planting nobody has counted
yet says nothing about survival, and is counted apart ("not yet inspected").
The figures are SQL aggregates over the city's plantings, grouped by district
or by the year planted; the overdue list comes from one query too.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gis_data.geometry import SRID, GeometryRuleError, check_geometry, rules_for_city
from gis_data.models import City, District

from .models import Inspection, Planting, PlantingReason

# The fields an inspection's counts and dates are checked against; a change to them is checked again.
FELLED_FIELDS = ("felled_place", "felled_on", "felled_count")


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _add(errors: dict[str, list], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _model_errors(instance: Any, exclude: tuple[str, ...] = ()) -> dict[str, list]:
    """The model's own field checks (blank, length, choices), without its constraints: the rules here say more."""
    try:
        instance.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as error:
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {}


def middle_point(geom: GEOSGeometry, metric_srid: int) -> Point:
    """The point itself, or the point halfway along a line measured in metres (``metric_srid``)."""
    if geom.geom_type == "Point":
        return geom
    metric = geom.transform(metric_srid, clone=True)
    middle = metric.interpolate_normalized(0.5)
    middle.srid = metric_srid
    return middle.transform(SRID, clone=True)


def planting_district(planting: Planting) -> District | None:
    """The district of the city holding the planting's point, or the middle of its line; None outside them all."""
    point = middle_point(planting.geom, planting.city.metric_srid)
    return District.objects.filter(source__city_id=planting.city_id, geom__covers=point).order_by("pk").first()


def check_planting(planting: Planting, today: datetime.date | None = None) -> None:
    """Check a planting against every rule; raise one ValidationError naming each problem by field.

    On success the planting's geometries are the checked ones (SRID 4326,
    repaired where GEOS could repair them). Nothing is saved.
    """
    today = today or timezone.localdate()
    errors = _model_errors(planting, exclude=("city",))
    city: City | None = planting.city if planting.city_id else None
    if city is None:
        raise ValidationError(_("No city is loaded: a planting belongs to a city."))

    if planting.geom is not None and "geom" not in errors:
        try:
            planting.geom = check_geometry(planting.geom, rules_for_city(city, Planting.GEOMETRY_TYPES)).geometry
        except GeometryRuleError as error:
            errors["geom"] = list(error.messages)
    if planting.count is not None and planting.count < 1:
        errors["count"] = [_("At least one tree must be planted.")]
    if planting.planted_on is not None and planting.planted_on > today:
        _add(
            errors,
            "planted_on",
            _("The planting date %(date)s is in the future.") % {"date": _day(planting.planted_on)},
        )

    if planting.reason == PlantingReason.COMPENSATION:
        _check_felled(planting, city, today, errors)
    elif planting.reason and any(getattr(planting, name) is not None for name in FELLED_FIELDS):
        _add(
            errors,
            "reason",
            _(
                "Felled trees are recorded only for a compensation: choose compensation as the reason, "
                "or leave where, when and how many trees were felled empty."
            ),
        )

    if planting.pk is not None and not {"count", "planted_on"} & errors.keys():
        _check_against_inspections(planting, errors)
    if errors:
        raise ValidationError(errors)


def _check_felled(planting: Planting, city: City, today: datetime.date, errors: dict[str, list]) -> None:
    if planting.felled_place is None:
        if "felled_place" not in errors:
            _add(errors, "felled_place", _("For a compensation, give the place where the trees were felled."))
    else:
        try:
            rules = rules_for_city(city, ("Point",))
            planting.felled_place = check_geometry(planting.felled_place, rules).geometry
        except GeometryRuleError as error:
            errors["felled_place"] = list(error.messages)
    if planting.felled_on is None:
        if "felled_on" not in errors:
            _add(errors, "felled_on", _("For a compensation, give the date the trees were felled."))
    elif planting.felled_on > today:
        _add(errors, "felled_on", _("The felling date %(date)s is in the future.") % {"date": _day(planting.felled_on)})
    elif planting.planted_on is not None and planting.felled_on > planting.planted_on:
        _add(
            errors,
            "felled_on",
            _(
                "The trees were felled on %(felled)s, after the planting on %(planted)s: "
                "a compensation is planted after the felling."
            )
            % {"felled": _day(planting.felled_on), "planted": _day(planting.planted_on)},
        )
    if planting.felled_count is not None and planting.felled_count < 1:
        errors["felled_count"] = [_("At least one tree was felled; leave it empty when the number is not known.")]


def _check_against_inspections(planting: Planting, errors: dict[str, list]) -> None:
    """A planting already inspected keeps its inspections true: no fewer trees, no planting after a visit."""
    inspections = Inspection.objects.filter(planting_id=planting.pk)
    if planting.count is not None:
        counted = (
            inspections.annotate(total=F("alive") + F("dead"))
            .order_by("-total", "inspected_on")
            .values_list("inspected_on", "total")
            .first()
        )
        if counted is not None and counted[1] > planting.count:
            total = counted[1]
            _add(
                errors,
                "count",
                ngettext(
                    "The inspection of %(date)s counted %(total)s tree: the planting cannot have fewer.",
                    "The inspection of %(date)s counted %(total)s trees: the planting cannot have fewer.",
                    total,
                )
                % {"date": _day(counted[0]), "total": total},
            )
    if planting.planted_on is not None:
        first = inspections.order_by("inspected_on").values_list("inspected_on", flat=True).first()
        if first is not None and first < planting.planted_on:
            _add(
                errors,
                "planted_on",
                _("The planting was inspected on %(date)s: it cannot have been planted later.") % {"date": _day(first)},
            )


@transaction.atomic
def save_planting(planting: Planting, user=None) -> Planting:
    """Check a planting (check_planting), derive its district and save it, recording ``user`` in its history."""
    if planting.pk is not None:
        # Inspections are checked against the planting: no one records one while its count changes.
        Planting.objects.select_for_update().filter(pk=planting.pk).first()
    check_planting(planting)
    planting.district = planting_district(planting)
    if planting.pk is None:
        planting.created_by = user
    planting._history_user = user
    try:
        planting.save()
    finally:
        planting.__dict__.pop("_history_user", None)
    return planting


def check_inspection(inspection: Inspection, planting: Planting, today: datetime.date | None = None) -> None:
    """Check an inspection of ``planting``: dated between the planting and today, counts within the trees planted.

    Raises one ValidationError naming each problem by field. Nothing is saved.
    """
    today = today or timezone.localdate()
    errors = _model_errors(inspection, exclude=("planting",))
    day = inspection.inspected_on
    if day is not None and "inspected_on" not in errors:
        if day > today:
            _add(errors, "inspected_on", _("The inspection date %(date)s is in the future.") % {"date": _day(day)})
        elif planting.planted_on is not None and day < planting.planted_on:
            _add(
                errors,
                "inspected_on",
                _("The inspection on %(date)s is before the planting on %(planted)s.")
                % {"date": _day(day), "planted": _day(planting.planted_on)},
            )
        elif planting.pk is not None:
            same_day = Inspection.objects.filter(planting_id=planting.pk, inspected_on=day)
            if inspection.pk is not None:
                same_day = same_day.exclude(pk=inspection.pk)
            if same_day.exists():
                _add(
                    errors,
                    "inspected_on",
                    _("This planting already has an inspection on %(date)s.") % {"date": _day(day)},
                )
    alive, dead = inspection.alive, inspection.dead
    if alive is not None and dead is not None and planting.count is not None and alive + dead > planting.count:
        # Translators: "but 20 were planted"; the plural follows the number planted.
        message = ngettext(
            "The inspection counts %(total)s trees (%(alive)s alive, %(dead)s dead) but %(planted)s was planted.",
            "The inspection counts %(total)s trees (%(alive)s alive, %(dead)s dead) but %(planted)s were planted.",
            planting.count,
        ) % {"total": alive + dead, "alive": alive, "dead": dead, "planted": planting.count}
        _add(errors, "alive", message)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_inspection(inspection: Inspection, user=None) -> Inspection:
    """Check and save an inspection of its planting (new or corrected), recorded by ``user``."""
    # Locked, so the planting's count cannot change between the check and the save.
    planting = Planting.objects.select_for_update().get(pk=inspection.planting_id)
    check_inspection(inspection, planting)
    if inspection.pk is None:
        inspection.recorded_by = user
    inspection.save()
    return inspection


# The figures ---------------------------------------------------------------------------------------------------


@dataclass
class Survival:
    """Survival of one group of plantings (a district, a year, the whole city)."""

    key: Any
    label: str
    plantings: int
    trees: int
    inspected: int
    inspected_trees: int
    alive: int

    @property
    def uninspected(self) -> int:
        return self.plantings - self.inspected

    @property
    def uninspected_trees(self) -> int:
        return self.trees - self.inspected_trees

    @property
    def rate(self) -> float | None:
        """Trees alive at the latest inspections ÷ trees planted, over the inspected plantings; None if none."""
        return self.alive / self.inspected_trees if self.inspected_trees else None


def with_latest_inspection(plantings: QuerySet[Planting]) -> QuerySet[Planting]:
    """The plantings with ``latest_alive``, ``latest_dead`` and ``latest_on``: their latest inspection's figures."""
    latest = Inspection.objects.filter(planting=OuterRef("pk")).order_by("-inspected_on", "-pk")
    return plantings.annotate(
        latest_alive=Subquery(latest.values("alive")[:1]),
        latest_dead=Subquery(latest.values("dead")[:1]),
        latest_on=Subquery(latest.values("inspected_on")[:1]),
    )


_SURVIVAL_SUMS = {
    "n_plantings": Count("pk"),
    "n_trees": Coalesce(Sum("count"), 0),
    "n_inspected": Count("pk", filter=Q(latest_alive__isnull=False)),
    "n_inspected_trees": Coalesce(Sum("count", filter=Q(latest_alive__isnull=False)), 0),
    "n_alive": Coalesce(Sum("latest_alive"), 0),
}


def _survival(key: Any, label: str, row: dict[str, Any]) -> Survival:
    return Survival(
        key=key,
        label=label,
        plantings=row["n_plantings"],
        trees=row["n_trees"],
        inspected=row["n_inspected"],
        inspected_trees=row["n_inspected_trees"],
        alive=row["n_alive"],
    )


def _of_city(city: City, plantings: QuerySet[Planting] | None) -> QuerySet[Planting]:
    return with_latest_inspection((plantings if plantings is not None else Planting.objects.all()).in_city(city))


def survival_total(city: City, plantings: QuerySet[Planting] | None = None) -> Survival:
    """Survival over all of the city's plantings (or those of ``plantings``)."""
    row = _of_city(city, plantings).aggregate(**_SURVIVAL_SUMS)
    return _survival(None, city.name, row)


def survival_by_district(city: City, plantings: QuerySet[Planting] | None = None) -> list[Survival]:
    """Survival per district, by district name; plantings outside every district last ("No district")."""
    rows = list(_of_city(city, plantings).order_by().values("district_id").annotate(**_SURVIVAL_SUMS))
    districts = District.objects.in_bulk([row["district_id"] for row in rows if row["district_id"] is not None])
    result = [
        _survival(
            row["district_id"],
            districts[row["district_id"]].localized_name if row["district_id"] is not None else _("No district"),
            row,
        )
        for row in rows
    ]
    return sorted(result, key=lambda survival: (survival.key is None, survival.label.casefold()))


def survival_by_year(city: City, plantings: QuerySet[Planting] | None = None) -> list[Survival]:
    """Survival per year planted, oldest first."""
    rows = (
        _of_city(city, plantings)
        .order_by()
        .annotate(year=ExtractYear("planted_on"))
        .values("year")
        .annotate(**_SURVIVAL_SUMS)
        .order_by("year")
    )
    return [_survival(row["year"], str(row["year"]), row) for row in rows]


@dataclass
class Overdue:
    """A planting due for inspection: never inspected and planted too long ago, or last inspected too long ago."""

    planting: Planting
    last_inspected: datetime.date | None
    due_on: datetime.date
    days_overdue: int


def overdue(
    city: City, today: datetime.date | None = None, plantings: QuerySet[Planting] | None = None
) -> list[Overdue]:
    """The city's plantings overdue for inspection on ``today``, the longest overdue first.

    A planting is due ``PLANTING_INSPECTION_DAYS`` after its latest inspection,
    or after it was planted when it has none; it is overdue from the day after.
    """
    today = today or timezone.localdate()
    interval = datetime.timedelta(days=settings.PLANTING_INSPECTION_DAYS)
    queryset = (
        (plantings if plantings is not None else Planting.objects.all())
        .in_city(city)
        .annotate(last_inspected=Max("inspections__inspected_on"))
        .annotate(since=Coalesce("last_inspected", "planted_on"))
        .filter(since__lt=today - interval)
        .select_related("district")
        .order_by("since", "pk")
    )
    result = []
    for planting in queryset:
        due_on = planting.since + interval
        result.append(Overdue(planting, planting.last_inspected, due_on, (today - due_on).days))
    return result


def next_inspection_due(planting: Planting, last_inspected: datetime.date | None) -> datetime.date:
    """The day by which ``planting`` should next be inspected."""
    since = last_inspected or planting.planted_on
    return since + datetime.timedelta(days=settings.PLANTING_INSPECTION_DAYS)
