"""The admin of contests: a contest with its criteria and jury, the entries (photo, hidden flag), the scores.

Contests are made and run on the site (participation.contest_views); the
admin is where an administrator corrects what the site does not offer: the
organisers, an entry hidden by mistake (un-hiding it), a place. Scores are the
jury's own and are only read here; the final scores and ranks are written by
participation.contests.close_contest and are read-only too.
"""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from gis_data.admin import MapAdmin
from participation.models import Contest, Criterion, Entry, Score
from photos.admin import PhotoInline, thumbnail_tag
from photos.models import Photo


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ("name_kk", "name_ru", "name_en", "weight", "position")
    extra = 0
    min_num = 1


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ("title", "opens_at", "closes_at", "is_published", "results_published_at", "entry_count")
    list_filter = ("is_published",)
    search_fields = ("title_kk", "title_ru", "title_en")
    date_hierarchy = "opens_at"
    filter_horizontal = ("jury", "organisers")
    readonly_fields = ("results_published_at", "created_by", "created_at")
    inlines = [CriterionInline]
    fieldsets = (
        (_("Theme and rules"), {"fields": ("title_kk", "title_ru", "title_en", "rules_kk", "rules_ru", "rules_en")}),
        (_("Dates and scoring"), {"fields": ("opens_at", "closes_at", "max_score", "winners", "is_published")}),
        (_("People"), {"fields": ("organisers", "jury")}),
        (_("Record"), {"fields": ("results_published_at", "created_by", "created_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contest]:
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    @admin.display(description=_("entries"), ordering="entry_total")
    def entry_count(self, contest: Contest) -> int:
        return contest.entry_total


@admin.register(Entry)
class EntryAdmin(MapAdmin):
    list_display = ("preview", "idea_excerpt", "contest", "author", "submitted_at", "is_hidden", "final_rank")
    list_display_links = ("preview", "idea_excerpt")
    list_filter = ("is_hidden", "contest")
    list_select_related = ("contest", "author")
    search_fields = ("idea", "author__email", "author__display_name", "hashtags")
    raw_id_fields = ("author",)
    readonly_fields = ("preview_large", "final_score", "final_rank")
    fields = (
        "preview_large",
        "contest",
        "author",
        "idea",
        "language",
        "hashtags",
        "place",
        "submitted_at",
        "is_hidden",
        "hidden_reason",
        "final_score",
        "final_rank",
    )
    inlines = [PhotoInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        return super().get_queryset(request).prefetch_related("photos")

    def _photo(self, entry: Entry) -> Photo | None:
        photos = list(entry.photos.all())
        return photos[0] if photos else None

    @admin.display(description=_("photo"))
    def preview(self, entry: Entry) -> str:
        photo = self._photo(entry)
        return thumbnail_tag(photo) if photo is not None else "—"

    @admin.display(description=_("photo"))
    def preview_large(self, entry: Entry) -> str:
        photo = self._photo(entry)
        return thumbnail_tag(photo, size=320) if photo is not None else "—"

    @admin.display(description=_("idea"), ordering="idea")
    def idea_excerpt(self, entry: Entry) -> str:
        return Truncator(entry.idea).chars(80)


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    """The jury's scores, read only: they are given on the site, by each juror for themselves."""

    list_display = ("entry", "criterion", "juror", "value", "scored_at")
    list_filter = ("criterion__contest",)
    list_select_related = ("entry", "criterion", "juror")
    search_fields = ("juror__email", "entry__idea")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Score | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Score | None = None) -> bool:
        return False
