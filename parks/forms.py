"""The form urbanists edit a park with: names and descriptions in three languages, state, boundary and entrances.

The boundary and the entrances arrive as GeoJSON text (the map writes it;
keyboard users may type it) and pass parks.services' rules, so the messages
a user sees are the service's own. When the boundary had to be repaired,
``repair_reason`` says why, for the page to tell the user.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gis_data.editing import GeoJSONField, GeoJSONTextarea
from gis_data.models import City
from parks import services
from parks.models import Park


class ParkForm(forms.ModelForm):
    boundary = GeoJSONField(
        label=_("Boundary (GeoJSON)"),
        help_text=_(
            "Drawing on the map fills this in. You may also type or paste a GeoJSON Polygon, MultiPolygon or "
            "Feature, in longitude and latitude."
        ),
        error_messages={"required": _("Draw the park's boundary on the map, or enter it as GeoJSON.")},
        widget=GeoJSONTextarea(attrs={"rows": 8}),
    )
    entrances = GeoJSONField(
        label=_("Entrances (GeoJSON)"),
        required=False,
        widget=GeoJSONTextarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Park
        fields = [
            "name_kk",
            "name_ru",
            "name_en",
            "description_kk",
            "description_ru",
            "description_en",
            "state",
            "boundary",
            "entrances",
        ]
        widgets = {
            "name_kk": forms.TextInput(attrs={"lang": "kk"}),
            "name_ru": forms.TextInput(attrs={"lang": "ru"}),
            "name_en": forms.TextInput(attrs={"lang": "en"}),
            "description_kk": forms.Textarea(attrs={"lang": "kk", "rows": 4}),
            "description_ru": forms.Textarea(attrs={"lang": "ru", "rows": 4}),
            "description_en": forms.Textarea(attrs={"lang": "en", "rows": 4}),
        }

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city = city
        self.repair_reason = ""
        self.fields["name_en"].help_text = _("Give the park a name in at least one language.")
        self.fields["entrances"].help_text = _(
            "Optional: a GeoJSON Point or MultiPoint, each entrance within %(metres)s m of the boundary. "
            "Where none are drawn, park access enters the park anywhere along its boundary."
        ) % {"metres": services.ENTRANCE_METRES}
        self.fields["state"].help_text = _("Only open parks count in park access.")

    def clean_boundary(self):
        boundary = self.cleaned_data.get("boundary")
        if boundary is None:
            return None
        checked = services.inspect_park_boundary(boundary, self.city)
        self.repair_reason = checked.problem if checked.repaired else ""
        return checked.geometry

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not any(str(cleaned.get(name) or "").strip() for name in ("name_kk", "name_ru", "name_en")):
            self.add_error("name_en", ValidationError(_("Give the park a name in at least one language."), "no_name"))
        boundary = cleaned.get("boundary")
        if boundary is not None and "entrances" not in self.errors:
            try:
                cleaned["entrances"] = services.check_park_entrances(cleaned.get("entrances"), boundary, self.city)
            except ValidationError as error:
                self.add_error("entrances", error)
        return cleaned
