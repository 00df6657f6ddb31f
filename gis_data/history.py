"""What changed between two saved versions of a record, written for people: every editor's history page.

Projects, corridors and parks keep their versions with django-simple-history;
their history and restore pages compare two versions field by field with
``describe_changes`` and show each changed field's old and new value. A
geometry is told in words (its length or area in metres, its vertices), never
as coordinates. Fields are compared on the historical records themselves rather
than with simple-history's ``diff_against``, which leaves out the fields no form
edits (what is derived from a geometry, a district).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.utils.formats import date_format, number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gis_data.formats import format_area, format_metres

# simple-history's history_type, as the history pages name it.
HISTORY_KINDS = {"+": "created", "~": "changed", "-": "deleted"}

# How one field of a version is shown: given the historical record, the text for it.
Shown = Callable[[Any], str]


@dataclass
class Change:
    """One field as it was and as it became, written for people."""

    label: str
    old: str
    new: str
    is_geometry: bool = False


def vertices_text(geometry: GEOSGeometry) -> str:
    return ngettext("%(count)s vertex", "%(count)s vertices", geometry.num_coords) % {
        "count": number_format(geometry.num_coords, force_grouping=True)
    }


def geometry_summary(geometry: GEOSGeometry | None, metric_srid: int | None) -> str:
    """A geometry in words: its points, or its length or area in metres (in ``metric_srid``) and its vertices.

    Without a metric spatial reference (no city loaded) a line or an area is
    told by its vertices alone: a size in degrees would mean nothing.
    """
    if geometry is None or geometry.empty:
        return "—"
    if geometry.dims == 0:
        return ngettext("%(count)s point", "%(count)s points", geometry.num_geom) % {"count": geometry.num_geom}
    vertices = vertices_text(geometry)
    if metric_srid is None:
        return vertices
    metric = geometry.transform(metric_srid, clone=True)
    size = format_metres(metric.length) if geometry.dims == 1 else format_area(metric.area)
    return f"{size}, {vertices}"


def field_label(model: type[Model], name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def display_value(model: type[Model], name: str, value: Any) -> str:
    """A field's value for people: the label of a choice, a date or a number in the reader's format, yes or no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, date):
        return date_format(value)
    if isinstance(value, Decimal | int | float):
        return number_format(value, force_grouping=True)
    return Truncator(str(value)).chars(120)


def _value(model: type[Model], record: Any, name: str) -> Any:
    """What ``record`` holds in the field ``name``: the related object for a foreign key (its id when gone)."""
    model_field = model._meta.get_field(name)
    if not model_field.is_relation:
        return getattr(record, name)
    related_id = getattr(record, model_field.attname)
    if related_id is None:
        return None
    try:
        return getattr(record, name)
    except ObjectDoesNotExist:  # deleted since: the version still says which one it was
        return f"#{related_id}"


def _differs(model: type[Model], name: str, old: Any, new: Any) -> bool:
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return getattr(old, model_field.attname) != getattr(new, model_field.attname)
    before, after = getattr(old, name), getattr(new, name)
    if isinstance(model_field, GeometryField):
        if before is None or after is None:
            return before is not after
        return not (before.geom_type == after.geom_type and before.equals_exact(after, 1e-9))
    return before != after


def describe_changes(
    model: type[Model],
    fields: tuple[str, ...],
    new: Any,
    old: Any,
    *,
    metric_srid: int | None = None,
    shown: Mapping[str, Shown] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[Change]:
    """What differs between two versions of a ``model`` record, field by field, in the order of ``fields``.

    ``new`` and ``old`` are historical records (or instances) of the model.
    A geometry field is summarised by ``geometry_summary`` in ``metric_srid``
    and its change marked ``is_geometry``; ``shown`` replaces how a field is
    written (given the record: a line by the length measured when it was
    saved, a place counted from 1), ``labels`` what a field is called.
    """
    shown = shown or {}
    labels = labels or {}
    changes = []
    for name in fields:
        if not _differs(model, name, old, new):
            continue
        label = labels.get(name) or field_label(model, name)
        is_geometry = isinstance(model._meta.get_field(name), GeometryField)
        if name in shown:
            before, after = shown[name](old), shown[name](new)
        elif is_geometry:
            before = geometry_summary(getattr(old, name), metric_srid)
            after = geometry_summary(getattr(new, name), metric_srid)
        else:
            before = display_value(model, name, _value(model, old, name))
            after = display_value(model, name, _value(model, new, name))
        changes.append(Change(label, before, after, is_geometry=is_geometry))
    return changes
