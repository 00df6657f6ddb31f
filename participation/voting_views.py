"""What participants and visitors see and do with workshops: the list, a workshop's page, a ballot's voting page,
entering a participant code, and the results (page, JSON, CSV and the projector view).

The views are thin: they read, call ``participation.voting`` to redeem a code
or cast a vote, and redirect with a message. What the service refuses
(``VoteRefused``) comes back in its own words, on the page again with the
voter's marks kept; too many refused codes from one network answer 429 with
``Retry-After``. Every number a page shows is formatted here, in the request's
language; the scripts (static/js/ballot.js, ballot_projector.js) only draw
and count.

A ballot's items are what ``ballot_items.describe`` says of them, except that
an item whose record is no longer public (a concept put back to draft, a
hidden proposal) is shown as removed, to everybody: a draft never reaches a
ballot's pages, its results or its exports. Results are shown only when
``voting.results_visible`` allows; before that the pages say when they will be.
"""

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from gis_data.formats import format_area, format_length, format_moment, format_number, format_share
from gis_data.maps import feature, map_base
from gis_data.packs import current_city
from participation import ballot_items, limits, voting
from participation.ballot_items import ItemView
from participation.export import as_text
from participation.models import BALLOT_ITEM_MODELS, Ballot, Method, ParticipantCode, Vote, Workshop

# A ballot's results as the projector and the results page shade them: a sequential green ramp by an item's share
# of all votes or points (ColorBrewer "Greens"), each class from its floor up, darkest first. An item with
# nothing yet is nearly white.
SHARE_RAMP = (
    (0.40, "#006d2c"),
    (0.30, "#31a354"),
    (0.20, "#74c476"),
    (0.10, "#a1d99b"),
    (0.0, "#c7e9c0"),
)
NOTHING_YET_COLOUR = "#f7fcf5"
# The venue on a workshop's map (the text colour of the accent: 7:1 on the light map ground).
VENUE_STYLE = {"color": "#ffffff", "weight": 2, "fillColor": "#14532d", "fillOpacity": 1, "radius": 8}
# A participant code as people type it: letters, digits, spaces and dashes, not much longer than the code.
CODE_INPUT_LENGTH = 32
CSV_COLUMNS = ("rank", "tied", "kind", "title", "total", "share", "url")


# Formatting ----------------------------------------------------------------------------------------------


def shade(total: int, share: float) -> str:
    """The ramp's colour for an item with ``total`` and ``share`` of all the ballot's points."""
    if total <= 0:
        return NOTHING_YET_COLOUR
    return next(colour for floor, colour in SHARE_RAMP if share >= floor)


def ramp_legend() -> list[dict[str, str]]:
    """The ramp's classes, lightest first, as the legends show them."""
    classes = [{"colour": NOTHING_YET_COLOUR, "label": _("nothing yet")}]
    floors = [floor for floor, _colour in reversed(SHARE_RAMP)]
    for index, (floor, colour) in enumerate(reversed(SHARE_RAMP)):
        ceiling = floors[index + 1] if index + 1 < len(floors) else None
        if ceiling is None:
            label = _("%(share)s or more") % {"share": format_share(floor)}
        elif floor == 0:
            label = _("under %(share)s") % {"share": format_share(ceiling)}
        else:
            label = _("%(low)s to %(high)s") % {"low": format_share(floor), "high": format_share(ceiling)}
        classes.append({"colour": colour, "label": label})
    return classes


def total_heading(method: str) -> str:
    """What an item's total counts, as a column heading."""
    if method == Method.POINTS:
        return _("Points")
    if method == Method.APPROVAL:
        return _("Approvals")
    return _("Votes")


