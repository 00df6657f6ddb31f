"""The admin of renovation concepts: the concept, its zones, its plan images and its dated steps.

Every write goes through parks.concepts, so the admin refuses what the web
editor refuses, with the same messages: each form checks the service's rules
in its ``clean`` (the admin saves after validating, too late to refuse), then
saves through the service. A zone's shape is drawn on its own page, on the
vendored OpenLayers map; the concept's page lists its zones (purpose and
label editable), its plan images (uploaded through photos.processing) and its
status steps, read-only: the status moves on the editor's status page, where
every rule of the way is checked.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from gis_data.admin import MapAdmin
from gis_data.formats import format_area, format_length
from parks import concepts
from parks.concept_forms import AuthorsField
from parks.models import ConceptStatusChange, PlanImage, RenovationConcept, Zone
from photos.forms import ACCEPT
from photos.processing import ProcessedPhoto, process_upload

SHAPE_NAMES = {"Point": _("point"), "LineString": _("line"), "Polygon": _("polygon")}


def zone_measure(zone: Zone) -> str:
    if zone.area_m2 is not None:
        return format_area(zone.area_m2)
    if zone.length_m is not None:
        return format_length(zone.length_m)
    return "—"


def add_service_errors(form: forms.BaseForm, errors: dict[str, list]) -> None:
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, messages)


# Zones ----------------------------------------------------------------------------------------------------------


class ZoneInlineFormSet(BaseInlineFormSet):
    """The concept's zones, each saved or deleted through parks.concepts (checked, measured)."""

    def save_existing(self, form: forms.ModelForm, obj: Zone, commit: bool = True) -> Zone:
        return concepts.save_zone(obj) if commit else obj

    def delete_existing(self, obj: Zone, commit: bool = True) -> None:
        if commit:
            concepts.delete_zone(obj)


class ZoneInline(admin.TabularInline):
    """The zones of a concept, without their shapes: each has a change link to its page with the map."""

    model = Zone
    formset = ZoneInlineFormSet
    fields = ("purpose", "label", "shape", "measure")
    readonly_fields = ("shape", "measure")
    extra = 0
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A zone is a shape: it is drawn on its own page (or in the web editor), on a map.
        return False

    @admin.display(description=_("shape"))
    def shape(self, zone: Zone) -> str:
        return str(SHAPE_NAMES.get(zone.geom.geom_type, zone.geom.geom_type)) if zone.geom else "—"

    @admin.display(description=_("area or length"))
    def measure(self, zone: Zone) -> str:
        return zone_measure(zone)


class ZoneAdminForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["concept", "purpose", "label", "geom"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        concept, geom = cleaned.get("concept"), cleaned.get("geom")
        if concept is not None and geom is not None:
            try:
                cleaned["geom"] = concepts.check_zone_geometry(geom, concept.park)
            except ValidationError as error:
                self.add_error("geom", error)
        return cleaned


@admin.register(Zone)
class ZoneAdmin(MapAdmin):
    form = ZoneAdminForm
    list_display = ("__str__", "purpose", "concept", "area_m2", "length_m")
    list_filter = ("purpose",)
    list_select_related = ("concept",)
    search_fields = ("label", "concept__title_kk", "concept__title_ru", "concept__title_en")
    autocomplete_fields = ("concept",)
    readonly_fields = ("area_m2", "length_m")
    fields = ("concept", "purpose", "label", "geom", "area_m2", "length_m")

    def save_model(self, request: HttpRequest, obj: Zone, form: forms.ModelForm, change: bool) -> None:
        concepts.save_zone(obj)

    def delete_model(self, request: HttpRequest, obj: Zone) -> None:
        concepts.delete_zone(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Zone]) -> None:
        for zone in queryset:
            concepts.delete_zone(zone)


# Plan images ----------------------------------------------------------------------------------------------------


class PlanImageAdminForm(forms.ModelForm):
    """A plan image of the inline: a new one is processed (photos.processing); an existing one keeps its file."""

    class Meta:
        model = PlanImage
        fields = ["image", "caption"]
        # A plain file field: Django's ImageField would open the upload with Pillow before the checks.
        field_classes = {"image": forms.FileField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.processed: ProcessedPhoto | None = None
        self.fields["image"].widget.attrs["accept"] = ACCEPT

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            if self.instance.pk:
                raise ValidationError(
                    _("A plan image cannot be replaced: delete it and add the new one."), code="replace"
                )
            self.processed = process_upload(image)
            return self.processed.image
        return image


class PlanImageInlineFormSet(BaseInlineFormSet):
    """New plan images are added through parks.concepts.add_plan_image; deleted ones lose their files too."""

    request: HttpRequest | None = None

    def save_new(self, form: PlanImageAdminForm, commit: bool = True) -> PlanImage:
        user = self.request.user if self.request else None
        return concepts.add_plan_image(self.instance, form.processed, form.cleaned_data.get("caption", ""), user)

    def save_existing(self, form: PlanImageAdminForm, obj: PlanImage, commit: bool = True) -> PlanImage:
        if commit:
            obj.save(update_fields=["caption"])
        return obj

    def delete_existing(self, obj: PlanImage, commit: bool = True) -> None:
        if commit:
            concepts.delete_plan_image(obj)


class PlanImageInline(admin.TabularInline):
    model = PlanImage
    form = PlanImageAdminForm
    formset = PlanImageInlineFormSet
    fields = ("preview", "image", "caption", "uploaded_by", "uploaded_at")
    readonly_fields = ("preview", "uploaded_by", "uploaded_at")
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    @admin.display(description=_("preview"))
    def preview(self, plan: PlanImage) -> str:
        if not plan.pk or not plan.thumbnail:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:120px;max-height:120px;height:auto">',
            plan.thumbnail.url,
            plan.caption,
        )


