"""The admin of events and their registrations, for urbanists and admins.

An event is edited on the map widget, with the same rules as the organisers'
page (participation.events.check_event) and saved through
participation.events.save_event, so that seats added here go to the waiting
line as they do there. Registrations are the residents' own: they are read
here, never written (people register and cancel on the event's page).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gis_data.admin import MapAdmin
from gis_data.editing import add_errors
from participation import events
from participation.event_forms import EVENT_FIELDS
from participation.models import Event, Registration, RegistrationStatus

REGISTRATION_FIELDS = ("user", "status", "registered_at", "moved_up_at", "cancelled_at")


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [*EVENT_FIELDS, "organisers"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        values = {name: cleaned.get(name) for name in self._meta.fields if name not in ("venue", "organisers")}
        confirmed = events.confirmed_count(self.instance) if self.instance.pk else 0
        try:
            events.check_event(Event(pk=self.instance.pk, **values), confirmed=confirmed)
        except ValidationError as error:
            add_errors(self, error)
        return cleaned


class RegistrationInline(admin.TabularInline):
    """Who registered, in order, with their status: read only."""

    model = Registration
    fields = REGISTRATION_FIELDS
    readonly_fields = REGISTRATION_FIELDS
    ordering = ("registered_at", "pk")
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(MapAdmin):
    form = EventAdminForm
    list_display = ("__str__", "starts_at", "venue_name", "capacity", "confirmed", "waiting", "is_published", "is_demo")
    list_filter = ("is_published", "is_demo")
    search_fields = ("title_kk", "title_ru", "title_en", "venue_name")
    date_hierarchy = "starts_at"
    filter_horizontal = ("organisers",)
    readonly_fields = ("is_demo", "created_by", "created_at")
    inlines = [RegistrationInline]
    fieldsets = (
        (None, {"fields": ("title_kk", "title_ru", "title_en")}),
        (None, {"fields": ("programme_kk", "programme_ru", "programme_en")}),
        (_("When"), {"fields": ("starts_at", "ends_at", "registration_deadline")}),
        (_("Where"), {"fields": ("venue_name", "venue")}),
        (_("Seats and publication"), {"fields": ("capacity", "is_published")}),
        (_("Organisers"), {"fields": ("organisers",)}),
        (_("Record"), {"fields": ("is_demo", "created_by", "created_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
                waiting_count=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)),
            )
        )

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, event: Event) -> int:
        return event.confirmed_count

    @admin.display(description=_("waiting"), ordering="waiting_count")
    def waiting(self, event: Event) -> int:
        return event.waiting_count

    def save_model(self, request: HttpRequest, obj: Event, form: forms.ModelForm, change: bool) -> None:
        # The service's rules and lock; the organisers chosen in the form are saved after (save_related).
        events.save_event(obj, by=request.user)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Every registration, to look up; written only by the residents on the event's page."""

    list_display = ("event", "user", "status", "registered_at", "moved_up_at", "cancelled_at")
    list_filter = ("status", "event")
    list_select_related = ("event", "user")
    search_fields = ("user__email", "user__display_name", "event__title_en", "event__title_ru", "event__title_kk")
    date_hierarchy = "registered_at"
    readonly_fields = ("event", *REGISTRATION_FIELDS)
    fields = ("event", *REGISTRATION_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
