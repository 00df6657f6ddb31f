"""The admin of compensatory plantings, their inspections inline; urbanists draw on the vendored OpenLayers widget.

The form checks the planting with parks.plantings' rules (a point or a line
inside the city, dates not in the future, a felling before the planting for a
compensation) and each inspection row with the inspection rules (dated between
the planting and today, alive and dead within the trees planted), so a refused
value is shown next to its field. Every save goes through parks.plantings
(save_planting, record_inspection): the district is derived again and the
history says who changed what. The district and the record are read only.
"""

import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, construct_instance
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gis_data.admin import MapAdmin
from gis_data.packs import current_city
from parks import plantings
from parks.models import Inspection, Planting

RECORD = ("created_by", "created_at", "updated_at")


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class PlantingAdminForm(forms.ModelForm):
    class Meta:
        model = Planting
        fields = (
            "city",
            "geom",
            "species",
            "count",
            "planted_on",
            "responsible",
            "reason",
            "felled_place",
            "felled_on",
            "felled_count",
            "reason_note",
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The rules are checked on a copy: the instance itself is filled in by the form afterwards.
        candidate = construct_instance(self, copy.copy(self.instance))
        if candidate.city_id is None:
            candidate.city = current_city()
        try:
            plantings.check_planting(candidate)
        except ValidationError as error:
            _add_errors(self, error)
        else:
            cleaned["geom"], cleaned["felled_place"] = candidate.geom, candidate.felled_place
            if "city" in self.fields:
                cleaned["city"] = candidate.city
        return cleaned


class InspectionFormSet(BaseInlineFormSet):
    """The planting's inspections, each checked against the planting as the form above leaves it."""

    def clean(self) -> None:
        super().clean()
        days: set = set()
        for form in self.forms:
            if (
                not form.is_valid()
                or self._should_delete_form(form)
                or (not form.has_changed() and not form.instance.pk)
            ):
                continue
            inspection = form.instance
            try:
                plantings.check_inspection(inspection, self.instance)
            except ValidationError as error:
                _add_errors(form, error)
            if inspection.inspected_on in days:
                form.add_error("inspected_on", _("Two inspections of the planting are on this day."))
            days.add(inspection.inspected_on)


class InspectionInline(admin.TabularInline):
    model = Inspection
    formset = InspectionFormSet
    fields = ("inspected_on", "alive", "dead", "inspected_by", "note", "recorded_by")
    readonly_fields = ("recorded_by",)
    ordering = ("inspected_on", "pk")
    extra = 1


@admin.register(Planting)
class PlantingAdmin(SimpleHistoryAdmin, MapAdmin):
    form = PlantingAdminForm
    list_display = ("__str__", "reason", "district", "responsible", "planted_on", "updated_at")
    list_filter = ("reason", "district")
    list_select_related = ("district",)
    date_hierarchy = "planted_on"
    search_fields = ("species", "responsible", "reason_note")
    readonly_fields = ("district", *RECORD)
    fieldsets = (
        (None, {"fields": ("city", "species", "count", "planted_on", "responsible")}),
        (_("Where"), {"fields": ("geom", "district")}),
        (_("Why"), {"fields": ("reason", "felled_place", "felled_on", "felled_count", "reason_note")}),
        (_("Record"), {"fields": RECORD}),
    )
    inlines = (InspectionInline,)
    history_list_display = ("count", "planted_on")

    def get_readonly_fields(self, request: HttpRequest, obj: Planting | None = None):
        # A planting stays in the city it was drawn in: its rules are that city's.
        if obj is not None:
            return (*self.readonly_fields, "city")
        return self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        city = current_city()
        if city is not None:
            initial.setdefault("city", city.pk)
        return initial

    def save_model(self, request: HttpRequest, obj: Planting, form, change: bool) -> None:
        plantings.save_planting(obj, user=request.user)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Inspection:
            super().save_formset(request, form, formset, change)
            return
        inspections = formset.save(commit=False)
        for inspection in formset.deleted_objects:
            inspection.delete()
        for inspection in inspections:
            plantings.record_inspection(inspection, user=request.user)
