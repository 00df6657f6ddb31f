"""What everyone sees of parks: the list, a park's page, a concept's page, two concepts compared, the programme.

The pages draw small Leaflet maps from a JSON config (static/js/park_map.js)
with the registry's styles (parks.layers): parks by state, zones by purpose.
Every number a page shows is formatted here, in the request's language; the
scripts only draw. Drafts (unpublished concepts) are shown only to those who
may change concepts (``RenovationConcept.objects.visible_to``); to others they
answer 404, as if they did not exist.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from gis_data.formats import format_area, format_length, format_number, format_share
from gis_data.maps import district_outlines, feature, map_base
from gis_data.models import District
from gis_data.packs import current_city
from gis_data.population import ESTIMATE_NOTE
from parks.access import park_access
from parks.filters import ParkFilterForm
from parks.layers import PARK_STYLE, STATE_STYLES, ZONE_COLOURS, zone_style
from parks.models import ConceptStatus, Origin, Park, Purpose, RenovationConcept, State, Zone
from parks.programme import STAGES, programme_summary, programme_total
from photos.services import photo_pairs, unpaired_photos

PAGE_SIZE = 25
# The proposals listed on a park's or a concept's page, newest first.
RELATED_LIMIT = 10
# Park boundaries on the list's map are simplified to about 2 m: enough to read.
BOUNDARY_TOLERANCE_DEGREES = 0.00002
# A park's entrances on its map: dark dots with a white ring, 3:1 against the park's green and the light map.
ENTRANCE_STYLE = {"color": "#ffffff", "weight": 2, "fillColor": "#111827", "fillOpacity": 1, "radius": 6}
# The park's own outline under a concept's zones: its boundary without the fill, so the zones' colours read true.
PARK_OUTLINE_STYLE = {"fillOpacity": 0.08}
# The steps a concept can be at, furthest along first, without "set aside": the park's current state names the first.
LIVE_STAGES = tuple(stage for stage in STAGES if stage != ConceptStatus.SET_ASIDE)


# Formatting, in the number format of the active language.


def format_cost(amount: Any) -> str:
    """A cost estimate with the currency's code: "12,500,000 KZT"."""
    return _("%(amount)s %(currency)s") % {"amount": format_number(amount), "currency": settings.CURRENCY_CODE}


def round_people(count: float) -> int:
    """An estimate of residents rounded as it deserves: to the hundred above a thousand, to the ten above a hundred."""
    if count >= 1000:
        return int(round(count, -2))
    if count >= 100:
        return int(round(count, -1))
    return int(round(count))


def park_style(state: str) -> dict[str, Any]:
    return {**PARK_STYLE, **STATE_STYLES.get(state, {})}


# Maps: each page embeds a JSON config that static/js/park_map.js draws.


def bounds_of(geom: GEOSGeometry) -> list[list[float]]:
    west, south, east, north = geom.extent
    return [[south, west], [north, east]]


def park_feature(park: Park, geom: GEOSGeometry | None = None, style: dict | None = None) -> dict[str, Any]:
    return feature(
        geom or park.boundary,
        title=park.name,
        url=park.get_absolute_url(),
        details=[park.get_state_display(), format_area(park.area_m2)] if park.area_m2 else [park.get_state_display()],
        style=style or park_style(park.state),
        kind="park",
    )


def entrance_features(park: Park) -> list[dict[str, Any]]:
    if not park.entrances:
        return []
    return [
        feature(point, title=_("Entrance %(number)s") % {"number": number}, style=ENTRANCE_STYLE, kind="entrance")
        for number, point in enumerate(park.entrances, start=1)
    ]


# Zones: their measures, as stored by parks.concepts.save_zone, or measured here when a zone has none yet.


def metric_srid(park: Park) -> int:
    return park.city.metric_srid


def measured_area(geom: GEOSGeometry, srid: int) -> float:
    return geom.transform(srid, clone=True).area


def measured_length(geom: GEOSGeometry, srid: int) -> float:
    return geom.transform(srid, clone=True).length


