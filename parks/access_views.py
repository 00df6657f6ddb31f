"""The park access page: who lives within a walk of an open park, per district, and what a new park would change.

The figures come from parks.access (an estimate: the page says so and credits
every source the estimate owes, ODbL and CC BY-SA). Everyone sees the
districts shaded by their share and the parks; those who may see the
population cells (``gis_data.layers.may_see_population_cells``: staff, never
the public, as the cells mix the two share-alike licences) may also load the
cells outside the walking distance. The what-if is asked by POST (a drawn
boundary, or a concept) and answered in JSON; ``?concept=<id>`` on the page
computes a concept's what-if on the server, so a link from a park's page
shows it at once, with or without JavaScript.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST, require_safe

from gis_data.editing import geoman_strings
from gis_data.formats import format_length, format_number, format_share
from gis_data.geometry import GeometryRuleError
from gis_data.layers import may_see_population_cells
from gis_data.maps import feature, map_base
from gis_data.models import City, DataSource, District, PopulationCell
from gis_data.packs import current_city
from gis_data.population import ESTIMATE_NOTE, ESTIMATE_SOURCE_KEY
from gis_data.views import data_sources
from parks.access import Access, Figures, WhatIf, concept_footprint, park_access, what_if
from parks.models import Park, RenovationConcept, State
from parks.views import park_style, round_people

# District and park outlines sent to the page's map are simplified to about 10 m and 2 m: enough to read.
DISTRICT_TOLERANCE_DEGREES = 0.0001
PARK_TOLERANCE_DEGREES = 0.00002
# The districts' fill by their share within the walking distance: where the band starts, and its colour
# (orange where few are within, green where most are; the table says the same in numbers).
SHARE_BANDS = (
    (0.0, "#f4a261"),
    (0.25, "#f6d186"),
    (0.5, "#b7e4a7"),
    (0.75, "#52b788"),
)
DISTRICT_STYLE = {"color": "#1f2937", "weight": 2, "opacity": 0.9, "fillOpacity": 0.55}
# A what-if park on the map: dashed, purple, distinct from the parks' green.
WHAT_IF_STYLE = {"color": "#6d28d9", "weight": 3, "dashArray": "8 6", "fillColor": "#a78bfa", "fillOpacity": 0.35}
OUTSIDE_STYLE = {"color": "#7f1d1d", "weight": 0.5, "opacity": 0.6, "fillColor": "#dc2626", "fillOpacity": 0.35}


def share_colour(share: float | None) -> str:
    if share is None:
        return "#e5e7eb"
    return [colour for start, colour in SHARE_BANDS if share >= start][-1]


def area_entry(title: str, style: dict[str, Any]) -> dict[str, Any]:
    return {"title": title, "style": style, "shape": "area"}


def access_legend(sees_cells: bool) -> list[dict[str, Any]]:
    """The map's legend (parks/_legend.html): the districts' bands in words, the parks, the what-if park."""
    ends = [start for start, _colour in SHARE_BANDS[1:]] + [1.0]
    legend: list[dict[str, Any]] = [
        {
            "title": _("District: %(low)s to %(high)s of residents within")
            % {"low": format_share(start), "high": format_share(end)},
            "style": {**DISTRICT_STYLE, "fillColor": colour},
            "shape": "area",
        }
        for (start, colour), end in zip(SHARE_BANDS, ends, strict=True)
    ]
    for state in State:
        legend.append(
            {"title": _("Park: %(state)s") % {"state": state.label}, "style": park_style(state), "shape": "area"}
        )
    legend.append({"title": _("The what-if park"), "style": WHAT_IF_STYLE, "shape": "area"})
    if sees_cells:
        legend.append(
            {"title": _("Population cell outside the walking distance"), "style": OUTSIDE_STYLE, "shape": "area"}
        )
    return legend


def people(count: float) -> str:
    return format_number(round_people(count))


def citywide_sentence(figures: Figures, metres: float) -> str:
    """ "1,234,600 of 2,228,500 residents (55 %) live within 800 m walk of an open park." (estimated)"""
    if not figures.residents:
        return _("No resident is counted yet: the resident estimate has not been made for this city.")
    return ngettext(
        "%(within)s of %(residents)s resident (%(share)s) lives within %(distance)s walk of an open park.",
        "%(within)s of %(residents)s residents (%(share)s) live within %(distance)s walk of an open park.",
        round_people(figures.residents),
    ) % {
        "within": people(figures.within),
        "residents": people(figures.residents),
        "share": format_share(figures.share),
        "distance": format_length(metres),
    }


def change_sentence(change: WhatIf) -> str:
    """ "+12,300 residents within 800 m (55 % → 57 %)"."""
    before, after = format_share(change.before.share), format_share(change.after.share)
    gained = round_people(change.gained)
    if gained <= 0:
        return _("No resident newly within %(distance)s walk of an open park (the share stays %(share)s).") % {
            "distance": format_length(change.metres),
            "share": after,
        }
    return ngettext(
        "+%(count)s resident within %(distance)s walk of an open park (%(before)s → %(after)s).",
        "+%(count)s residents within %(distance)s walk of an open park (%(before)s → %(after)s).",
        gained,
    ) % {"count": format_number(gained), "distance": format_length(change.metres), "before": before, "after": after}


def change_cell(gained: float, before: float | None, after: float | None) -> str:
    """A district's change in the table: "+1,200 (40 % → 48 %)", or "no change"."""
    if round_people(gained) <= 0:
        return _("no change")
    return _("+%(count)s (%(before)s → %(after)s)") % {
        "count": people(gained),
        "before": format_share(before),
        "after": format_share(after),
    }


