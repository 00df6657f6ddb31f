"""What everyone sees of projects: the list, a project's page, works near a place, the yearly figures."""

import csv
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from gis_data.formats import format_area, format_length, format_number
from gis_data.maps import district_outlines, feature, map_base
from gis_data.models import District, GreenArea
from gis_data.packs import current_city
from photos.models import Photo
from photos.services import photo_pairs, unpaired_photos
from projects import figures
from projects.figures import FIGURES, FigureRow
from projects.filters import ProjectFilterForm
from projects.models import Project
from projects.near import NearForm, distance_label

PAGE_SIZE = 25
# The related items of a project page: parks this close to the project, and other projects this close.
PARKS_WITHIN_M = 300
PROJECTS_WITHIN_M = 500
RELATED_LIMIT = 10
# "Works near me" lists this many at most, nearest first; a wider search is the project list's job.
NEAR_LIMIT = 100
# Map colours of the project pages, shared with static/js/project_map.js through the page's config.
POINT_COLOUR = "#1d4ed8"


# Formatting, in the number format of the active language.


def format_budget(amount: Any) -> str:
    return _("%(amount)s ₸") % {"amount": format_number(amount)}


def format_distance(metres: float) -> str:
    """A distance to the nearest ten metres: a point picked on a map or given by a phone is no more precise."""
    return _("%(value)s m") % {"value": format_number(round(metres, -1))}


def measure_text(project: Project) -> str:
    """A project's length or area, as the list and the project page show it; "" for points."""
    if project.length_m:
        return format_length(project.length_m)
    if project.area_m2:
        return format_area(project.area_m2)
    return ""


def in_language(obj: object, field: str) -> tuple[str, str]:
    """``field`` in the active language, else in the first language that has it, with that language's code.

    The code goes into a ``lang`` attribute, so that a screen reader reads a
    Russian title on the Kazakh page as Russian.
    """
    active = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    for code in (active, *(code for code, _name in settings.LANGUAGES)):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value, code
    return "", active


@dataclass
class ProjectCard:
    """A project as the list and "works near me" show it, with its texts formatted in the active language."""

    project: Project
    title: str
    title_lang: str
    measure: str
    budget: str
    distance: str = ""

    @classmethod
    def of(cls, project: Project) -> "ProjectCard":
        title, lang = in_language(project, "title")
        distance = getattr(project, "distance", None)
        return cls(
            project=project,
            title=title,
            title_lang=lang,
            measure=measure_text(project),
            budget=format_budget(project.budget) if project.budget is not None else "",
            distance=format_distance(distance.m) if distance is not None else "",
        )


def listed_projects(request: HttpRequest):
    """The projects the user may see, with what the list shows of each fetched in a fixed number of queries."""
    return (
        Project.objects.visible_to(request.user)
        .select_related("category")
        .prefetch_related(Prefetch("districts", queryset=District.objects.order_by("name")))
        # The list never shows the description; a long one in three languages is not worth sending.
        .defer("description_kk", "description_ru", "description_en")
    )


# Maps: the project pages draw small Leaflet maps from a JSON config (static/js/project_map.js).


# Compass points for a photo's viewing direction, clockwise from north in steps of 45°.
COMPASS = (
    gettext_lazy("north"),
    gettext_lazy("north-east"),
    gettext_lazy("east"),
    gettext_lazy("south-east"),
    gettext_lazy("south"),
    gettext_lazy("south-west"),
    gettext_lazy("west"),
    gettext_lazy("north-west"),
)


def photo_label(photo: Photo) -> str:
    taken = date_format(photo.taken_on)
    if photo.bearing is None:
        label = _("Photo taken here on %(date)s") % {"date": taken}
    else:
        direction = COMPASS[round(photo.bearing / 45) % 8]
        label = _("Photo taken here on %(date)s, looking %(direction)s") % {"date": taken, "direction": direction}
    return f"{label}: {photo.caption}" if photo.caption else label


def photo_points(photos: list[Photo]) -> list[dict[str, Any]]:
    """The photos with a place, as the map draws them: a point and, when known, the direction it looks."""
    return [
        {
            "lat": photo.location.y,
            "lng": photo.location.x,
            "bearing": photo.bearing,
            "label": photo_label(photo),
            "thumbnail": photo.thumbnail.url if photo.thumbnail else "",
            "phase": photo.phase,
        }
        for photo in photos
        if photo.location is not None
    ]


