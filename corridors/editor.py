"""What urbanists edit: corridors, their segments drawn on the web map, their photos and history.

Every view here needs a logged-in user with the corridors permissions of the
urbanist role (accounts.roles); anyone else is shown a page that says why,
with status 403. Moderators may read the history but not restore it. Writes
go through corridors.services, so every derived figure (length, profile,
what a segment follows, landscape type, the corridor's sums) is computed
again and the history says who changed what; photos go through the photos app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridors import services, trajectory
from corridors.forms import CorridorForm, SegmentForm
from corridors.models import Corridor, Segment
from gis_data import history
from gis_data.editing import add_errors, geoman_strings

# Generic editor helpers, shared with the project editor rather than written twice.
from gis_data.formats import format_metres, format_moment, format_share
from gis_data.history import HISTORY_KINDS, Change, vertices_text
from gis_data.models import City, GreenArea, PopulatedPlace
from gis_data.packs import current_city
from gis_data.views import reference_layers
from photos.editing import manage_photos

View = Callable[..., HttpResponse]

# The fields of a corridor that its history compares, in the order of the form. Its figures are not among
# them: they are sums over the segments, written without a version of their own (corridors.measures).
CORRIDOR_HISTORY_FIELDS = (
    "name_kk",
    "name_ru",
    "name_en",
    "description_kk",
    "description_ru",
    "description_en",
    "kind",
    "status",
    "is_published",
)
# The same for a segment; the line is told by its length and vertices.
SEGMENT_HISTORY_FIELDS = (
    "name",
    "position",
    "geom",
    "mode",
    "status",
    "width_m",
    "surface",
    "lighting",
    "landscape_override",
    "landscape_reason",
    "landscape_derived",
    "follows_name",
)
# The layers drawn under the segment editor's map: what a corridor follows or links.
EDITOR_REFERENCE_LAYERS = ("green_areas", "waterways", "railways", "streets", "main_roads")
# Green areas a trajectory may end at, as the network counts a park reached.
PARK_KINDS = ("park", "garden", "recreation_ground")


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
    return render(request, "corridors/forbidden.html", status=403)


def render_corridor(request: HttpRequest, form: CorridorForm, corridor: Corridor | None) -> HttpResponse:
    segments = list(corridor.segments.order_by("position", "pk")) if corridor is not None else []
    context = {"form": form, "corridor": corridor, "segments": segments, "active": "edit"}
    return render(request, "corridors/edit.html", context)


@editor_view("corridors.add_corridor")
@require_http_methods(["GET", "POST"])
def corridor_create(request: HttpRequest) -> HttpResponse:
    form = CorridorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            corridor = services.create_corridor(form.save(commit=False), user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The corridor “%(name)s” was created: draw its first segment.") % {"name": corridor.name},
            )
            return redirect("corridors:segment_create", pk=corridor.pk)
    return render_corridor(request, form, None)


@editor_view("corridors.change_corridor")
@require_http_methods(["GET", "POST"])
def corridor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    corridor = get_object_or_404(Corridor, pk=pk)
    # The form works on its own copy: a refused form leaves ``corridor`` (the heading, the tabs) as saved.
    form = CorridorForm(request.POST if request.method == "POST" else None, instance=Corridor.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect("corridors:edit", pk=corridor.pk)
        try:
            services.update_corridor(form.save(commit=False), user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("corridors:edit", pk=corridor.pk)
    return render_corridor(request, form, corridor)


@editor_view("corridors.change_corridor")
@require_POST
def corridor_publish(request: HttpRequest, pk: int) -> HttpResponse:
    corridor = get_object_or_404(Corridor, pk=pk)
    published = request.POST.get("published") == "1"
    services.set_published(corridor, published, user=request.user)
    if published:
        messages.success(request, _("The corridor is published: everyone can see it."))
    else:
        messages.success(request, _("The corridor is unpublished: only editors can see it."))
    return redirect("corridors:edit", pk=corridor.pk)


# Segments ----------------------------------------------------------------------------------------------------


@dataclass
class Choice:
    """A start or an end the trajectory suggestion offers: the feature's id, its name, where it is on the map."""

    pk: int
    name: str
    lon: float
    lat: float