def park_area(park: Park) -> float:
    """The park's area in m²: derived on every save; measured here for a park saved without it."""
    return park.area_m2 or measured_area(park.boundary, metric_srid(park))


@dataclass
class ZoneRow:
    """A zone as a page's table and map show it: its kind of shape and its size in metres."""

    zone: Zone
    shape: str  # "area", "line" or "point"
    area_m2: float = 0.0
    length_m: float = 0.0
    concept_title: str = ""

    @property
    def purpose(self) -> str:
        return self.zone.get_purpose_display()

    @property
    def colour(self) -> str:
        return ZONE_COLOURS.get(self.zone.purpose, "#374151")

    @property
    def size(self) -> str:
        if self.shape == "area":
            return format_area(self.area_m2)
        if self.shape == "line":
            return format_length(self.length_m)
        return _("a point")


def zone_rows(zones, srid: int, titles: dict[int, str] | None = None) -> list[ZoneRow]:
    """``zones`` with their sizes; ``titles`` (concept pk → title) names each zone's concept."""
    rows = []
    for zone in zones:
        kind = zone.geom.geom_type
        if kind in ("Polygon", "MultiPolygon"):
            area = zone.area_m2 if zone.area_m2 is not None else measured_area(zone.geom, srid)
            rows.append(ZoneRow(zone, "area", area_m2=area))
        elif kind in ("LineString", "MultiLineString"):
            length = zone.length_m if zone.length_m is not None else measured_length(zone.geom, srid)
            rows.append(ZoneRow(zone, "line", length_m=length))
        else:
            rows.append(ZoneRow(zone, "point"))
    for row in rows:
        row.concept_title = (titles or {}).get(row.zone.concept_id, "")
    return rows


def zone_feature(row: ZoneRow) -> dict[str, Any]:
    zone = row.zone
    details = [row.purpose, row.size] if row.shape != "point" else [row.purpose]
    if row.concept_title:
        details.append(row.concept_title)
    return feature(
        zone.geom,
        title=zone.label or capfirst(row.purpose),
        details=details,
        style=zone_style(zone.purpose),
        kind="zone",
        purpose=zone.purpose,
    )


def purpose_legend(rows: list[ZoneRow]) -> list[dict[str, Any]]:
    """The legend of a map of zones: one swatch for each purpose its zones have, in the purposes' order."""
    present = {row.zone.purpose for row in rows}
    return [
        {"title": capfirst(purpose.label), "style": zone_style(purpose), "shape": "area"}
        for purpose in Purpose
        if purpose in present
    ]


# Concepts as the pages show them.


def origin_text(concept: RenovationConcept) -> str:
    if concept.origin == Origin.WORKSHOP and concept.workshop is not None:
        return _("the workshop “%(title)s”") % {"title": concept.workshop.title}
    return concept.get_origin_display()


def current_concept(concepts) -> RenovationConcept | None:
    """The concept furthest along its way among ``concepts`` (a set-aside one never); the first of equals."""
    live = [concept for concept in concepts if concept.status in LIVE_STAGES]
    if not live:
        return None
    return min(live, key=lambda concept: (LIVE_STAGES.index(concept.status), concept.pk))


def current_state_text(park: Park, concept: RenovationConcept | None) -> str:
    """ "In design: Shade and water for the old alley", or the park's state when no concept is under way."""
    if concept is None:
        return capfirst(park.get_state_display())
    return _("%(status)s: %(concept)s") % {"status": capfirst(concept.get_status_display()), "concept": concept.title}


@dataclass
class ConceptCard:
    """A concept as a park's page lists it."""

    concept: RenovationConcept
    origin: str
    cost: str
    zone_count: int

    @classmethod
    def of(cls, concept: RenovationConcept) -> "ConceptCard":
        return cls(
            concept=concept,
            origin=origin_text(concept),
            cost=format_cost(concept.cost_estimate) if concept.cost_estimate is not None else "",
            # Counted with the concepts (visible_concepts) where it can be, else asked for here.
            zone_count=concept.zone_count if hasattr(concept, "zone_count") else concept.zones.count(),
        )


