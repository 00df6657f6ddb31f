"""Trajectory suggestions for urbanists, and the picture of the cost surface behind them.

``suggest_json`` answers the segment editor: a line from a start (a point or a
populated place) to an end (a point or a park), as a GeoJSON Feature the editor
makes the segment's draft. ``cost_surface_png`` is the surface as an image for
the map's optional overlay. The work is in corridors.trajectory.
"""

import math
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from shapely import Point as ShapelyPoint
from shapely import from_wkb
from shapely.ops import nearest_points

from corridors import trajectory
from corridors.trajectory import TrajectoryError
from gis_data.geometry import SRID
from gis_data.models import City, GreenArea, PopulatedPlace
from gis_data.packs import current_city

# How long browsers and shared caches may keep the cost surface's picture, in seconds; its ETag follows the sources.
COST_SURFACE_MAX_AGE = 86400
# Coordinates of a suggested line are sent to seven decimals of a degree: about a centimetre.
COORDINATE_DECIMALS = 7


class ParameterError(ValueError):
    """A query parameter the suggestion cannot use; the message names it."""


def _point(request: HttpRequest, name: str) -> Point:
    """The ``name=longitude,latitude`` parameter as a point."""
    parts = request.GET[name].split(",")
    try:
        longitude, latitude = (float(part) for part in parts)
    except ValueError:
        raise ParameterError(
            _("%(name)s must be a longitude and a latitude in degrees, separated by a comma.") % {"name": name}
        ) from None
    if not (math.isfinite(longitude) and math.isfinite(latitude)) or abs(longitude) > 180 or abs(latitude) > 90:
        raise ParameterError(
            _("%(name)s must be a longitude from -180 to 180 and a latitude from -90 to 90.") % {"name": name}
        )
    return Point(longitude, latitude, srid=SRID)


def _pk(request: HttpRequest, name: str) -> int:
    value = request.GET[name]
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise ParameterError(_("%(name)s must be a whole number (the id of a feature).") % {"name": name})
    return int(value)


def _one_of(request: HttpRequest, point_name: str, feature_name: str) -> str:
    """Which of the two parameters is given; a ParameterError when neither or both are."""
    given = [name for name in (point_name, feature_name) if request.GET.get(name, "")]
    if len(given) == 2:
        raise ParameterError(
            _("Give %(point)s or %(feature)s, not both.") % {"point": point_name, "feature": feature_name}
        )
    if not given:
        raise ParameterError(
            _("%(point)s (longitude,latitude) or %(feature)s is required.")
            % {"point": point_name, "feature": feature_name}
        )
    return given[0]


def _start(request: HttpRequest, city: City) -> Point:
    """The start: ``from=lon,lat`` or the populated place ``from_place=<pk>``."""
    if _one_of(request, "from", "from_place") == "from":
        return _point(request, "from")
    place = PopulatedPlace.objects.filter(source__city=city, pk=_pk(request, "from_place")).first()
    if place is None:
        raise ParameterError(_("from_place: there is no such populated place in the city."))
    return place.geom


def _end(request: HttpRequest, city: City, start: Point) -> Point:
    """The end: ``to=lon,lat``, or the point of the park ``to_park=<pk>``'s boundary nearest the start.

    The nearest point is found in the city's metric spatial reference, where
    distances are metres in every direction.
    """
    if _one_of(request, "to", "to_park") == "to":
        return _point(request, "to")
    park = GreenArea.objects.filter(source__city=city, pk=_pk(request, "to_park")).first()
    if park is None:
        raise ParameterError(_("to_park: there is no such park or green area in the city."))
    boundary = from_wkb(bytes(park.geom.boundary.transform(city.metric_srid, clone=True).wkb))
    metric_start = start.transform(city.metric_srid, clone=True)
    nearest = nearest_points(boundary, ShapelyPoint(metric_start.x, metric_start.y))[0]
    return Point(nearest.x, nearest.y, srid=city.metric_srid).transform(SRID, clone=True)


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _urbanists_only(view):
    """Log-in first (anonymous visitors go to the log-in page); without corridors.add_segment, a 403 in JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("corridors.add_segment"):
            return _json_error(_("Only urbanists who draw corridor segments may ask for a trajectory."), status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@require_safe
@_urbanists_only
def suggest_json(request: HttpRequest) -> HttpResponse:
    """A suggested corridor line as a GeoJSON Feature: ``?from=lon,lat`` or ``from_place=``, ``to=`` or ``to_park=``.

    The properties give the length, the climb and descent in metres, the share
    along rivers, canals or disused railways, and a sentence that says so in
    the request's language. A parameter that cannot be used, or a trajectory
    that cannot be found, is a 400 with ``{"error": message}``.
    """
    city = current_city()
    if city is None:
        return _json_error(_("No city is loaded: a trajectory cannot be suggested."))
    try:
        start = _start(request, city)
        end = _end(request, city, start)
    except ParameterError as error:
        return _json_error(str(error))
    try:
        suggestion = trajectory.suggest_trajectory(city, start, end)
    except TrajectoryError as error:
        return _json_error(str(error))

    def rounded(value: float | None, digits: int = 1) -> float | None:
        return None if value is None else round(value, digits)

    feature = {
        "type": "Feature",
        "geometry": {
            "type": "LineString",
            "coordinates": [[round(x, COORDINATE_DECIMALS), round(y, COORDINATE_DECIMALS)] for x, y in suggestion.line],
        },
        "properties": {
            "length_m": rounded(suggestion.length_m),
            "climb_m": rounded(suggestion.climb_m),
            "descent_m": rounded(suggestion.descent_m),
            "follows_share": rounded(suggestion.follows_share, 3),
            "max_grade": rounded(suggestion.max_grade, 3),
            "dem_gap_m": rounded(suggestion.dem_gap_m),
            "vertices": suggestion.vertices,
            "message": suggestion.summary(),
        },
    }
    response = JsonResponse(feature, content_type="application/geo+json")
    # A suggestion is asked for by one urbanist at a time: no shared cache keeps it.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_safe
def cost_surface_png(request: HttpRequest) -> HttpResponse:
    """The city's cost surface as a PNG, built once per process and cached by browsers for a day.

    Its strong ETag follows the checksums of the data the surface is built
    from and every constant of the costs and colours; 404 when the city has
    no elevation model.
    """
    city = current_city()
    if city is None:
        raise Http404(_("No city is loaded."))
    tag = trajectory.cost_surface_etag(city)
    if tag is None:
        raise Http404(_("The city has no elevation model, so it has no cost surface."))
    etag = quote_etag(tag)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        key = f"corridors:cost_surface:{tag}"
        body = cache.get(key)
        if body is None:
            try:
                body = trajectory.cost_surface_png(city)
            except TrajectoryError as error:
                raise Http404(str(error)) from None
            cache.set(key, body, timeout=None)
        response = HttpResponse(body, content_type="image/png")
    # A 304 carries them too, so that a cache refreshes what it keeps (RFC 9110, 15.4.5).
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=COST_SURFACE_MAX_AGE)
    return response
