"""What every map editor shares: form errors from services, Leaflet-Geoman's texts, a geometry as GeoJSON text.

The projects and corridors editors (and the next ones) draw with the vendored
leaflet-geoman and save through services that raise ValidationError.
"""

from typing import Any

from django import forms
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.forms import Form
from django.utils.translation import gettext as _

from gis_data.geometry import geometry_from_geojson


def add_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields where it names them, else on the whole form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def geoman_strings() -> dict[str, dict[str, str]]:
    """Leaflet-Geoman's texts in the page's language (its own catalogue has no Kazakh)."""
    return {
        "tooltips": {
            "placeMarker": _("Click to place a point"),
            "placeMarkerTouch": _("Tap the map to place a point"),
            "firstVertex": _("Click to place the first vertex"),
            "continueLine": _("Click to continue drawing"),
            "finishLine": _("Click the last vertex to finish the line"),
            "finishPoly": _("Click the first vertex to finish the polygon"),
            "finishRect": _("Click to finish the rectangle"),
        },
        "actions": {
            "finish": _("Finish"),
            "cancel": _("Cancel"),
            "removeLastVertex": _("Remove the last vertex"),
        },
        "buttonTitles": {
            "drawMarkerButton": _("Draw a point"),
            "drawPolyButton": _("Draw a polygon"),
            "drawLineButton": _("Draw a line"),
            "drawRectButton": _("Draw a rectangle"),
            "editButton": _("Edit the vertices"),
            "dragButton": _("Move a shape"),
            "deleteButton": _("Remove a shape"),
        },
    }


class DateInput(forms.DateInput):
    """The browser's date picker, which sends and shows ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class GeoJSONTextarea(forms.Textarea):
    """A geometry as GeoJSON text: the map fills it; keyboard and screen-reader users may type it.

    It never carries ``required``: it sits in a <details> that is usually closed, and a browser
    cannot point at a field it does not show. The server says when it is empty.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"rows": 6, "spellcheck": "false", "autocomplete": "off", **(attrs or {})})

    def use_required_attribute(self, initial: Any) -> bool:
        return False

    def format_value(self, value: Any) -> str | None:
        # A stored geometry is shown as GeoJSON; typed text (a form sent back with errors) as typed.
        if hasattr(value, "geojson"):
            return value.geojson
        return super().format_value(value)


class GeoJSONField(forms.CharField):
    """GeoJSON text (a geometry or a Feature, as the map writes it) read as a GEOS geometry in SRID 4326.

    Only parsed here (gis_data.geometry.geometry_from_geojson: its errors name
    the problem); the rules of what the geometry may be are the caller's.
    """

    widget = GeoJSONTextarea

    def prepare_value(self, value: Any) -> Any:
        return value.geojson if hasattr(value, "geojson") else value

    def to_python(self, value: Any) -> GEOSGeometry | None:
        text = super().to_python(value)
        if not text:
            return None
        return geometry_from_geojson(text)

    def has_changed(self, initial: Any, data: Any) -> bool:
        # The map writes its own GeoJSON (other spacing and precision): compare the geometries, not the text.
        if initial is None or not data:
            return bool(initial) != bool(data)
        try:
            sent = geometry_from_geojson(data)
        except ValidationError:
            return True
        return not same_geometry(sent, initial)


def same_geometry(one: GEOSGeometry, other: GEOSGeometry) -> bool:
    """Whether two geometries have the same vertices; a Multi geometry of one part is the same as that part."""
    if one.geom_type != other.geom_type:
        one, other = (_single(one), _single(other))
    return one.geom_type == other.geom_type and one.equals_exact(other, 1e-9)


def _single(geometry: GEOSGeometry) -> GEOSGeometry:
    if geometry.geom_type.startswith("Multi") and len(geometry) == 1:
        return geometry[0]
    return geometry
