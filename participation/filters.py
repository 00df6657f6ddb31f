"""The filters of the proposal list and of the proposals layer on the map: one form for both."""

import datetime

from django import forms
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_data.models import District
from participation.models import Category, Kind, Proposal, ProposalQuerySet, Status, Support

# The periods a resident may pick besides a calendar year: how many days back from today.
RECENT_PERIODS = {"30d": 30, "90d": 90, "365d": 365}


def _support_count() -> Coalesce:
    """A proposal's number of supports, as an expression to sort by (no GROUP BY, so the map's queries stay lean)."""
    counts = (
        Support.objects.filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


SORTS = {
    "-created": lambda: ("-created_at", "-pk"),
    "created": lambda: ("created_at", "pk"),
    "-supports": lambda: (_support_count().desc(), "-created_at", "-pk"),
}


def proposal_years() -> list[int]:
    """The calendar years from the first published proposal to this one, newest first.

    Read from the first ``created_at`` (indexed), so the form costs one short
    index scan even with hundreds of thousands of proposals.
    """
    first = Proposal.objects.published().order_by("created_at").values_list("created_at", flat=True).first()
    this_year = timezone.localdate().year
    if first is None:
        return [this_year]
    return list(range(this_year, timezone.localtime(first).year - 1, -1))


class ProposalFilterForm(forms.Form):
    """Filters read from the query string; an empty field filters nothing. ``filter`` applies them and sorts."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), to_field_name="slug", required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all(), required=False)
    period = forms.ChoiceField(label=_("Proposed"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
            ("-supports", _("Most supported")),
        ],
    )

    # The fields the map offers as filters of the proposals layer (a search box and a sort order are the list's).
    MAP_FIELDS = ("kind", "category", "status", "district", "period")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *Kind.choices]
        self.fields["status"].choices = [("", _("All")), *Status.choices]
        self.fields["district"].empty_label = _("All")
        self.fields["district"].label_from_instance = lambda district: district.localized_name
        self.fields["period"].choices = [
            ("", _("Any time")),
            ("30d", _("In the last 30 days")),
            ("90d", _("In the last 90 days")),
            ("365d", _("In the last 12 months")),
            *((str(year), str(year)) for year in proposal_years()),
        ]

    def filter(self, queryset: ProposalQuerySet) -> ProposalQuerySet:
        """``queryset`` narrowed by the valid filters and sorted; call after ``is_valid()``."""
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"]
            queryset = queryset.filter(Q(title__icontains=text) | Q(description__icontains=text))
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("district"):
            # Every proposal that touches the district, as the projects' filter does (a street may cross two).
            queryset = queryset.filter(districts=data["district"])
        period = data.get("period")
        if period in RECENT_PERIODS:
            since = timezone.now() - datetime.timedelta(days=RECENT_PERIODS[period])
            queryset = queryset.filter(created_at__gte=since)
        elif period:
            queryset = queryset.filter(created_at__year=int(period))
        return queryset.order_by(*SORTS[data.get("sort") or "-created"]())
