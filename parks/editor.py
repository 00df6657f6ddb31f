"""What urbanists edit: a park's names, state, boundary and entrances on the web map, its photos and its history.

Every view here needs a logged-in user with the parks permissions of the
urbanist role (accounts.roles); anyone else is shown a page that says why,
with status 403. Moderators may read the history but not restore it. Writes
go through parks.services, so the boundary and entrances pass the same rules
as an import or the admin, the district and area are derived again, and the
history says who changed what; photos go through the photos app. Parks are
not deleted here: a park that closes is marked so (its state).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from gis_data.editing import add_errors, geoman_strings
from gis_data.formats import format_area, format_moment
from gis_data.history import HISTORY_KINDS, Change, describe_changes, vertices_text
from gis_data.models import City
from gis_data.packs import current_city
from gis_data.views import reference_layers
from parks import services
from parks.forms import ParkForm
from parks.models import Park
from photos.editing import manage_photos

View = Callable[..., HttpResponse]

# The fields of a park that its history compares, in the order of the form; the district follows the boundary.
HISTORY_FIELDS = (
    "name_kk",
    "name_ru",
    "name_en",
    "description_kk",
    "description_ru",
    "description_en",
    "state",
    "boundary",
    "entrances",
    "district",
)
# Drawn under the park on the editor's map: the parks there are already, the pack's green areas, and what
# a park's edge follows (rivers, streets).
EDITOR_REFERENCE_LAYERS = ("districts", "green_areas", "parks", "waterways", "streets", "main_roads")


def editor_view(*permissions: str) -> Callable[[View], View]:
    """Log-in first (anonymous visitors go to the log-in page); then every permission, or a 403 page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perms(permissions):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "parks/editor/forbidden.html", status=403)


# The park form and its map ---------------------------------------------------------------------------------


def entrance_points(park: Park | None) -> list[dict[str, float]]:
    if park is None or park.entrances is None:
        return []
    return [{"lat": point.y, "lon": point.x} for point in park.entrances]


def editor_config(request: HttpRequest, city: City) -> dict[str, Any]:
    """What static/js/park_editor.js needs, embedded in the page as JSON (no URL or text in the script)."""
    west, south, east, north = city.extent.extent
    return {
        "center": [city.center.y, city.center.x],
        "zoom": city.default_zoom,
        "bounds": [[south, west], [north, east]],
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "reference": reference_layers(request, EDITOR_REFERENCE_LAYERS),
        "geoman": geoman_strings(),
        "strings": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "boundaryUpdated": _("The boundary was updated."),
            "boundaryEmptied": _("The boundary is empty: draw the park on the map."),
            "entrancesUpdated": _("The entrances were updated."),
            "unreadable": _("This GeoJSON cannot be read; the map shows the last shape that could."),
            "boundarySummary": _("Polygons in the boundary: %(polygons)s; vertices: %(vertices)s."),
            "noBoundary": _("No boundary is drawn yet."),
            "entrance": _("Entrance %(number)s: latitude %(lat)s, longitude %(lon)s"),
            "entranceMarker": _("Entrance %(number)s"),
        },
    }


def derived_figures(park: Park | None) -> list[tuple[str, str]]:
    """What was derived from a saved park's boundary, and where it came from, as label and value."""
    if park is None or park.pk is None:
        return []
    figures = [
        (_("Area"), format_area(park.area_m2)),
        (_("District"), park.district.localized_name if park.district_id else _("none (outside every district)")),
        (_("State"), park.get_state_display()),
    ]
    if park.osm_id is not None:
        source = park.source.attribution if park.source_id else ""
        figures.append(
            (_("Imported from"), f"OpenStreetMap {park.osm_type}/{park.osm_id}" + (f" ({source})" if source else ""))
        )
    return figures


def render_editor(request: HttpRequest, form: ParkForm, park: Park | None, city: City) -> HttpResponse:
    context = {
        "form": form,
        "park": park,
        "derived": derived_figures(park),
        "entrance_list": entrance_points(park),
        "entrance_metres": services.ENTRANCE_METRES,
        "editor_config": editor_config(request, city),
        "active": "edit",
    }
    return render(request, "parks/editor/edit.html", context)


def tell_repair(request: HttpRequest, form: ParkForm) -> None:
    if form.repair_reason:
        messages.warning(request, _("The boundary was repaired: %(reason)s") % {"reason": form.repair_reason})