@dataclass
class DistrictRow:
    district_id: int
    name: str
    residents: str
    within: str
    share: str
    change: str = "—"


def district_rows(access: Access, change: WhatIf | None = None) -> list[DistrictRow]:
    changes = {row.district_id: row for row in change.districts} if change else {}
    rows = []
    for row in sorted(access.districts, key=lambda row: row.name):
        changed = changes.get(row.district_id)
        rows.append(
            DistrictRow(
                district_id=row.district_id,
                name=row.name,
                residents=people(row.residents),
                within=people(row.within),
                share=format_share(row.share),
                change=change_cell(changed.gained, changed.before.share, changed.after.share) if changed else "—",
            )
        )
    return rows


def estimate_credit(city: City) -> str:
    """Every attribution line the estimate owes (ODbL places and districts, CC BY-SA buildings and streets)."""
    source = DataSource.objects.filter(city=city, key=ESTIMATE_SOURCE_KEY).first()
    return source.attribution if source else ""


# The map.


def within_text(share: float | None, metres: float) -> str:
    return _("%(share)s within %(distance)s") % {"share": format_share(share), "distance": format_length(metres)}


def district_features(city: City, access: Access) -> list[dict[str, Any]]:
    figures = {row.district_id: row for row in access.districts}
    features = []
    for district in District.objects.filter(source__city=city).order_by("name"):
        row = figures.get(district.pk)
        share = row.share if row else None
        features.append(
            feature(
                district.geom.simplify(DISTRICT_TOLERANCE_DEGREES, preserve_topology=True),
                title=row.name if row else district.localized_name,
                details=[within_text(share, access.metres)],
                style={**DISTRICT_STYLE, "fillColor": share_colour(share)},
                kind="district",
                district=district.pk,
            )
        )
    return features


def park_features(city: City) -> list[dict[str, Any]]:
    features = []
    for park in Park.objects.filter(city=city).order_by("pk"):
        features.append(
            feature(
                park.boundary.simplify(PARK_TOLERANCE_DEGREES, preserve_topology=True),
                title=park.name,
                url=park.get_absolute_url(),
                details=[park.get_state_display()],
                style=park_style(park.state),
                kind="park",
            )
        )
    return features


def map_strings() -> dict[str, str]:
    return {
        "outside": _("Residents outside the walking distance (estimate, staff only)"),
        "loading": _("Loading…"),
        "loadFailed": _("The cells could not be loaded. Try again."),
        "whatIfPark": _("The what-if park"),
        "failed": _("The change could not be computed. Try again."),
        "drawFirst": _("Draw a park on the map or choose a concept first."),
        "computing": _("Computing the change…"),
    }


# The pages.


def _selected_concept(request: HttpRequest, concepts) -> RenovationConcept | None:
    try:
        return concepts.get(pk=int(request.GET.get("concept", "")))
    except (ValueError, RenovationConcept.DoesNotExist):
        return None


