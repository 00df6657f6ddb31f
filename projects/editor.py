"""What urbanists edit: projects drawn on the web map, their status, photos and history.

Every view here needs a logged-in user with the project permissions of the
urbanist role (accounts.roles); anyone else is shown a page that says why,
with status 403. Writes that touch several records go through
projects.services and photos.services.
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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gis_data import history
from gis_data.editing import add_errors, geoman_strings
from gis_data.formats import format_moment
from gis_data.history import HISTORY_KINDS, Change
from gis_data.models import City
from gis_data.packs import current_city
from gis_data.views import reference_layers
from photos.editing import manage_photos
from projects import services
from projects.forms import ProjectForm, StatusChangeForm
from projects.models import TRANSITIONS, Category, Project

View = Callable[..., HttpResponse]

# The fields of a project that its history compares, in the order of the form.
HISTORY_FIELDS = (
    "title_kk",
    "title_ru",
    "title_en",
    "description_kk",
    "description_ru",
    "description_en",
    "category",
    "geom",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "budget",
    "department",
    "contractor",
    "is_published",
)


def editor_view(*permissions: str) -> Callable[[View], View]:
    """Log-in first (anonymous visitors go to the log-in page); then every permission, or a 403 page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perms(permissions):
                return render(request, "projects/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


# The editor page -------------------------------------------------------------------------------------------


def editor_config(city: City | None, request: HttpRequest) -> dict[str, Any]:
    """What static/js/project_editor.js needs, embedded in the page as JSON (no URL or text in the script)."""
    if city is not None:
        west, south, east, north = city.extent.extent
        view = {"center": [city.center.y, city.center.x], "zoom": city.default_zoom}
        bounds = [[south, west], [north, east]]
    else:
        view, bounds = {"center": [0, 0], "zoom": 2}, None
    return {
        **view,
        "bounds": bounds,
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "districts": reverse("gis_data:layer_geojson", args=["districts"]),
        "reference": reference_layers(request),
        "categories": {str(category.pk): list(category.geometry_types) for category in Category.objects.all()},
        "geoman": geoman_strings(),
        "strings": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "drawPoints": _("Draw one or more points."),
            "drawLines": _("Draw one or more lines."),
            "drawPolygons": _("Draw one or more polygons."),
            "drawAny": _("Draw points, lines or polygons; a project's shapes are all of one kind."),
            "updated": _("The geometry was updated."),
            "emptied": _("The geometry is empty: draw the project on the map."),
            "replaced": _("A project's shapes are all of one kind: the shapes of another kind were removed."),
            "unreadable": _("This GeoJSON cannot be read; the map shows the last geometry that could."),
            "districtsFailed": _("The districts could not be loaded."),
        },
    }


def render_editor(request: HttpRequest, form: ProjectForm, project: Project | None) -> HttpResponse:
    city = current_city()
    context = {"form": form, "project": project, "editor_config": editor_config(city, request), "active": "edit"}
    return render(request, "projects/edit.html", context)


def tell_repair(request: HttpRequest, form: ProjectForm) -> None:
    if form.repair_reason:
        messages.warning(request, _("The geometry was repaired: %(reason)s") % {"reason": form.repair_reason})


@editor_view("projects.add_project")
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(form.save(commit=False), user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            tell_repair(request, form)
            messages.success(request, _("The project “%(title)s” was created.") % {"title": project.title})
            return redirect("projects:edit", pk=project.pk)
    return render_editor(request, form, None)


@editor_view("projects.change_project")
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    # The form works on its own copy: a refused form leaves ``project`` (the heading, the tabs) as saved.
    form = ProjectForm(request.POST if request.method == "POST" else None, instance=Project.objects.get(pk=project.pk))
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            # The history middleware records who; Project.save derives the districts, length and area.
            form.save()
            tell_repair(request, form)
            messages.success(request, _("The changes were saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("projects:edit", pk=project.pk)
    return render_editor(request, form, project)


# Status and publication ------------------------------------------------------------------------------------


@editor_view("projects.change_project", "projects.add_statuschange")
@require_http_methods(["GET", "POST"])
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    final = not TRANSITIONS.get(project.status)
    form = StatusChangeForm(request.POST if request.method == "POST" else None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(
                project,
                form.cleaned_data["status"],
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            project.refresh_from_db()
            messages.success(request, _("The project is now “%(status)s”.") % {"status": project.get_status_display()})
            return redirect("projects:status", pk=project.pk)
    context = {
        "project": project,
        "form": form,
        "final": final,
        "timeline": project.status_changes.select_related("changed_by"),
        "active": "status",
    }
    return render(request, "projects/status.html", context)


@editor_view("projects.change_project")
@require_POST
def project_publish(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    published = request.POST.get("published") == "1"
    services.set_published(project, published, user=request.user)
    if published:
        messages.success(request, _("The project is published: everyone can see it."))
    else:
        messages.success(request, _("The project is unpublished: only editors can see it."))
    return redirect("projects:edit", pk=project.pk)


# Photos ----------------------------------------------------------------------------------------------------


@editor_view("projects.change_project", "photos.view_photo")
@require_http_methods(["GET", "POST"])
def project_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's photos: upload, edit one (phase, pair, caption, ...), delete one after a confirmation."""
    project = get_object_or_404(Project, pk=pk)
    page = manage_photos(
        request,
        project,
        city=current_city(),
        page_url=reverse("projects:photos", args=[project.pk]),
        forbidden=lambda request: render(request, "projects/forbidden.html", status=403),
    )
    if isinstance(page, HttpResponse):
        return page
    return render(request, "projects/photos.html", {"project": project, "active": "photos", **page})


# History ---------------------------------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    record: Any
    kind: str
    changes: list[Change]
    is_current: bool


def describe_changes(new: Any, old: Any, city: City | None) -> list[Change]:
    """What differs between two historical records of a project, field by field, in the form's order."""
    return history.describe_changes(
        Project, HISTORY_FIELDS, new, old, metric_srid=city.metric_srid if city is not None else None
    )


@editor_view("projects.view_historicalproject")
@require_http_methods(["GET"])
def project_history(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    city = current_city()
    records = list(project.history.select_related("history_user", "category").order_by("-history_date", "-history_id"))
    entries = []
    for index, record in enumerate(records):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = describe_changes(record, older, city) if older is not None else []
        entries.append(HistoryEntry(record, HISTORY_KINDS.get(record.history_type, ""), changes, index == 0))
    context = {
        "project": project,
        "entries": entries,
        "can_restore": request.user.has_perm("projects.change_project"),
        "active": "history",
    }
    return render(request, "projects/history.html", context)


@editor_view("projects.change_project", "projects.view_historicalproject")
@require_http_methods(["GET", "POST"])
def project_restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=pk)
    record = get_object_or_404(project.history.select_related("history_user"), history_id=history_id)
    current = project.history.order_by("-history_date", "-history_id").first()
    if request.method == "POST":
        try:
            services.restore_version(project, record.history_id, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("projects:history", pk=project.pk)
        messages.success(
            request,
            _("The version of %(date)s was restored.") % {"date": format_moment(record.history_date)},
        )
        return redirect("projects:history", pk=project.pk)
    is_current = current is not None and current.history_id == record.history_id
    changes = [] if is_current or current is None else describe_changes(record, current, current_city())
    context = {
        "project": project,
        "record": record,
        "changes": changes,
        "is_current": is_current,
        "active": "history",
    }
    return render(request, "projects/restore.html", context)
