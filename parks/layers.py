"""Parks, the zones of published renovation concepts, and compensatory plantings on the map.

The parks layer carries the attribution of the pack's OpenStreetMap extract:
most parks were imported from it (parks.loading), and those an urbanist drew
sit beside them. Concept zones and plantings are Qala's own data. A zone is
coloured by its purpose, the same colours on every map that draws a plan
(``ZONE_COLOURS``, passed to the pages' scripts).
"""

from django.utils.translation import gettext_lazy as _

from gis_data.registry import Layer, Variant, register
from parks.models import ConceptStatus, Park, Planting, PlantingReason, Purpose, State, Zone

PARK_STYLE = {"color": "#166534", "weight": 2, "fillColor": "#4ade80", "fillOpacity": 0.35, "opacity": 0.9}
STATE_STYLES = {
    State.OPEN: {},
    State.CLOSED: {"dashArray": "6 4", "fillColor": "#a3a3a3"},
    State.PLANNED: {"dashArray": "2 6", "fillOpacity": 0.15},
}
# One colour per purpose, each at least 3:1 against the light map background (WCAG 2.1 non-text contrast).
ZONE_COLOURS = {
    Purpose.PLAYGROUND: "#c2410c",
    Purpose.SPORTS: "#1d4ed8",
    Purpose.PATH: "#57534e",
    Purpose.LAWN: "#4d7c0f",
    Purpose.TREES: "#166534",
    Purpose.WATER: "#0369a1",
    Purpose.LIGHTING: "#a16207",
    Purpose.SEATING: "#7e22ce",
    Purpose.OTHER: "#be185d",
}
ZONE_STYLE = {"color": "#374151", "weight": 3, "fillOpacity": 0.45, "opacity": 0.95, "radius": 6}
PLANTING_STYLE = {"color": "#15803d", "weight": 4, "radius": 5, "fillColor": "#22c55e", "fillOpacity": 0.8}
REASON_STYLES = {PlantingReason.COMPENSATION: {}, PlantingReason.OTHER: {"color": "#0f766e", "dashArray": "4 4"}}


def zone_style(purpose: str) -> dict:
    colour = ZONE_COLOURS.get(purpose, ZONE_STYLE["color"])
    return {**ZONE_STYLE, "color": colour, "fillColor": colour}


register(
    Layer(
        name="parks",
        title=_("Parks"),
        queryset=lambda: Park.objects.all(),
        legend="area",
        geometry_field="boundary",
        attributes=("name_kk", "name_ru", "name_en", "state", "area_m2", "district=district__name"),
        style=PARK_STYLE,
        variants=tuple(Variant("state", state.value, state.label, style) for state, style in STATE_STYLES.items()),
        min_zoom=10,
        source="osm2012",
        link="parks:detail",
    )
)

register(
    Layer(
        name="concept_zones",
        title=_("Zones of renovation concepts"),
        queryset=lambda: Zone.objects.filter(concept__is_published=True).exclude(
            concept__status=ConceptStatus.SET_ASIDE
        ),
        legend="mixed",
        attributes=(
            "purpose",
            "label",
            "area_m2",
            "length_m",
            "concept=concept_id",
            "title_kk=concept__title_kk",
            "title_ru=concept__title_ru",
            "title_en=concept__title_en",
        ),
        style=ZONE_STYLE,
        variants=tuple(Variant("purpose", purpose.value, purpose.label, zone_style(purpose)) for purpose in Purpose),
        min_zoom=14,
        default_on=False,
        label="title",
        link="parks:concept",
        link_attribute="concept",
    )
)

register(
    Layer(
        name="plantings",
        title=_("Compensatory plantings"),
        queryset=lambda: Planting.objects.all(),
        legend="mixed",
        attributes=("species", "count", "planted_on", "reason", "responsible", "district=district__name"),
        style=PLANTING_STYLE,
        variants=tuple(Variant("reason", reason.value, reason.label, style) for reason, style in REASON_STYLES.items()),
        min_zoom=12,
        default_on=False,
        label="species",
        link="parks:planting",
    )
)
