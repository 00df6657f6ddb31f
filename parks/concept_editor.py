"""What urbanists edit of renovation concepts: the concept, the zones of its plan on the map, plan images, status.

Every view here needs a logged-in user with the concept permissions of the
urbanist role (accounts.roles); anyone else is shown a page that says why,
with status 403. Writes go through parks.concepts, which checks every rule
(a zone inside its park, a dated status step, ...) and whose refusals are put
back on the form, next to the field they concern.

The zones page serves one zone form at a time: a new zone, or the zone
``?zone=<id>`` asks to edit; each is posted on its own as GeoJSON (drawn on
the map or typed), so a refused zone comes back with its message beside it
while the others stay saved. ``?delete=<id>`` asks to confirm a deletion.
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gis_data.editing import add_errors, geoman_strings
from gis_data.formats import format_area, format_length
from parks import concepts
from parks.concept_forms import ConceptForm, PlanImageForm, StatusForm, ZoneForm
from parks.layers import ZONE_COLOURS, ZONE_STYLE, zone_style
from parks.models import ConceptStatus, Park, PlanImage, Purpose, RenovationConcept, Zone

View = Callable[..., HttpResponse]

# The park's outline under the zones: a dark line without fill, so the zones' colours read true.
PARK_OUTLINE = {"color": "#14532d", "weight": 3, "opacity": 0.9, "fill": True, "fillOpacity": 0.06, "dashArray": "6 4"}
SHAPE_KINDS = {"Point": gettext_lazy("point"), "LineString": gettext_lazy("line"), "Polygon": gettext_lazy("polygon")}


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
    return render(request, "parks/concepts/forbidden.html", status=403)


def get_concept(pk: int) -> RenovationConcept:
    return get_object_or_404(RenovationConcept.objects.select_related("park", "park__city"), pk=pk)


# The concept ----------------------------------------------------------------------------------------------------


def render_concept(request: HttpRequest, form: ConceptForm, park: Park, concept: RenovationConcept | None):
    context = {"form": form, "park": park, "concept": concept, "active": "edit"}
    return render(request, "parks/concepts/edit.html", context)


@editor_view("parks.add_renovationconcept")
@require_http_methods(["GET", "POST"])
def concept_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new concept for the park ``pk`` (an unknown park answers 404)."""
    park = get_object_or_404(Park, pk=pk)
    form = ConceptForm(request.POST if request.method == "POST" else None, concept=RenovationConcept(park=park))
    if request.method == "POST" and form.is_valid():
        try:
            concept = concepts.save_concept(
                form.apply(), request.user, authors=form.cleaned_data["authors"], drawn_on=form.cleaned_data["date"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The concept “%(title)s” was created.") % {"title": concept.title},
            )
            return redirect("parks:concept", pk=concept.pk)
    return render_concept(request, form, park, None)


@editor_view("parks.change_renovationconcept")
@require_http_methods(["GET", "POST"])
def concept_edit(request: HttpRequest, pk: int) -> HttpResponse:
    concept = get_concept(pk)
    # The form works on its own copy: a refused form leaves ``concept`` (the heading, the tabs) as saved.
    form = ConceptForm(request.POST if request.method == "POST" else None, concept=get_concept(pk))
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect("parks:concept", pk=concept.pk)
        try:
            concepts.save_concept(form.apply(), request.user, authors=form.cleaned_data["authors"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("parks:concept", pk=concept.pk)
    return render_concept(request, form, concept.park, concept)


# Zones ----------------------------------------------------------------------------------------------------------


def zone_measure(zone: Zone) -> str:
    """A zone's size as people read it: the area of a polygon, the length of a line, nothing for a point."""
    if zone.area_m2 is not None:
        return format_area(zone.area_m2)
    if zone.length_m is not None:
        return format_length(zone.length_m)
    return "—"


def zone_feature(zone: Zone) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": json.loads(zone.geom.json),
        "properties": {
            "id": zone.pk,
            "purpose": zone.purpose,
            "label": str(zone),
            "purposeLabel": zone.get_purpose_display(),
            "measure": zone_measure(zone),
            "edit": f"?zone={zone.pk}#zone-form",
        },
    }


def zones_config(concept: RenovationConcept, editing: Zone | None) -> dict[str, Any]:
    """What static/js/concept_editor.js needs, embedded in the page as JSON (no URL or text in the script)."""
    park = concept.park
    west, south, east, north = park.boundary.extent
    others = [zone for zone in concept.zones.all() if editing is None or zone.pk != editing.pk]
    return {
        "bounds": [[south, west], [north, east]],
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "park": {"type": "Feature", "geometry": json.loads(park.boundary.json), "properties": {"name": park.name}},
        "parkStyle": PARK_OUTLINE,
        "zones": {"type": "FeatureCollection", "features": [zone_feature(zone) for zone in others]},
        "zoneStyle": ZONE_STYLE,
        "colours": {str(purpose): colour for purpose, colour in ZONE_COLOURS.items()},
        "geoman": geoman_strings(),
        "strings": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "park": _("The park's boundary"),
            "otherZones": _("The plan's other zones"),
            "updated": _("The zone's shape was updated."),
            "emptied": _("The zone has no shape: draw it on the map."),
            "replaced": _("A zone is one shape: the earlier shape was replaced."),
            "unreadable": _("This GeoJSON cannot be read; the map shows the last shape that could."),
            "editZone": _("Edit this zone"),
        },
    }


def render_zones(
    request: HttpRequest,
    concept: RenovationConcept,
    form: ZoneForm,
    editing: Zone | None,
    confirm_delete: Zone | None = None,
    status: int = 200,
) -> HttpResponse:
    zones = [
        {
            "zone": zone,
            "kind": SHAPE_KINDS.get(zone.geom.geom_type, zone.geom.geom_type),
            "measure": zone_measure(zone),
            "colour": zone_style(zone.purpose)["color"],
        }
        for zone in concept.zones.all()
    ]
    legend = [(purpose.label, zone_style(purpose)["color"]) for purpose in Purpose]
    context = {
        "concept": concept,
        "park": concept.park,
        "form": form,
        "editing": editing,
        "zones": zones,
        "legend": legend,
        "confirm_delete": confirm_delete,
        "editor_config": zones_config(concept, editing),
        "active": "zones",
    }
    return render(request, "parks/concepts/zones.html", context, status=status)


def zone_saved_message(zone: Zone, created: bool) -> str:
    measure = zone_measure(zone)
    values = {"zone": str(zone), "measure": measure}
    if created:
        if measure == "—":
            return _("The zone “%(zone)s” was added.") % values
        return _("The zone “%(zone)s” was added: %(measure)s.") % values
    if measure == "—":
        return _("The zone “%(zone)s” was saved.") % values
    return _("The zone “%(zone)s” was saved: %(measure)s.") % values


def zone_of(concept: RenovationConcept, value: str | None) -> Zone | None:
    """The zone of ``concept`` a request names by its id; 404 for an id that is not one of its zones."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(Zone, concept=concept, pk=int(value))


@editor_view("parks.change_renovationconcept", "parks.add_zone", "parks.change_zone", "parks.delete_zone")
@require_http_methods(["GET", "POST"])
def concept_zones(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's zones on the park's map: add one, edit one (``?zone=``), delete one (``?delete=``)."""
    concept = get_concept(pk)
    page = reverse("parks:concept_zones", args=[concept.pk])
    if request.method == "POST":
        action = request.POST.get("action")
        editing = zone_of(concept, request.POST.get("zone"))
        if action == "delete" and editing is not None:
            name = str(editing)
            concepts.delete_zone(editing)
            messages.success(request, _("The zone “%(zone)s” was deleted.") % {"zone": name})
            return redirect(page)
        if action != "save":
            messages.error(request, _("The form was not understood; nothing was changed."))
            return redirect(page)
        # The form works on its own copy: a refused zone leaves ``editing`` (the heading, the table) as saved.
        instance = Zone.objects.get(pk=editing.pk) if editing is not None else Zone(concept=concept)
        form = ZoneForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                zone = concepts.save_zone(form.save(commit=False))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, zone_saved_message(zone, created=editing is None))
                return redirect(f"{page}#zone-{zone.pk}")
        return render_zones(request, concept, form, editing)
    editing = zone_of(concept, request.GET.get("zone"))
    confirm_delete = zone_of(concept, request.GET.get("delete"))
    form = ZoneForm(instance=editing or Zone(concept=concept))
    return render_zones(request, concept, form, editing, confirm_delete)


