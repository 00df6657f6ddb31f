"""The admin of proposals: categories, departments and their staff, the routing table, proposals, API clients.

The routing table is edited in its list: which department answers a category
in a district, and in how many days. Proposals are edited on the map widget;
what is derived from the geometry (district, districts, anchor) is read-only.
The answers of departments are moderated on the site (participation.moderation);
an admin may still correct a status here, and the timeline records who did it.
An API client's key is generated here and shown once: only its digest is kept.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gis_data.admin import MapAdmin
from participation.apikeys import create_api_client
from participation.models import (
    ApiClient,
    Category,
    Comment,
    Department,
    Flag,
    Proposal,
    Route,
    StatusChange,
    Workshop,
    subject_choices,
)
from photos.admin import PhotoInline

NAMES = ("name_kk", "name_ru", "name_en")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_ru", "name_kk", "slug", "is_active", "order")
    list_editable = ("is_active", "order")
    list_filter = ("is_active",)
    search_fields = ("slug", *NAMES)
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_ru", "name_kk", "slug", "email", "staff_count")
    search_fields = ("slug", *NAMES, "email")
    prepopulated_fields = {"slug": ("name_en",)}
    filter_horizontal = ("members",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        return super().get_queryset(request).annotate(staff_count=Count("members"))

    @admin.display(description=_("staff"), ordering="staff_count")
    def staff_count(self, department: Department) -> int:
        return department.staff_count


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    """The routing table: one row per (category, district); an empty one matches any."""

    list_display = ("category_or_any", "district_or_any", "department", "deadline_days")
    list_display_links = ("category_or_any",)
    list_editable = ("department", "deadline_days")
    list_filter = ("department", "category", "district")
    list_select_related = ("category", "district", "department")
    search_fields = ("category__slug", "category__name_en", "district__name", "department__name_en")

    @admin.display(description=_("category"), ordering="category__order")
    def category_or_any(self, route: Route) -> str:
        return route.category.name if route.category_id else gettext("any category")

    @admin.display(description=_("district"), ordering="district__name")
    def district_or_any(self, route: Route) -> str:
        return route.district.localized_name if route.district_id else gettext("any district")


class StatusChangeInline(admin.TabularInline):
    """The public timeline, as the departments wrote it: read here, never rewritten."""

    model = StatusChange
    extra = 0
    fields = ("status", "changed_at", "department", "changed_by", "note")
    readonly_fields = fields
    can_delete = False
    ordering = ("changed_at", "pk")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Proposal)
class ProposalAdmin(MapAdmin):
    list_display = (
        "title",
        "kind",
        "category",
        "visibility",
        "status",
        "department",
        "district",
        "due_date",
        "created_at",
    )
    list_filter = ("visibility", "status", "kind", "category", "department", "district")
    list_select_related = ("category", "department", "district")
    search_fields = ("title", "description", "author__email", "contact_email")
    date_hierarchy = "created_at"
    raw_id_fields = ("author", "implemented_by", "duplicate_of")
    readonly_fields = (
        "district",
        "district_names",
        "submission_key",
        "api_client",
        "moderated_by",
        "moderated_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("kind", "category", "title", "description", "language")}),
        (_("Place"), {"fields": ("geom", "district", "district_names")}),
        (_("About"), {"fields": ("subject_type", "subject_id")}),
        (_("Moderation"), {"fields": ("visibility", "moderation_reason", "moderated_by", "moderated_at")}),
        (
            _("Answer"),
            {"fields": ("status", "department", "published_at", "due_date", "implemented_by", "duplicate_of")},
        ),
        (
            _("Who sent it"),
            {"fields": ("author", "api_client", "contact_name", "contact_email", "submission_key")},
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (StatusChangeInline, PhotoInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Proposal]:
        return super().get_queryset(request).prefetch_related("districts")

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "subject_type":
            # A proposal may be about the records of SUBJECT_MODELS only, not any table of the site.
            kwargs["queryset"] = ContentType.objects.filter(pk__in=[kind.pk for kind in subject_choices()])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("districts"))
    def district_names(self, proposal: Proposal) -> str:
        return ", ".join(district.localized_name for district in proposal.districts.all()) or "—"

    def save_model(self, request: HttpRequest, obj: Proposal, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            # An admin's correction does not follow TRANSITIONS, but the timeline still says when and who.
            StatusChange.objects.create(
                proposal=obj, status=obj.status, department=obj.department, changed_by=request.user
            )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("short_text", "proposal", "author", "visibility", "created_at")
    list_filter = ("visibility",)
    list_select_related = ("proposal", "author")
    search_fields = ("text", "author__email", "proposal__title")
    date_hierarchy = "created_at"
    raw_id_fields = ("proposal", "parent", "author")
    readonly_fields = ("moderated_by", "moderated_at", "created_at", "edited_at")

    @admin.display(description=_("comment"))
    def short_text(self, comment: Comment) -> str:
        return Truncator(comment.text).chars(80)


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("__str__", "reason", "user", "created_at", "resolved_at")
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("proposal", "comment", "user")
    raw_id_fields = ("proposal", "comment", "user", "resolved_by")
    readonly_fields = ("created_at",)
    actions = ("resolve",)

    @admin.action(description=_("Mark the selected flags as resolved"))
    def resolve(self, request: HttpRequest, queryset: QuerySet[Flag]) -> None:
        count = queryset.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=request.user)
        self.message_user(request, gettext("%(count)d flags resolved.") % {"count": count}, messages.SUCCESS)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Clients of the Open311 API. Adding one generates its key, shown once in a message; only a digest is kept."""

    list_display = ("name", "key_prefix", "contact_email", "is_active", "created_at", "last_used_at")
    list_editable = ("is_active",)
    list_filter = ("is_active",)
    search_fields = ("name", "contact_email", "key_prefix")
    readonly_fields = ("key_prefix", "key_digest", "created_at", "last_used_at")

    def get_fields(self, request: HttpRequest, obj: ApiClient | None = None):
        if obj is None:
            return ("name", "contact_email", "is_active")
        return ("name", "contact_email", "is_active", "key_prefix", "key_digest", "created_at", "last_used_at")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiClient | None = None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiClient, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = create_api_client(obj.name, obj.contact_email)
        if not obj.is_active:
            client.is_active = False
            client.save(update_fields=["is_active"])
        # The admin goes on with ``obj`` (its log entry, the redirect): it becomes the client just made.
        obj.pk, obj.key_digest, obj.key_prefix, obj.created_at = (
            client.pk,
            client.key_digest,
            client.key_prefix,
            client.created_at,
        )
        obj._state.adding = False
        messages.warning(
            request,
            gettext(
                "The API key of “%(name)s” is %(key)s — copy it now and give it to the client: "
                "it is shown only this once and cannot be recovered."
            )
            % {"name": client.name, "key": key},
        )


class WorkshopAdminForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = [
            "title_kk",
            "title_ru",
            "title_en",
            "description_kk",
            "description_ru",
            "description_en",
            "starts_on",
            "ends_on",
            "venue_name",
            "venue",
            "organisers",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        if not any(cleaned.get(name, "").strip() for name in ("title_kk", "title_ru", "title_en")):
            self.add_error("title_en", _("Give the workshop a title in at least one language."))
        return cleaned


@admin.register(Workshop)
class WorkshopAdmin(MapAdmin):
    """Workshops, named by the renovation concepts that came from them (parks.RenovationConcept.workshop)."""

    form = WorkshopAdminForm
    list_display = ("__str__", "starts_on", "ends_on", "venue_name", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("title_kk", "title_ru", "title_en", "venue_name")
    date_hierarchy = "starts_on"
    filter_horizontal = ("organisers",)
    readonly_fields = ("is_demo", "created_at")
    fieldsets = (
        (None, {"fields": ("title_kk", "title_ru", "title_en")}),
        (None, {"fields": ("description_kk", "description_ru", "description_en")}),
        (_("When and where"), {"fields": (("starts_on", "ends_on"), "venue_name", "venue")}),
        (_("Organisers"), {"fields": ("organisers",)}),
        (_("Record"), {"fields": ("is_demo", "created_at")}),
    )


# Ballots, events and contests have admin modules of their own.
from participation import contest_admin, event_admin, voting_admin  # noqa: E402, F401