# Status steps ---------------------------------------------------------------------------------------------------


class StatusChangeInline(admin.TabularInline):
    """The concept's dated steps, read-only: the editor's status page moves the status, checking every rule."""

    model = ConceptStatusChange
    fields = ("status", "date", "note", "changed_by", "recorded_at")
    readonly_fields = fields
    ordering = ("date", "recorded_at", "pk")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Concepts -------------------------------------------------------------------------------------------------------


class ConceptAdminForm(forms.ModelForm):
    """The concept's fields, checked by parks.concepts' rules; a new concept's first step may be dated."""

    authors = AuthorsField(
        label=_("Authors with an account"),
        required=False,
        help_text=_("Their e-mail addresses, separated by commas."),
    )
    date = forms.DateField(
        label=_("Date of the concept"),
        required=False,
        help_text=_("The day of its first step, “concept”: today when empty. Only for a new concept."),
    )

    class Meta:
        model = RenovationConcept
        fields = [
            "park",
            "title_kk",
            "title_ru",
            "title_en",
            "description_kk",
            "description_ru",
            "description_en",
            "team",
            "authors",
            "origin",
            "workshop",
            "proposal",
            "cost_estimate",
            "is_published",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["park"].error_messages["invalid_choice"] = _(
            "There is no such park: choose the park the concept is for."
        )
        if self.instance.pk is not None:
            self.initial["authors"] = list(self.instance.authors.all())
            self.fields.pop("date", None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "park" in self.errors:
            return cleaned
        # The service's rules, on a copy with the form's values: the admin saves only after validating.
        concept = RenovationConcept(pk=self.instance.pk)
        for name in self._meta.fields:
            if name != "authors" and name in cleaned:
                setattr(concept, name, cleaned[name])
        drawn_on = (cleaned.get("date") or timezone.localdate()) if self.instance.pk is None else None
        errors = concepts.concept_errors(concept, drawn_on)
        for field in list(errors):
            if field in self.errors:
                del errors[field]
        add_service_errors(self, errors)
        return cleaned


@admin.register(RenovationConcept)
class RenovationConceptAdmin(SimpleHistoryAdmin):
    form = ConceptAdminForm
    list_display = ("__str__", "park", "status", "origin", "workshop", "is_published", "is_demo", "updated_at")
    list_filter = ("status", "origin", "is_published", "workshop", "is_demo")
    list_select_related = ("park", "workshop")
    search_fields = ("title_kk", "title_ru", "title_en", "team", "park__name_kk", "park__name_ru", "park__name_en")
    date_hierarchy = "updated_at"
    autocomplete_fields = ("workshop", "proposal")
    readonly_fields = ("status", "set_aside_reason", "is_demo", "created_by", "created_at", "updated_at")
    inlines = (ZoneInline, PlanImageInline, StatusChangeInline)
    history_list_display = ("status", "is_published")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        first = ("park", "is_published") if obj is not None else ("park", "date", "is_published")
        return (
            (None, {"fields": first}),
            (_("Title and description"), {"fields": ("title_kk", "title_ru", "title_en")}),
            (None, {"fields": ("description_kk", "description_ru", "description_en")}),
            (_("Authors and origin"), {"fields": ("team", "authors", "origin", "workshop", "proposal")}),
            (_("Cost"), {"fields": ("cost_estimate",)}),
            (_("Status"), {"fields": ("status", "set_aside_reason")}),
            (_("Record"), {"fields": ("is_demo", "created_by", "created_at", "updated_at")}),
        )

    def save_model(self, request: HttpRequest, obj: RenovationConcept, form: ConceptAdminForm, change: bool) -> None:
        # The authors are set by save_related (the form's many-to-many), after the concept is saved.
        drawn_on = None if change else form.cleaned_data.get("date")
        concepts.save_concept(obj, request.user, drawn_on=drawn_on)

    def delete_model(self, request: HttpRequest, obj: RenovationConcept) -> None:
        concepts.delete_concept(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RenovationConcept]) -> None:
        for concept in queryset:
            concepts.delete_concept(concept)
