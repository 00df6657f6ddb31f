"""What everyone sees of corridors: the list, a corridor's page, the network's analyses and the route planner.

The pages draw small Leaflet maps from a JSON config (static/js/corridor_map.js)
with the same styles as the registry's layers (corridors.layers). Every number
a page shows is formatted here, in the request's language; the scripts only
draw. The analyses come from corridors.network; this module only asks and
formats.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import Point
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from corridors import network
from corridors.filters import NETWORK_STATUSES, CorridorFilterForm, NetworkForm
from corridors.layers import corridor_style, segment_style, with_lines
from corridors.models import Corridor, Kind, Segment, Status
from corridors.trajectory import TrajectoryError, cost_surface_bounds
from gis_data.formats import format_kilometres, format_length, format_metres, format_number, format_share
from gis_data.geometry import SRID
from gis_data.maps import as_geojson, district_outlines, feature, map_base
from gis_data.models import City, District
from gis_data.packs import current_city
from gis_data.population import ESTIMATE_NOTE
from gis_data.views import data_sources, layer_catalogue
from photos.services import photo_pairs, unpaired_photos

PAGE_SIZE = 25
# The proposals listed on a corridor's page, newest first.
RELATED_LIMIT = 10
# Lines sent to a page's map are simplified to about 5 m: enough to read.
LINE_TOLERANCE_DEGREES = 0.00005
# The profile's table (its text alternative) has at most this many rows, evenly spread along the line.
PROFILE_TABLE_ROWS = 25
# The gaps the network page ranks.
GAP_LIMIT = 20
# One colour per connected part of the network, each at least 3:1 on the light map; they repeat after ten,
# so each part is also named ("Part 3") on the map and in the list.
COMPONENT_COLOURS = (
    "#1b7837",
    "#2166ac",
    "#b2182b",
    "#762a83",
    "#9c4a00",
    "#01665e",
    "#c51b7d",
    "#4d4d4d",
    "#5e6b00",
    "#3f51b5",
)
GAP_STYLE = {"color": "#111827", "weight": 3, "opacity": 0.9, "dashArray": "6 6"}
# The reference layers the network page offers as overlays, off until asked for.
NETWORK_OVERLAYS = ("urban_blocks", "population")


# Formatting, in the number format of the active language.


def format_people(count: float) -> str:
    # The residents are an estimate: whole people, never decimals.
    return format_number(round(count))


def join_names(names: list[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    names = [name for name in names if name]
    if len(names) <= 1:
        return names[0] if names else ""
    return _("%(list)s and %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


def in_language(obj: object, field: str) -> tuple[str, str]:
    """``field`` in the active language, else in the first language that has it, with that language's code.

    The code goes into a ``lang`` attribute, so that a screen reader reads a
    Russian name on the Kazakh page as Russian.
    """
    active = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    for code in (active, *(code for code, _name in settings.LANGUAGES)):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value, code
    return "", active


# Maps: each page embeds a JSON config that static/js/corridor_map.js draws.


def sources_context(city: City | None) -> dict[str, Any]:
    """What the "Data sources" dialog (gis_data/_data_sources.html) needs."""
    return {"sources": data_sources(city) if city else [], "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


# The list.


@dataclass
class CorridorCard:
    """A corridor as the list shows it, with its figures formatted in the active language."""

    corridor: Corridor
    name: str
    name_lang: str
    length: str
    climb: str

    @classmethod
    def of(cls, corridor: Corridor) -> "CorridorCard":
        name, lang = in_language(corridor, "name")
        return cls(
            corridor=corridor,
            name=name,
            name_lang=lang,
            length=format_kilometres(corridor.length_m),
            climb=format_metres(corridor.climb_m),
        )


def listed_corridors(request: HttpRequest):
    """The corridors the user may see, with the districts the list shows fetched in one more query."""
    return (
        Corridor.objects.visible_to(request.user)
        .prefetch_related(Prefetch("districts", queryset=District.objects.order_by("name")))
        # The list never shows the description; a long one in three languages is not worth sending.
        .defer("description_kk", "description_ru", "description_en")
    )


def corridor_features(corridors) -> list[dict[str, Any]]:
    """Each corridor as one feature (its segments' lines), styled as the corridors layer styles it."""
    features = []
    for corridor in with_lines(corridors).only("pk", "name_kk", "name_ru", "name_en", "kind", "status"):
        features.append(
            feature(
                corridor.line.simplify(LINE_TOLERANCE_DEGREES),
                title=corridor.name,
                url=corridor.get_absolute_url(),
                details=[corridor.get_kind_display(), corridor.get_status_display()],
                style=corridor_style(corridor.kind, corridor.status),
            )
        )
    return features


@require_safe
def corridor_list(request: HttpRequest) -> HttpResponse:
    form = CorridorFilterForm(request.GET)
    city = current_city()
    map_config = map_base(city, request, city_bounds=True)
    if form.is_valid():
        corridors = form.filter(listed_corridors(request))
        page = Paginator(corridors, PAGE_SIZE).get_page(request.GET.get("page"))
        cards = [CorridorCard.of(corridor) for corridor in page]
        page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
        # The map shows every corridor the filters keep, not only this page's.
        map_config["features"] = corridor_features(form.filter(Corridor.objects.visible_to(request.user)))
    else:
        # A filter that does not parse (a deleted district, a kind that does not exist) is said, not guessed at.
        page, cards, page_range = None, [], []
        map_config["features"] = []
    map_config["outlines"] = district_outlines(District.objects.order_by("name"))
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "cards": cards,
        "map_config": map_config,
        "legend": kind_legend(),
        "can_add": request.user.has_perm("corridors.add_corridor"),
    }
    return render(request, "corridors/list.html", context)


