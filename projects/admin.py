"""The admin of projects and their categories.

Urbanists edit projects here too, on the vendored OpenLayers map widget, with
the same checks as the web editor (Project.clean: titles, dates, the geometry
rules of the category). Admins add categories; urbanists may only view them.
Admins may set any status here to correct a mistake; every change of status
is still recorded on the timeline.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gis_data.admin import MapAdmin
from photos.admin import PhotoInline
from projects import services
from projects.models import Category, Project, StatusChange


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_ru", "name_kk", "slug", "measure", "color", "order")
    list_editable = ("order",)
    list_filter = ("measure",)
    search_fields = ("slug", "name_en", "name_ru", "name_kk")
    prepopulated_fields = {"slug": ("name_en",)}


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ("status", "date", "note", "changed_by", "recorded_at")
    readonly_fields = ("changed_by", "recorded_at")
    ordering = ("date", "recorded_at", "pk")


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin, MapAdmin):
    list_display = (
        "__str__",
        "category",
        "status",
        "is_published",
        "district_names",
        "length_m",
        "area_m2",
        "updated_at",
    )
    list_filter = ("category", "status", "is_published", "districts", "is_demo")
    list_select_related = ("category",)
    search_fields = (
        "title_kk",
        "title_ru",
        "title_en",
        "description_kk",
        "description_ru",
        "description_en",
        "department",
        "contractor",
    )
    date_hierarchy = "updated_at"
    readonly_fields = ("districts", "length_m", "area_m2", "is_demo", "created_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("category", "status", "is_published")}),
        (_("Title and description"), {"fields": ("title_kk", "title_ru", "title_en")}),
        (None, {"fields": ("description_kk", "description_ru", "description_en")}),
        (_("Geometry"), {"fields": ("geom", "districts", "length_m", "area_m2")}),
        (_("Dates"), {"fields": (("planned_start", "planned_end"), ("actual_start", "actual_end"))}),
        (_("Budget and who is responsible"), {"fields": ("budget", "department", "contractor")}),
        (_("Record"), {"fields": ("is_demo", "created_by", "created_at", "updated_at")}),
    )
    inlines = (StatusChangeInline, PhotoInline)
    history_list_display = ("status", "is_published")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).prefetch_related("districts")

    @admin.display(description=_("districts"))
    def district_names(self, project: Project) -> str:
        return ", ".join(district.localized_name for district in project.districts.all())

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is StatusChange:
            # A step added or edited by hand in the admin is the admin's.
            for step_form in formset.forms:
                if step_form.has_changed() and step_form.instance.changed_by_id is None:
                    step_form.instance.changed_by = request.user
        super().save_formset(request, form, formset, change)

    def save_model(self, request: HttpRequest, obj: Project, form, change: bool) -> None:
        if not change:
            # Also starts the timeline with the project's status, as the web editor does.
            services.create_project(obj, user=request.user)
            return
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data:
            # An admin's correction does not follow TRANSITIONS, but the timeline still says when and who.
            StatusChange.objects.create(
                project=obj, status=obj.status, date=timezone.localdate(), changed_by=request.user
            )
