"""What every map editor shares: form errors from services, and Leaflet-Geoman's texts.

The projects and corridors editors (and the next ones) draw with the vendored
leaflet-geoman and save through services that raise ValidationError.
"""

from django.core.exceptions import ValidationError
from django.forms import Form
from django.utils.translation import gettext as _


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
