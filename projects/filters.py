"""The filters of the project list and of the projects layer on the map: one form for both."""

import datetime

from django import forms
from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from gis_data.models import District
from projects.models import Category, Project, ProjectQuerySet, Status

SORTS = {
    "-updated": ("-updated_at", "pk"),
    "title": ("title_en", "title_ru", "title_kk", "pk"),
    "start": ("planned_start", "pk"),
    "-budget": ("-budget", "pk"),
    "-length": ("-length_m", "pk"),
    "-area": ("-area_m2", "pk"),
}


def project_years() -> list[int]:
    """Every year some project's planned or actual dates fall in, newest first."""
    years: set[int] = set()
    for field in ("planned_start", "planned_end", "actual_start", "actual_end"):
        years.update(
            Project.objects.exclude(**{f"{field}__isnull": True})
            .annotate(year=ExtractYear(field))
            .values_list("year", flat=True)
            .distinct()
        )
    return sorted(years, reverse=True)


class ProjectFilterForm(forms.Form):
    """Filters read from the query string; an empty field filters nothing. ``filter`` applies them."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), to_field_name="slug", required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-updated", _("Recently updated")),
            ("title", _("Title")),
            ("start", _("Planned start")),
            ("-budget", _("Budget, largest first")),
            ("-length", _("Length, longest first")),
            ("-area", _("Area, largest first")),
        ],
    )

    # The fields the map offers as filters of the projects layer (a search box and a sort order are the list's).
    MAP_FIELDS = ("category", "status", "district", "year")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *Status.choices]
        self.fields["district"].empty_label = _("All")
        self.fields["district"].label_from_instance = lambda district: district.localized_name
        self.fields["year"].choices = [("", _("All")), *((year, str(year)) for year in project_years())]

    def filter(self, queryset: ProjectQuerySet) -> ProjectQuerySet:
        """``queryset`` narrowed by the valid filters; call after ``is_valid()``."""
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"]
            queryset = queryset.filter(
                Q(title_kk__icontains=text)
                | Q(title_ru__icontains=text)
                | Q(title_en__icontains=text)
                | Q(department__icontains=text)
                | Q(contractor__icontains=text)
            )
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("district"):
            queryset = queryset.filter(districts=data["district"])
        if data.get("year"):
            year = data["year"]
            queryset = queryset.active_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        return queryset.order_by(*SORTS[data.get("sort") or "-updated"])