def instructions(ballot: Ballot) -> str:
    """The method's rule in plain words, as a voter reads it before choosing."""
    if ballot.method == Method.POINTS:
        return _(
            "Spread up to %(total)s points among the items as you like, at most %(most)s on one item. "
            "The items with the most points win."
        ) % {"total": format_number(ballot.points_total), "most": format_number(ballot.points_per_item)}
    if ballot.method == Method.APPROVAL:
        return ngettext(
            "Choose the item you support. The item chosen by the most people wins.",
            "Choose up to %(count)s items you support. The item chosen by the most people wins.",
            ballot.max_choices,
        ) % {"count": format_number(ballot.max_choices)}
    return _("Choose one item. The item chosen by the most people wins.")


# What a ballot's state is, in words ----------------------------------------------------------------------


@dataclass
class BallotState:
    ballot: Ballot
    state: str  # "upcoming", "open" or "closed"
    text: str
    results_visible: bool


def ballot_state(ballot: Ballot, user, now=None) -> BallotState:
    now = now or timezone.now()
    if now < ballot.opens_at:
        state, text = "upcoming", _("Voting opens on %(date)s") % {"date": format_moment(ballot.opens_at)}
    elif ballot.is_open(now):
        state, text = "open", _("Voting is open until %(date)s") % {"date": format_moment(ballot.closes_at)}
    else:
        state, text = "closed", _("Voting closed on %(date)s") % {"date": format_moment(ballot.closes_at)}
    return BallotState(ballot, state, text, voting.results_visible(ballot, user, now=now))


# A ballot's items as the pages show them -----------------------------------------------------------------


@dataclass
class ItemRow:
    """One item on a ballot's page: what describe() says of it, whether it can be voted for, its drawing in words."""

    view: ItemView
    available: bool
    drawing_text: str
    points: int = 0
    error: str = ""

    @property
    def pk(self) -> int:
        return self.view.pk


def public_records(items) -> set[tuple[int, int]]:
    """(content type id, record id) of the items whose record everybody may see: a draft is not among them."""
    wanted: dict[int, list[int]] = defaultdict(list)
    for item in items:
        wanted[item.content_type_id].append(item.object_id)
    public = set()
    for type_id, ids in wanted.items():
        label = ballot_items.label_of(ContentType.objects.get_for_id(type_id))
        if label not in BALLOT_ITEM_MODELS:
            continue
        public.update(
            (type_id, pk) for pk in ballot_items.candidates(label).filter(pk__in=ids).values_list("pk", flat=True)
        )
    return public


def item_views(ballot: Ballot, *, drawings: bool = True) -> list[ItemView]:
    """The ballot's items in their order; one whose record is gone or no longer public is shown as removed."""
    items = list(ballot.items.select_related("content_type").prefetch_related("subject"))
    public = public_records(items)
    views = []
    for view in ballot_items.describe(items, drawings=drawings):
        if (view.item.content_type_id, view.item.object_id) not in public:
            view = ItemView(view.item, view.kind, _("(removed)"), None, [])
        views.append(view)
    return views


def measure(geometry: dict[str, Any], srid: int | None) -> str:
    """A drawn shape's size in words: an area in m², a length in m or km, or "a point"."""
    kind = geometry.get("type", "")
    if kind == "Point":
        return _("a point")
    if kind == "MultiPoint":
        count = len(geometry.get("coordinates", []))
        return ngettext("%(count)s point", "%(count)s points", count) % {"count": format_number(count)}
    if srid is None or kind not in ("LineString", "MultiLineString", "Polygon", "MultiPolygon"):
        return ""
    shape = GEOSGeometry(json.dumps(geometry), srid=4326).transform(srid, clone=True)
    if "Polygon" in kind:
        return format_area(shape.area)
    return format_length(shape.length)


