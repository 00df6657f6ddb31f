"""The forms of compensatory plantings: a planting drawn on the map, an inspection, the list's filters, an import.

The rules (a point or a line inside the city, dates not in the future, the
felling before the planting, counts within the trees planted) are
parks.plantings' and are checked when the services save; their messages come
back onto the fields (gis_data.editing.add_errors). The forms only read what
was sent: a geometry from GeoJSON text, dates written YYYY-MM-DD.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_data import editing
from gis_data.editing import GeoJSONField, GeoJSONTextarea
from gis_data.formats import format_number
from gis_data.models import City, District

from .models import Inspection, Planting, PlantingReason
from .planting_import import MAX_BYTES, MAX_ROWS


class DateInput(editing.DateInput):
    """A date picker that offers no day after today (the rules refuse dates in the future)."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("max", timezone.localdate().isoformat())
        return context


class PlantingForm(forms.ModelForm):
    """Where the trees are (a point or a line), what and how many, when and why, and who answers for them."""

    geom = GeoJSONField(
        label=_("Where the trees are (GeoJSON)"),
        help_text=_(
            "Drawing on the map fills this in. You may also type or paste a GeoJSON Point or LineString, "
            "in longitude and latitude."
        ),
        error_messages={"required": _("Draw the planting on the map: a point, or a line for a row of trees.")},
        widget=GeoJSONTextarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
    )
    felled_place = GeoJSONField(
        label=_("Where the trees were felled (GeoJSON)"),
        required=False,
        help_text=_("Marking the place on the map fills this in; you may also type a GeoJSON Point."),
        widget=GeoJSONTextarea(attrs={"rows": 2, "spellcheck": "false", "autocomplete": "off"}),
    )

    class Meta:
        model = Planting
        fields = [
            "species",
            "count",
            "planted_on",
            "responsible",
            "reason",
            "felled_on",
            "felled_count",
            "reason_note",
            "geom",
            "felled_place",
        ]
        widgets = {
            "count": forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
            "felled_count": forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
            "planted_on": DateInput(),
            "felled_on": DateInput(),
            "reason": forms.RadioSelect(),
            "reason_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["species"].help_text = _("As the nursery names them, such as Ulmus pumila or “elm”.")
        self.fields["responsible"].help_text = _("Who planted the trees and answers for their care.")
        self.fields["felled_on"].help_text = _("For a compensation: the day the trees it replaces were felled.")
        self.fields["felled_count"].help_text = _("For a compensation, if known.")
        self.fields["reason_note"].help_text = _("What the felling was for, a permit number, anything worth keeping.")
        self.fields["reason"].choices = list(PlantingReason.choices)


class InspectionForm(forms.ModelForm):
    """A visit to a planting: the day, and the trees counted alive and dead."""

    class Meta:
        model = Inspection
        fields = ["inspected_on", "alive", "dead", "inspected_by", "note"]
        widgets = {
            "inspected_on": DateInput(),
            "alive": forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
            "dead": forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        planting = self.instance.planting
        self.fields["inspected_on"].widget.attrs["min"] = planting.planted_on.isoformat()
        self.fields["alive"].help_text = _(
            "Trees alive together with trees dead are at most the %(count)s planted."
        ) % {"count": format_number(planting.count)}
        self.fields["dead"].help_text = _("Trees found dead or missing. Trees not found at all count as neither.")
        self.fields["inspected_by"].help_text = _("Who counted the trees: a person or an organisation.")


class PlantingFilterForm(forms.Form):
    """The filters of the plantings page: district, year planted, reason."""

    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False, empty_label=_("All districts")
    )
    year = forms.TypedChoiceField(label=_("Year planted"), required=False, coerce=int, empty_value=None)
    reason = forms.ChoiceField(label=_("Why"), required=False)

    def __init__(self, data: Any = None, *, city: City | None) -> None:
        super().__init__(data)
        if city is not None:
            self.fields["district"].queryset = District.objects.filter(source__city=city).order_by("name")
            years = (
                Planting.objects.in_city(city)
                .annotate(year=ExtractYear("planted_on"))
                .order_by("-year")
                .values_list("year", flat=True)
                .distinct()
            )
        else:
            years = []
        self.fields["year"].choices = [("", _("All years")), *((year, str(year)) for year in years)]
        self.fields["reason"].choices = [("", _("All reasons")), *PlantingReason.choices]

    def filter(self, plantings: QuerySet[Planting]) -> QuerySet[Planting]:
        data = self.cleaned_data
        if data.get("district"):
            plantings = plantings.filter(district=data["district"])
        if data.get("year"):
            plantings = plantings.filter(planted_on__year=data["year"])
        if data.get("reason"):
            plantings = plantings.filter(reason=data["reason"])
        return plantings

    @property
    def active(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


class PlantingImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))
    dry_run = forms.BooleanField(
        label=_("Only check the file: import nothing"),
        required=False,
        help_text=_("Every row is checked and every problem listed, as in an import."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "UTF-8, comma- or semicolon-separated, with a header row naming the columns; "
            "at most %(megabytes)s MB and %(rows)s rows."
        ) % {"megabytes": format_number(MAX_BYTES / (1024 * 1024)), "rows": format_number(MAX_ROWS)}