def kind_legend() -> list[dict[str, Any]]:
    """The legend of a map of corridors: a swatch and a name for each kind, then for each status."""
    kinds = [{"title": kind.label, "style": corridor_style(kind.value, Status.EXISTING)} for kind in Kind]
    statuses = [{"title": status.label, "style": corridor_style("", status.value)} for status in Status]
    return kinds + statuses


# A corridor's page.


@dataclass
class SegmentRow:
    """A segment as the corridor page's table shows it."""

    segment: Segment
    number: int
    length: str
    width: str
    follows: str


def follows_text(segment: Segment) -> str:
    """What the segment runs along and for how much of its length: "Malaya Almatinka, 85 %"; "" if nothing."""
    if not segment.follows:
        return ""
    name = segment.follows_name or segment.get_follows_display()
    if segment.follows_share is None:
        return name
    return _("%(name)s, %(share)s") % {"name": name, "share": format_share(segment.follows_share)}


def segment_rows(segments: list[Segment]) -> list[SegmentRow]:
    return [
        SegmentRow(
            segment=segment,
            number=index,
            length=format_length(segment.length_m),
            width=_("%(value)s m") % {"value": format_number(float(segment.width_m), 1)} if segment.width_m else "",
            follows=follows_text(segment),
        )
        for index, segment in enumerate(segments, start=1)
    ]


@dataclass
class ProfileView:
    """An elevation profile as a page draws it (kilometres, metres, None for no data) and describes it in words."""

    distances_km: list[float]
    elevations: list[float | None]
    summary: str
    gap: str
    rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(height is not None for height in self.elevations)

    def as_config(self) -> dict[str, Any]:
        return {"distances": self.distances_km, "elevations": self.elevations, "summary": self.summary}


def concatenated_profile(segments: list[Segment]) -> tuple[list[float], list[float | None]]:
    """The segments' profiles end to end, in their order: distances in metres from the corridor's start.

    A segment not measured yet (no profile) counts as a stretch without data,
    so the line breaks there instead of joining its neighbours.
    """
    distances: list[float] = []
    elevations: list[float | None] = []
    offset = 0.0
    for segment in segments:
        profile = segment.profile or {}
        along, heights = profile.get("distances") or [], profile.get("elevations") or []
        if along and len(along) == len(heights):
            distances.extend(offset + distance for distance in along)
            elevations.extend(heights)
            length = along[-1]
        else:
            length = segment.length_m or 0.0
            distances.extend([offset, offset + length])
            elevations.extend([None, None])
        offset += length
    return distances, elevations