def visible_concepts(park: Park, user):
    """The park's concepts ``user`` may see, with what their cards show fetched in one query."""
    return (
        RenovationConcept.objects.visible_to(user)
        .filter(park=park)
        .select_related("workshop")
        .annotate(zone_count=Count("zones"))
        .defer("description_kk", "description_ru", "description_en")
        .order_by("pk")
    )


def residents_proposals(subject, user) -> list:
    """The proposals ``user`` may see that are about ``subject`` (a park or a concept), newest first."""
    from participation.models import Proposal  # participation builds on parks, not the other way round

    return list(
        Proposal.objects.filter(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk)
        .visible_to(user)
        .select_related("category")
        .order_by("-created_at")[:RELATED_LIMIT]
    )


def about_key(subject) -> str:
    """What the proposal form's ``?about=`` takes to link a new proposal to ``subject``."""
    return f"{subject._meta.label_lower}:{subject.pk}"


# The list.


@dataclass
class ParkCard:
    park: Park
    area: str
    current: str
    concept_count: int


def listed_parks(request: HttpRequest):
    """The parks with what the list shows of each: district, and the concepts the user may see, counted."""
    visible = RenovationConcept.objects.visible_to(request.user)
    return (
        Park.objects.select_related("district")
        .annotate(concept_count=Count("concepts", filter=Q(concepts__in=visible), distinct=True))
        .prefetch_related(
            Prefetch(
                "concepts",
                queryset=visible.only("pk", "park_id", "status", "title_kk", "title_ru", "title_en").order_by("pk"),
                to_attr="listed_concepts",
            )
        )
        .defer("description_kk", "description_ru", "description_en")
        # The count groups the rows, which drops the model's default order: said again for the paginator.
        .order_by(*Park._meta.ordering)
    )


def park_features(parks) -> list[dict[str, Any]]:
    """Each park as one feature, its boundary simplified, styled as the parks layer styles it."""
    features = []
    for park in parks.only("pk", "name_kk", "name_ru", "name_en", "state", "area_m2", "boundary"):
        features.append(park_feature(park, park.boundary.simplify(BOUNDARY_TOLERANCE_DEGREES, preserve_topology=True)))
    return features


def state_legend() -> list[dict[str, Any]]:
    return [{"title": capfirst(state.label), "style": park_style(state.value), "shape": "area"} for state in State]


@require_safe
def park_list(request: HttpRequest) -> HttpResponse:
    form = ParkFilterForm(request.GET)
    city = current_city()
    map_config = map_base(city, request)
    if form.is_valid():
        parks = form.filter(listed_parks(request), request.user)
        page = Paginator(parks, PAGE_SIZE).get_page(request.GET.get("page"))
        cards = [
            ParkCard(
                park=park,
                area=format_area(park.area_m2) if park.area_m2 else "—",
                current=current_state_text(park, current_concept(park.listed_concepts)),
                concept_count=park.concept_count,
            )
            for park in page
        ]
        page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
        # The map shows every park the filters keep, not only this page's.
        map_config["features"] = park_features(form.filter(Park.objects.all(), request.user))
    else:
        # A filter that does not parse (a deleted district, a state that does not exist) is said, not guessed at.
        page, cards, page_range = None, [], []
        map_config["features"] = []
    map_config["outlines"] = district_outlines(District.objects.order_by("name"))
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "cards": cards,
        "map_config": map_config,
        "legend": state_legend(),
        "programme": programme_total(),
        "can_add": request.user.has_perm("parks.add_park"),
    }
    return render(request, "parks/list.html", context)


# A park's page.


@dataclass
class PeopleServed:
    """The residents whose nearest park within the walking distance is this one, said as a sentence."""

    sentence: str
    note: str = ""