def drawing_text(view: ItemView, srid: int | None) -> str:
    """The text alternative of an item's small map: its place, then each labelled shape with its size."""
    if not view.features:
        return _("Nothing is drawn for this item.")
    outlines = [f for f in view.features if f["properties"].get("role") == "outline"]
    shapes = [f for f in view.features if f["properties"].get("role") != "outline"]
    place = outlines[0]["properties"].get("label") if outlines else ""
    parts = []
    for shape in shapes:
        label = shape["properties"].get("label") or view.title
        size = measure(shape["geometry"], srid)
        parts.append(_("%(label)s, %(size)s") % {"label": label, "size": size} if size else label)
    if not parts:
        return _("%(place)s, with nothing drawn in it.") % {"place": place or view.title}
    listed = "; ".join(parts)
    if place:
        return ngettext(
            "%(place)s, %(count)s shape: %(shapes)s.", "%(place)s, %(count)s shapes: %(shapes)s.", len(parts)
        ) % {"place": place, "count": format_number(len(parts)), "shapes": listed}
    return ngettext("%(count)s shape: %(shapes)s.", "%(count)s shapes: %(shapes)s.", len(parts)) % {
        "count": format_number(len(parts)),
        "shapes": listed,
    }


def item_rows(ballot: Ballot) -> list[ItemRow]:
    city = current_city()
    srid = city.metric_srid if city is not None else None
    return [ItemRow(view, view.url is not None, drawing_text(view, srid)) for view in item_views(ballot)]


def small_maps_config(request: HttpRequest, views: list[ItemView]) -> dict[str, Any]:
    """What static/js/ballot.js draws on each item's small map: the base tiles and each item's features."""
    base = map_base(current_city(), request, layers=())
    return {
        "tiles": base["tiles"],
        "center": base["center"],
        "zoom": base["zoom"],
        "items": {str(view.pk): view.features for view in views if view.features},
    }


# The list and a workshop's page --------------------------------------------------------------------------


@dataclass
class WorkshopCard:
    workshop: Workshop
    ballots: list[BallotState]


@require_safe
def workshop_list(request: HttpRequest) -> HttpResponse:
    """Workshops still to come or under way first (soonest first), then past ones (latest first)."""
    today = timezone.localdate()
    now = timezone.now()
    workshops = Workshop.objects.prefetch_related(
        Prefetch("ballots", queryset=Ballot.objects.order_by("opens_at", "pk"))
    )
    cards = [
        WorkshopCard(workshop, [ballot_state(ballot, request.user, now) for ballot in workshop.ballots.all()])
        for workshop in workshops
    ]
    current = sorted(
        (card for card in cards if card.workshop.ends_on >= today),
        key=lambda card: (card.workshop.starts_on, card.workshop.pk),
    )
    # Past ones keep the model's order: latest first.
    past = [card for card in cards if card.workshop.ends_on < today]
    return render(request, "participation/workshops/list.html", {"current": current, "past": past})


def venue_map(request: HttpRequest, workshop: Workshop) -> dict[str, Any] | None:
    """The venue on a small map (static/js/park_map.js draws it), or None when the workshop has no venue."""
    if workshop.venue is None:
        return None
    config = map_base(current_city(), request)
    config["features"] = [
        feature(workshop.venue, title=workshop.venue_name or _("The venue"), style=VENUE_STYLE, kind="venue")
    ]
    config["zoom"] = 16
    config["center"] = [workshop.venue.y, workshop.venue.x]
    return config


@require_safe
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = get_object_or_404(Workshop, pk=pk)
    now = timezone.now()
    context = {
        "workshop": workshop,
        "ballots": [ballot_state(ballot, request.user, now) for ballot in workshop.ballots.order_by("opens_at", "pk")],
        "concepts": workshop.concepts.visible_to(request.user).select_related("park").order_by("pk"),
        "venue_map": venue_map(request, workshop),
        "may_organise": voting.may_organise(request.user, workshop),
    }
    return render(request, "participation/workshops/detail.html", context)


# Voting --------------------------------------------------------------------------------------------------


def login_link(ballot: Ballot) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': ballot.get_absolute_url()})}"


def stored_vote(ballot: Ballot, voter) -> Vote | None:
    if voter is None:
        return None
    if voter.code is not None:
        return Vote.objects.filter(ballot=ballot, code=voter.code).first()
    return Vote.objects.filter(ballot=ballot, voter=voter.account).first()