def profile_view(distances: list[float], elevations: list[float | None], gap_m: float) -> ProfileView:
    """A profile (metres) with its sentence for screen readers, its gap sentence and its table."""
    length = distances[-1] if distances else 0.0
    known = [(distance, height) for distance, height in zip(distances, elevations, strict=True) if height is not None]
    gap = ""
    if known and gap_m >= 1:
        gap = _("No elevation data along %(length)s: the profile is broken there, not filled in.") % {
            "length": format_length(gap_m)
        }
    if not known:
        summary = _("No elevation data along this line.")
        gap = summary if distances else ""
    else:
        lowest = min(known, key=lambda pair: pair[1])
        highest = max(known, key=lambda pair: pair[1])
        summary = _(
            "Elevation profile over %(length)s: %(start)s at the start and %(end)s at the end, "
            "lowest %(low)s at %(low_at)s, highest %(high)s at %(high_at)s."
        ) % {
            "length": format_kilometres(length),
            "start": format_metres(known[0][1]),
            "end": format_metres(known[-1][1]),
            "low": format_metres(lowest[1]),
            "low_at": format_kilometres(lowest[0]),
            "high": format_metres(highest[1]),
            "high_at": format_kilometres(highest[0]),
        }
    # The table keeps the samples evenly spread along the line, the first and last included.
    count = len(distances)
    picks = sorted({round(i * (count - 1) / (PROFILE_TABLE_ROWS - 1)) for i in range(PROFILE_TABLE_ROWS)})
    rows = [
        (format_kilometres(distances[i]), format_metres(elevations[i]) if elevations[i] is not None else _("no data"))
        for i in picks
        if count
    ]
    return ProfileView(
        distances_km=[round(distance / 1000, 4) for distance in distances],
        elevations=[None if height is None else round(height, 1) for height in elevations],
        summary=summary,
        gap=gap,
        rows=rows,
    )


def corridor_figures(corridor: Corridor) -> list[tuple[str, str]]:
    """The corridor's figures as (term, value) pairs, as its page lists them."""
    return [
        (_("Length"), format_length(corridor.length_m)),
        (_("Climb"), format_metres(corridor.climb_m)),
        (_("Descent"), format_metres(corridor.descent_m)),
        (_("Mean grade"), format_share(corridor.mean_grade, 1)),
        (_("Maximum grade"), format_share(corridor.max_grade, 1)),
    ]


def sees_drafts(user) -> bool:
    """Whether ``user`` sees draft corridors, in the network's analyses and routes too."""
    return user.has_perm("corridors.change_corridor")


def connection_sentences(corridor: Corridor, city: City | None, user) -> list[str]:
    """What the corridor connects, in sentences: "Links Nauryzbai District and Kalkaman with Gorky Central Park."

    The city's own test of a green corridor: which suburbs (the districts it
    crosses, the populated places near it) it links with which parks, over
    the parts of the network it belongs to (corridors.network.corridor_links).
    Suburbs linked with the same parks share a sentence.
    """
    if city is None:
        return []
    built = network.build_network(city, published_only=not sees_drafts(user))
    links = network.corridor_links(corridor, built)
    by_parks: dict[tuple, list[str]] = {}
    for link in links.links:
        by_parks.setdefault(link.parks, []).append(link.suburb.localized_name)
    sentences = [
        _("Links %(suburbs)s with %(parks)s.")
        % {"suburbs": join_names(suburbs), "parks": join_names([park.localized_name for park in parks])}
        for parks, suburbs in by_parks.items()
        if parks
    ]
    alone = by_parks.get((), [])
    if alone:
        sentences.append(_("Reaches no park from %(suburbs)s yet.") % {"suburbs": join_names(alone)})
    if not links.links and links.parks:
        sentences.append(_("Reaches %(parks)s.") % {"parks": join_names(links.park_names())})
    return sentences or [_("Reaches no park and links no suburb yet.")]


def residents_proposals(corridor: Corridor, user) -> list:
    """The proposals ``user`` may see that are about this corridor, newest first."""
    from participation.models import Proposal  # participation builds on corridors, not the other way round

    return list(
        Proposal.objects.filter(subject_type=ContentType.objects.get_for_model(Corridor), subject_id=corridor.pk)
        .visible_to(user)
        .select_related("category")
        .order_by("-created_at")[:RELATED_LIMIT]
    )