def people_served(park: Park) -> PeopleServed:
    """The residents the park serves (parks.access), or why they cannot be counted."""
    if park.state != State.OPEN:
        return PeopleServed(_("This park is not open, so park access counts it as the nearest park of no one for now."))
    access = park_access(park.city)
    if not access.citywide.residents:
        return PeopleServed(
            _("The city has no estimate of its residents yet, so those this park serves are not counted.")
        )
    distance = format_length(access.metres)
    people = round_people(access.served(park.pk))
    if not people:
        sentence = _("No resident has this park as their nearest within a walk of %(distance)s.") % {
            "distance": distance
        }
    else:
        sentence = ngettext(
            "About %(people)s resident has this park as their nearest within a walk of %(distance)s.",
            "About %(people)s residents have this park as their nearest within a walk of %(distance)s.",
            people,
        ) % {"people": format_number(people), "distance": distance}
    return PeopleServed(sentence, str(ESTIMATE_NOTE))


@require_safe
def park_detail(request: HttpRequest, pk: int) -> HttpResponse:
    park = get_object_or_404(Park.objects.select_related("city", "district", "source"), pk=pk)
    concepts = list(visible_concepts(park, request.user))
    current = current_concept(concepts)
    description = park.description
    srid = metric_srid(park)

    # The zones of the published concepts under way; a draft's or a set-aside plan is not the park's.
    mapped = [concept for concept in concepts if concept.is_published and concept.status != ConceptStatus.SET_ASIDE]
    titles = {concept.pk: concept.title for concept in mapped}
    rows = zone_rows(Zone.objects.filter(concept__in=mapped).order_by("concept", "pk"), srid, titles)

    map_config = map_base(park.city, request)
    map_config["outlines"] = district_outlines([park.district] if park.district else [])
    map_config["features"] = [
        park_feature(park),
        *entrance_features(park),
        *(zone_feature(row) for row in rows),
    ]
    map_config["bounds"] = bounds_of(park.boundary)
    legend = [{"title": _("The park"), "style": park_style(park.state), "shape": "area"}]
    if park.entrances:
        legend.append({"title": _("Entrance"), "style": ENTRANCE_STYLE, "shape": "point"})

    context = {
        "park": park,
        "description": description,
        "current": current,
        "current_state": current_state_text(park, current),
        "area": format_area(park.area_m2) if park.area_m2 else "",
        "entrance_count": len(park.entrances) if park.entrances else 0,
        "served": people_served(park),
        "cards": [ConceptCard.of(concept) for concept in concepts],
        "zone_rows": rows,
        "selects": compare_selects(concepts),
        "map_config": map_config,
        "legend": legend + purpose_legend(rows),
        "pairs": photo_pairs(park),
        "other_photos": unpaired_photos(park),
        "proposals": residents_proposals(park, request.user),
        "about_key": about_key(park),
        "can_change": request.user.has_perm("parks.change_park"),
        "can_add_concept": request.user.has_perm("parks.add_renovationconcept"),
    }
    return render(request, "parks/detail.html", context)


# A concept's page.


def authors_of(concept: RenovationConcept) -> list[str]:
    """The team as it signs, then the display names of the authors with an account (never their e-mail)."""
    names = [concept.team] if concept.team else []
    names += [user.display_name for user in concept.authors.order_by("display_name") if user.display_name]
    return names


def visible_proposal(concept: RenovationConcept, user):
    """The resident's proposal the concept came from, if ``user`` may see it; else None."""
    if concept.proposal_id is None:
        return None
    from participation.models import Proposal  # participation builds on parks, not the other way round

    return Proposal.objects.visible_to(user).filter(pk=concept.proposal_id).first()


