"""The filters of the park list: district, state and whether a park has renovation concepts."""

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from gis_data.models import District
from parks.models import RenovationConcept, State


class ParkFilterForm(forms.Form):
    """Filters read from the query string; an empty field filters nothing. ``filter`` applies them."""

    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    concepts = forms.ChoiceField(
        label=_("Renovation concepts"),
        required=False,
        choices=[("", _("All")), ("yes", _("With concepts")), ("no", _("Without concepts"))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.order_by("name")
        self.fields["district"].empty_label = _("All")
        self.fields["district"].label_from_instance = lambda district: district.localized_name
        self.fields["state"].choices = [("", _("All")), *State.choices]

    def filter(self, queryset: QuerySet, user) -> QuerySet:
        """``queryset`` (of parks) narrowed by the valid filters; call after ``is_valid()``.

        "With concepts" counts the concepts ``user`` may see: a draft does not
        give a park concepts in a visitor's list.
        """
        data = self.cleaned_data
        if data.get("district"):
            queryset = queryset.filter(district=data["district"])
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("concepts"):
            has_concepts = Exists(RenovationConcept.objects.visible_to(user).filter(park=OuterRef("pk")))
            queryset = queryset.filter(has_concepts if data["concepts"] == "yes" else ~has_concepts)
        return queryset