@require_safe
def corridor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Drafts answer 404 to those who may not change corridors, as if they did not exist.
    corridor = get_object_or_404(Corridor.objects.visible_to(request.user), pk=pk)
    name, name_lang = in_language(corridor, "name")
    description, description_lang = in_language(corridor, "description")
    segments = list(corridor.segments.order_by("position", "pk"))
    districts = list(corridor.districts.order_by("name"))
    distances, elevations = concatenated_profile(segments)
    profile = profile_view(distances, elevations, corridor.dem_gap_m)
    city = current_city()

    map_config = map_base(city, request, city_bounds=True)
    map_config["outlines"] = district_outlines(districts)
    map_config["features"] = [
        feature(
            segment.geom,
            title=_("Segment %(number)s") % {"number": index} + (f": {segment.name}" if segment.name else ""),
            details=[segment.get_mode_display(), segment.get_status_display(), format_length(segment.length_m)],
            style=segment_style(segment.status, segment.mode),
        )
        for index, segment in enumerate(segments, start=1)
    ]
    context = {
        "corridor": corridor,
        "name": name,
        "name_lang": name_lang,
        "description": description,
        "description_lang": description_lang,
        "districts": districts,
        "figures": corridor_figures(corridor),
        "profile": profile,
        "profile_config": profile.as_config() | {"strings": chart_strings()},
        "segments": segment_rows(segments),
        "segment_legend": segment_legend(segments),
        "connections": connection_sentences(corridor, city, request.user) if segments else [],
        "pairs": photo_pairs(corridor),
        "other_photos": unpaired_photos(corridor),
        "proposals": residents_proposals(corridor, request.user),
        "about_key": f"corridors.corridor:{corridor.pk}",
        "map_config": map_config,
        "can_change": request.user.has_perm("corridors.change_corridor"),
    }
    return render(request, "corridors/detail.html", context)


def segment_legend(segments: list[Segment]) -> list[dict[str, Any]]:
    """The legend of a corridor's map: one entry for each status and mode its segments have."""
    seen = dict.fromkeys((segment.status, segment.mode) for segment in segments)
    legend = []
    for status, mode in seen:
        segment = Segment(status=status, mode=mode)
        title = _("%(status)s, %(mode)s") % {"status": segment.get_status_display(), "mode": segment.get_mode_display()}
        legend.append({"title": title, "style": segment_style(status, mode)})
    return legend


def chart_strings() -> dict[str, str]:
    """What static/js/corridor_map.js writes on a profile chart, in the request's language."""
    return {
        "distance": _("Distance (km)"),
        "elevation": _("Elevation (m)"),
        "dataset": _("Elevation"),
        # Translators: a point of the profile chart's tooltip; keep {distance} and {elevation}.
        "point": _("{distance} km: {elevation} m"),
    }


# The network page.


@dataclass
class ComponentRow:
    label: str
    colour: str
    length: str
    corridors: list[Corridor]
    parks: str


@dataclass
class GapRow:
    rank: int
    length: str
    joins: str
    people: str


@dataclass
class CoverageRow:
    name: str
    residents: str
    covered: str
    share: str


@dataclass
class NetworkAnalyses:
    components: list[ComponentRow]
    gaps: list[GapRow]
    coverage: list[CoverageRow]
    total: CoverageRow | None
    features: list[dict[str, Any]]


def network_analyses(city: City, statuses, user) -> NetworkAnalyses:
    """The connected parts, the ranked gaps and the coverage of the network made of ``statuses``' segments."""
    built = network.build_network(city, statuses=statuses, published_only=not sees_drafts(user))
    parts = network.components(built)
    corridors = Corridor.objects.visible_to(user).in_bulk([pk for part in parts for pk in part.corridor_ids])
    labels: dict[Any, str] = {}
    components: list[ComponentRow] = []
    features: list[dict[str, Any]] = []
    for index, part in enumerate(parts):
        label = _("Part %(number)s") % {"number": part.id}
        colour = COMPONENT_COLOURS[index % len(COMPONENT_COLOURS)]
        labels[part.id] = label
        members = [corridors[pk] for pk in part.corridor_ids if pk in corridors]
        parks = join_names(part.park_names())
        components.append(ComponentRow(label, colour, format_length(part.length_m), members, parks))
        features.append(
            feature(
                part.geometry,
                title=label,
                details=[format_length(part.length_m), *(corridor.name for corridor in members)],
                style={"color": colour, "weight": 5, "opacity": 0.9},
                kind="component",
            )
        )
    gaps = []
    for rank, gap in enumerate(network.gaps(built, limit=GAP_LIMIT), start=1):
        joins = join_names([labels.get(part_id, "") for part_id in gap.component_ids])
        people = format_people(gap.newly_connected)
        gaps.append(GapRow(rank, format_length(gap.length_m), joins, people))
        features.append(
            feature(
                gap.geometry,
                title=_("Gap %(rank)s") % {"rank": rank},
                details=[format_length(gap.length_m), _("joins %(parts)s") % {"parts": joins}],
                style=GAP_STYLE,
                kind="gap",
                rank=rank,
            )
        )
    result = network.coverage(city, settings.CORRIDOR_COVERAGE_METRES, network=built)
    coverage = [
        CoverageRow(row.name, format_people(row.residents), format_people(row.covered), format_share(row.share))
        for row in result.districts
    ]
    total = result.total
    total_row = CoverageRow(
        city.name, format_people(total.residents), format_people(total.covered), format_share(total.share)
    )
    return NetworkAnalyses(components, gaps, coverage, total_row, features)


