"""The forms urbanists edit corridors with: the corridor itself, and one segment with its line as GeoJSON.

The rules a segment's line must pass (a line, not crossing itself, at least
1 m long, inside the city) are corridors.models.check_segment_line's, which
Segment.clean applies too: the form checks the drawing with it first (a line
field cannot even hold a point), so the message a user sees is the model's own.
"""

from typing import Any

from django import forms
from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext_lazy as _

from corridors.models import Corridor, Segment, check_segment_line
from gis_data.editing import GeoJSONField, GeoJSONTextarea
from gis_data.packs import current_city


class CorridorForm(forms.ModelForm):
    """A corridor's names and descriptions in Kazakh, Russian and English, its kind and its status."""

    class Meta:
        model = Corridor
        fields = [
            "name_kk",
            "name_ru",
            "name_en",
            "description_kk",
            "description_ru",
            "description_en",
            "kind",
            "status",
        ]
        widgets = {
            "name_kk": forms.TextInput(attrs={"lang": "kk"}),
            "name_ru": forms.TextInput(attrs={"lang": "ru"}),
            "name_en": forms.TextInput(attrs={"lang": "en"}),
            "description_kk": forms.Textarea(attrs={"lang": "kk", "rows": 4}),
            "description_ru": forms.Textarea(attrs={"lang": "ru", "rows": 4}),
            "description_en": forms.Textarea(attrs={"lang": "en", "rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name_en"].help_text = _("Give the corridor a name in at least one language.")
        self.fields["status"].help_text = _(
            "Whether the corridor exists, is planned by the city, or is proposed for discussion. "
            "Each segment has a status of its own."
        )


class SegmentForm(forms.ModelForm):
    """One segment of a corridor: its line (GeoJSON), place in the corridor, mode, width, surface, lighting,
    status, and the landscape type when the urbanist overrides the derived one (with a reason).

    ``order`` is the segment's place counted from 1, as people count; empty puts a new segment last.
    """

    geom = GeoJSONField(
        label=_("Line (GeoJSON)"),
        help_text=_(
            "Drawing on the map or a suggested trajectory fills this in. You may also type or paste a GeoJSON "
            "LineString or Feature, in longitude and latitude."
        ),
        error_messages={"required": _("Draw the segment's line on the map, or enter it as GeoJSON.")},
        widget=GeoJSONTextarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
    )
    order = forms.IntegerField(
        label=_("Place in the corridor"),
        min_value=1,
        required=False,
        help_text=_("1 is the first segment. Leave it empty to put a new segment last."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Segment
        fields = [
            "name",
            "geom",
            "mode",
            "width_m",
            "surface",
            "lighting",
            "status",
            "landscape_override",
            "landscape_reason",
        ]
        widgets = {
            "width_m": forms.NumberInput(attrs={"min": "0.5", "max": "60", "step": "0.1", "inputmode": "decimal"}),
            "landscape_reason": forms.Textarea(attrs={"rows": 2}),
        }

    field_order = [
        "name",
        "order",
        "geom",
        "mode",
        "status",
        "width_m",
        "surface",
        "lighting",
        "landscape_override",
        "landscape_reason",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segment = self.instance
        if segment.pk is not None:
            self.initial.setdefault("order", segment.position + 1)
        self.fields["surface"].choices = [("", _("Not known")), *self.fields["surface"].choices[1:]]
        self.fields["lighting"].choices = [("", _("Not known")), *self.fields["lighting"].choices[1:]]
        self.fields["landscape_override"].choices = [
            ("", _("As derived from where the segment runs")),
            *self.fields["landscape_override"].choices[1:],
        ]
        self.fields["landscape_override"].help_text = _(
            "Natural in the suburbs, free-form inside the city's blocks: derived from where the line runs. "
            "Set it by hand only with a reason."
        )
        self.fields["landscape_reason"].help_text = _("Why the landscape type differs from the derived one.")
        self.fields["width_m"].help_text = _("In metres, from 0.5 to 60.")

    def clean_geom(self) -> GEOSGeometry | None:
        geom = self.cleaned_data.get("geom")
        if geom is None:
            return None
        return check_segment_line(geom, current_city())

    @property
    def position(self) -> int | None:
        """The 0-based position asked for, or None when left empty."""
        order = self.cleaned_data.get("order")
        return None if order is None else order - 1