# Plan images ----------------------------------------------------------------------------------------------------


@editor_view("parks.change_renovationconcept", "parks.add_planimage", "parks.delete_planimage")
@require_http_methods(["GET", "POST"])
def concept_plans(request: HttpRequest, pk: int) -> HttpResponse:
    """The concept's plan images: upload one with its caption; delete one after a confirmation (``?delete=``)."""
    concept = get_concept(pk)
    page = reverse("parks:concept_plans", args=[concept.pk])
    form = PlanImageForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            plan_id = request.POST.get("plan", "")
            plan = get_object_or_404(PlanImage, concept=concept, pk=int(plan_id) if plan_id.isdigit() else 0)
            concepts.delete_plan_image(plan)
            messages.success(request, _("The plan image was deleted."))
            return redirect(page)
        if action != "upload":
            messages.error(request, _("The form was not understood; nothing was changed."))
            return redirect(page)
        form = PlanImageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                concepts.add_plan_image(
                    concept, form.cleaned_data["image"], form.cleaned_data["caption"], user=request.user
                )
            except ValidationError as error:
                add_errors(form, error if hasattr(error, "error_dict") else ValidationError({"image": error}))
            else:
                messages.success(request, _("The plan image was added."))
                return redirect(page)
    confirm_delete = None
    if request.method == "GET" and request.GET.get("delete", "").isdigit():
        confirm_delete = concept.plan_images.filter(pk=request.GET["delete"]).first()
    context = {
        "concept": concept,
        "park": concept.park,
        "form": form,
        "plans": concept.plan_images.all(),
        "confirm_delete": confirm_delete,
        "active": "plans",
    }
    return render(request, "parks/concepts/plans.html", context)


# Status ---------------------------------------------------------------------------------------------------------


@editor_view("parks.change_renovationconcept", "parks.add_conceptstatuschange")
@require_http_methods(["GET", "POST"])
def concept_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the concept's status on a date, with a note (a reason, to set it aside); its dated steps below."""
    concept = get_concept(pk)
    form = StatusForm(request.POST if request.method == "POST" else None, concept=concept)
    if request.method == "POST" and form.is_valid():
        try:
            concepts.change_concept_status(
                concept,
                form.cleaned_data["status"],
                form.cleaned_data["date"],
                form.cleaned_data["note"],
                user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The concept is now “%(status)s”.") % {"status": concept.get_status_display()})
            return redirect("parks:concept", pk=concept.pk)
    context = {
        "concept": concept,
        "park": concept.park,
        "form": form,
        "final": concept.status == ConceptStatus.COMPLETED,
        "taken_up_at": concepts.set_aside_from(concept),
        "steps": concept.status_changes.select_related("changed_by").order_by("-date", "-recorded_at", "-pk"),
        "active": "status",
    }
    return render(request, "parks/concepts/status.html", context)
