import hashlib
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from gis_data.clusters import cluster_collection
from gis_data.models import City, DataSource, Raster
from gis_data.packs import current_city
from gis_data.raster import hillshade_png, relief_etag
from gis_data.registry import MAX_ZOOM, BboxError, Layer, feature_collection, parse_bbox, registry

# How long browsers and shared caches may keep a public layer's GeoJSON, in seconds.
LAYER_MAX_AGE = 300
# How long browsers and shared caches may keep a relief image, in seconds; its ETag changes with the DEM file.
RELIEF_MAX_AGE = 86400
# The spatial references of the rasters the map can draw: L.imageOverlay stretches an image over its
# longitude/latitude bounds, which is exact for Web Mercator and close enough at city scale for EPSG:4326.
MAP_RASTER_SRIDS = (4326, 3857)
# Where the licences named by the city packs are published, for the "Data sources" dialog.
LICENCE_URLS = {
    "ODbL 1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "CC BY-SA 2.0": "https://creativecommons.org/licenses/by-sa/2.0/",
}


def _attributions(city: City | None, layers: list[Layer]) -> dict[str, str]:
    if city is None:
        return {}
    keys = {layer.source for layer in layers if layer.source}
    return dict(DataSource.objects.filter(city=city, key__in=keys).values_list("key", "attribution"))


# A primary key no page will have: reversed into a layer's link URL, then replaced by a placeholder.
_LINK_PK = 918273645


def _url_template(layer: Layer) -> str:
    """The URL of a feature's page with ``{property}`` (``{id}`` for the feature's id) where its pk goes."""
    if not layer.link:
        return ""
    url = reverse(layer.link, args=[_LINK_PK])
    return url.replace(str(_LINK_PK), f"{{{layer.link_attribute or 'id'}}}")


def _filters(layer: Layer) -> list[dict[str, Any]]:
    """The map's filters of a layer: each with its label and its choices, in the request's language."""
    if layer.filter_form is None:
        return []
    form = layer.filter_form()
    return [
        {
            "name": name,
            "label": str(form.fields[name].label),
            "choices": [[str(value), str(label)] for value, label in form.fields[name].choices],
        }
        for name in layer.filter_fields
    ]


