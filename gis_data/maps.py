"""What every page's own Leaflet map is given: its view, the base tiles, the reference layers and the districts.

One place for the pieces the pages of projects, corridors and parks all draw,
so that every map starts the same way and reads the same without the base
map (district outlines under everything, the city's reference layers).
"""

import json
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gis_data.models import City
from gis_data.views import CONTEXT_LAYERS, reference_layers, source_attributions

# The pack's source of the district boundaries the maps draw as outlines (ODbL: credited apart).
DISTRICTS_SOURCE = "districts"

# District outlines are simplified to about 10 m: an outline under a map, not a boundary to measure.
OUTLINE_TOLERANCE_DEGREES = 0.0001


def as_geojson(geom: GEOSGeometry) -> dict[str, Any]:
    """A geometry in longitude/latitude as a GeoJSON geometry (six decimals: about 10 cm)."""
    return json.loads(geom.json)


def feature(geom: GEOSGeometry, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": as_geojson(geom), "properties": properties}


def district_outlines(districts) -> list[dict[str, Any]]:
    """District boundaries, simplified, drawn under everything so that the map reads without the base map."""
    return [
        feature(district.geom.simplify(OUTLINE_TOLERANCE_DEGREES, preserve_topology=True), name=district.localized_name)
        for district in districts
    ]


def map_base(
    city: City | None, request: HttpRequest, layers: tuple[str, ...] = CONTEXT_LAYERS, *, city_bounds: bool = False
) -> dict[str, Any]:
    """A page map's config: tiles, the reference ``layers`` the user may see, and the city's view.

    ``bounds`` is the city's extent with ``city_bounds`` (a map of the whole
    city), else None: the page fits the map to what it draws. With no city
    loaded yet the map shows the whole world, until one is.
    """
    reference = reference_layers(request, layers)
    districts = source_attributions(city).get(DISTRICTS_SOURCE) if city is not None else None
    if districts:
        # Not a layer to load: the credit of the district outlines the pages draw (reference_layers.js shows it).
        reference.append({"name": "district_outlines", "attribution": districts})
    config: dict[str, Any] = {
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "reference": reference,
        "strings": {"zoomIn": _("Zoom in"), "zoomOut": _("Zoom out")},
        "center": [0, 0],
        "zoom": 2,
        "bounds": None,
    }
    if city is not None:
        west, south, east, north = city.extent.extent
        config.update(center=[city.center.y, city.center.x], zoom=city.default_zoom)
        if city_bounds:
            config["bounds"] = [[south, west], [north, east]]
    return config