def place_choices(city: City | None) -> list[Choice]:
    """The populated places a trajectory may start from (the suburbs: every place but the city itself)."""
    if city is None:
        return []
    places = PopulatedPlace.objects.filter(source__city=city).exclude(place="city")
    choices = [Choice(place.pk, str(place), place.geom.x, place.geom.y) for place in places]
    return sorted(choices, key=lambda choice: choice.name.casefold())


def park_choices(city: City | None) -> list[Choice]:
    """The named parks a trajectory may end at, each marked on the map at a point inside it."""
    if city is None:
        return []
    parks = (
        GreenArea.objects.filter(source__city=city, kind__in=PARK_KINDS)
        .exclude(name="", name_en="", name_ru="", name_kk="")
        .annotate(inside=PointOnSurface("geom"))
    )
    choices = [Choice(park.pk, str(park), park.inside.x, park.inside.y) for park in parks]
    return sorted(choices, key=lambda choice: choice.name.casefold())


def cost_surface_overlay(city: City | None) -> dict[str, Any] | None:
    """The cost surface as an optional image overlay: its URL and its bounds, or None when there is none."""
    if city is None:
        return None
    try:
        west, south, east, north = trajectory.cost_surface_bounds(city)
    except trajectory.TrajectoryError:
        return None
    return {"url": reverse("corridors:cost_surface"), "bounds": [[south, west], [north, east]]}


def segment_feature(segment: Segment) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [list(xy) for xy in segment.geom.coords]},
        "properties": {"name": str(segment), "position": segment.position + 1, "status": segment.status},
    }


def segment_editor_config(
    request: HttpRequest, city: City | None, corridor: Corridor, segment: Segment | None
) -> dict[str, Any]:
    """What static/js/corridor_editor.js needs, embedded in the page as JSON (no URL or text in the script)."""
    if city is not None:
        west, south, east, north = city.extent.extent
        view = {"center": [city.center.y, city.center.x], "zoom": city.default_zoom}
        bounds = [[south, west], [north, east]]
    else:
        view, bounds = {"center": [0, 0], "zoom": 2}, None
    others = corridor.segments.all()
    if segment is not None and segment.pk is not None:
        others = others.exclude(pk=segment.pk)
    return {
        **view,
        "bounds": bounds,
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "reference": reference_layers(request, EDITOR_REFERENCE_LAYERS),
        "others": {"type": "FeatureCollection", "features": [segment_feature(other) for other in others]},
        "suggest": reverse("corridors:suggest"),
        "costSurface": cost_surface_overlay(city),
        "geoman": geoman_strings(),
        "strings": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "otherSegments": _("Other segments of the corridor"),
            "costSurface": _("Cost surface of trajectory suggestions (darker costs more)"),
            "updated": _("The line was updated."),
            "emptied": _("The line is empty: draw the segment on the map."),
            "replaced": _("A segment is one line: the earlier line was replaced."),
            "unreadable": _("This GeoJSON cannot be read; the map shows the last line that could."),
            "pickStart": _("Click the map where the trajectory starts."),
            "pickEnd": _("Click the map where the trajectory ends."),
            "startPicked": _("Start: the point at %(lat)s, %(lon)s."),
            "endPicked": _("End: the point at %(lat)s, %(lon)s."),
            "noStart": _("Choose where the trajectory starts: a populated place, or a point picked on the map."),
            "noEnd": _("Choose where the trajectory ends: a park, or a point picked on the map."),
            "searching": _("Looking for a trajectory…"),
            "suggested": _(
                "A trajectory of %(length)s m was suggested, %(share)s %% of it along rivers, canals or disused "
                "railways, climbing %(climb)s m. It is drawn on the map as a draft: edit it, then save the segment."
            ),
            "suggestFailed": _("No trajectory could be suggested: the server did not answer. Try again."),
            "startMarker": _("Start of the trajectory"),
            "endMarker": _("End of the trajectory"),
        },
    }