# The pages.


@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(request.GET)
    if form.is_valid():
        page = Paginator(form.filter(listed_projects(request)), PAGE_SIZE).get_page(request.GET.get("page"))
        cards = [ProjectCard.of(project) for project in page]
        page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    else:
        # A filter that does not parse (a year that is not offered, a deleted category) is said, not guessed at.
        page, cards, page_range = None, [], []
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "cards": cards,
        "can_add": request.user.has_perm("projects.add_project"),
    }
    return render(request, "projects/list.html", context)


@require_safe
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Drafts answer 404 to those who may not change projects, as if they did not exist.
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("category").prefetch_related("districts"), pk=pk
    )
    title, title_lang = in_language(project, "title")
    description, description_lang = in_language(project, "description")
    districts = list(project.districts.all())
    photos = list(Photo.objects.of(project))
    timeline = list(project.status_changes.all())
    parks = [
        {"park": park, "distance": format_distance(park.distance.m)}
        for park in GreenArea.objects.near(project.geom, PARKS_WITHIN_M)[:RELATED_LIMIT]
    ]
    nearby = [
        ProjectCard.of(other)
        for other in Project.objects.published()
        .exclude(pk=project.pk)
        .near(project.geom, PROJECTS_WITHIN_M)
        .select_related("category")[:RELATED_LIMIT]
    ]

    proposals = residents_proposals(project, request.user)

    map_config = map_base(current_city(), request)
    map_config.update(
        {
            "outlines": district_outlines(districts),
            "features": [feature(project.geom, title=title, color=project.category.color)],
            "photos": photo_points(photos),
        }
    )
    can_change = request.user.has_perm("projects.change_project")
    context = {
        "project": project,
        "title": title,
        "title_lang": title_lang,
        "description": description,
        "description_lang": description_lang,
        "districts": districts,
        "measure": measure_text(project),
        "budget": format_budget(project.budget) if project.budget is not None else "",
        "timeline": timeline,
        "pairs": photo_pairs(project),
        "other_photos": unpaired_photos(project),
        "parks": parks,
        "parks_within": distance_label(PARKS_WITHIN_M),
        "nearby": nearby,
        "projects_within": distance_label(PROJECTS_WITHIN_M),
        "map_config": map_config,
        "can_change": can_change,
        "proposals": proposals,
        "about_key": f"projects.project:{project.pk}",
    }
    return render(request, "projects/detail.html", context)


def residents_proposals(project: Project, user) -> list:
    """The proposals that ``user`` may see which this project implemented or which are about it, newest first."""
    from participation.models import Proposal  # participation builds on projects, not the other way round

    about = Proposal.objects.filter(subject_type=ContentType.objects.get_for_model(Project), subject_id=project.pk)
    return list(
        (Proposal.objects.filter(implemented_by=project) | about)
        .visible_to(user)
        .select_related("category")
        .distinct()
        .order_by("-created_at")[:RELATED_LIMIT]
    )


@require_safe
def works_near(request: HttpRequest) -> HttpResponse:
    city = current_city()
    # A first visit shows the form with its defaults; any query string is a search, checked in full.
    form = NearForm(request.GET or None, city=city)
    point = None
    cards: list[ProjectCard] = []
    more = False
    if form.is_bound and form.is_valid():
        point = form.cleaned_data["point"]
    if point is not None:
        data = form.cleaned_data
        found = list(
            listed_projects(request)
            .active_between(data["start"], data["end"])
            .near(point, data["distance"])[: NEAR_LIMIT + 1]
        )
        more = len(found) > NEAR_LIMIT
        cards = [ProjectCard.of(project) for project in found[:NEAR_LIMIT]]

    map_config = map_base(city, request)
    map_config.update(
        {
            "outlines": district_outlines(District.objects.order_by("name")),
            "features": [
                feature(
                    card.project.geom,
                    title=card.title,
                    url=card.project.get_absolute_url(),
                    color=card.project.category.color,
                )
                for card in cards
            ],
            "picker": {
                "latitude": form["latitude"].auto_id,
                "longitude": form["longitude"].auto_id,
                "distance": form["distance"].auto_id,
                "locate": "near-locate",
                "status": "near-locate-status",
                "point": [point.y, point.x] if point is not None else None,
                "radius": form.cleaned_data["distance"] if point is not None else None,
                "color": POINT_COLOUR,
            },
        }
    )
    map_config["strings"].update(
        {
            "chosenPoint": _("The chosen point"),
            "locating": _("Finding your location…"),
            "located": _("Your location is filled in. Press “Search” to see the works near it."),
            "locateFailed": _(
                "Your location could not be found. Type the coordinates or pick a point on the map instead."
            ),
            "picked": _("Point chosen on the map. Press “Search” to see the works near it."),
        }
    )
    context = {
        "city": city,
        "form": form,
        "point": point,
        "cards": cards,
        "more": more,
        "distance_text": distance_label(form.cleaned_data["distance"]) if point is not None else "",
        "period_start": form.cleaned_data["start"] if point is not None else None,
        "period_end": form.cleaned_data["end"] if point is not None else None,
        "near_limit": NEAR_LIMIT,
        "map_config": map_config,
    }
    return render(request, "projects/near.html", context)