def how_to_vote(request: HttpRequest, ballot: Ballot) -> str:
    """Why there is no form for this visitor, and what to do about it."""
    signed_in = request.user.is_authenticated
    if ballot.accepts_accounts and ballot.accepts_codes and not signed_in:
        return _("To vote, log in, or enter the participant code you were given at the workshop.")
    if ballot.accepts_accounts and not signed_in:
        return _("To vote, log in with your account.")
    if ballot.accepts_codes:
        if signed_in:
            return _("This ballot is for holders of participant codes: enter the code you were given at the workshop.")
        return _("To vote, enter the participant code you were given at the workshop.")
    return _("You cannot vote on this ballot.")


POINTS_INPUT = re.compile(r"\s*(\d{1,5})\s*")


def submitted_marks(ballot: Ballot, rows: list[ItemRow], data) -> dict[int, int]:
    """The marks of a submitted form, by item pk; a number that cannot be read is put on its row's ``error``.

    Items the form did not offer are passed on as sent: ``voting.cast_vote``
    refuses what is not on the ballot.
    """
    marks: dict[int, int] = {}
    if ballot.method == Method.SINGLE:
        chosen = data.get("choice", "")
        if chosen.isdigit():
            marks[int(chosen)] = 1
    elif ballot.method == Method.APPROVAL:
        marks = {int(value): 1 for value in data.getlist("item") if value.isdigit()}
    else:
        for row in rows:
            if not row.available:
                continue
            raw = data.get(f"points-{row.pk}", "")
            match = POINTS_INPUT.fullmatch(raw)
            if raw.strip() == "":
                continue
            if match is None:
                row.error = _("The points for “%(title)s” must be a whole number from 0 to %(most)s.") % {
                    "title": row.view.title,
                    "most": format_number(ballot.points_per_item),
                }
                continue
            points = int(match[1])
            if points > ballot.points_per_item:
                row.error = _("“%(title)s” has %(points)s points: at most %(most)s may go to one item.") % {
                    "title": row.view.title,
                    "points": format_number(points),
                    "most": format_number(ballot.points_per_item),
                }
            if points:
                marks[row.pk] = points
    for row in rows:
        row.points = marks.get(row.pk, 0)
    return marks


def form_config(ballot: Ballot) -> dict[str, Any]:
    """What static/js/ballot.js counts with: the method's numbers and its words (no text in the script)."""
    return {
        "method": ballot.method,
        "maxChoices": ballot.max_choices,
        "pointsTotal": ballot.points_total,
        "pointsPerItem": ballot.points_per_item,
        "strings": {
            "chosen": _("Chosen: %(count)s of at most %(most)s."),
            "tooMany": _("Chosen: %(count)s, more than %(most)s. Uncheck %(over)s."),
            "pointsLeft": _("Points left: %(left)s of %(total)s."),
            "pointsOver": _("Points over the limit: %(over)s. Take them from an item before you send."),
            "noneLeft": _("No points left: take points from another item first."),
            "itemFull": _("“%(title)s” has the most points one item may get: %(most)s."),
        },
    }


def counter_text(ballot: Ballot, strings: dict[str, str], chosen: int, spent: int) -> tuple[str, bool]:
    """The counter under the form as the page is sent, and whether it is over the limit (ballot.js updates it)."""
    if ballot.method == Method.POINTS:
        left = ballot.points_total - spent
        if left < 0:
            return strings["pointsOver"] % {"over": format_number(-left)}, True
        return strings["pointsLeft"] % {"left": format_number(left), "total": format_number(ballot.points_total)}, False
    if ballot.method == Method.APPROVAL:
        most = ballot.max_choices
        if chosen > most:
            return strings["tooMany"] % {"count": chosen, "most": most, "over": chosen - most}, True
        return strings["chosen"] % {"count": chosen, "most": most}, False
    return "", False


