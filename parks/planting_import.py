"""Plantings (and their inspections) imported from a CSV file: every row checked, all or nothing.

The columns are documented in docs/plantings.md. The file is UTF-8, with or
without a byte-order mark, its delimiter a comma or a semicolon (read from the
header row, which is required). Each row is checked by the same rules as a
planting drawn on the map (parks.plantings.check_planting and
check_inspection); every problem is listed by row number (the header is row 1,
as a spreadsheet counts) and column, in the reader's language. If any row is
bad, nothing is imported.

Importing a file a second time adds nothing twice: a row whose planting is
already in Qala (same city, species, count, date planted, responsible party
and the very same geometry) does not create another; its inspection, if the
row has one, is added when the planting has none on that day. A planting in
Qala is never changed by an import. Several rows may describe one planting,
each with an inspection of another day; two rows saying the same twice are
refused.

A geometry is given as ``lon`` and ``lat`` or as ``wkt`` (a POINT or a
LINESTRING in longitude and latitude), read by GEOS's WKT reader: no spatial
reference is accepted in the file, and none reaches GDAL.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point, WKTReader
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gis_data.formats import format_number
from gis_data.geometry import SRID
from gis_data.models import City

from .models import Inspection, Planting, PlantingReason
from .plantings import check_inspection, check_planting, record_inspection, save_planting

# A file of at most 5 MB and 5,000 rows: a year of the city's plantings fits many times over.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# The columns, in the order docs/plantings.md lists them.
PLANTING_COLUMNS = (
    "species",
    "count",
    "planted_on",
    "lon",
    "lat",
    "wkt",
    "reason",
    "felled_on",
    "felled_lon",
    "felled_lat",
    "felled_count",
    "responsible",
    "note",
)
INSPECTION_COLUMNS = ("inspected_on", "alive", "dead", "inspected_by", "inspection_note")
COLUMNS = PLANTING_COLUMNS + INSPECTION_COLUMNS
REQUIRED_COLUMNS = ("species", "count", "planted_on", "reason", "responsible")
# Where a service's error on a model field is shown: the column (or columns) it came from.
PLANTING_FIELD_COLUMNS = {
    "species": "species",
    "count": "count",
    "planted_on": "planted_on",
    "reason": "reason",
    "felled_on": "felled_on",
    "felled_place": "felled_lon, felled_lat",
    "felled_count": "felled_count",
    "responsible": "responsible",
    "reason_note": "note",
}
INSPECTION_FIELD_COLUMNS = {
    "inspected_on": "inspected_on",
    "alive": "alive",
    "dead": "dead",
    "inspected_by": "inspected_by",
    "note": "inspection_note",
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
INTEGER = re.compile(r"[0-9]+")
# A POINT or LINESTRING in WKT; an EWKT "SRID=…;" prefix or any other type is refused before GEOS reads it.
WKT_TYPE = re.compile(r"\s*([A-Za-z]+)")
WKT_TYPES = {"POINT": "Point", "LINESTRING": "LineString"}


@dataclass
class Problem:
    """One thing wrong with the file: in a row (1 is the header) and a column, or in the whole file (row None)."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return str(self.message)
        if not self.column:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """What an import did, or would do (``dry_run``): plantings created, inspections added, rows already in Qala.

    When ``problems`` is not empty nothing was imported.
    """

    rows: int = 0
    created: int = 0
    inspections: int = 0
    already: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One sentence of what was (or, for a dry run, would be) imported."""
        created = ngettext("%(count)s planting", "%(count)s plantings", self.created) % {
            "count": number_format(self.created, force_grouping=True)
        }
        inspections = ngettext("%(count)s inspection", "%(count)s inspections", self.inspections) % {
            "count": number_format(self.inspections, force_grouping=True)
        }
        already = ngettext(
            "%(count)s row was already in Qala.", "%(count)s rows were already in Qala.", self.already
        ) % {"count": number_format(self.already, force_grouping=True)}
        if self.dry_run:
            sentence = _("The file is good: importing it would add %(plantings)s and %(inspections)s.")
        else:
            sentence = _("Imported %(plantings)s and %(inspections)s.")
        text = sentence % {"plantings": created, "inspections": inspections}
        return f"{text} {already}" if self.already else text


class RowError(Exception):
    """A cell that cannot be read; the message says why."""


def too_large(size: int) -> str:
    """What is said of a file of ``size`` bytes, above MAX_BYTES."""
    return _("The file is %(size)s MB; at most %(limit)s MB are imported at once: split it.") % {
        "size": format_number(size / 1024 / 1024, 1),
        "limit": format_number(MAX_BYTES / 1024 / 1024, 1),
    }


# Reading the file --------------------------------------------------------------------------------------------


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (names trimmed, lower case) and the data rows that are not empty, each with its row number
    as a spreadsheet counts it (the header is row 1); RowError for a file that is not CSV text."""
    if len(data) > MAX_BYTES:
        raise RowError(too_large(len(data)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RowError(_("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.")) from None
    if "\x00" in text:
        raise RowError(_("The file is not UTF-8 text: save it as “CSV UTF-8” and try again."))
    first = text.lstrip("\r\n").split("\n", 1)[0]
    if not first.strip():
        raise RowError(_("The file is empty: it needs a header row naming the columns, then one row per planting."))
    # The header names no column with a comma or a semicolon in it: whichever it holds more of divides the cells.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text.lstrip("\r\n"), newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise RowError(_("The file cannot be read as CSV: %(reason)s.") % {"reason": error}) from None
    header = [name.strip().lower() for name in records[0]]
    # Spreadsheets often end every line with empty cells: nameless columns at the end are left out.
    while header and not header[-1]:
        header.pop()
    rows = [(index, record) for index, record in enumerate(records[1:], start=2) if any(c.strip() for c in record)]
    return header, rows


def header_problems(header: list[str]) -> list[Problem]:
    problems = []
    known = get_text_list([f"“{name}”" for name in COLUMNS], _("and"))
    seen: set[str] = set()
    for name in header:
        if not name:
            problems.append(Problem(1, "", _("A column has no name: every column of the header row needs one.")))
        elif name not in COLUMNS:
            problems.append(
                Problem(
                    1,
                    name,
                    _("“%(name)s” is not a known column; the columns are %(known)s.") % {"name": name, "known": known},
                )
            )
        elif name in seen:
            problems.append(Problem(1, name, _("The column “%(name)s” is given twice.") % {"name": name}))
        seen.add(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        problems.append(
            Problem(
                1,
                "",
                ngettext("The column %(names)s is missing.", "The columns %(names)s are missing.", len(missing))
                % {"names": get_text_list([f"“{name}”" for name in missing], _("and"))},
            )
        )
    if not ({"lon", "lat"} <= seen or "wkt" in seen):
        problems.append(
            Problem(1, "", _("Say where the trees are: give the columns “lon” and “lat”, or the column “wkt”."))
        )
    return problems


# Reading cells -----------------------------------------------------------------------------------------------


def parse_date(value: str) -> datetime.date:
    if not ISO_DATE.fullmatch(value):
        raise RowError(_("“%(value)s” is not a date written YYYY-MM-DD, such as 2024-04-15.") % {"value": value})
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise RowError(_("“%(value)s” is not a day of the calendar.") % {"value": value}) from None


def parse_count(value: str) -> int:
    if not INTEGER.fullmatch(value):
        raise RowError(_("“%(value)s” is not a whole number of trees.") % {"value": value})
    return int(value)


def parse_degrees(value: str) -> float:
    # A decimal comma, as spreadsheets in Kazakh and Russian write it, is read as a point.
    text = value.replace(",", ".") if value.count(",") == 1 and "." not in value else value
    try:
        number = float(text)
    except ValueError:
        raise RowError(_("“%(value)s” is not a number of degrees, such as 76.9458.") % {"value": value}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise RowError(_("“%(value)s” is not a number of degrees, such as 76.9458.") % {"value": value})
    return number


def parse_wkt(value: str) -> GEOSGeometry:
    """A POINT or LINESTRING in WKT, longitude then latitude, read by GEOS; no spatial reference is accepted."""
    if value.lstrip().upper().startswith("SRID"):
        raise RowError(
            _("A spatial reference is not accepted: write the WKT in longitude and latitude, without “SRID=”.")
        )
    kind = WKT_TYPE.match(value)
    if kind is None or kind.group(1).upper() not in WKT_TYPES:
        raise RowError(_("Only a POINT or a LINESTRING is accepted, such as POINT (76.9458 43.2383)."))
    try:
        geometry = WKTReader().read(value)
    except (GEOSException, ValueError):
        raise RowError(_("The WKT cannot be read, such as POINT (76.9458 43.2383).")) from None
    geometry.srid = SRID
    return geometry


def _cell(record: dict[str, str], name: str) -> str:
    return record.get(name, "").strip()


@dataclass
class Row:
    """A data row read into an unsaved planting and, when it has one, an unsaved inspection."""

    number: int
    planting: Planting
    inspection: Inspection | None
    problems: list[Problem]

    def key(self) -> tuple:
        """What makes two plantings the same one (see the module's docstring)."""
        planting = self.planting
        return (
            planting.species,
            planting.count,
            planting.planted_on,
            planting.responsible,
            planting.geom.geom_type,
            tuple(planting.geom.coords),
        )

    def details(self) -> tuple:
        """The rest of the planting's columns: rows of one planting must agree on them."""
        planting = self.planting
        felled = tuple(planting.felled_place.coords) if planting.felled_place is not None else None
        return (planting.reason, planting.felled_on, felled, planting.felled_count, planting.reason_note)


def read_row(number: int, record: dict[str, str], city: City, today: datetime.date) -> Row:
    """Read and check one data row; every problem it has is listed, not only the first."""
    problems: list[Problem] = [
        Problem(number, column, _("This column is required: fill it in."))
        for column in REQUIRED_COLUMNS
        if not _cell(record, column)
    ]

    def read(column: str, parse) -> Any:
        text = _cell(record, column)
        if not text:
            return None
        try:
            return parse(text)
        except RowError as error:
            problems.append(Problem(number, column, str(error)))
            return None

    planting = Planting(city=city)
    planting.species = _cell(record, "species")
    planting.responsible = _cell(record, "responsible")
    planting.reason_note = _cell(record, "note")
    planting.count = read("count", parse_count)
    planting.planted_on = read("planted_on", parse_date)
    reason = _cell(record, "reason").lower()
    if reason and reason not in PlantingReason.values:
        problems.append(
            Problem(
                number,
                "reason",
                _("“%(value)s” is not a reason: write %(choices)s.")
                % {"value": _cell(record, "reason"), "choices": get_text_list(PlantingReason.values, _("or"))},
            )
        )
    planting.reason = reason if reason in PlantingReason.values else ""
    planting.felled_on = read("felled_on", parse_date)
    planting.felled_count = read("felled_count", parse_count)

    # Where: lon and lat, or wkt, never both.
    lon, lat, wkt = _cell(record, "lon"), _cell(record, "lat"), _cell(record, "wkt")
    if wkt and (lon or lat):
        problems.append(Problem(number, "wkt", _("Give either “lon” and “lat” or “wkt”, not both.")))
    elif wkt:
        planting.geom = read("wkt", parse_wkt)
    elif lon or lat:
        x, y = read("lon", parse_degrees), read("lat", parse_degrees)
        for column in ("lon", "lat"):
            if not _cell(record, column):
                problems.append(Problem(number, column, _("Give both “lon” and “lat”.")))
        if x is not None and y is not None:
            planting.geom = Point(x, y, srid=SRID)
    else:
        problems.append(Problem(number, "lon, lat", _("Say where the trees are: “lon” and “lat”, or “wkt”.")))
    geom_column = "wkt" if wkt else "lon, lat"

    felled_lon, felled_lat = _cell(record, "felled_lon"), _cell(record, "felled_lat")
    if felled_lon or felled_lat:
        x, y = read("felled_lon", parse_degrees), read("felled_lat", parse_degrees)
        for column in ("felled_lon", "felled_lat"):
            if not _cell(record, column):
                problems.append(Problem(number, column, _("Give both “felled_lon” and “felled_lat”.")))
        if x is not None and y is not None:
            planting.felled_place = Point(x, y, srid=SRID)

    # Cells missing or unreadable have their problem already: the rules are checked on the rest.
    unread = {part for problem in problems for part in problem.column.split(", ")}
    try:
        check_planting(planting, today=today)
    except ValidationError as error:
        columns = {**PLANTING_FIELD_COLUMNS, "geom": geom_column}
        for name, messages in error.message_dict.items():
            column = columns.get(name, "")
            if name == "geom" and planting.geom is None:
                continue  # said above: no place, or one that could not be read
            if unread & set(column.split(", ")):
                continue
            problems.extend(Problem(number, column, message) for message in messages)

    inspection = read_inspection(number, record, planting, today, problems)
    return Row(number, planting, inspection, problems)


def read_inspection(
    number: int, record: dict[str, str], planting: Planting, today: datetime.date, problems: list[Problem]
) -> Inspection | None:
    """The row's inspection, or None when its columns are empty; its problems are added to ``problems``."""
    cells = {name: _cell(record, name) for name in INSPECTION_COLUMNS}
    if not any(cells.values()):
        return None
    inspection = Inspection(inspected_by=cells["inspected_by"], note=cells["inspection_note"])
    before = len(problems)
    for name in ("inspected_on", "alive", "dead"):
        if not cells[name]:
            problems.append(
                Problem(
                    number,
                    name,
                    _("An inspection needs its date and the trees alive and dead: fill in “%(name)s”.")
                    % {"name": name},
                )
            )
    for name, parse in (("inspected_on", parse_date), ("alive", parse_count), ("dead", parse_count)):
        if cells[name]:
            try:
                setattr(inspection, name, parse(cells[name]))
            except RowError as error:
                problems.append(Problem(number, name, str(error)))
    if len(problems) > before:
        return inspection
    try:
        # The planting may be new: its pk is None, so only its date and count are checked against.
        check_inspection(inspection, planting, today=today)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            problems.extend(Problem(number, INSPECTION_FIELD_COLUMNS.get(name, ""), m) for m in messages)
    return inspection


# Importing ---------------------------------------------------------------------------------------------------


def _existing(city: City, rows: list[Row]) -> dict[tuple, Planting]:
    """The city's plantings that rows of the file may repeat, by key, in one query."""
    dates = {row.planting.planted_on for row in rows}
    found: dict[tuple, Planting] = {}
    for planting in Planting.objects.filter(city=city, planted_on__in=dates).order_by("pk"):
        row = Row(0, planting, None, [])
        found.setdefault(row.key(), planting)
    return found


def _inspection_days(plantings: list[Planting]) -> dict[int, dict[datetime.date, tuple[int, int]]]:
    days: dict[int, dict[datetime.date, tuple[int, int]]] = {}
    for planting_id, day, alive, dead in Inspection.objects.filter(planting__in=plantings).values_list(
        "planting_id", "inspected_on", "alive", "dead"
    ):
        days.setdefault(planting_id, {})[day] = (alive, dead)
    return days


@dataclass
class _Plan:
    """What the import will write: new plantings (each with its inspections) and inspections of existing ones."""

    new: dict[tuple, tuple[Planting, list[Inspection]]] = field(default_factory=dict)
    added: list[Inspection] = field(default_factory=list)
    already: int = 0


def _plan(rows: list[Row], city: City, problems: list[Problem]) -> _Plan:
    """Match the good rows with each other and with the plantings already in Qala (see the module docstring)."""
    plan = _Plan()
    existing = _existing(city, rows)
    days = _inspection_days(list(existing.values()))
    first_row: dict[tuple, Row] = {}
    seen_days: dict[tuple, dict[datetime.date, int]] = {}
    for row in rows:
        key = row.key()
        inspection = row.inspection
        earlier = first_row.get(key)
        if earlier is not None and earlier.details() != row.details():
            problems.append(
                Problem(
                    row.number,
                    "",
                    _(
                        "This row and row %(row)s describe the same planting (species, count, date, responsible "
                        "party and place) differently: give the same reason and felling in both."
                    )
                    % {"row": earlier.number},
                )
            )
            continue
        first_row.setdefault(key, row)
        day = inspection.inspected_on if inspection is not None else None
        rows_of_day = seen_days.setdefault(key, {})
        if day in rows_of_day:
            problems.append(
                Problem(
                    row.number,
                    "",
                    _("This row repeats row %(row)s: a planting and its inspection are imported once.")
                    % {"row": rows_of_day[day]},
                )
            )
            continue
        rows_of_day[day] = row.number
        planting = existing.get(key)
        if planting is None:
            inspections = plan.new.setdefault(key, (row.planting, []))[1]
            if inspection is not None:
                inspections.append(inspection)
            continue
        # The planting is in Qala already: only an inspection of a day it has none of is added.
        recorded = days.get(planting.pk, {})
        if inspection is None or inspection.inspected_on in recorded:
            if inspection is not None and recorded[inspection.inspected_on] != (inspection.alive, inspection.dead):
                alive, dead = recorded[inspection.inspected_on]
                problems.append(
                    Problem(
                        row.number,
                        "alive",
                        _(
                            "The planting's inspection of %(date)s is in Qala with %(alive)s alive and %(dead)s "
                            "dead; this row says otherwise. Correct it in Qala, not by importing."
                        )
                        % {"date": inspection.inspected_on.isoformat(), "alive": alive, "dead": dead},
                    )
                )
                continue
            plan.already += 1
            continue
        try:
            check_inspection(inspection, planting)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.extend(Problem(row.number, INSPECTION_FIELD_COLUMNS.get(name, ""), m) for m in messages)
            continue
        inspection.planting = planting
        plan.added.append(inspection)
    # Several inspections of one new planting: together they must fit it too (each was checked alone).
    return plan


def import_plantings(data: bytes, city: City, user=None, dry_run: bool = False) -> ImportReport:
    """Read a CSV file of plantings (bytes) into ``city``; all rows or none. See the module docstring."""
    report = ImportReport(dry_run=dry_run)
    try:
        header, records = read_rows(data)
    except RowError as error:
        report.problems.append(Problem(None, "", str(error)))
        return report
    report.problems.extend(header_problems(header))
    if report.problems:
        return report
    if not records:
        report.problems.append(Problem(None, "", _("The file has a header row but no planting.")))
        return report
    if len(records) > MAX_ROWS:
        report.problems.append(
            Problem(
                None,
                "",
                _("The file has %(count)s rows; at most %(limit)s are imported at once: split it.")
                % {
                    "count": number_format(len(records), force_grouping=True),
                    "limit": number_format(MAX_ROWS, force_grouping=True),
                },
            )
        )
        return report
    report.rows = len(records)
    today = timezone.localdate()
    rows = []
    for number, cells in records:
        if any(cell.strip() for cell in cells[len(header) :]):
            report.problems.append(
                Problem(
                    number,
                    "",
                    _("The row has %(cells)s cells but the header names %(columns)s columns.")
                    % {"cells": len(cells), "columns": len(header)},
                )
            )
            continue
        row = read_row(number, dict(zip(header, cells, strict=False)), city, today)
        report.problems.extend(row.problems)
        if not row.problems:
            rows.append(row)
    plan = _plan(rows, city, report.problems)
    report.problems.sort(key=lambda problem: problem.row or 0)
    if report.problems:
        return report
    report.created = len(plan.new)
    report.inspections = len(plan.added) + sum(len(new[1]) for new in plan.new.values())
    report.already = plan.already
    if not dry_run:
        try:
            _write(plan, user)
        except ValidationError as error:
            # Someone changed a planting while the file was read: the transaction left nothing written.
            report.problems.extend(Problem(None, "", message) for message in error.messages)
            report.created = report.inspections = report.already = 0
    return report


@transaction.atomic
def _write(plan: _Plan, user) -> None:
    """Save the plan through the services (so districts are derived and histories kept), in one transaction."""
    for planting, inspections in plan.new.values():
        save_planting(planting, user=user)
        for inspection in inspections:
            inspection.planting = planting
            record_inspection(inspection, user=user)
    for inspection in plan.added:
        record_inspection(inspection, user=user)
