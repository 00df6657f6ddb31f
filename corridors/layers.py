"""Green corridors and their segments on the map.

A corridor is drawn as one feature, the collection of its segments' lines,
coloured by its kind (green corridor, bike route, river promenade...) and
stroked by its status: solid where it exists, dashed where it is planned,
dotted where it is only proposed. A segment is coloured by its own status and
stroked by its mode (shared, bike, pedestrian), so that the legend tells a
bike lane from a footpath. The same styles draw the corridor pages' own maps
(corridors.views), so a corridor looks the same everywhere.

Only published corridors are in the public layers. The registry decides who
sees a layer, not a feature, so drafts have a layer of their own,
"corridor_drafts", which only those who may change corridors see. Corridor
data is Qala's own: the layers carry no attribution.
"""

from django.contrib.gis.db.models import Collect
from django.utils.translation import gettext_lazy as _

from corridors.filters import CorridorFilterForm
from corridors.models import Corridor, Kind, Mode, Segment, Status
from gis_data.registry import Layer, Variant, register

# One colour per kind, each at least 3:1 against the light map background (WCAG 2.1 non-text contrast).
KIND_COLOURS = {
    Kind.GREEN_CORRIDOR: "#15803d",
    Kind.BIKE_ROUTE: "#1d4ed8",
    Kind.PEDESTRIAN_ROUTE: "#7e22ce",
    Kind.RIVER_PROMENADE: "#0e7490",
    Kind.RAILS_TO_TRAILS: "#b45309",
}
# A corridor's status as the pattern of its stroke, so it reads over any kind's colour.
STATUS_STROKES = {
    Status.EXISTING: {"weight": 5},
    Status.PLANNED: {"dashArray": "10 6"},
    Status.PROPOSED: {"dashArray": "2 8", "opacity": 0.85},
}
# A segment's status as its colour, and its mode as its stroke.
SEGMENT_STATUS_COLOURS = {
    Status.EXISTING: "#166534",
    Status.PLANNED: "#1d4ed8",
    Status.PROPOSED: "#a21caf",
}
MODE_STROKES = {
    Mode.SHARED: {"weight": 5},
    Mode.BIKE: {"dashArray": "12 6"},
    Mode.PEDESTRIAN: {"dashArray": "1 8", "weight": 5},
}

CORRIDOR_STYLE = {"color": "#37474f", "weight": 4, "opacity": 0.95}
SEGMENT_STYLE = {"color": "#37474f", "weight": 4, "opacity": 0.95}

CORRIDOR_ATTRIBUTES = (
    "name_kk",
    "name_ru",
    "name_en",
    "kind",
    "status",
    "length_m",
    "climb_m",
    "descent_m",
    "max_grade",
)


def corridor_style(kind: str, status: str) -> dict:
    """The Leaflet style of a corridor of ``kind`` and ``status``, as the layer's variants compose it."""
    return {
        **CORRIDOR_STYLE,
        "color": KIND_COLOURS.get(kind, CORRIDOR_STYLE["color"]),
        **STATUS_STROKES.get(status, {}),
    }


def segment_style(status: str, mode: str) -> dict:
    """The Leaflet style of a segment of ``status`` and ``mode``, as the layer's variants compose it."""
    colour = SEGMENT_STATUS_COLOURS.get(status, SEGMENT_STYLE["color"])
    return {**SEGMENT_STYLE, "color": colour, **MODE_STROKES.get(mode, {})}


CORRIDOR_VARIANTS = (
    *(Variant("kind", kind.value, kind.label, {"color": colour}) for kind, colour in KIND_COLOURS.items()),
    *(Variant("status", status.value, status.label, stroke) for status, stroke in STATUS_STROKES.items()),
)
SEGMENT_VARIANTS = (
    *(
        Variant("status", status.value, status.label, {"color": colour})
        for status, colour in SEGMENT_STATUS_COLOURS.items()
    ),
    *(Variant("mode", mode.value, mode.label, stroke) for mode, stroke in MODE_STROKES.items()),
)


def with_lines(corridors):
    """``corridors`` with ``line``: the collection of their segments' lines (those without a segment left out).

    ST_Collect keeps each segment as drawn (no noding, unlike ST_Union), which
    is all a map needs and far cheaper.
    """
    return corridors.filter(segments__isnull=False).annotate(line=Collect("segments__geom"))


def may_change_corridors(user) -> bool:
    return user is not None and user.has_perm("corridors.change_corridor")


register(
    Layer(
        name="corridors",
        title=_("Green corridors and bike routes"),
        queryset=lambda: with_lines(Corridor.objects.published()),
        legend="line",
        geometry_field="line",
        attributes=CORRIDOR_ATTRIBUTES,
        style=CORRIDOR_STYLE,
        variants=CORRIDOR_VARIANTS,
        # A few dozen corridors: the whole city is worth seeing at once.
        min_zoom=10,
        filter_form=CorridorFilterForm,
        link="corridors:detail",
    )
)

register(
    Layer(
        name="segments",
        title=_("Corridor segments"),
        queryset=lambda: Segment.objects.filter(corridor__is_published=True),
        legend="line",
        attributes=(
            "name",
            "corridor_name_kk=corridor__name_kk",
            "corridor_name_ru=corridor__name_ru",
            "corridor_name_en=corridor__name_en",
            "corridor=corridor_id",
            "position",
            "mode",
            "status",
            "width_m",
            "surface",
            "lighting",
            "landscape_derived",
            "landscape_override",
            "length_m",
            "follows",
            "follows_name",
            "follows_share",
        ),
        style=SEGMENT_STYLE,
        variants=SEGMENT_VARIANTS,
        # A segment's mode and surface matter street by street; the corridors layer gives the overview.
        min_zoom=13,
        default_on=False,
        label="corridor_name",
        link="corridors:detail",
        link_attribute="corridor",
    )
)

register(
    Layer(
        name="corridor_drafts",
        title=_("Corridors not yet published"),
        queryset=lambda: with_lines(Corridor.objects.filter(is_published=False)),
        legend="line",
        geometry_field="line",
        attributes=CORRIDOR_ATTRIBUTES,
        style={**CORRIDOR_STYLE, "opacity": 0.8},
        variants=CORRIDOR_VARIANTS,
        min_zoom=10,
        visible_to=may_change_corridors,
        filter_form=CorridorFilterForm,
        link="corridors:detail",
    )
)