def cost_surface_overlay(city: City) -> dict[str, Any] | None:
    """The cost surface as an image overlay of the network map, or None when the city has none (no DEM)."""
    try:
        west, south, east, north = cost_surface_bounds(city)
    except TrajectoryError:
        return None
    return {
        "url": reverse("corridors:cost_surface"),
        "bounds": [[south, west], [north, east]],
        "title": _("Cost surface of suggested trajectories"),
        "description": _(
            "What a metre of a new corridor costs: green along rivers, canals and disused railways, "
            "pale on open ground, yellow to red where it is built up or steep, dark across barriers."
        ),
    }


@require_safe
def network_page(request: HttpRequest) -> HttpResponse:
    city = current_city()
    form = NetworkForm(request.GET or None)
    analyses = None
    choice = "all"
    if city is not None and (not form.is_bound or form.is_valid()):
        choice = form.cleaned_data["statuses"] if form.is_bound else "all"
        analyses = network_analyses(city, NETWORK_STATUSES[choice], request.user)

    map_config = map_base(city, request, city_bounds=True)
    map_config["outlines"] = district_outlines(District.objects.order_by("name"))
    map_config["features"] = analyses.features if analyses else []
    map_config["overlays"] = layer_catalogue(request, city, NETWORK_OVERLAYS) if city else []
    map_config["costSurface"] = cost_surface_overlay(city) if city else None
    map_config["strings"]["zoomInToSee"] = _("Zoom in to see this layer")
    context = {
        "city": city,
        "form": form,
        "choice": choice,
        "analyses": analyses,
        "coverage_distance": format_length(settings.CORRIDOR_COVERAGE_METRES),
        "estimate_note": ESTIMATE_NOTE,
        "map_config": map_config,
        **sources_context(city),
    }
    return render(request, "corridors/network.html", context)


# The route planner.


class PointError(ValueError):
    """A ``from`` or ``to`` the route planner cannot use; ``parameter`` names which."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def parse_point(request: HttpRequest, parameter: str, city: City) -> Point:
    """``?<parameter>=longitude,latitude`` as a point inside the city's extent; PointError says what is wrong."""
    value = request.GET.get(parameter, "").strip()
    example = f"{city.center.x:.4f},{city.center.y:.4f}"
    if not value:
        raise PointError(
            parameter,
            _("%(parameter)s is required: a longitude and a latitude, such as %(example)s.")
            % {"parameter": parameter, "example": example},
        )
    parts = value.split(",")
    try:
        longitude, latitude = (float(part) for part in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        longitude = latitude = math.nan
    if not (math.isfinite(longitude) and math.isfinite(latitude)):
        raise PointError(
            parameter,
            _("%(parameter)s must be a longitude and a latitude in degrees, separated by a comma, such as %(example)s.")
            % {"parameter": parameter, "example": example},
        )
    point = Point(longitude, latitude, srid=SRID)
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90) or not city.extent.contains(point):
        raise PointError(
            parameter,
            _("%(parameter)s lies outside %(city)s: pick a point inside the city.")
            % {"parameter": parameter, "city": city.name},
        )
    return point