@require_safe
def concept_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concept = get_object_or_404(
        RenovationConcept.objects.visible_to(request.user).select_related("park", "park__city", "workshop"), pk=pk
    )
    park = concept.park
    rows = zone_rows(concept.zones.order_by("pk"), metric_srid(park))

    map_config = map_base(park.city, request)
    map_config["features"] = [
        park_feature(park, style={**park_style(park.state), **PARK_OUTLINE_STYLE}),
        *(zone_feature(row) for row in rows),
    ]
    map_config["bounds"] = bounds_of(park.boundary)
    legend = [{"title": _("The park"), "style": {**park_style(park.state), **PARK_OUTLINE_STYLE}, "shape": "area"}]

    context = {
        "concept": concept,
        "park": park,
        "description": concept.description,
        "authors": authors_of(concept),
        "origin": origin_text(concept),
        "proposal": visible_proposal(concept, request.user),
        "cost": format_cost(concept.cost_estimate) if concept.cost_estimate is not None else "",
        "steps": list(concept.status_changes.order_by("date", "recorded_at", "pk")),
        "plan_images": list(concept.plan_images.order_by("pk")),
        "zone_rows": rows,
        "map_config": map_config,
        "legend": legend + purpose_legend(rows),
        "access_url": f"{reverse('parks:access')}?concept={concept.pk}",
        "proposals": residents_proposals(concept, request.user),
        "about_key": about_key(concept),
        "can_change": request.user.has_perm("parks.change_renovationconcept"),
    }
    return render(request, "parks/concept.html", context)


# Two concepts compared.


def compare_selects(concepts: list[RenovationConcept], selected: tuple[str, str] = ("", "")) -> list[dict[str, Any]]:
    """The two selects of the comparison form: the first and the second concept chosen, unless ``selected`` says."""
    selects = []
    for index, (name, label) in enumerate((("a", _("First concept")), ("b", _("Second concept"))), start=0):
        chosen = selected[index] or (str(concepts[index].pk) if len(concepts) > index else "")
        options = [
            (concept.pk, f"{concept.title} ({concept.get_status_display()})", str(concept.pk) == chosen)
            for concept in concepts
        ]
        selects.append({"name": name, "label": label, "options": options})
    return selects


class CompareError(ValueError):
    """A query the comparison cannot use; the message says what is wrong."""


def concept_from_query(request: HttpRequest, parameter: str, park: Park) -> RenovationConcept:
    value = request.GET.get(parameter, "").strip()
    if not value:
        raise CompareError(_("Pick two concepts of this park to compare: one for each side."))
    if not value.isdigit():
        raise CompareError(_("“%(value)s” is not the number of a concept.") % {"value": value})
    concept = (
        RenovationConcept.objects.visible_to(request.user)
        .select_related("park", "workshop")
        .filter(pk=int(value))
        .first()
    )
    if concept is None:
        raise CompareError(
            _("There is no published concept number %(number)s: it does not exist or is not published.")
            % {"number": value}
        )
    if concept.park_id != park.pk:
        raise CompareError(
            _("“%(concept)s” is a concept for %(other)s, not for %(park)s: only concepts of one park can be compared.")
            % {"concept": concept.title, "other": concept.park.name, "park": park.name}
        )
    return concept


def compared_concepts(request: HttpRequest, park: Park) -> tuple[RenovationConcept, RenovationConcept]:
    first = concept_from_query(request, "a", park)
    second = concept_from_query(request, "b", park)
    if first.pk == second.pk:
        raise CompareError(_("That is the same concept twice: pick two different concepts to compare."))
    return first, second


@dataclass
class PurposeRow:
    """One purpose of the comparison table: the two concepts' areas, shares, line lengths and point counts."""

    purpose: str
    title: str
    colour: str
    areas: list[str] = field(default_factory=list)
    shares: list[str] = field(default_factory=list)
    lengths: list[str] = field(default_factory=list)
    points: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    areas: list[PurposeRow]
    lines: list[PurposeRow]
    area_totals: list[tuple[str, str]]
    length_totals: list[str]
    has_lines: bool