def render_ballot(
    request: HttpRequest,
    ballot: Ballot,
    rows: list[ItemRow],
    *,
    voter,
    problems: list[tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    state = ballot_state(ballot, request.user, now)
    vote = stored_vote(ballot, voter)
    context = {
        "ballot": ballot,
        "workshop": ballot.workshop,
        "state": state,
        "instructions": instructions(ballot),
        "rows": rows,
        "voter": voter,
        "vote": vote,
        "changed": vote is not None and vote.changed_at != vote.cast_at,
        "voting": voter is not None and state.state == "open",
        "how_to_vote": how_to_vote(request, ballot) if voter is None else "",
        "login_link": login_link(ballot) if ballot.accepts_accounts and not request.user.is_authenticated else "",
        "problems": problems or [],
        "total_points": sum(row.points for row in rows),
        "chosen": sum(1 for row in rows if row.points),
        "maps_config": small_maps_config(request, [row.view for row in rows]),
        "form_config": form_config(ballot),
    }
    context["counter"], context["counter_over"] = counter_text(
        ballot, context["form_config"]["strings"], context["chosen"], context["total_points"]
    )
    return render(request, "participation/workshops/ballot.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("workshop"), pk=pk)
    voter = voting.voter_for(request, ballot)
    rows = item_rows(ballot)
    if request.method != "POST":
        marks = voting.current_marks(ballot, voter) if voter is not None else {}
        for row in rows:
            row.points = marks.get(row.pk, 0)
        return render_ballot(request, ballot, rows, voter=voter)

    marks = submitted_marks(ballot, rows, request.POST)
    if voter is None:
        problems = [("ballot-how", how_to_vote(request, ballot))]
        return render_ballot(request, ballot, rows, voter=voter, problems=problems, status=403)
    problems = [(f"points-{row.pk}", row.error) for row in rows if row.error]
    if problems:
        return render_ballot(request, ballot, rows, voter=voter, problems=problems)
    before = voting.current_marks(ballot, voter)
    try:
        voting.cast_vote(ballot, voter, marks)
    except voting.VoteRefused as refusal:
        status = 403 if refusal.code in ("not_open", "closed", "not_allowed") else 200
        return render_ballot(
            request, ballot, rows, voter=voter, problems=[("ballot-choices", refusal.message)], status=status
        )
    params = {"date": format_moment(ballot.closes_at)}
    if before == marks:
        messages.info(request, _("Your vote stays as it was; until %(date)s you can change it.") % params)
    elif before:
        messages.success(request, _("Your vote is changed; until %(date)s you can change it again.") % params)
    else:
        messages.success(request, _("Thank you: your vote is counted; until %(date)s you can change it.") % params)
    return redirect(ballot)


# Participant codes ---------------------------------------------------------------------------------------


def code_example() -> str:
    return voting.format_code("ABCDEFGH")


def render_code_page(
    request: HttpRequest, ballot: Ballot | None, code: str, error: str = "", status: int = 200
) -> HttpResponse:
    state = ballot_state(ballot, request.user) if ballot is not None else None
    context = {
        "ballot": ballot,
        "state": state,
        "code": code[:CODE_INPUT_LENGTH],
        "error": error,
        "example": code_example(),
        "max_length": CODE_INPUT_LENGTH,
        "action": reverse("workshops:code", args=[ballot.pk]) if ballot is not None else reverse("vote"),
    }
    return render(request, "participation/workshops/code.html", context, status=status)


def refused_code(request: HttpRequest, ballot: Ballot | None, text: str, refusal) -> HttpResponse:
    """The code page again with the refusal in words; too many attempts answer 429 with Retry-After."""
    limited = refusal.code == "too_many_attempts"
    response = render_code_page(request, ballot, text, error=refusal.message, status=429 if limited else 200)
    if limited and refusal.retry_after_seconds:
        response["Retry-After"] = str(refusal.retry_after_seconds)
    return response


def redeem(request: HttpRequest, ballot: Ballot, text: str, *, any_ballot: bool = False) -> HttpResponse:
    """Redeem ``text`` for ``ballot``, remember it in the session and go to the ballot; or say why not.

    ``any_ballot``: the code was typed at /vote/, and a refusal is shown there.
    """
    try:
        code = voting.redeem_code(ballot, text, network=limits.sender_network(request))
    except voting.VoteRefused as refusal:
        return refused_code(request, None if any_ballot else ballot, text, refusal)
    voting.remember_code(request, ballot, code)
    messages.success(request, _("Your code is accepted: you can vote now."))
    return redirect(ballot)


def holds_code(request: HttpRequest, ballot: Ballot) -> ParticipantCode | None:
    """The code this session already redeemed for ``ballot``, if any."""
    voter = voting.voter_for(request, ballot)
    return voter.code if voter is not None else None


@require_http_methods(["GET", "HEAD", "POST"])
def code_entry(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("workshop"), pk=pk)
    if holds_code(request, ballot) is not None:
        return redirect(ballot)
    if request.method != "POST":
        return render_code_page(request, ballot, request.GET.get("code", ""))
    text = request.POST.get("code", "")[: CODE_INPUT_LENGTH * 2]
    if not text.strip():
        return render_code_page(request, ballot, text, error=_("Enter the participant code printed on your card."))
    return redeem(request, ballot, text)


@require_http_methods(["GET", "HEAD", "POST"])
def any_code_entry(request: HttpRequest) -> HttpResponse:
    """/vote/: one box for a code, whatever its ballot; the code says which ballot it is for."""
    if request.method != "POST":
        return render_code_page(request, None, request.GET.get("code", ""))
    text = request.POST.get("code", "")[: CODE_INPUT_LENGTH * 2]
    if not text.strip():
        return render_code_page(request, None, text, error=_("Enter the participant code printed on your card."))
    code = ParticipantCode.objects.select_related("ballot").filter(digest=voting.code_digest(text)).first()
    if code is None:
        try:
            voting.refuse_unknown_code(text, network=limits.sender_network(request))
        except voting.VoteRefused as refusal:
            return refused_code(request, None, text, refusal)
        raise AssertionError("refuse_unknown_code always refuses")  # pragma: no cover
    if holds_code(request, code.ballot) == code:
        return redirect(code.ballot)
    return redeem(request, code.ballot, text, any_ballot=True)


# Results -------------------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    total: voting.ItemTotal
    view: ItemView
    total_text: str
    share_text: str
    bar: float  # the bar's length, in % of the leader's
    colour: str


def result_rows(tally, views: list[ItemView]) -> list[ResultRow]:
    by_pk = {view.pk: view for view in views}
    most = max((total.total for total in tally.totals), default=0)
    rows = []
    for total in tally.totals:
        view = by_pk.get(total.item_id)
        if view is None:
            continue
        rows.append(
            ResultRow(
                total,
                view,
                format_number(total.total),
                format_share(total.share, 1),
                round(100 * total.total / most, 1) if most else 0.0,
                shade(total.total, total.share),
            )
        )
    return rows


def status_text(ballot: Ballot, now=None) -> str:
    now = now or timezone.now()
    if ballot.has_closed(now):
        return _("Final result: voting closed on %(date)s") % {"date": format_moment(ballot.closes_at)}
    if now < ballot.opens_at:
        return _("Voting opens on %(date)s") % {"date": format_moment(ballot.opens_at)}
    return _("Live result: voting is open until %(date)s") % {"date": format_moment(ballot.closes_at)}


def updated_text(now=None) -> str:
    return _("Updated %(time)s") % {"time": date_format(timezone.localtime(now or timezone.now()), "H:i:s")}


def voters_text(count: int) -> str:
    return ngettext("%(count)s vote cast", "%(count)s votes cast", count) % {"count": format_number(count)}


def not_yet(request: HttpRequest, ballot: Ballot, status: int = 200) -> HttpResponse:
    """The results are not shown yet: a page that says when they will be (403 where a file was asked for)."""
    state = ballot_state(ballot, request.user)
    context = {"ballot": ballot, "state": state}
    return render(request, "participation/workshops/results_hidden.html", context, status=status)


def results_maps_config(request: HttpRequest, rows: list[ResultRow]) -> dict[str, Any]:
    config = small_maps_config(request, [row.view for row in rows])
    config["shades"] = {str(row.view.pk): row.colour for row in rows}
    config["ramp"] = [{"floor": floor, "colour": colour} for floor, colour in SHARE_RAMP]
    config["nothingYet"] = NOTHING_YET_COLOUR
    return config


def results_context(request: HttpRequest, ballot: Ballot) -> dict[str, Any]:
    tally = voting.results(ballot)
    rows = result_rows(tally, item_views(ballot))
    return {
        "ballot": ballot,
        "workshop": ballot.workshop,
        "tally": tally,
        "rows": rows,
        # The small maps keep the ballot's order while the ranking above them moves.
        "in_ballot_order": sorted(rows, key=lambda row: (row.view.item.position, row.view.pk)),
        "status_text": status_text(ballot),
        "voters_text": voters_text(tally.voters),
        "updated_text": updated_text(),
        "total_heading": total_heading(ballot.method),
        "legend": ramp_legend(),
        "maps_config": results_maps_config(request, rows),
        "is_open": ballot.is_open(),
        "final": ballot.has_closed() and tally.published,
    }


@require_safe
def results(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("workshop"), pk=pk)
    if not voting.results_visible(ballot, request.user):
        return not_yet(request, ballot)
    return render(request, "participation/workshops/results.html", results_context(request, ballot))


def results_data(ballot: Ballot) -> dict[str, Any]:
    """The results as the projector reads them, every few seconds: small, with the numbers already written."""
    tally = voting.results(ballot)
    rows = result_rows(tally, item_views(ballot, drawings=False))
    return {
        "ballot": ballot.pk,
        "published": tally.published,
        "closed": ballot.has_closed(),
        "voters": tally.voters,
        "voters_text": voters_text(tally.voters),
        "status_text": status_text(ballot),
        "updated_text": updated_text(),
        "closes_at": timezone.localtime(ballot.closes_at).isoformat(),
        "items": [
            {
                "id": row.view.pk,
                "title": row.view.title,
                "kind": row.view.kind,
                "total": row.total.total,
                "total_text": row.total_text,
                "share": row.total.share,
                "share_text": row.share_text,
                "rank": row.total.rank,
                "tied": row.total.tied,
            }
            for row in rows
        ],
    }


@require_safe
def results_json(request: HttpRequest, pk: int) -> JsonResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("workshop"), pk=pk)
    if not voting.results_visible(ballot, request.user):
        state = ballot_state(ballot, request.user)
        return JsonResponse({"error": _("The results are not shown yet."), "detail": state.text}, status=403)
    response = JsonResponse(results_data(ballot))
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("workshop"), pk=pk)
    if not voting.results_visible(ballot, request.user):
        return not_yet(request, ballot, status=403)
    tally = voting.results(ballot)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-results.csv"'
    # The byte-order mark makes spreadsheets read the file as UTF-8 (Kazakh and Russian titles).
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in result_rows(tally, item_views(ballot)):
        writer.writerow(
            (
                row.total.rank,
                "yes" if row.total.tied else "no",
                as_text(row.view.kind),
                as_text(row.view.title),
                row.total.total,
                f"{row.total.share:.4f}",
                request.build_absolute_uri(row.view.url) if row.view.url else "",
            )
        )
    return response


@require_safe
def projector(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_object_or_404(Ballot.objects.select_related("workshop"), pk=pk)
    if not voting.results_visible(ballot, request.user):
        return not_yet(request, ballot)
    context = results_context(request, ballot)
    context["projector_config"] = {
        "url": reverse("workshops:results_json", args=[ballot.pk]),
        "refreshSeconds": settings.BALLOT_PROJECTOR_REFRESH_SECONDS,
        "strings": {
            "failed": _("Could not update: trying again."),
            "tied": _("tied"),
            "figures": _("Rank %(rank)s: %(total)s (%(share)s)"),
        },
    }
    return render(request, "participation/workshops/projector.html", context)
