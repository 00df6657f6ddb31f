"""The map of proposals: every published proposal, counted in clusters, over the layers that give them context."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gis_data.packs import current_city
from gis_data.views import data_sources, map_config

# The proposals, over what a resident reads a place by (districts, parks, rivers, roads). The projects are on
# the main map with them; here their long legend would push the proposals' filters out of sight.
PROPOSAL_MAP_LAYERS = ("districts", "green_areas", "waterways", "main_roads", "streets", "proposals")


@require_safe
def proposal_map(request: HttpRequest) -> HttpResponse:
    city = current_city()
    if city is None:
        return render(request, "participation/map.html", {"city": None})
    context = {
        "city": city,
        # The proposals' filters are in the layer control: its button says so on this page.
        "map_config": map_config(request, city, PROPOSAL_MAP_LAYERS, {"layers": _("Layers and filters")}),
        "sources": data_sources(city),
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "participation/map.html", context)