def compare_zones(rows_by_concept: list[list[ZoneRow]], park_area_m2: float) -> Comparison:
    """The zones of each concept summed per purpose: areas (m², share of the park), line lengths, points."""
    sums = []
    for rows in rows_by_concept:
        area: dict[str, float] = {}
        length: dict[str, float] = {}
        points: dict[str, int] = {}
        for row in rows:
            purpose = row.zone.purpose
            if row.shape == "area":
                area[purpose] = area.get(purpose, 0.0) + row.area_m2
            elif row.shape == "line":
                length[purpose] = length.get(purpose, 0.0) + row.length_m
            else:
                points[purpose] = points.get(purpose, 0) + 1
        sums.append((area, length, points))

    def share(value: float) -> str:
        return format_share(value / park_area_m2, 1) if park_area_m2 else "—"

    areas, lines = [], []
    for purpose in Purpose:
        base = {"purpose": purpose.value, "title": capfirst(purpose.label), "colour": ZONE_COLOURS[purpose]}
        if any(purpose in area for area, _length, _points in sums):
            areas.append(
                PurposeRow(
                    **base,
                    areas=[format_area(area.get(purpose, 0.0)) for area, _length, _points in sums],
                    shares=[share(area.get(purpose, 0.0)) for area, _length, _points in sums],
                )
            )
        if any(purpose in length or purpose in points for _area, length, points in sums):
            lines.append(
                PurposeRow(
                    **base,
                    lengths=[format_length(length.get(purpose, 0.0)) for _area, length, _points in sums],
                    points=[format_number(points.get(purpose, 0)) for _area, _length, points in sums],
                )
            )
    area_totals = [(format_area(sum(area.values())), share(sum(area.values()))) for area, _length, _points in sums]
    length_totals = [format_length(sum(length.values())) for _area, length, _points in sums]
    has_lines = any(length for _area, length, _points in sums)
    return Comparison(areas, lines, area_totals, length_totals, has_lines)


@dataclass
class ComparedConcept:
    concept: RenovationConcept
    side: str
    cost: str
    origin: str
    rows: list[ZoneRow]


@require_safe
def concept_compare(request: HttpRequest, pk: int) -> HttpResponse:
    park = get_object_or_404(Park.objects.select_related("city"), pk=pk)
    choices = list(visible_concepts(park, request.user))
    selected = (request.GET.get("a", "").strip(), request.GET.get("b", "").strip())
    context: dict[str, Any] = {"park": park, "choices": choices, "selects": compare_selects(choices, selected)}
    try:
        pair = compared_concepts(request, park)
    except CompareError as error:
        context["error"] = str(error)
        return render(request, "parks/compare.html", context, status=400)

    srid = metric_srid(park)
    sides = []
    for concept, side in zip(pair, ("a", "b"), strict=True):
        sides.append(
            ComparedConcept(
                concept=concept,
                side=side,
                cost=format_cost(concept.cost_estimate) if concept.cost_estimate is not None else "",
                origin=origin_text(concept),
                rows=zone_rows(concept.zones.order_by("pk"), srid),
            )
        )
    outline = {**park_style(park.state), **PARK_OUTLINE_STYLE}
    maps = []
    for side in sides:
        config = map_base(park.city, request)
        config["features"] = [park_feature(park, style=outline), *(zone_feature(row) for row in side.rows)]
        config["bounds"] = bounds_of(park.boundary)
        maps.append(config)
    every_row = [row for side in sides for row in side.rows]
    context.update(
        {
            "sides": sides,
            "comparison": compare_zones([side.rows for side in sides], park_area(park)),
            "park_area": format_area(park_area(park)),
            "maps_config": {"maps": maps},
            "legend": [{"title": _("The park"), "style": outline, "shape": "area"}, *purpose_legend(every_row)],
        }
    )
    return render(request, "parks/compare.html", context)


# The programme.


@dataclass
class ProgrammeGroup:
    title: str
    parks: list[Park]


@require_safe
def programme(request: HttpRequest) -> HttpResponse:
    summaries = programme_summary()
    total = programme_total()
    park_ids = set(total.park_stages)
    parks = Park.objects.only("pk", "name_kk", "name_ru", "name_en").in_bulk(park_ids)
    sections = [
        {
            "summary": summary,
            "groups": [
                ProgrammeGroup(
                    group.title, sorted((parks[pk] for pk in group.park_ids), key=lambda park: park.name.casefold())
                )
                for group in summary.groups
            ],
        }
        for summary in summaries
    ]
    drafts = 0
    if request.user.has_perm("parks.change_renovationconcept"):
        drafts = RenovationConcept.objects.filter(is_published=False).count()
    context = {"total": total, "sections": sections, "drafts": drafts}
    return render(request, "parks/programme.html", context)