class FiguresForm(forms.Form):
    """The district whose figures the page and the CSV show; none means the whole city."""

    district = forms.ModelChoiceField(label=gettext_lazy("District"), queryset=District.objects.all(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].empty_label = _("The whole city")
        self.fields["district"].label_from_instance = lambda district: district.localized_name


def figure_rows(district: District | None) -> list[FigureRow]:
    """The yearly figures of the city, or of one district, oldest year first (as a chart reads)."""
    return sorted(figures.yearly_figures(district=district), key=lambda row: row.year)


def figure_value(key: str, value: float) -> float:
    """A figure as a plain number for the chart: kilometres to the metre, square metres and counts whole."""
    return round(value, 3) if key.endswith("_km") else round(value)


def format_figure(key: str, value: float) -> str:
    """A figure as the table shows it: kilometres with two decimals, the rest whole, grouped as the language does."""
    return format_number(value, 2) if key.endswith("_km") else format_number(value)


@require_safe
def yearly_figures(request: HttpRequest) -> HttpResponse:
    form = FiguresForm(request.GET)
    district = form.cleaned_data["district"] if form.is_valid() else None
    rows = figure_rows(district) if form.is_valid() else []
    table = [
        {"year": row.year, "cells": [format_figure(key, getattr(row, key)) for key, _label in FIGURES]} for row in rows
    ]
    city = current_city()
    place = district.localized_name if district else (city.name if city else _("the whole city"))
    # Filled in by static/js/figures.js for the figure the chart shows; the first one to begin with.
    chart_label = _("Bar chart of %(figure)s per year, %(place)s. The table below gives the same numbers.")
    chart_config = {
        "years": [row.year for row in rows],
        "series": [
            {"key": key, "label": str(label), "values": [figure_value(key, getattr(row, key)) for row in rows]}
            for key, label in FIGURES
        ],
        "strings": {"chartLabel": chart_label, "place": place},
    }
    context = {
        "form": form,
        "district": district,
        "figures": FIGURES,
        "table": table,
        "chart_config": chart_config,
        "chart_label": chart_label % {"figure": FIGURES[0][1], "place": place} if FIGURES else "",
        "place": place,
    }
    return render(request, "projects/figures.html", context)


@require_safe
def yearly_figures_csv(request: HttpRequest) -> HttpResponse:
    """The yearly figures as CSV: comma-separated, UTF-8 with a byte-order mark, plain numbers.

    The byte-order mark is there for Excel, which otherwise reads UTF-8 as the
    local code page and garbles Kazakh and Russian headers; LibreOffice, pandas,
    QGIS and Python's ``csv`` with ``utf-8-sig`` read it as they would without.
    Numbers carry no grouping and a "." decimal point, whatever the page's
    language: kilometres to three decimals (the metre), the rest whole.
    """
    form = FiguresForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["district"]), content_type="text/plain; charset=utf-8")
    district = form.cleaned_data["district"]
    filename = f"qala-yearly-figures-district-{district.pk}.csv" if district else "qala-yearly-figures.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    csv.writer(response).writerows(figures.figures_csv_rows(figure_rows(district), by_district=district is not None))
    return response
