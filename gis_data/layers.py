"""The city's reference layers, drawn under everything else on the map.

Colours are chosen to read on the light map background when the base-map
tiles cannot be loaded: districts are filled, so the city keeps its shape.
"""

from django.utils.translation import gettext_lazy as _

from gis_data.models import District, GreenArea, PopulatedPlace, Railway, Street, Waterway
from gis_data.registry import NAME_ATTRIBUTES, Layer, Variant, register

register(
    Layer(
        name="districts",
        title=_("Districts"),
        queryset=lambda: District.objects.all(),
        legend="area",
        style={"color": "#5b4a9e", "weight": 2, "fillColor": "#8c7bd1", "fillOpacity": 0.12},
        source="districts",
    )
)

register(
    Layer(
        name="green_areas",
        title=_("Parks and green areas"),
        queryset=lambda: GreenArea.objects.all(),
        legend="area",
        attributes=(*NAME_ATTRIBUTES, "kind"),
        style={"color": "#2e7d32", "weight": 1, "fillColor": "#66bb6a", "fillOpacity": 0.45},
        min_zoom=11,
        source="osm2012",
    )
)

register(
    Layer(
        name="waterways",
        title=_("Rivers and canals"),
        queryset=lambda: Waterway.objects.filter(kind__in=("river", "canal", "stream")),
        legend="line",
        attributes=(*NAME_ATTRIBUTES, "kind"),
        style={"color": "#1565c0", "weight": 3, "opacity": 0.9},
        variants=(
            Variant("kind", "canal", _("Canal"), {"weight": 2, "dashArray": "8 3"}),
            Variant("kind", "stream", _("Stream"), {"weight": 1.5}),
        ),
        source="osm2012",
    )
)

# Almaty's aryks (irrigation ditches) line most streets: too many to show below street level.
register(
    Layer(
        name="ditches",
        title=_("Aryks and drains"),
        queryset=lambda: Waterway.objects.filter(kind__in=("ditch", "drain")),
        legend="line",
        attributes=(*NAME_ATTRIBUTES, "kind"),
        style={"color": "#4f8fd6", "weight": 1, "opacity": 0.9},
        min_zoom=15,
        source="osm2012",
        default_on=False,
    )
)

# Disused and abandoned lines are candidates for green corridors, so they stand out (orange, dashed).
register(
    Layer(
        name="railways",
        title=_("Railways and tram lines"),
        queryset=lambda: Railway.objects.all(),
        legend="line",
        attributes=(*NAME_ATTRIBUTES, "kind", "in_use"),
        style={"color": "#37474f", "weight": 2.5},
        variants=(
            Variant(
                "in_use", False, _("Disused railway (corridor candidate)"), {"color": "#c2410c", "dashArray": "6 5"}
            ),
            Variant("kind", "tram", _("Tram line"), {"color": "#8e24aa", "weight": 2}),
        ),
        source="osm2012",
    )
)

# The full network, main roads included; main roads are drawn again above it, from a lower zoom.
register(
    Layer(
        name="streets",
        title=_("Streets"),
        queryset=lambda: Street.objects.all(),
        legend="line",
        attributes=(*NAME_ATTRIBUTES, "highway"),
        style={"color": "#78909c", "weight": 1.5, "opacity": 0.9},
        min_zoom=14,
        source="osm2012",
        default_on=False,
    )
)

register(
    Layer(
        name="main_roads",
        title=_("Main roads"),
        queryset=lambda: Street.objects.filter(is_main=True),
        legend="line",
        attributes=(*NAME_ATTRIBUTES, "highway"),
        style={"color": "#d97706", "weight": 2.5, "opacity": 0.85},
        min_zoom=11,
        source="osm2012",
    )
)

register(
    Layer(
        name="places",
        title=_("Populated places"),
        queryset=lambda: PopulatedPlace.objects.all(),
        legend="point",
        attributes=(*NAME_ATTRIBUTES, "place", "population"),
        style={"color": "#263238", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 5},
        source="places",
    )
)
