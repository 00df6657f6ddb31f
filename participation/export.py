"""The published proposals as CSV, with the list's filters: for spreadsheets and for QGIS (a WKT column)."""

import csv

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from participation.filters import ProposalFilterForm
from participation.models import Proposal

COLUMNS = (
    "id",
    "url",
    "kind",
    "category",
    "title",
    "description",
    "language",
    "status",
    "district",
    "department",
    "published_at",
    "due_date",
    "supports",
    "wkt",
)
# A spreadsheet runs a cell that starts with one of these as a formula; residents' text must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> str:
    """A cell a spreadsheet shows as written: a leading formula sign is quoted with an apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class Echo:
    """A file-like object whose write returns the line, for a streamed CSV."""

    def write(self, value: str) -> str:
        return value


def rows(request: HttpRequest, proposals):
    yield COLUMNS
    for proposal in proposals.iterator(chunk_size=2000):
        yield (
            proposal.pk,
            request.build_absolute_uri(proposal.get_absolute_url()),
            proposal.kind,
            proposal.category.slug,
            as_text(proposal.title),
            as_text(proposal.description),
            proposal.language,
            proposal.status,
            proposal.district.name_en if proposal.district else "",
            proposal.department.name_en if proposal.department else "",
            timezone.localtime(proposal.published_at).isoformat() if proposal.published_at else "",
            proposal.due_date.isoformat() if proposal.due_date else "",
            proposal.support_count,
            proposal.geom.wkt,
        )


@require_safe
def proposal_export(request: HttpRequest) -> HttpResponse:
    """Published proposals only, whoever asks: a hidden or waiting proposal is in no export."""
    form = ProposalFilterForm(request.GET)
    if not form.is_valid():
        fields = {name: [str(message) for message in errors] for name, errors in form.errors.items()}
        return JsonResponse({"error": _("Some filters are not valid."), "fields": fields}, status=400)
    proposals = (
        form.filter(Proposal.objects.published())
        .select_related("category", "district", "department")
        .annotate(support_count=Count("supports", distinct=True))
    )
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows(request, proposals)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="proposals.csv"'
    return response
