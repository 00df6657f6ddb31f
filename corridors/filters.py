"""The filters of the corridor pages: the list and the corridors layer on the map (one form), the network page."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from corridors.models import Kind, Status
from gis_data.models import District


class CorridorFilterForm(forms.Form):
    """Filters read from the query string; an empty field filters nothing. ``filter`` applies them."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False)

    # The map offers every field as a filter of the corridors layer.
    MAP_FIELDS = ("kind", "status", "district")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *Kind.choices]
        self.fields["status"].choices = [("", _("All")), *Status.choices]
        self.fields["district"].empty_label = _("All")
        self.fields["district"].label_from_instance = lambda district: district.localized_name

    def filter(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (of corridors) narrowed by the valid filters; call after ``is_valid()``."""
        data = self.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("district"):
            queryset = queryset.filter(districts=data["district"])
        return queryset


# The statuses each choice of the network page puts in the network.
NETWORK_STATUSES = {
    "existing": (Status.EXISTING,),
    "planned": (Status.EXISTING, Status.PLANNED),
    "all": None,
}


class NetworkForm(forms.Form):
    """Which segments make the network the page analyses: those that exist, those planned too, or all."""

    statuses = forms.ChoiceField(
        label=_("Segments in the network"),
        choices=[
            ("existing", _("Existing only")),
            ("planned", _("Existing and planned")),
            ("all", _("All: existing, planned and proposed")),
        ],
        initial="all",
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_statuses(self) -> str:
        return self.cleaned_data["statuses"] or "all"