@editor_view("parks.add_park")
@require_http_methods(["GET", "POST"])
def park_create(request: HttpRequest) -> HttpResponse:
    city = current_city()
    if city is None:
        return render(request, "parks/editor/no_city.html", status=409)
    form = ParkForm(request.POST if request.method == "POST" else None, instance=Park(city=city), city=city)
    if request.method == "POST" and form.is_valid():
        try:
            park = services.save_park(form.save(commit=False), user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            tell_repair(request, form)
            messages.success(request, _("The park “%(name)s” was created.") % {"name": park.name})
            return redirect("parks:detail", pk=park.pk)
    return render_editor(request, form, None, city)


@editor_view("parks.change_park")
@require_http_methods(["GET", "POST"])
def park_edit(request: HttpRequest, pk: int) -> HttpResponse:
    park = get_object_or_404(Park.objects.select_related("city", "district", "source"), pk=pk)
    # The form works on its own copy: a refused form leaves ``park`` (the heading, the figures) as saved.
    copy = Park.objects.select_related("city").get(pk=pk)
    form = ParkForm(request.POST if request.method == "POST" else None, instance=copy, city=park.city)
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect("parks:edit", pk=park.pk)
        try:
            services.save_park(form.save(commit=False), user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            tell_repair(request, form)
            messages.success(request, _("The changes were saved."))
            return redirect("parks:detail", pk=park.pk)
    return render_editor(request, form, park, park.city)


# Photos ----------------------------------------------------------------------------------------------------


@editor_view("parks.change_park", "photos.view_photo")
@require_http_methods(["GET", "POST"])
def park_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """The park's photos: upload, edit one (phase, before/after pair, caption...), delete one after a confirmation."""
    park = get_object_or_404(Park.objects.select_related("city"), pk=pk)
    page = manage_photos(
        request,
        park,
        city=park.city,
        page_url=reverse("parks:photos", args=[park.pk]),
        forbidden=forbidden,
    )
    if isinstance(page, HttpResponse):
        return page
    return render(request, "parks/editor/photos.html", {"park": park, "active": "photos", **page})


# History ---------------------------------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    """One saved version of the park."""

    record: Any
    kind: str
    changes: list[Change]
    is_current: bool
    area: str


def boundary_summary(record: Any) -> str:
    """A version's boundary in words: its area (derived when it was saved), and its parts and vertices."""
    if record.boundary is None or record.boundary.empty:
        return "—"
    parts = len(record.boundary)
    text = f"{format_area(record.area_m2)}, {vertices_text(record.boundary)}"
    if parts > 1:
        text += ", " + ngettext("%(count)s part", "%(count)s parts", parts) % {"count": number_format(parts)}
    return text


def entrances_summary(record: Any) -> str:
    if record.entrances is None or record.entrances.empty:
        return _("none")
    count = len(record.entrances)
    return ngettext("%(count)s entrance", "%(count)s entrances", count) % {"count": number_format(count)}


def park_changes(park: Park, new: Any, old: Any) -> list[Change]:
    shown = {"boundary": boundary_summary, "entrances": entrances_summary}
    return describe_changes(Park, HISTORY_FIELDS, new, old, metric_srid=park.city.metric_srid, shown=shown)


def when(record: Any) -> str:
    return format_moment(record.history_date)


@editor_view("parks.view_historicalpark")
@require_http_methods(["GET"])
def park_history(request: HttpRequest, pk: int) -> HttpResponse:
    park = get_object_or_404(Park.objects.select_related("city"), pk=pk)
    records = list(park.history.select_related("history_user", "district").order_by("-history_date", "-history_id"))
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = park_changes(park, record, older) if older is not None else []
        kind = HISTORY_KINDS.get(record.history_type, "")
        entries.append(HistoryEntry(record, kind, changes, index == 0, format_area(record.area_m2)))
    context = {
        "park": park,
        "entries": entries,
        "can_restore": request.user.has_perm("parks.change_park"),
        "active": "history",
    }
    return render(request, "parks/editor/history.html", context)


@editor_view("parks.change_park", "parks.view_historicalpark")
@require_http_methods(["GET", "POST"])
def park_restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    park = get_object_or_404(Park.objects.select_related("city"), pk=pk)
    record = get_object_or_404(park.history.select_related("history_user"), history_id=history_id)
    current = park.history.order_by("-history_date", "-history_id").first()
    if request.method == "POST":
        try:
            services.restore_park(park, record.history_id, request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The park's version of %(date)s was restored.") % {"date": when(record)})
        return redirect("parks:history", pk=park.pk)
    is_current = current is not None and current.history_id == record.history_id
    changes = [] if is_current or current is None else park_changes(park, record, current)
    context = {
        "park": park,
        "record": record,
        "changes": changes,
        "is_current": is_current,
        "active": "history",
    }
    return render(request, "parks/editor/restore.html", context)
