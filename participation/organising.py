"""What organisers do: set up a workshop and its ballots, print participant codes, read the votes' log.

Creating a workshop needs ``participation.add_workshop`` (urbanists);
everything else is for the workshop's organisers
(participation.voting.may_organise: the accounts it lists, and whoever has
``participation.change_workshop``). Anonymous visitors are sent to the
log-in page; anyone else is shown a page that says why, with status 403.
Writes go through participation.workshops (the rules and the saving) and
participation.voting (codes).

Participant codes exist in clear only in the response that generates them:
that response is the printable sheet, never cached. The log names an
account's vote by its e-mail address and a code's vote by nothing.
"""

import csv
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from gis_data.editing import add_errors, geoman_strings
from gis_data.formats import format_moment
from gis_data.maps import map_base
from gis_data.packs import current_city
from participation import voting, workshops
from participation.export import Echo, as_text
from participation.models import Ballot, Method, VoteAction, VoteChange, Voters, Workshop
from participation.notifications import absolute_url
from participation.organising_forms import BallotForm, CodeBatchForm, WorkshopForm

ADD_WORKSHOP = "participation.add_workshop"
AUDIT_PAGE_SIZE = 50
# A printed A4 page holds three columns of four cards.
CARDS_PER_PAGE = 12
# The sheets this session was shown (their form's key): sent twice (a reload), a sheet is not made again.
SHEETS_SHOWN = "organising-sheets-shown"
SHEETS_REMEMBERED = 50
# The workshop's venue map: what lies around it.
VENUE_LAYERS = ("districts", "streets", "main_roads", "parks")


def forbidden(request: HttpRequest, workshop: Workshop | None = None) -> HttpResponse:
    return render(request, "participation/workshops/organise/forbidden.html", {"workshop": workshop}, status=403)


def organised_ballot(request: HttpRequest, pk: int) -> tuple[Ballot, bool]:
    """The ballot (or 404), and whether the user organises its workshop."""
    ballot = get_object_or_404(Ballot.objects.select_related("workshop"), pk=pk)
    return ballot, voting.may_organise(request.user, ballot.workshop)


# Workshops -------------------------------------------------------------------------------------------------


def venue_map_config(request: HttpRequest) -> dict[str, Any]:
    """What static/js/workshop_editor.js needs, embedded in the page as JSON."""
    config = map_base(current_city(), request, VENUE_LAYERS)
    config["geoman"] = geoman_strings()
    config["strings"].update(
        {
            "venueUpdated": _("The venue was placed on the map."),
            "venueRemoved": _("The venue was removed from the map."),
            "unreadable": _("This GeoJSON cannot be read; the map shows the last point that could."),
            "venueAt": _("Venue: latitude %(lat)s, longitude %(lon)s."),
            "noVenue": _("No venue is marked on the map."),
            "venueMarker": _("Venue"),
        }
    )
    return config


