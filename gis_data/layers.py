"""The city's reference layers, drawn under everything else on the map.

Colours are chosen to read on the light map background when the base-map
tiles cannot be loaded: districts are filled, so the city keeps its shape.
"""

from django.db.models import Case, FloatField, IntegerField, QuerySet, Value, When
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from gis_data.models import District, GreenArea, PopulatedPlace, PopulationCell, Railway, Street, Waterway
from gis_data.population import CELL_METRES, ESTIMATE_SOURCE_KEY
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

# A cell is titled by its district in the popup: a cell has no name of its own.
DISTRICT_NAMES = tuple(f"{name}=district__{name}" for name in NAME_ATTRIBUTES)
CELL_KM2 = (CELL_METRES / 1000) ** 2
# Residents per km² where each band of the population layer starts, and its fill (light to dark).
DENSITY_BANDS = (
    (0, _("fewer than 2,500 residents per km²"), "#fff3b0"),
    (2500, _("2,500 to 5,000 residents per km²"), "#fdc46a"),
    (5000, _("5,000 to 10,000 residents per km²"), "#f28c38"),
    (10000, _("10,000 to 20,000 residents per km²"), "#d9480f"),
    (20000, _("20,000 residents per km² or more"), "#8f1d06"),
)


def _population_cells() -> QuerySet[PopulationCell]:
    # The band is computed by the database so that the map styles a cell by an exact value.
    density = Case(
        *(
            When(residents__gte=start * CELL_KM2, then=Value(start))
            for start, _title, _colour in reversed(DENSITY_BANDS)
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        PopulationCell.objects.filter(residents__gt=0)
        .annotate(density_band=density, residents_whole=Round("residents", output_field=FloatField()))
        .order_by()
    )


def may_see_population_cells(user) -> bool:
    """The cells are for the staff who plan with them (urbanists, moderators, jury), not for publication.

    Each cell mixes the ODbL places and districts with the CC BY-SA 2.0 buildings and streets, and the
    pack's data README asks that the two share-alike licences stay apart. Figures computed from the cells
    (coverage per district) are published with both attribution lines; the cells themselves are not.
    """
    return user is not None and user.has_perm("gis_data.view_populationcell")


# Where the city's blocks are (mapped buildings cover at least 8 % of a 200 m cell, or most of its
# neighbours): there a corridor's landscape is free-form. The cells are the estimate's (gis_data.population):
# the CC BY-SA buildings on a grid cut to the ODbL districts, whose names they carry; so the layer carries
# the estimate's own source, whose attribution holds both lines.
register(
    Layer(
        name="urban_blocks",
        title=_("Urban blocks (estimated from buildings)"),
        queryset=lambda: PopulationCell.objects.filter(is_urban=True).order_by(),
        legend="area",
        attributes=DISTRICT_NAMES,
        style={"color": "#6d4c41", "weight": 0.5, "opacity": 0.6, "fillColor": "#8d6e63", "fillOpacity": 0.3},
        min_zoom=13,
        source=ESTIMATE_SOURCE_KEY,
        visible_to=may_see_population_cells,
        default_on=False,
    )
)

# The resident estimate (gis_data.population): the city's and its villages' populations (ODbL) spread
# over residential buildings and streets (CC BY-SA), with the estimate's source for the same reason.
# Only populated cells are sent, from zoom 14, so a request stays small.
register(
    Layer(
        name="population",
        title=_("Estimated residents"),
        queryset=_population_cells,
        legend="area",
        attributes=(*DISTRICT_NAMES, "residents=residents_whole", "density_band"),
        style={"color": "#ffffff", "weight": 0.3, "opacity": 0.5, "fillColor": "#fff3b0", "fillOpacity": 0.55},
        variants=tuple(
            Variant("density_band", start, title, {"fillColor": colour}) for start, title, colour in DENSITY_BANDS
        ),
        min_zoom=14,
        source=ESTIMATE_SOURCE_KEY,
        visible_to=may_see_population_cells,
        default_on=False,
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
