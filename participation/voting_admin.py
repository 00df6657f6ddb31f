"""The admin of workshop ballots: their items and method, the batches of codes, and the votes as read-only records.

A ballot's items and method can be edited until the first vote; from then
on they are read-only (participation.voting.edit_locked), so no vote is
counted against a question that changed under it. Votes, their marks and
the audit log are shown, never edited: votes are the participants' own and
change only through participation.voting. No page shows a code's digest, and
a code's vote names nothing but its ballot. Codes are generated on the
organisers' pages, where they are printed: their texts are shown only once.
"""

import contextlib

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from participation import voting
from participation.ballot_items import is_candidate, item_content_types
from participation.models import Ballot, BallotItem, CodeBatch, Mark, Method, Vote, VoteChange

METHOD_NUMBERS = ("max_choices", "points_total", "points_per_item")


def marks_text(marks: dict) -> str:
    """{item id: points} as "item 12: 3 · item 14: 1"."""
    if not marks:
        return "—"
    return " · ".join(
        gettext("item %(item)s: %(points)s") % {"item": item, "points": points}
        for item, points in sorted(marks.items(), key=lambda pair: int(pair[0]))
    )


class BallotAdminForm(forms.ModelForm):
    """The ballot's numbers checked as its method needs them, with messages naming the field (not the constraint)."""

    class Meta:
        model = Ballot
        fields = [
            "workshop",
            "title_kk",
            "title_ru",
            "title_en",
            "description_kk",
            "description_ru",
            "description_en",
            "method",
            "max_choices",
            "points_total",
            "points_per_item",
            "opens_at",
            "closes_at",
            "voters",
            "results_shown",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any((cleaned.get(name) or "").strip() for name in ("title_kk", "title_ru", "title_en")):
            self.add_error("title_en", _("Write the question in at least one language."))
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("Voting must close after it opens."))
        if "method" not in self.fields:  # locked: the method and its numbers are read-only
            return cleaned
        method = cleaned.get("method")
        needed = {
            Method.SINGLE: (),
            Method.APPROVAL: ("max_choices",),
            Method.POINTS: ("points_total", "points_per_item"),
        }.get(method, ())
        for name in METHOD_NUMBERS:
            if name in needed:
                if not cleaned.get(name):
                    self.add_error(name, _("This voting method needs this number (at least 1)."))
            else:
                # The numbers of other methods are dropped, not refused: switching methods keeps no stale limit.
                cleaned[name] = None
        total, per_item = cleaned.get("points_total"), cleaned.get("points_per_item")
        if method == Method.POINTS and total and per_item and per_item > total:
            self.add_error(
                "points_per_item",
                _("At most %(total)d points can be spread, so one item cannot get more.") % {"total": total},
            )
        return cleaned


class BallotItemForm(forms.ModelForm):
    class Meta:
        model = BallotItem
        fields = ("content_type", "object_id", "position")

    def clean(self) -> dict:
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if content_type is None or object_id is None:
            return cleaned
        try:
            record = content_type.get_object_for_this_type(pk=object_id)
        except ObjectDoesNotExist:
            record = None
        if record is None or not is_candidate(record):
            self.add_error(
                "object_id",
                _("There is no published %(kind)s with the id %(id)d.") % {"kind": content_type.name, "id": object_id},
            )
        return cleaned