@require_safe
def access_page(request: HttpRequest) -> HttpResponse:
    city = current_city()
    if city is None:
        return render(request, "parks/access.html", {"city": None})
    access = park_access(city)
    concepts = RenovationConcept.objects.visible_to(request.user).filter(park__city=city).select_related("park")
    concept = _selected_concept(request, concepts)
    change = what_if(city, concept_footprint(concept)) if concept else None

    map_config = map_base(city, request)
    map_config["features"] = district_features(city, access) + park_features(city)
    map_config["strings"].update(map_strings())
    map_config["geoman"] = geoman_strings()
    map_config["whatIfStyle"] = WHAT_IF_STYLE
    map_config["outsideStyle"] = OUTSIDE_STYLE
    if concept is not None:
        map_config["whatIf"] = feature(concept_footprint(concept), title=concept.title, style=WHAT_IF_STYLE)
    sees_cells = may_see_population_cells(request.user)
    context = {
        "city": city,
        "access": access,
        "distance": format_length(access.metres),
        "sentence": citywide_sentence(access.citywide, access.metres),
        "total": {
            "residents": people(access.citywide.residents),
            "within": people(access.citywide.within),
            "share": format_share(access.citywide.share),
        },
        "rows": district_rows(access, change),
        "concepts": sorted(concepts, key=lambda c: (c.park.name, c.title)),
        "concept": concept,
        "change": change,
        "change_sentence": change_sentence(change) if change else "",
        "sees_cells": sees_cells,
        "legend": access_legend(sees_cells),
        "estimate_note": ESTIMATE_NOTE,
        "estimate_credit": estimate_credit(city),
        "map_config": map_config,
        "sources": data_sources(city),
        "tile_attribution": map_config["tiles"]["attribution"],
    }
    return render(request, "parks/access.html", context)


def bad_request(errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400)


def _what_if_input(request: HttpRequest, city: City):
    """The boundary to add and, for a concept, the concept; ValidationError (dict by field) says what is wrong."""
    concept_id = request.POST.get("concept", "").strip()
    boundary = request.POST.get("boundary", "").strip()
    if concept_id and boundary:
        raise ValidationError({"boundary": _("Choose a concept or draw a park, not both.")})
    if concept_id:
        concepts = RenovationConcept.objects.visible_to(request.user).filter(park__city=city)
        try:
            concept = concepts.select_related("park").get(pk=int(concept_id))
        except (ValueError, RenovationConcept.DoesNotExist):
            raise ValidationError(
                {"concept": _("There is no published concept %(id)s in this city.") % {"id": concept_id[:20]}}
            ) from None
        return concept_footprint(concept), concept
    if not boundary:
        raise ValidationError({"boundary": _("Draw a park on the map or choose a concept.")})
    return boundary, None


@require_POST
def what_if_json(request: HttpRequest) -> JsonResponse:
    """A what-if park (``boundary``: GeoJSON, or ``concept``: an id) → the change, citywide and per district."""
    city = current_city()
    if city is None:
        return bad_request({"boundary": [_("No city is loaded yet.")]})
    try:
        boundary, concept = _what_if_input(request, city)
        change = what_if(city, boundary)
    except (GeometryRuleError, ValidationError) as error:
        if hasattr(error, "error_dict"):
            return bad_request(error.message_dict)
        return bad_request({"boundary": error.messages})
    access = park_access(city)
    return JsonResponse(
        {
            "sentence": change_sentence(change),
            "gained": round_people(change.gained),
            "before": {"within": round_people(change.before.within), "share": format_share(change.before.share)},
            "after": {"within": round_people(change.after.within), "share": format_share(change.after.share)},
            "districts": [
                {"id": row.district_id, "name": row.name, "change": row.change} for row in district_rows(access, change)
            ],
            "park": feature(concept_footprint(concept), title=concept.title) if concept else None,
        }
    )


@gzip_page
@require_safe
def outside_geojson(request: HttpRequest) -> JsonResponse:
    """The populated cells outside the walking distance, for staff only (the cells are never published)."""
    if not may_see_population_cells(request.user):
        raise PermissionDenied
    city = current_city()
    features: list[dict[str, Any]] = []
    if city is not None:
        access = park_access(city)
        cells = (
            PopulationCell.objects.filter(pk__in=access.outside_cell_ids())
            .annotate(shape=AsGeoJSON("geom", precision=6))
            .values_list("pk", "residents", "shape")
            .order_by("pk")
        )
        features = [
            {
                "type": "Feature",
                "id": pk,
                "geometry": json.loads(shape),
                "properties": {"residents": round_people(residents)},
            }
            for pk, residents, shape in cells
        ]
    return JsonResponse({"type": "FeatureCollection", "features": features}, content_type="application/geo+json")