def derived_figures(segment: Segment) -> list[tuple[str, str]]:
    """What was measured from a saved segment's line, as label and value, for the editor to show."""
    if segment.pk is None:
        return []
    if segment.follows:
        follows = _("%(name)s (%(kind)s), %(share)s of the length") % {
            "name": segment.follows_name or segment.get_follows_display(),
            "kind": segment.get_follows_display(),
            "share": format_share(segment.follows_share),
        }
    else:
        follows = _("no river, canal or railway")
    climb = (
        _("%(climb)s up, %(descent)s down")
        % {"climb": format_metres(segment.climb_m), "descent": format_metres(segment.descent_m)}
        if segment.climb_m is not None
        else _("not known (no elevation data)")
    )
    if segment.mean_grade is not None:
        grades = _("mean %(mean)s, steepest %(max)s") % {
            "mean": format_share(segment.mean_grade, 1),
            "max": format_share(segment.max_grade, 1),
        }
    else:
        grades = "—"
    landscape = segment.get_landscape_display() or "—"
    if segment.landscape_override:
        landscape = _("%(landscape)s, set by hand (derived: %(derived)s)") % {
            "landscape": landscape,
            "derived": segment.get_landscape_derived_display() or "—",
        }
    figures = [
        (_("Length"), format_metres(segment.length_m)),
        (_("Landscape type"), landscape),
        (_("Share inside urban blocks"), format_share(segment.urban_share)),
        (_("Follows"), follows),
        (_("Climb"), climb),
        (_("Grade"), grades),
        (_("Districts"), ", ".join(district.localized_name for district in segment.districts.all()) or "—"),
    ]
    if segment.dem_gap_m:
        figures.append((_("Length without elevation data"), format_metres(segment.dem_gap_m)))
    return figures


def render_segment(
    request: HttpRequest, corridor: Corridor, form: SegmentForm | None, segment: Segment | None, **extra: Any
) -> HttpResponse:
    city = current_city()
    context = {
        "corridor": corridor,
        "segment": segment,
        "form": form,
        "derived": derived_figures(segment) if segment is not None else [],
        "editor_config": segment_editor_config(request, city, corridor, segment),
        "places": place_choices(city),
        "parks": park_choices(city),
        "active": "edit",
        **extra,
    }
    return render(request, "corridors/segment_edit.html", context)


def saved_message(segment: Segment) -> str:
    """What the urbanist is told after a save: the figures measured from the line."""
    parts = [format_metres(segment.length_m)]
    if segment.landscape:
        parts.append(_("%(landscape)s landscape") % {"landscape": segment.get_landscape_display()})
    if segment.follows:
        follows = segment.follows_name or segment.get_follows_display()
        share = format_share(segment.follows_share)
        parts.append(_("along %(follows)s for %(share)s") % {"follows": follows, "share": share})
    return _("The segment was saved: %(figures)s.") % {"figures": ", ".join(parts)}


@editor_view("corridors.change_corridor", "corridors.add_segment")
@require_http_methods(["GET", "POST"])
def segment_create(request: HttpRequest, pk: int) -> HttpResponse:
    corridor = get_object_or_404(Corridor, pk=pk)
    form = SegmentForm(request.POST if request.method == "POST" else None, instance=Segment(corridor=corridor))
    if request.method == "POST" and form.is_valid():
        try:
            segment = services.save_segment(form.save(commit=False), user=request.user, position=form.position)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, saved_message(segment))
            return redirect("corridors:segment_edit", pk=segment.pk)
    return render_segment(request, corridor, form, None)