class BallotItemInline(admin.TabularInline):
    """What is voted on: a concept, corridor, project or proposal by its kind and id. Frozen once a vote exists."""

    model = BallotItem
    form = BallotItemForm
    extra = 0
    fields = ("content_type", "object_id", "subject_title", "position")
    readonly_fields = ("subject_title",)
    ordering = ("position", "pk")

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(pk__in=[kind.pk for kind in item_content_types().values()])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("item"))
    def subject_title(self, item: BallotItem) -> str:
        return str(item) if item.pk else "—"

    def _editable(self, obj: Ballot | None) -> bool:
        return obj is None or not voting.edit_locked(obj)

    def has_add_permission(self, request: HttpRequest, obj: Ballot | None = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Ballot | None = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Ballot | None = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    form = BallotAdminForm
    list_display = ("__str__", "workshop", "method", "opens_at", "closes_at", "results_shown", "voters", "vote_count")
    list_filter = ("method", "voters", "results_shown", "is_demo")
    list_select_related = ("workshop",)
    search_fields = ("title_kk", "title_ru", "title_en", "workshop__title_en", "workshop__title_ru")
    date_hierarchy = "opens_at"
    raw_id_fields = ("workshop",)
    inlines = (BallotItemInline,)
    base_readonly = (
        "vote_count",
        "codes_issued",
        "codes_used",
        "published_at",
        "published_summary",
        "is_demo",
        "created_by",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("workshop", "title_kk", "title_ru", "title_en")}),
        (None, {"fields": ("description_kk", "description_ru", "description_en")}),
        (_("Method"), {"fields": ("method", "max_choices", ("points_total", "points_per_item"))}),
        (_("Voting"), {"fields": (("opens_at", "closes_at"), "voters", "results_shown")}),
        (
            _("Votes"),
            {"fields": ("vote_count", ("codes_issued", "codes_used"), "published_at", "published_summary")},
        ),
        (_("Record"), {"fields": ("is_demo", "created_by", "created_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ballot]:
        return super().get_queryset(request).annotate(number_of_votes=Count("votes", distinct=True))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        if request.method == "POST":
            # The admin saves in one transaction: lock the ballot's row before it asks whether votes exist, so a
            # first vote (which shares the row, participation.voting.cast_vote) comes before or after, not during.
            # Not an id: nothing to lock, and the admin says the ballot does not exist.
            with contextlib.suppress(ValueError, ValidationError):
                Ballot.objects.select_for_update(of=("self",)).order_by().filter(pk=object_id).exists()
        return super().get_object(request, object_id, from_field)

    def get_readonly_fields(self, request: HttpRequest, obj: Ballot | None = None):
        if obj is not None and voting.edit_locked(obj):
            # Votes were cast by this method and for these numbers: changing them would change their meaning.
            return (*self.base_readonly, "method", *METHOD_NUMBERS)
        return self.base_readonly

    @admin.display(description=_("votes"), ordering="number_of_votes")
    def vote_count(self, ballot: Ballot) -> int:
        if hasattr(ballot, "number_of_votes"):
            return ballot.number_of_votes
        return ballot.votes.count()

    @admin.display(description=_("codes issued"))
    def codes_issued(self, ballot: Ballot) -> int:
        return ballot.codes.count()

    @admin.display(description=_("codes used"))
    def codes_used(self, ballot: Ballot) -> int:
        return ballot.codes.filter(redeemed_at__isnull=False).count()

    @admin.display(description=_("published totals"))
    def published_summary(self, ballot: Ballot) -> str:
        if ballot.published_totals is None:
            return "—"
        return marks_text(ballot.published_totals.get("items", {}))

    def save_model(self, request: HttpRequest, obj: Ballot, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CodeBatch)
class CodeBatchAdmin(admin.ModelAdmin):
    """Batches are generated (and printed) on the organisers' pages; here they are listed, and a note corrected."""

    list_display = ("__str__", "ballot", "size", "used", "note", "created_by", "created_at")
    list_select_related = ("ballot", "created_by")
    list_filter = ("created_at",)
    search_fields = ("note", "ballot__title_en", "ballot__title_ru", "ballot__title_kk")
    fields = ("ballot", "size", "used", "note", "created_by", "created_at")
    readonly_fields = ("ballot", "size", "used", "created_by", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CodeBatch]:
        return (
            super()
            .get_queryset(request)
            .annotate(used_codes=Count("codes", filter=Q(codes__redeemed_at__isnull=False)))
        )

    @admin.display(description=_("codes used"), ordering="used_codes")
    def used(self, batch: CodeBatch) -> int:
        return batch.used_codes

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records only participation.voting writes: seen by whoever may view them, changed by nobody here."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class MarkInline(admin.TabularInline):
    model = Mark
    fields = ("item", "points")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    """Votes and their marks. A code's vote shows that it was cast with a code, never which one."""

    list_display = ("pk", "ballot", "by_code", "account", "cast_at", "changed_at")
    list_filter = ("by_code",)
    list_select_related = ("ballot", "voter")
    date_hierarchy = "cast_at"
    # Not the code: even its id would let someone holding the sheet's order link a code to its vote.
    fields = ("ballot", "by_code", "account", "cast_at", "changed_at")
    readonly_fields = fields
    inlines = (MarkInline,)

    @admin.display(description=_("voter"))
    def account(self, vote: Vote) -> str:
        if vote.by_code:
            return gettext("a participant code")
        return str(vote.voter) if vote.voter_id else gettext("(account deleted)")


@admin.register(VoteChange)
class VoteChangeAdmin(ReadOnlyAdmin):
    """The audit log: every vote cast or changed, with the marks it left; a code's entries name nobody."""

    list_display = ("at", "ballot", "action", "by_code", "account", "marks_summary")
    list_filter = ("action", "by_code")
    list_select_related = ("ballot", "account")
    date_hierarchy = "at"
    fields = ("ballot", "vote", "action", "by_code", "account", "marks_summary", "at")
    readonly_fields = fields

    @admin.display(description=_("marks"))
    def marks_summary(self, change: VoteChange) -> str:
        return marks_text(change.marks)