# The routes are drawn over the corridors: the shortest wide and blue, the gentlest narrower, dashed, on top.
ROUTE_STYLES = {
    "shortest": {"color": "#1d4ed8", "weight": 7, "opacity": 0.8},
    "gentlest": {"color": "#111827", "weight": 4, "opacity": 0.95, "dashArray": "10 8"},
    "nearest": {"color": "#9a3412", "weight": 3, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 8},
}
ROUTE_TITLES = {
    "shortest": gettext_lazy("Shortest route"),
    "gentlest": gettext_lazy("Gentlest route (least climbing)"),
}


def route_json_of(key: str, path: network.RoutePath) -> dict[str, Any]:
    """One route (network.RoutePath) as the planner draws and describes it."""
    profile = path.profile
    view = profile_view(profile.distances, profile.elevations, profile.gap_m)
    return {
        "key": key,
        "title": str(ROUTE_TITLES[key]),
        "geometry": as_geojson(path.geometry),
        "length_m": round(path.length_m, 1),
        "climb_m": None if path.climb_m is None else round(path.climb_m, 1),
        "descent_m": None if path.descent_m is None else round(path.descent_m, 1),
        "green_share": round(path.green_share, 4),
        "texts": {
            "length": format_length(path.length_m),
            "climb": format_metres(path.climb_m),
            "descent": format_metres(path.descent_m),
            "green": format_share(path.green_share),
        },
        "profile": view.as_config() | {"gap": view.gap},
    }


def bad_request(error: str, parameter: str = "") -> JsonResponse:
    body = {"error": error, **({"parameter": parameter} if parameter else {})}
    return JsonResponse(body, status=400)


@require_safe
def route_json(request: HttpRequest) -> JsonResponse:
    """The shortest and the gentlest route between ``?from=lon,lat`` and ``?to=lon,lat``, as JSON.

    A parameter missing, malformed or outside the city's extent is a 400
    naming it. Points the network does not connect answer 200 with
    ``found: false``, the reason, and the point nearest the end that can be
    reached from the start.
    """
    city = current_city()
    if city is None:
        return JsonResponse({"error": _("No city is loaded yet.")}, status=404)
    try:
        start = parse_point(request, "from", city)
        end = parse_point(request, "to", city)
    except PointError as error:
        return bad_request(str(error), error.parameter)
    built = network.build_network(city, published_only=not sees_drafts(request.user))
    result = network.route(city, start, end, network=built)
    if isinstance(result, network.NoRoute):
        # The message names the problem and how far from the end the start's part of the network comes.
        nearest = result.nearest_reachable
        return JsonResponse(
            {
                "found": False,
                "message": str(result.message),
                "nearest": {"type": "Point", "coordinates": [nearest.x, nearest.y]} if nearest is not None else None,
            }
        )
    return JsonResponse(
        {
            "found": True,
            "routes": [route_json_of("shortest", result.shortest), route_json_of("gentlest", result.gentlest)],
        }
    )


@require_safe
def route_planner(request: HttpRequest) -> HttpResponse:
    city = current_city()
    config = map_base(city, request, city_bounds=True)
    config["routeUrl"] = reverse("corridors:route_json")
    config["corridors"] = corridor_features(Corridor.objects.published()) if city else []
    config["styles"] = ROUTE_STYLES
    config["strings"].update(
        {
            "start": _("Start"),
            "end": _("End"),
            "startSet": _("The start is set. Now pick the end: click the map or use its centre."),
            "endSet": _("The end is set. Looking for routes…"),
            "pickStart": _("Pick the start: click the map, or move the map and use its centre."),
            "searching": _("Looking for routes…"),
            "failed": _("The routes could not be found. Try again."),
            "found": _("Two routes found: the shortest and the gentlest."),
            "notFound": _("These two points are not connected by the network."),
            "nearest": _("Nearest point reachable from the start"),
            "cleared": _("The start and the end were removed."),
        }
    )
    config["chart"] = chart_strings()
    legend = [
        {"title": ROUTE_TITLES["shortest"], "style": ROUTE_STYLES["shortest"]},
        {"title": ROUTE_TITLES["gentlest"], "style": ROUTE_STYLES["gentlest"]},
        {
            "title": _("Corridors and bike routes, each in its kind's colour"),
            "style": corridor_style(Kind.GREEN_CORRIDOR, Status.EXISTING),
        },
    ]
    context = {"city": city, "map_config": config, "legend": legend, **sources_context(city)}
    return render(request, "corridors/route.html", context)