@editor_view("corridors.change_segment")
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    segment = get_object_or_404(Segment.objects.select_related("corridor"), pk=pk)
    corridor = segment.corridor
    form = SegmentForm(request.POST if request.method == "POST" else None, instance=Segment.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect("corridors:segment_edit", pk=segment.pk)
        changed = set(form.changed_data)
        try:
            # One version for the fields, one for a move ("Moved to place 2"): not a copy for each.
            with transaction.atomic():
                saved = form.save(commit=False)
                if changed - {"order"}:
                    saved = services.save_segment(saved, user=request.user)
                if "order" in changed and form.position is not None:
                    saved = services.move_segment(saved, form.position, user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            saved.refresh_from_db()
            messages.success(request, saved_message(saved))
            return redirect("corridors:segment_edit", pk=segment.pk)
    return render_segment(request, corridor, form, segment)


@editor_view("corridors.delete_segment")
@require_http_methods(["GET", "POST"])
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A GET asks for a confirmation; the POST deletes (the segment stays in the history, to be brought back)."""
    segment = get_object_or_404(Segment.objects.select_related("corridor"), pk=pk)
    corridor = segment.corridor
    if request.method == "POST":
        name = str(segment)
        services.delete_segment(segment, user=request.user)
        messages.success(
            request,
            _("The segment “%(name)s” was deleted; the history can bring it back.") % {"name": name},
        )
        return redirect("corridors:edit", pk=corridor.pk)
    return render_segment(request, corridor, None, segment, confirm_delete=True)


# Photos ------------------------------------------------------------------------------------------------------


@editor_view("corridors.change_corridor", "photos.view_photo")
@require_http_methods(["GET", "POST"])
def corridor_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """The corridor's photos: upload, edit one (phase, pair, caption, ...), delete one after a confirmation."""
    corridor = get_object_or_404(Corridor, pk=pk)
    page = manage_photos(
        request,
        corridor,
        city=current_city(),
        page_url=reverse("corridors:photos", args=[corridor.pk]),
        forbidden=forbidden,
    )
    if isinstance(page, HttpResponse):
        return page
    return render(request, "corridors/photos.html", {"corridor": corridor, "active": "photos", **page})


# History -----------------------------------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    """One saved version of the corridor or of one of its segments."""

    record: Any
    subject: str
    kind: str
    changes: list[Change]
    is_current: bool = False
    is_segment: bool = False
    restore_url: str = ""
    restore_label: str = ""
    notes: list[str] = field(default_factory=list)


def line_summary(record: Any) -> str:
    """A segment's line in words, as a version recorded it: its length (derived when saved) and its vertices."""
    if record.geom is None or record.geom.empty:
        return "—"
    return f"{format_metres(record.length_m)}, {vertices_text(record.geom)}"


# How a segment's version shows what the history compares differently from the shared defaults.
SEGMENT_SHOWN = {
    "geom": line_summary,
    "position": lambda record: number_format(record.position + 1),
    "length_m": lambda record: format_metres(record.length_m),
}


def describe_changes(model: type[Model], fields: tuple[str, ...], new: Any, old: Any) -> list[Change]:
    """What differs between two historical records of a corridor or a segment, field by field, in the form's order."""
    labels = {"position": capfirst(_("place in the corridor"))}
    return history.describe_changes(model, fields, new, old, shown=SEGMENT_SHOWN, labels=labels)


def segment_subject(record: Any) -> str:
    place = record.position + 1
    if record.name:
        return _("Segment %(place)s, “%(name)s”") % {"place": place, "name": record.name}
    return _("Segment %(place)s") % {"place": place}


def newest_first(record: Any) -> tuple:
    return (record.history_date, record.history_id)


def corridor_entries(corridor: Corridor, can_restore: bool) -> list[HistoryEntry]:
    records = list(corridor.history.select_related("history_user").order_by("-history_date", "-history_id"))
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = describe_changes(Corridor, CORRIDOR_HISTORY_FIELDS, record, older) if older is not None else []
        entry = HistoryEntry(record, _("The corridor"), HISTORY_KINDS.get(record.history_type, ""), changes)
        entry.is_current = index == 0
        if can_restore and not entry.is_current:
            entry.restore_url = reverse("corridors:restore", args=[corridor.pk, record.history_id])
            entry.restore_label = _("Restore this version of the corridor")
        entries.append(entry)
    return entries


def segment_entries(corridor: Corridor, can_restore: bool) -> list[HistoryEntry]:
    """The versions of the corridor's segments, those deleted since included."""
    records = list(Segment.history.filter(corridor_id=corridor.pk).select_related("history_user"))
    existing = set(corridor.segments.values_list("pk", flat=True))
    by_segment: dict[int, list[Any]] = {}
    for record in sorted(records, key=newest_first, reverse=True):
        by_segment.setdefault(record.id, []).append(record)
    entries = []
    for segment_id, versions in by_segment.items():
        for index, record in enumerate(versions):
            older = versions[index + 1] if index + 1 < len(versions) else None
            kind = HISTORY_KINDS.get(record.history_type, "")
            if kind == "deleted" or older is None:
                changes = []
            else:
                changes = describe_changes(Segment, SEGMENT_HISTORY_FIELDS, record, older)
            entry = HistoryEntry(record, segment_subject(record), kind, changes, is_segment=True)
            entry.is_current = index == 0 and segment_id in existing
            if kind == "created" and record.geom is not None:
                entry.notes.append(line_summary(record))
            if can_restore and not entry.is_current:
                entry.restore_url = reverse("corridors:segment_restore", args=[corridor.pk, record.history_id])
                if segment_id in existing:
                    entry.restore_label = _("Restore this version of the segment")
                elif kind == "deleted":
                    entry.restore_label = _("Bring the segment back")
                else:
                    entry.restore_label = _("Bring the segment back as in this version")
            entries.append(entry)
    return entries


@editor_view("corridors.view_historicalcorridor", "corridors.view_historicalsegment")
@require_http_methods(["GET"])
def corridor_history(request: HttpRequest, pk: int) -> HttpResponse:
    corridor = get_object_or_404(Corridor, pk=pk)
    can_restore_corridor = request.user.has_perm("corridors.change_corridor")
    can_restore_segments = request.user.has_perms(("corridors.change_segment", "corridors.add_segment"))
    entries = corridor_entries(corridor, can_restore_corridor) + segment_entries(corridor, can_restore_segments)
    entries.sort(key=lambda entry: newest_first(entry.record), reverse=True)
    context = {"corridor": corridor, "entries": entries, "active": "history"}
    return render(request, "corridors/history.html", context)


def when(record: Any) -> str:
    return format_moment(record.history_date)


@editor_view("corridors.change_corridor", "corridors.view_historicalcorridor")
@require_http_methods(["GET", "POST"])
def corridor_restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    corridor = get_object_or_404(Corridor, pk=pk)
    record = get_object_or_404(corridor.history.select_related("history_user"), history_id=history_id)
    current = corridor.history.order_by("-history_date", "-history_id").first()
    if request.method == "POST":
        try:
            services.restore_corridor(corridor, record.history_id, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The corridor's version of %(date)s was restored.") % {"date": when(record)})
        return redirect("corridors:history", pk=corridor.pk)
    is_current = current is not None and current.history_id == record.history_id
    changes = []
    if not is_current and current is not None:
        changes = describe_changes(Corridor, CORRIDOR_HISTORY_FIELDS, record, current)
    context = {
        "corridor": corridor,
        "record": record,
        "subject": _("the corridor"),
        "changes": changes,
        "is_current": is_current,
        "action": reverse("corridors:restore", args=[corridor.pk, record.history_id]),
        "active": "history",
    }
    return render(request, "corridors/restore.html", context)


@editor_view("corridors.change_segment", "corridors.add_segment", "corridors.view_historicalsegment")
@require_http_methods(["GET", "POST"])
def segment_restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    """Restore one version of a segment of the corridor; a deleted segment comes back as it was then."""
    corridor = get_object_or_404(Corridor, pk=pk)
    record = Segment.history.filter(corridor_id=corridor.pk, history_id=history_id).first()
    if record is None:
        raise Http404
    latest = Segment.history.filter(id=record.id).order_by("-history_date", "-history_id").first()
    exists = corridor.segments.filter(pk=record.id).exists()
    if request.method == "POST":
        try:
            segment = services.restore_segment(corridor, record.history_id, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("corridors:history", pk=corridor.pk)
        if exists:
            message = _("The segment's version of %(date)s was restored.")
        else:
            message = _("The segment was brought back as it was on %(date)s.")
        messages.success(request, message % {"date": when(record)})
        return redirect("corridors:segment_edit", pk=segment.pk)
    is_current = exists and latest is not None and latest.history_id == record.history_id
    if is_current or latest is None or record.history_type == "-":
        changes = []
    else:
        fields = tuple(name for name in SEGMENT_HISTORY_FIELDS if name not in ("landscape_derived", "follows_name"))
        changes = describe_changes(Segment, fields, record, latest)
    context = {
        "corridor": corridor,
        "record": record,
        "subject": segment_subject(record),
        "segment_deleted": not exists,
        "line": line_summary(record),
        "changes": changes,
        "is_current": is_current,
        "action": reverse("corridors:segment_restore", args=[corridor.pk, record.history_id]),
        "active": "history",
    }
    return render(request, "corridors/restore.html", context)
