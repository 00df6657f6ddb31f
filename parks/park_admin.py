"""The admin of parks: urbanists edit a park's boundary and entrances on the vendored OpenLayers map widget.

The form checks the boundary and the entrances with parks.services' rules (an
area inside the city of at least 100 m², entrances within 30 m of its edge),
so a refused drawing is shown next to its field; every save goes through
parks.services.save_park, so the district and area are derived again and the
history says who changed what. simple-history's own "revert" saves through
the same path. What is derived, and where an imported park came from, is read only.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gis_data.admin import MapAdmin
from gis_data.packs import current_city
from parks import services
from parks.models import Park
from photos.admin import PhotoInline

DERIVED = ("district", "area_m2")
ORIGIN = ("source", "osm_type", "osm_id", "is_demo")
RECORD = ("created_by", "created_at", "updated_at")


class ParkAdminForm(forms.ModelForm):
    class Meta:
        model = Park
        # The admin builds the form from its fieldsets; these are the fields it edits.
        fields = (
            "city",
            "state",
            "name_kk",
            "name_ru",
            "name_en",
            "description_kk",
            "description_ru",
            "description_en",
            "boundary",
            "entrances",
        )

    def clean(self):
        cleaned = super().clean()
        city = self.instance.city if self.instance.city_id else cleaned.get("city") or current_city()
        boundary = cleaned.get("boundary")
        if city is None or boundary is None:
            return cleaned
        try:
            cleaned["boundary"] = services.check_park_boundary(boundary, city)
        except ValidationError as error:
            self.add_error("boundary", error)
            return cleaned
        try:
            cleaned["entrances"] = services.check_park_entrances(cleaned.get("entrances"), cleaned["boundary"], city)
        except ValidationError as error:
            self.add_error("entrances", error)
        return cleaned


@admin.register(Park)
class ParkAdmin(SimpleHistoryAdmin, MapAdmin):
    form = ParkAdminForm
    list_display = ("__str__", "state", "area_m2", "district", "osm_id", "is_demo", "updated_at")
    list_filter = ("state", "district", "is_demo")
    list_select_related = ("district",)
    search_fields = ("name_kk", "name_ru", "name_en", "description_kk", "description_ru", "description_en", "=osm_id")
    readonly_fields = (*DERIVED, *ORIGIN, *RECORD)
    fieldsets = (
        (None, {"fields": ("city", "state")}),
        (_("Name and description"), {"fields": ("name_kk", "name_ru", "name_en")}),
        (None, {"fields": ("description_kk", "description_ru", "description_en")}),
        (_("Boundary and entrances"), {"fields": ("boundary", "entrances")}),
        (_("Derived from the boundary"), {"fields": DERIVED}),
        (_("Where it came from"), {"fields": ORIGIN}),
        (_("Record"), {"fields": RECORD}),
    )
    inlines = (PhotoInline,)
    history_list_display = ("state", "area_m2")

    def get_readonly_fields(self, request: HttpRequest, obj: Park | None = None):
        # A park stays in the city it was drawn in: its boundary's rules are that city's.
        if obj is not None:
            return (*self.readonly_fields, "city")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Park, form, change: bool) -> None:
        services.save_park(obj, user=request.user)
