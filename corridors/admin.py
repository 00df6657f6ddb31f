"""The admin of corridors and their segments.

Urbanists edit corridors here too, and segments on the vendored OpenLayers
map widget, with the same checks as the web editor (Segment.clean: one line
inside the city, at least 1 m, not crossing itself; a reason for a landscape
type set by hand). Every save goes through corridors.services, so the derived
figures (length, profile, what a segment follows, landscape type, the
corridor's sums) are measured again and the history says who changed what;
simple-history's own "revert" saves through the same path.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from corridors import services
from corridors.models import Corridor, Segment
from gis_data.admin import MapAdmin
from photos.admin import PhotoInline

# What is measured from a segment's line, never typed (corridors.measures).
SEGMENT_DERIVED = (
    "length_m",
    "landscape_derived",
    "urban_share",
    "follows",
    "follows_name",
    "follows_share",
    "climb_m",
    "descent_m",
    "mean_grade",
    "max_grade",
    "dem_gap_m",
    "district_names",
)
CORRIDOR_DERIVED = ("length_m", "climb_m", "descent_m", "mean_grade", "max_grade", "dem_gap_m", "district_names")


class SegmentInlineFormSet(BaseInlineFormSet):
    """The corridor's segments, each saved or deleted through corridors.services (measured, recorded)."""

    request: HttpRequest | None = None

    def save_existing(self, form, obj: Segment, commit: bool = True) -> Segment:
        if not commit:
            return obj
        return services.save_segment(obj, user=self.request.user if self.request else None)

    def delete_existing(self, obj: Segment, commit: bool = True) -> None:
        if commit:
            services.delete_segment(obj, user=self.request.user if self.request else None)


class SegmentInline(admin.TabularInline):
    """The segments of a corridor, without their lines: each has a change link to its page with the map."""

    model = Segment
    formset = SegmentInlineFormSet
    fields = ("position", "name", "mode", "status", "width_m", "surface", "lighting", "length_m", "landscape_display")
    readonly_fields = ("position", "length_m", "landscape_display")
    ordering = ("position", "pk")
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        # A segment is a line: it is added on its own page, with the map widget.
        return False

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    @admin.display(description=_("landscape type"))
    def landscape_display(self, segment: Segment) -> str:
        return segment.get_landscape_display() or "—"


@admin.register(Corridor)
class CorridorAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "kind", "status", "is_published", "length_m", "district_names", "is_demo", "updated_at")
    list_filter = ("kind", "status", "is_published", "is_demo", "districts")
    search_fields = ("name_kk", "name_ru", "name_en", "description_kk", "description_ru", "description_en")
    date_hierarchy = "updated_at"
    readonly_fields = (*CORRIDOR_DERIVED, "is_demo", "created_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("kind", "status", "is_published")}),
        (_("Name and description"), {"fields": ("name_kk", "name_ru", "name_en")}),
        (None, {"fields": ("description_kk", "description_ru", "description_en")}),
        (_("Measured from the segments"), {"fields": CORRIDOR_DERIVED}),
        (_("Record"), {"fields": ("is_demo", "created_by", "created_at", "updated_at")}),
    )
    inlines = (SegmentInline, PhotoInline)
    history_list_display = ("status", "is_published")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Corridor]:
        return super().get_queryset(request).prefetch_related("districts")

    @admin.display(description=_("districts"))
    def district_names(self, corridor: Corridor) -> str:
        return ", ".join(district.localized_name for district in corridor.districts.all()) or "—"

    def save_model(self, request: HttpRequest, obj: Corridor, form, change: bool) -> None:
        if change:
            services.update_corridor(obj, user=request.user)
        else:
            services.create_corridor(obj, user=request.user)


@admin.register(Segment)
class SegmentAdmin(SimpleHistoryAdmin, MapAdmin):
    list_display = (
        "__str__",
        "corridor",
        "position",
        "mode",
        "status",
        "length_m",
        "landscape_display",
        "follows_name",
    )
    list_filter = ("mode", "status", "surface", "lighting", "landscape_derived", "landscape_override", "follows")
    list_select_related = ("corridor",)
    search_fields = ("name", "corridor__name_kk", "corridor__name_ru", "corridor__name_en", "follows_name")
    readonly_fields = (*SEGMENT_DERIVED, "created_by", "created_at", "updated_at")
    autocomplete_fields = ("corridor",)
    fieldsets = (
        (None, {"fields": ("corridor", "position", "name", "mode", "status")}),
        (_("Line"), {"fields": ("geom",)}),
        (_("Path"), {"fields": ("width_m", "surface", "lighting")}),
        (_("Landscape type"), {"fields": ("landscape_derived", "landscape_override", "landscape_reason")}),
        (
            _("Measured from the line"),
            {
                "fields": (
                    "length_m",
                    "district_names",
                    "urban_share",
                    ("follows", "follows_name", "follows_share"),
                    ("climb_m", "descent_m"),
                    ("mean_grade", "max_grade"),
                    "dem_gap_m",
                )
            },
        ),
        (_("Record"), {"fields": ("created_by", "created_at", "updated_at")}),
    )
    history_list_display = ("status", "length_m")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Segment]:
        return super().get_queryset(request).prefetch_related("districts")

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # Empty puts a new segment last, as in the web editor.
            position = form.base_fields["position"]
            position.required, position.initial = False, None
            position.help_text = _("0 is the first place; leave it empty to put the segment last.")
        return form

    @admin.display(description=_("districts"))
    def district_names(self, segment: Segment) -> str:
        return ", ".join(district.localized_name for district in segment.districts.all()) or "—"

    @admin.display(description=_("landscape type"))
    def landscape_display(self, segment: Segment) -> str:
        return segment.get_landscape_display() or "—"

    def save_model(self, request: HttpRequest, obj: Segment, form, change: bool) -> None:
        if change:
            position = obj.position
            previous = Segment.objects.filter(pk=obj.pk).values_list("position", flat=True).first()
            services.save_segment(obj, user=request.user)
            if previous is not None and position != previous:
                services.move_segment(obj, position, user=request.user)
        else:
            position, obj.position = obj.position, 0  # save_segment gives the segment its place
            services.save_segment(obj, user=request.user, position=position)

    def delete_model(self, request: HttpRequest, obj: Segment) -> None:
        services.delete_segment(obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Segment]) -> None:
        for segment in queryset.select_related("corridor"):
            services.delete_segment(segment, user=request.user)
