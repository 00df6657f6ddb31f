"""Compensatory plantings: the list with its survival figures and overdue inspections, a planting's page,
and what urbanists do (draw a planting, record an inspection, import a CSV file).

Everyone sees the plantings and their figures. Adding and editing need the
parks permissions of the urbanist role (``parks.add_planting``,
``parks.change_planting``, ``parks.add_inspection``); anyone else logged in is
shown a page that says why, with status 403, and visitors go to the log-in
page. Writes go through parks.plantings (and parks.planting_import), so every
rule holds and the district is derived. The maps are drawn by
static/js/planting_map.js and planting_editor.js from a JSON config the page
embeds; every number is formatted here, in the request's language.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from gis_data.editing import add_errors, geoman_strings
from gis_data.formats import format_length, format_number, format_share
from gis_data.geometry import SRID
from gis_data.maps import district_outlines, feature, map_base
from gis_data.models import City, District
from gis_data.packs import current_city

from . import plantings
from .layers import PLANTING_STYLE, REASON_STYLES
from .models import Inspection, Planting, PlantingReason
from .planting_forms import InspectionForm, PlantingFilterForm, PlantingForm, PlantingImportForm
from .planting_import import COLUMNS, MAX_BYTES, MAX_ROWS, import_plantings, too_large

View = Callable[..., HttpResponse]
PAGE_SIZE = 50
# The felled place, drawn as a hollow dark-red point: it is where trees were lost, not where they grow.
FELLED_STYLE = {"color": "#9f1239", "weight": 3, "radius": 7, "fillColor": "#ffffff", "fillOpacity": 1}
LINK_STYLE = {"color": "#9f1239", "weight": 2, "opacity": 0.8, "dashArray": "4 6"}
# The layers drawn under a planting map: what a planting lies along or in.


def planting_editor(*permissions: str) -> Callable[[View], View]:
    """Log-in first (anonymous visitors go to the log-in page); then every permission, or a 403 page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perms(permissions):
                return render(request, "parks/plantings/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def the_city() -> City:
    city = current_city()
    if city is None:
        raise Http404(_("No city is loaded yet."))
    return city


def reason_style(reason: str) -> dict[str, Any]:
    return {**PLANTING_STYLE, **REASON_STYLES.get(reason, {})}


def map_config(request: HttpRequest, city: City, districts=None) -> dict[str, Any]:
    """The base of every planting map's config: view, tiles, reference layers, and the districts' outlines."""
    if districts is None:
        districts = District.objects.filter(source__city=city).order_by("name")
    return {**map_base(city, request, city_bounds=True), "outlines": district_outlines(districts)}


def trees(count: int) -> str:
    return ngettext("%(count)s tree", "%(count)s trees", count) % {"count": format_number(count)}


def planting_title(planting: Planting) -> str:
    return _("%(species)s, %(trees)s") % {"species": planting.species, "trees": trees(planting.count)}


def planting_feature(planting: Planting) -> dict[str, Any]:
    return feature(
        planting.geom,
        title=planting_title(planting),
        url=planting.get_absolute_url(),
        details=[
            _("Planted %(date)s") % {"date": date_format(planting.planted_on)},
            planting.get_reason_display(),
        ],
        style=reason_style(planting.reason),
        kind="planting",
    )


def legend() -> list[dict[str, Any]]:
    return [{"title": reason.label, "style": reason_style(reason.value)} for reason in PlantingReason]


# The list ----------------------------------------------------------------------------------------------------

# What the list's map needs of each planting.
MAP_FIELDS = ("pk", "geom", "species", "count", "planted_on", "reason")


@dataclass
class SurvivalRow:
    """One row of a survival table, formatted."""

    label: str
    plantings: str
    trees: str
    inspected: str
    alive: str
    rate: str
    uninspected: str

    @classmethod
    def of(cls, survival: plantings.Survival) -> "SurvivalRow":
        return cls(
            label=survival.label,
            plantings=format_number(survival.plantings),
            trees=format_number(survival.trees),
            inspected=_("%(plantings)s (%(trees)s)")
            % {"plantings": format_number(survival.inspected), "trees": trees(survival.inspected_trees)},
            alive=format_number(survival.alive),
            rate=format_share(survival.rate),
            uninspected=_("%(plantings)s (%(trees)s)")
            % {"plantings": format_number(survival.uninspected), "trees": trees(survival.uninspected_trees)},
        )


@dataclass
class PlantingRow:
    planting: Planting
    title: str
    planted_on: str
    district: str
    reason: str
    latest: str


def latest_text(planting: Planting) -> str:
    """The latest inspection in a few words: "18 of 20 alive (90 %), 20 April 2025"; "not yet inspected"."""
    if planting.latest_on is None:
        return _("not yet inspected")
    return _("%(alive)s of %(count)s alive (%(share)s), %(date)s") % {
        "alive": format_number(planting.latest_alive),
        "count": format_number(planting.count),
        "share": format_share(planting.latest_alive / planting.count),
        "date": date_format(planting.latest_on),
    }


def planting_rows(page) -> list[PlantingRow]:
    return [
        PlantingRow(
            planting=planting,
            title=planting_title(planting),
            planted_on=date_format(planting.planted_on),
            district=planting.district.localized_name if planting.district else "—",
            reason=planting.get_reason_display(),
            latest=latest_text(planting),
        )
        for planting in page
    ]


@dataclass
class OverdueRow:
    planting: Planting
    title: str
    district: str
    last: str
    due: str
    days: str


def overdue_rows(rows: list[plantings.Overdue]) -> list[OverdueRow]:
    return [
        OverdueRow(
            planting=row.planting,
            title=planting_title(row.planting),
            district=row.planting.district.localized_name if row.planting.district else "—",
            last=date_format(row.last_inspected) if row.last_inspected else _("never"),
            due=date_format(row.due_on),
            days=ngettext("%(count)s day", "%(count)s days", row.days_overdue)
            % {"count": format_number(row.days_overdue)},
        )
        for row in rows
    ]


@require_safe
def planting_list(request: HttpRequest) -> HttpResponse:
    city = current_city()
    form = PlantingFilterForm(request.GET or None, city=city)
    context: dict[str, Any] = {
        "city": city,
        "form": form,
        "can_add": request.user.has_perm("parks.add_planting"),
        "can_import": request.user.has_perms(("parks.add_planting", "parks.add_inspection")),
        "inspection_days": format_number(settings.PLANTING_INSPECTION_DAYS),
        "legend": legend(),
    }
    if city is None or (form.is_bound and not form.is_valid()):
        # No city yet, or a filter that does not parse (a district of another city): said, not guessed at.
        return render(request, "parks/plantings/list.html", context)
    chosen = Planting.objects.in_city(city)
    if form.is_bound:
        chosen = form.filter(chosen)
    page = Paginator(
        plantings.with_latest_inspection(chosen).select_related("district").order_by("-planted_on", "pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    config = map_config(request, city)
    config["features"] = [planting_feature(planting) for planting in chosen.only(*MAP_FIELDS)]
    total = plantings.survival_total(city, chosen)
    context.update(
        {
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "rows": planting_rows(page),
            "by_district": [SurvivalRow.of(row) for row in plantings.survival_by_district(city, chosen)],
            "by_year": [SurvivalRow.of(row) for row in plantings.survival_by_year(city, chosen)],
            "total": SurvivalRow.of(total) if total.plantings else None,
            "overdue": overdue_rows(plantings.overdue(city, plantings=chosen)),
            "map_config": config,
        }
    )
    return render(request, "parks/plantings/list.html", context)


# A planting's page -------------------------------------------------------------------------------------------


@dataclass
class InspectionRow:
    inspection: Inspection
    date: str
    alive: str
    dead: str
    not_found: str
    share: str


def inspection_rows(planting: Planting) -> list[InspectionRow]:
    rows = []
    for inspection in planting.inspections.order_by("-inspected_on", "-pk"):
        missing = planting.count - inspection.alive - inspection.dead
        rows.append(
            InspectionRow(
                inspection=inspection,
                date=date_format(inspection.inspected_on),
                alive=format_number(inspection.alive),
                dead=format_number(inspection.dead),
                not_found=format_number(max(missing, 0)),
                share=format_share(inspection.alive / planting.count),
            )
        )
    return rows


def coordinates(point) -> str:
    return _("latitude %(lat)s, longitude %(lon)s") % {
        "lat": format_number(point.y, 5),
        "lon": format_number(point.x, 5),
    }


def where_text(planting: Planting) -> str:
    """Where the planting is, in words, for those who do not see the map."""
    if planting.geom.geom_type == "Point":
        return _("At %(place)s") % {"place": coordinates(planting.geom)}
    start, end = planting.geom.coords[0], planting.geom.coords[-1]
    length = planting.geom.transform(planting.city.metric_srid, clone=True).length
    return _("Along a line of %(length)s from %(start)s to %(end)s") % {
        "length": format_length(length),
        "start": coordinates(Point(*start, srid=SRID)),
        "end": coordinates(Point(*end, srid=SRID)),
    }


def planting_facts(planting: Planting) -> list[tuple[str, str]]:
    facts = [
        (_("Species"), planting.species),
        (_("Trees planted"), format_number(planting.count)),
        (_("Date planted"), date_format(planting.planted_on)),
        (_("District"), planting.district.localized_name if planting.district else _("outside the districts")),
        (_("Why"), planting.get_reason_display()),
    ]
    if planting.reason == PlantingReason.COMPENSATION:
        if planting.felled_on:
            facts.append((_("Date felled"), date_format(planting.felled_on)))
        if planting.felled_place:
            facts.append((_("Where trees were felled"), coordinates(planting.felled_place)))
        facts.append(
            (_("Trees felled"), format_number(planting.felled_count) if planting.felled_count else _("not recorded"))
        )
    if planting.reason_note:
        facts.append((_("Note on the reason"), planting.reason_note))
    facts.append((_("Responsible party"), planting.responsible))
    return facts


def inspection_state(planting: Planting, last: Inspection | None, today) -> str:
    """The latest survival and when the next inspection is due, in a sentence."""
    due = plantings.next_inspection_due(planting, last.inspected_on if last else None)
    if due < today:
        days = (today - due).days
        return ngettext(
            "Overdue for inspection by %(count)s day: it was due on %(date)s.",
            "Overdue for inspection by %(count)s days: it was due on %(date)s.",
            days,
        ) % {"count": format_number(days), "date": date_format(due)}
    return _("The next inspection is due by %(date)s.") % {"date": date_format(due)}


@require_safe
def planting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    planting = get_object_or_404(Planting.objects.select_related("district", "city"), pk=pk)
    last = planting.inspections.order_by("-inspected_on", "-pk").first()
    config = map_config(request, planting.city, [planting.district] if planting.district else [])
    features = [planting_feature(planting)]
    if planting.felled_place is not None:
        features.append(
            feature(
                planting.felled_place,
                title=_("Where trees were felled"),
                details=[date_format(planting.felled_on)] if planting.felled_on else [],
                style=FELLED_STYLE,
                kind="felled",
            )
        )
    config["features"] = features
    survival = (
        _("%(alive)s of %(count)s trees alive at the latest inspection, on %(date)s: %(share)s survive.")
        % {
            "alive": format_number(last.alive),
            "count": format_number(planting.count),
            "date": date_format(last.inspected_on),
            "share": format_share(last.alive / planting.count),
        }
        if last
        else _("Not yet inspected: its survival is not known.")
    )
    legend_entries = [{"title": planting.get_reason_display(), "style": reason_style(planting.reason)}]
    if planting.felled_place is not None:
        legend_entries.append({"title": _("Where trees were felled"), "style": FELLED_STYLE})
    context = {
        "planting": planting,
        "title": planting_title(planting),
        "facts": planting_facts(planting),
        "where": where_text(planting),
        "inspections": inspection_rows(planting),
        "survival": survival,
        "state": inspection_state(planting, last, timezone.localdate()),
        "map_config": config,
        "legend": legend_entries,
        "can_change": request.user.has_perm("parks.change_planting"),
        "can_inspect": request.user.has_perm("parks.add_inspection"),
    }
    return render(request, "parks/plantings/detail.html", context)


# Drawing a planting ------------------------------------------------------------------------------------------


def editor_config(request: HttpRequest, city: City) -> dict[str, Any]:
    """What static/js/planting_editor.js needs (no URL or text in the script)."""
    config = map_config(request, city)
    config.update(
        {
            "styles": {"planting": PLANTING_STYLE, "felled": FELLED_STYLE},
            "geoman": geoman_strings(),
        }
    )
    config["strings"].update(
        {
            "updated": _("The planting was updated."),
            "emptied": _("The planting is empty: draw it on the map."),
            "replaced": _("A planting is one point or one line: the earlier one was replaced."),
            "unreadable": _("This GeoJSON cannot be read; the map shows the last shape that could."),
            "felledSet": _("The place where the trees were felled was marked."),
            "felledEmptied": _("The place where the trees were felled was removed."),
            "felledTitle": _("Where trees were felled"),
            "drawPlanting": _("Draw the planting: a point, or a line for a row of trees."),
            "drawFelled": _("Click the map where the trees were felled."),
        }
    )
    return config


def render_planting_form(request: HttpRequest, form: PlantingForm, planting: Planting | None, city: City):
    context = {
        "form": form,
        "planting": planting,
        "title": planting_title(planting) if planting else "",
        "editor_config": editor_config(request, city),
    }
    return render(request, "parks/plantings/edit.html", context)


def saved_message(planting: Planting) -> str:
    if planting.district is not None:
        return _("The planting was saved, in %(district)s.") % {"district": planting.district.localized_name}
    return _("The planting was saved; it lies outside the city's districts.")


@planting_editor("parks.add_planting")
@require_http_methods(["GET", "POST"])
def planting_create(request: HttpRequest) -> HttpResponse:
    city = the_city()
    form = PlantingForm(request.POST if request.method == "POST" else None, instance=Planting(city=city))
    if request.method == "POST" and form.is_valid():
        try:
            planting = plantings.save_planting(form.save(commit=False), user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, saved_message(planting))
            return redirect(planting)
    return render_planting_form(request, form, None, city)


@planting_editor("parks.change_planting")
@require_http_methods(["GET", "POST"])
def planting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    planting = get_object_or_404(Planting.objects.select_related("city"), pk=pk)
    # The form works on its own copy: a refused form leaves ``planting`` (the heading) as saved.
    form = PlantingForm(request.POST if request.method == "POST" else None, instance=Planting.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect(planting)
        try:
            saved = plantings.save_planting(form.save(commit=False), user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, saved_message(saved))
            return redirect(saved)
    return render_planting_form(request, form, planting, planting.city)


# Inspections -------------------------------------------------------------------------------------------------


@planting_editor("parks.add_inspection")
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest, pk: int) -> HttpResponse:
    planting = get_object_or_404(Planting.objects.select_related("district"), pk=pk)
    form = InspectionForm(request.POST if request.method == "POST" else None, instance=Inspection(planting=planting))
    if request.method == "POST" and form.is_valid():
        try:
            inspection = plantings.record_inspection(form.save(commit=False), user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The inspection was recorded: %(alive)s of %(count)s trees alive (%(share)s).")
                % {
                    "alive": format_number(inspection.alive),
                    "count": format_number(planting.count),
                    "share": format_share(inspection.alive / planting.count),
                },
            )
            return redirect(planting)
    context = {"form": form, "planting": planting, "title": planting_title(planting)}
    return render(request, "parks/plantings/inspection.html", context)


# Import ------------------------------------------------------------------------------------------------------


@planting_editor("parks.add_planting", "parks.add_inspection")
@require_http_methods(["GET", "POST"])
def planting_import(request: HttpRequest) -> HttpResponse:
    city = the_city()
    form = PlantingImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        if upload.size > MAX_BYTES:
            form.add_error("file", too_large(upload.size))
        else:
            report = import_plantings(upload.read(), city, user=request.user, dry_run=dry_run)
            if report.ok and not dry_run:
                messages.success(request, report.summary())
                return redirect("parks:plantings")
    context = {
        "form": form,
        "report": report,
        "columns": COLUMNS,
        "max_rows": format_number(MAX_ROWS),
    }
    return render(request, "parks/plantings/import.html", context)