def render_workshop_form(request: HttpRequest, form: WorkshopForm, workshop: Workshop | None) -> HttpResponse:
    context = {
        "form": form,
        "workshop": workshop,
        "map_config": venue_map_config(request),
    }
    return render(request, "participation/workshops/organise/workshop_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(ADD_WORKSHOP):
        return forbidden(request)
    data = request.POST if request.method == "POST" else None
    form = WorkshopForm(data, instance=Workshop(), organisers=[request.user])
    if form.is_valid():
        try:
            workshop = workshops.save_workshop(form.save(commit=False), form.cleaned_data["organisers"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("The workshop “%(title)s” was created: add its ballots.") % {"title": workshop.title}
            )
            return redirect(workshop)
    return render_workshop_form(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(Workshop, pk=pk)
    if not voting.may_organise(request.user, workshop):
        return forbidden(request, workshop)
    # The form works on its own copy: a refused form leaves ``workshop`` (the heading) as saved.
    data = request.POST if request.method == "POST" else None
    form = WorkshopForm(data, instance=Workshop.objects.get(pk=pk))
    if form.is_valid():
        if not form.has_changed():
            messages.info(request, _("Nothing was changed."))
            return redirect("workshops:edit", pk=workshop.pk)
        try:
            workshops.save_workshop(form.save(commit=False), form.cleaned_data["organisers"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The changes to the workshop were saved."))
            return redirect(workshop)
    return render_workshop_form(request, form, workshop)


# Ballots ---------------------------------------------------------------------------------------------------


def render_ballot_form(
    request: HttpRequest, form: BallotForm, workshop: Workshop, ballot: Ballot | None, votes: int = 0
) -> HttpResponse:
    context = {
        "form": form,
        "workshop": workshop,
        "ballot": ballot,
        "votes": votes,
        "groups": form.item_groups() if not form.locked else [],
        "chosen": form.chosen_items(),
        "time_zone": timezone.get_current_timezone_name(),
        "active": "settings",
        "editor_strings": {
            "filterCount": _("%(shown)s of %(total)s shown"),
            "chosenCount": _("Items chosen: %(count)s."),
            "added": _("“%(title)s” was added at position %(position)s."),
            "removed": _("“%(title)s” was removed from the ballot."),
            "moved": _("“%(title)s” is now at position %(position)s."),
            "moveUp": _("Move “%(title)s” up"),
            "moveDown": _("Move “%(title)s” down"),
            "remove": _("Remove “%(title)s”"),
            "up": _("Up"),
            "down": _("Down"),
            "removeShort": _("Remove"),
            "noMatch": _("No record matches “%(text)s”."),
            "position": _("Position"),
            "positionOf": _("of “%(title)s”"),
        },
    }
    return render(request, "participation/workshops/organise/ballot_form.html", context)


def save_from_form(request: HttpRequest, form: BallotForm) -> Ballot | None:
    """The ballot saved from a valid form, or None with the service's refusal put on the form."""
    try:
        return workshops.save_ballot(form.save(commit=False), form.records, by=request.user)
    except ValidationError as error:
        add_errors(form, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def ballot_create(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(Workshop, pk=pk)
    if not voting.may_organise(request.user, workshop):
        return forbidden(request, workshop)
    data = request.POST if request.method == "POST" else None
    form = BallotForm(data, instance=Ballot(workshop=workshop))
    if form.is_valid() and (ballot := save_from_form(request, form)) is not None:
        messages.success(
            request,
            _("The ballot “%(title)s” was created.") % {"title": ballot.title},
        )
        return redirect(workshop)
    return render_ballot_form(request, form, workshop, None)


@login_required
@require_http_methods(["GET", "POST"])
def ballot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ballot, allowed = organised_ballot(request, pk)
    if not allowed:
        return forbidden(request, ballot.workshop)
    data = request.POST if request.method == "POST" else None
    form = BallotForm(data, instance=Ballot.objects.get(pk=pk), locked=voting.edit_locked(ballot))
    if form.is_valid():
        if not form.has_changed() and form.chosen_keys() == [workshops.item_key(r) for r in form.stored_records]:
            messages.info(request, _("Nothing was changed."))
            return redirect("workshops:ballot_edit", pk=ballot.pk)
        if save_from_form(request, form) is not None:
            messages.success(request, _("The changes to the ballot were saved."))
            return redirect(ballot.workshop)
    return render_ballot_form(request, form, ballot.workshop, ballot, ballot.votes.count())


# Participant codes -----------------------------------------------------------------------------------------


@dataclass
class Card:
    """One participant code on the printed sheet: its text, the link its QR code holds, and the QR code."""

    code: str
    url: str
    qr_svg: str


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (no image file, no request to anywhere)."""
    # segno's defaults but the size: the quiet zone of four modules the standard asks for, and a class to style.
    return segno.make(url, micro=False).svg_inline(scale=4, svgclass="card-qr-svg", lineclass=None, omitsize=True)


def code_link(request: HttpRequest, ballot: Ballot, code: str) -> str:
    """Where a code's QR code leads: the ballot's code page, the code filled in."""
    return absolute_url(reverse("workshops:code", args=[ballot.pk]) + "?" + urlencode({"code": code}), request)


def instructions(vote_address: str) -> list[tuple[str, str]]:
    """The card's instruction in every language of the site, each with its language code."""
    texts = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.append((code, _("Scan the code or go to %(address)s and enter it.") % {"address": vote_address}))
    return texts


def sheet_shown(request: HttpRequest, key: uuid.UUID | None) -> bool:
    return key is not None and str(key) in request.session.get(SHEETS_SHOWN, [])


def remember_sheet(request: HttpRequest, key: uuid.UUID | None) -> None:
    if key is not None:
        request.session[SHEETS_SHOWN] = [*request.session.get(SHEETS_SHOWN, []), str(key)][-SHEETS_REMEMBERED:]


def code_sheet(request: HttpRequest, ballot: Ballot, batch: Any, codes: list[str]) -> HttpResponse:
    """The printable sheet of a batch just generated: the one time its codes are shown, never cached."""
    cards = []
    for code in codes:
        url = code_link(request, ballot, code)
        cards.append(Card(code, url, qr_svg(url)))
    vote_url = absolute_url(reverse("vote"), request)
    parts = urlsplit(vote_url)
    context = {
        "ballot": ballot,
        "workshop": ballot.workshop,
        "batch": batch,
        "cards": cards,
        "pages": [cards[start : start + CARDS_PER_PAGE] for start in range(0, len(cards), CARDS_PER_PAGE)],
        "vote_url": vote_url,
        "instructions": instructions(parts.netloc + parts.path),
    }
    response = render(request, "participation/workshops/organise/code_sheet.html", context)
    add_never_cache_headers(response)
    return response


def codes_refusal(ballot: Ballot) -> str:
    """Why no codes may be generated for ``ballot`` now, or ""."""
    if not ballot.accepts_codes:
        return _(
            "This ballot is for signed-in residents only: choose “%(codes)s” or “%(both)s” under “Who votes” in the "
            "ballot's settings to print codes."
        ) % {"codes": Voters.CODES.label, "both": Voters.BOTH.label}
    if ballot.has_closed():
        return _("Voting on this ballot closed at %(closed)s: new codes could not be used.") % {
            "closed": format_moment(ballot.closes_at)
        }
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def codes(request: HttpRequest, pk: int) -> HttpResponse:
    ballot, allowed = organised_ballot(request, pk)
    if not allowed:
        return forbidden(request, ballot.workshop)
    refusal = codes_refusal(ballot)
    form = CodeBatchForm(request.POST if request.method == "POST" else None, initial={"sheet_key": uuid.uuid4()})
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
            return redirect("workshops:codes", pk=ballot.pk)
        if form.is_valid():
            key = form.cleaned_data["sheet_key"]
            if sheet_shown(request, key):
                messages.warning(
                    request,
                    _(
                        "These codes were shown once already and cannot be shown again; no new codes were made. "
                        "Generate a new batch if you need more."
                    ),
                )
                return redirect("workshops:codes", pk=ballot.pk)
            try:
                batch, texts = voting.generate_codes(
                    ballot, form.cleaned_data["count"], by=request.user, note=form.cleaned_data["note"]
                )
            except voting.VoteRefused as error:
                form.add_error(None, error.message)
            except ValueError as error:  # voting.generate_codes says why, translated
                form.add_error(None, str(error))
            else:
                remember_sheet(request, key)
                return code_sheet(request, ballot, batch, texts)
    batches = (
        ballot.code_batches.select_related("created_by")
        .annotate(used=Count("codes", filter=Q(codes__redeemed_at__isnull=False)))
        .order_by("-created_at", "-pk")
    )
    context = {
        "ballot": ballot,
        "workshop": ballot.workshop,
        "form": form,
        "batches": batches,
        "refusal": refusal,
        "active": "codes",
    }
    return render(request, "participation/workshops/organise/codes.html", context)


# The votes' log --------------------------------------------------------------------------------------------


@dataclass
class AuditRow:
    """One entry of the log: when, what happened, who (an account's e-mail, or a code: nobody), the marks."""

    at: Any
    action: str
    voter: str
    by_code: bool
    marks: list[tuple[str, int]]


def item_titles(ballot: Ballot) -> dict[str, str]:
    """Each item's title by its pk (as the log's marks name it); organisers read drafts' titles too."""
    return {
        str(item.pk): str(item.subject) if item.subject is not None else _("(removed item)")
        for item in ballot.items.select_related("content_type")
    }


def audit_row(change: VoteChange, titles: dict[str, str]) -> AuditRow:
    if change.by_code:
        voter = _("a participant code")
    elif change.account is not None:
        voter = change.account.email
    else:
        voter = _("a deleted account")
    marks = [
        (titles.get(str(item), _("(removed item)")), int(points))
        for item, points in sorted(change.marks.items(), key=lambda pair: (-int(pair[1]), titles.get(str(pair[0]), "")))
    ]
    return AuditRow(change.at, VoteAction(change.action).label, voter, change.by_code, marks)


def marks_text(ballot: Ballot, marks: list[tuple[str, int]]) -> str:
    if ballot.method != Method.POINTS:
        return "; ".join(title for title, _points in marks)
    return "; ".join(
        ngettext("%(title)s: %(points)s point", "%(title)s: %(points)s points", points)
        % {"title": title, "points": points}
        for title, points in marks
    )


def audit_csv(ballot: Ballot, changes, titles: dict[str, str]) -> StreamingHttpResponse:
    def rows():
        yield ("when", "action", "voter", "marks")
        for change in changes.iterator(chunk_size=2000):
            row = audit_row(change, titles)
            yield (
                timezone.localtime(row.at).isoformat(),
                change.action,
                as_text(row.voter),
                as_text(marks_text(ballot, row.marks)),
            )

    writer = csv.writer(Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-votes-log.csv"'
    add_never_cache_headers(response)
    return response


@login_required
@require_safe
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    ballot, allowed = organised_ballot(request, pk)
    if not allowed:
        return forbidden(request, ballot.workshop)
    changes = VoteChange.objects.filter(ballot=ballot).select_related("account").order_by("-at", "-pk")
    titles = item_titles(ballot)
    if request.GET.get("format") == "csv":
        return audit_csv(ballot, changes, titles)
    page = Paginator(changes, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "ballot": ballot,
        "workshop": ballot.workshop,
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "rows": [audit_row(change, titles) for change in page],
        "points": ballot.method == Method.POINTS,
        "active": "audit",
    }
    response = render(request, "participation/workshops/organise/audit.html", context)
    add_never_cache_headers(response)
    return response