def layer_catalogue(
    request: HttpRequest, city: City | None, names: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """The layers the user may see, as the map's layer control, its legend and ``/layers/`` describe them.

    ``names`` keeps only those layers (in the registry's drawing order); all of them when it is None.
    """
    layers = [layer for layer in registry.for_user(request.user) if names is None or layer.name in names]
    attributions = _attributions(city, layers)
    return [
        {
            "name": layer.name,
            "title": str(layer.title),
            "legend": layer.legend,
            "style": dict(layer.style),
            "variants": [
                {"attribute": v.attribute, "value": v.value, "title": str(v.title), "style": dict(v.style)}
                for v in layer.current_variants()
            ],
            "min_zoom": layer.min_zoom,
            "max_zoom": layer.max_zoom,
            "default_on": layer.default_on,
            "attribution": attributions.get(layer.source, ""),
            "geojson": reverse("gis_data:layer_geojson", args=[layer.name]),
            # A large layer is asked for as clusters (with the map's zoom); the others as GeoJSON.
            "clusters": reverse("gis_data:layer_clusters", args=[layer.name]) if layer.cluster_field else "",
            "label": layer.label,
            "link": _url_template(layer),
            # Built from MEDIA_URL as the default storage builds a file's URL, with the file name as a placeholder.
            "image": f"{settings.MEDIA_URL}{{{layer.image}}}" if layer.image else "",
            "direction": layer.direction,
            "filters": _filters(layer),
        }
        for layer in layers
    ]


# The reference layers under the small maps of other pages (a project's map, the editor), in drawing order.
CONTEXT_LAYERS = ("green_areas", "waterways", "streets", "main_roads")


def reference_layers(request: HttpRequest, names: tuple[str, ...] = CONTEXT_LAYERS) -> list[dict[str, Any]]:
    """What static/js/reference_layers.js needs to draw ``names`` under a page's map: URL, style, zooms."""
    layers = [layer for name in names if (layer := registry.get(name)) is not None and layer.visible_to(request.user)]
    attributions = source_attributions()
    return [
        {
            "name": layer.name,
            "geojson": reverse("gis_data:layer_geojson", args=[layer.name]),
            "style": dict(layer.style),
            "min_zoom": layer.min_zoom,
            "max_zoom": layer.max_zoom,
            # Shown in the map's attribution control while the layer is drawn (static/js/reference_layers.js).
            "attribution": attributions.get(layer.source, ""),
        }
        for layer in layers
    ]


def source_attributions(city: City | None = None) -> dict[str, str]:
    """The attribution line of each of the city's data sources, by key ("districts", "osm2012", ...)."""
    city = city or current_city()
    if city is None:
        return {}
    return dict(city.sources.values_list("key", "attribution"))


def raster_catalogue(city: City) -> list[dict[str, Any]]:
    """The city's rasters the map draws as image overlays under the vector layers: the relief of its DEM."""
    rasters = Raster.objects.filter(source__city=city, kind="dem", srid__in=MAP_RASTER_SRIDS).select_related("source")
    catalogue = []
    # A city pack has one elevation model; should a city have more, each gets a name of its own.
    for index, raster in enumerate(rasters.order_by("pk")):
        west, south, east, north = raster.bounds.extent
        catalogue.append(
            {
                "name": "relief" if index == 0 else f"relief_{raster.pk}",
                "title": _("Relief"),
                "url": reverse("gis_data:raster_relief", args=[raster.pk]),
                "bounds": [[south, west], [north, east]],
                "attribution": raster.source.attribution,
                "default_on": True,
            }
        )
    return catalogue


def map_strings() -> dict[str, str]:
    """What static/js/map.js writes on the page, in the request's language."""
    return {
        "layers": _("Layers"),
        "showLayers": _("Show the layers and the legend"),
        "baseMap": _("Base map"),
        "zoomInToSee": _("Zoom in to see this layer"),
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "dataSources": _("Data sources"),
        "loading": _("Loading…"),
        "loadFailed": _("Some layers could not be loaded. Move the map to try again."),
        "filters": _("Filters"),
        "filterFailed": _("These filters could not be applied."),
        # Translators: the name of a round marker counting {count} features of the layer {title} on the map;
        # pressing it zooms in to them. Keep {title} and {count} as they are.
        "cluster": _("{title}: {count} — zoom in"),
    }


def map_config(
    request: HttpRequest,
    city: City,
    layer_names: tuple[str, ...] | None = None,
    extra_strings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The "map-config" that static/js/map.js draws a map from: the city's view, the base map, the layers, the rasters.

    ``layer_names`` chooses the layers a page shows (all the user may see when
    None); ``extra_strings`` adds to or replaces the strings of the page.
    """
    return {
        "center": [city.center.y, city.center.x],
        "zoom": city.default_zoom,
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "layers": layer_catalogue(request, city, layer_names),
        "rasters": raster_catalogue(city),
        "strings": map_strings() | (extra_strings or {}),
    }


def data_sources(city: City) -> list[dict[str, Any]]:
    """The city's data sources with a link to each licence, for a map page's "Data sources" dialog."""
    return [
        {"source": source, "licence_url": LICENCE_URLS.get(source.licence, "")}
        for source in city.sources.order_by("title")
    ]


@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    city = current_city()
    if city is None:
        return render(request, "gis_data/map.html", {"city": None})
    context = {
        "city": city,
        "map_config": map_config(request, city),
        "sources": data_sources(city),
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "gis_data/map.html", context)


@require_safe
def layer_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"layers": layer_catalogue(request, current_city())})


class LayerQueryError(ValueError):
    """A query string a layer's endpoint cannot answer; ``body`` is the JSON of the 400 that says why."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body["error"])
        self.body = body


def _visible_layer(request: HttpRequest, name: str) -> Layer:
    layer = registry.get(name)
    # A layer the user may not see answers as one that does not exist, so that its name stays private.
    if layer is None or not layer.visible_to(request.user):
        raise Http404(_("There is no such layer."))
    return layer


def _bbox(request: HttpRequest, *, required: bool) -> tuple[float, float, float, float] | None:
    if "bbox" not in request.GET:
        if required:
            raise LayerQueryError({"error": _("bbox is required: west,south,east,north in degrees.")})
        return None
    try:
        return parse_bbox(request.GET["bbox"])
    except BboxError as error:
        raise LayerQueryError({"error": str(error)}) from None


_WHOLE_NUMBER = re.compile(r"[0-9]{1,2}")


def _zoom(request: HttpRequest) -> int:
    value = request.GET.get("zoom", "")
    if not _WHOLE_NUMBER.fullmatch(value) or int(value) > MAX_ZOOM:
        raise LayerQueryError({"error": _("zoom must be a whole number from 0 to %(max)d.") % {"max": MAX_ZOOM}})
    return int(value)


def _filters_of(request: HttpRequest, layer: Layer) -> forms.Form | None:
    """The layer's filter form bound to the query string, valid; None when no filter is asked for."""
    # Without any filter parameter the form is not built, which spares its queries for the choices.
    if layer.filter_form is None or not any(key in layer.filter_form.base_fields for key in request.GET):
        return None
    filters = layer.filter_form(request.GET)
    if not filters.is_valid():
        fields = {name: [str(message) for message in messages] for name, messages in filters.errors.items()}
        raise LayerQueryError({"error": _("Some filters are not valid."), "fields": fields})
    return filters


def _layer_response(request: HttpRequest, layer: Layer, body: bytes) -> HttpResponse:
    """GeoJSON with an ETag from its body, kept by shared caches for a public layer, or a 304."""
    response = HttpResponse(body, content_type="application/geo+json")
    # gzip_page turns this into a weak ETag when it compresses the body, as RFC 9110 asks.
    response["ETag"] = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    if layer.is_public:
        patch_cache_control(response, public=True, max_age=LAYER_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return get_conditional_response(request, etag=response["ETag"], response=response)


@gzip_page
@require_safe
def layer_geojson(request: HttpRequest, name: str) -> HttpResponse:
    """A layer's features as GeoJSON, optionally only those in ``?bbox=west,south,east,north``.

    A layer with a ``filter_form`` also reads its filters from the query
    string (``?status=planned&year=2024``); a bad one is a 400 naming it.
    """
    layer = _visible_layer(request, name)
    try:
        # A clustered layer may hold hundreds of thousands of features: it is sent one box at a time.
        bbox = _bbox(request, required=bool(layer.cluster_field))
        filters = _filters_of(request, layer)
    except LayerQueryError as error:
        return JsonResponse(error.body, status=400)
    # Filters are in the URL, so the body, its ETag and the caches' keys all follow them.
    return _layer_response(request, layer, feature_collection(layer, layer.features(bbox, filters)).encode())


@gzip_page
@require_safe
def layer_clusters(request: HttpRequest, name: str) -> HttpResponse:
    """A large layer in ``?bbox=west,south,east,north`` at ``?zoom=``, as clusters and lone features (GeoJSON).

    Both parameters are required; the layer's filters apply as for its
    GeoJSON. See ``gis_data.clusters`` for what comes back.
    """
    layer = _visible_layer(request, name)
    if not layer.cluster_field:
        raise Http404(_("This layer is not sent as clusters."))
    try:
        bbox = _bbox(request, required=True)
        zoom = _zoom(request)
        filters = _filters_of(request, layer)
    except LayerQueryError as error:
        return JsonResponse(error.body, status=400)
    body = cluster_collection(layer, layer.features(None, filters), bbox, zoom).encode()
    return _layer_response(request, layer, body)


@require_safe
def raster_relief(request: HttpRequest, pk: int) -> HttpResponse:
    """The hillshade of an elevation model as a PNG, computed once per process and cached by browsers for a day."""
    raster = get_object_or_404(Raster.objects.select_related("source"), pk=pk, kind="dem")
    etag = quote_etag(relief_etag(raster))
    response = get_conditional_response(request, etag=etag)
    if response is None:
        key = f"gis_data:relief:{etag}"
        body = cache.get(key)
        if body is None:
            body = hillshade_png(raster)
            cache.set(key, body, timeout=None)
        response = HttpResponse(body, content_type="image/png")
    # A 304 carries them too, so that a cache refreshes what it keeps (RFC 9110, 15.4.5).
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=RELIEF_MAX_AGE)
    return response
