"""The pages of photo-and-idea contests: the list, a contest with its gallery and map, entering, an entry,
the jury's pages (progress, scoring), the results, closing, and the organisers' form.

The views are thin: a form, then participation.contests, then a redirect
with a message. Who may see what: a contest is public once published (its
organisers and jury see it before); a hidden entry only its author and the
moderators; the jury's pages the contest's jury; the results before closing
its organisers and jury, after closing everybody. Anonymous visitors are sent
to the log-in page where they must sign in; a signed-in user who may not
gets the 403 page, which says why.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gis_data.editing import add_errors
from gis_data.maps import district_outlines, feature, map_base
from gis_data.models import District
from gis_data.packs import current_city
from participation import contests
from participation.contest_forms import (
    DEFAULT_CRITERIA,
    ContestForm,
    CriterionFormSet,
    EntryForm,
    HideEntryForm,
    ScoreForm,
)
from participation.models import Contest, Entry
from photos.models import Photo

View = Callable[..., HttpResponse]

GALLERY_PAGE_SIZE = 12
EXCERPT_LENGTH = 140
# The entries' colour on the maps (above 4.5:1 on the light map ground).
ENTRY_COLOUR = "#9a3412"


# Access ----------------------------------------------------------------------------------------------------


def forbidden(request: HttpRequest, reason: str, contest: Contest | None = None) -> HttpResponse:
    return render(request, "participation/contests/forbidden.html", {"reason": reason, "contest": contest}, status=403)


def reason_of(error: PermissionDenied) -> str:
    return " ".join(str(arg) for arg in error.args) or _("You may not do this.")


def signed_in(view: View) -> View:
    """Anonymous visitors go to the log-in page, and come back here once signed in."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def visible_contests(user) -> QuerySet[Contest]:
    """The published contests, and those the user organises or judges."""
    if user.is_authenticated and user.has_perm("participation.change_contest"):
        return Contest.objects.all()
    if not user.is_authenticated:
        return Contest.objects.filter(is_published=True)
    return Contest.objects.filter(Q(is_published=True) | Q(organisers=user) | Q(jury=user)).distinct()


def get_contest(request: HttpRequest, pk: int) -> Contest:
    return get_object_or_404(visible_contests(request.user), pk=pk)


def get_entry(request: HttpRequest, contest: Contest, pk: int) -> Entry:
    """An entry of the contest; a hidden one only for its author and the moderators (else 404)."""
    entry = get_object_or_404(
        Entry.objects.select_related("author", "contest").prefetch_related("photos"), contest=contest, pk=pk
    )
    user = request.user
    if entry.is_hidden and not ((user.is_authenticated and entry.author_id == user.pk) or contests.may_moderate(user)):
        raise Http404
    return entry


def excerpt(entry: Entry) -> str:
    return Truncator(entry.idea).chars(EXCERPT_LENGTH)


def photo_of(entry: Entry) -> Photo | None:
    photos = list(entry.photos.all())
    return photos[0] if photos else None


def contest_context(request: HttpRequest, contest: Contest, current: str) -> dict[str, Any]:
    """What the contest's header and its links need: who the user is for this contest, and what is open."""
    user = request.user
    now = timezone.now()
    organiser = contests.may_organise(user, contest)
    juror = contests.is_juror(user, contest)
    return {
        "contest": contest,
        "current": current,
        "criteria": list(contest.criteria.all()),
        "is_organiser": organiser,
        "is_juror": juror,
        "is_moderator": contests.may_moderate(user),
        "accepts_entries": contest.is_published and contest.accepts_entries(now),
        "not_open_yet": now < contest.opens_at,
        "results_visible": contests.results_visible(user, contest),
        "closed": contest.results_published_at is not None,
    }


# The list --------------------------------------------------------------------------------------------------


@require_safe
def contest_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    visible = visible_contests(request.user).annotate(
        entry_count=Count("entries", filter=Q(entries__is_hidden=False), distinct=True)
    )
    published = visible.filter(is_published=True)
    winners = Prefetch(
        "entries",
        queryset=Entry.objects.filter(is_hidden=False, final_rank__isnull=False)
        .select_related("author")
        .prefetch_related("photos")
        .order_by("final_rank", "pk"),
        to_attr="ranked_entries",
    )
    open_now = published.filter(opens_at__lte=now, closes_at__gt=now, results_published_at__isnull=True).order_by(
        "closes_at", "pk"
    )
    upcoming = published.filter(opens_at__gt=now, results_published_at__isnull=True).order_by("opens_at", "pk")
    past = list(
        published.filter(Q(closes_at__lte=now) | Q(results_published_at__isnull=False))
        .order_by("-closes_at", "pk")
        .prefetch_related(winners)
    )
    for contest in past:
        contest.winning_entries = [e for e in contest.ranked_entries if e.final_rank <= contest.winners]
    drafts = visible.filter(is_published=False).order_by("-opens_at", "pk") if request.user.is_authenticated else []
    context = {
        "open_now": list(open_now),
        "upcoming": list(upcoming),
        "past": past,
        "drafts": list(drafts),
        "can_create": contests.may_create(request.user),
    }
    return render(request, "participation/contests/list.html", context)


# A contest, its gallery and its map ------------------------------------------------------------------------


def gallery_entries(contest: Contest) -> QuerySet[Entry]:
    return (
        contest.entries.filter(is_hidden=False)
        .select_related("author")
        .prefetch_related("photos")
        .order_by("-submitted_at", "-pk")
    )


@require_safe
def contest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_contest(request, pk)
    entries = gallery_entries(contest)
    tag = ""
    raw_tag = request.GET.get("tag", "").strip()
    if raw_tag:
        try:
            tags = contests.parse_hashtags(raw_tag)
        except ValidationError:
            tags = []
        tag = tags[0] if len(tags) == 1 else ""
        if not tag:
            messages.warning(request, _("“%(tag)s” is not a hashtag: all the entries are shown.") % {"tag": raw_tag})
        else:
            entries = entries.filter(hashtags__contains=[tag])
    page = Paginator(entries, GALLERY_PAGE_SIZE).get_page(request.GET.get("page"))
    page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    user = request.user
    context = {
        **contest_context(request, contest, "detail"),
        "page": page,
        "page_range": page_range,
        "tag": tag,
        "entry_total": contest.entries.filter(is_hidden=False).count(),
        "entries_left": contests.entries_left(contest, user) if user.is_authenticated else None,
        "my_entries": list(contest.entries.filter(author=user).order_by("submitted_at"))
        if user.is_authenticated
        else [],
        "entry_limit": settings.CONTEST_ENTRIES_PER_RESIDENT,
    }
    return render(request, "participation/contests/detail.html", context)


def entry_feature(entry: Entry) -> dict[str, Any]:
    author = entry.author.display_name if entry.author.display_name else _("A resident")
    return feature(entry.place, title=excerpt(entry), url=entry.get_absolute_url(), details=[author])


def page_map(request: HttpRequest, *, city_bounds: bool = False) -> dict[str, Any]:
    """A contest page's map: gis_data.maps.map_base with the district outlines drawn under everything."""
    config = map_base(current_city(), request, city_bounds=city_bounds)
    config["outlines"] = district_outlines(District.objects.order_by("name"))
    return config


def map_config(request: HttpRequest, entries: list[Entry], *, city_bounds: bool) -> dict[str, Any]:
    config = page_map(request, city_bounds=city_bounds)
    config["features"] = [entry_feature(entry) for entry in entries if entry.place is not None]
    config["colour"] = ENTRY_COLOUR
    return config


@require_safe
def contest_map(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_contest(request, pk)
    entries = list(gallery_entries(contest))
    placed = [entry for entry in entries if entry.place is not None]
    context = {
        **contest_context(request, contest, "map"),
        "placed": placed,
        "unplaced": len(entries) - len(placed),
        "map_config": map_config(request, placed, city_bounds=not placed),
    }
    return render(request, "participation/contests/map.html", context)


# Entering --------------------------------------------------------------------------------------------------


def picker_config(request: HttpRequest) -> dict[str, Any]:
    """What static/js/contest_entry.js needs: the map, and its texts in the page's language."""
    config = page_map(request)
    config["colour"] = ENTRY_COLOUR
    config["strings"].update(
        {
            "picked": _("The place is the point at latitude %(lat)s, longitude %(lng)s."),
            "removed": _("The entry has no place now."),
            "unreadable": _("The GeoJSON typed below cannot be read: the map shows the place as it was."),
            "locating": _("Finding your location…"),
            "locateFailed": _("Your location could not be found. Pick the place on the map instead."),
            "marker": _("The place of your entry"),
        }
    )
    return config


@signed_in
@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_contest(request, pk)
    user = request.user
    context = contest_context(request, contest, "enter")
    if not user.email_confirmed:
        # Not 403: the page is an answer the resident can act on (confirm, or ask for a new link).
        return render(request, "participation/contests/enter.html", {**context, "needs_confirmation": True})
    refusal = ""
    now = timezone.now()
    if not context["accepts_entries"]:
        if contest.is_published:
            refusal = " ".join(contests.deadline_error(contest, now).messages)
        else:
            refusal = _("This contest is not published.")
    elif contests.entries_left(contest, user) == 0:
        refusal = " ".join(contests.limit_error(settings.CONTEST_ENTRIES_PER_RESIDENT).messages)
    if refusal:
        return render(request, "participation/contests/enter.html", {**context, "refusal": refusal})

    language = translation.get_language() or "en"
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, language=language)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = contests.submit_entry(
                    contest,
                    user,
                    idea=data["idea"],
                    photo_upload=data["photo"],
                    place=data["place"],
                    hashtags=data["hashtags"],
                    language=data["language"],
                )
            except PermissionDenied as error:
                return forbidden(request, reason_of(error), contest)
            except ValidationError as error:
                add_errors(form, error)
                status = 400
            else:
                messages.success(request, _("Thank you: your entry is in the contest's gallery."))
                return redirect(entry)
        else:
            status = 400
    else:
        form = EntryForm(language=language)
    context.update(
        form=form,
        picker_config=picker_config(request),
        entries_left=contests.entries_left(contest, user),
        # Browsers never keep a chosen file when a page comes back with errors: say so.
        photo_dropped=form.is_bound and bool(form.files.get("photo")),
    )
    return render(request, "participation/contests/enter.html", context, status=status)


# An entry --------------------------------------------------------------------------------------------------


@require_safe
def entry_detail(request: HttpRequest, contest_pk: int, pk: int) -> HttpResponse:
    contest = get_contest(request, contest_pk)
    entry = get_entry(request, contest, pk)
    user = request.user
    context = {
        **contest_context(request, contest, "entry"),
        "entry": entry,
        "photo": photo_of(entry),
        "author_name": entry.author.display_name,
        "is_author": user.is_authenticated and entry.author_id == user.pk,
        "hide_form": HideEntryForm(auto_id="hide-%s") if contests.may_moderate(user) and not entry.is_hidden else None,
        "map_config": map_config(request, [entry], city_bounds=False) if entry.place is not None else None,
        "winner": entry.final_rank is not None and entry.final_rank <= contest.winners,
        "ranked_count": contest.entries.filter(final_rank__isnull=False, is_hidden=False).count(),
    }
    return render(request, "participation/contests/entry.html", context)


@signed_in
@require_POST
def entry_hide(request: HttpRequest, contest_pk: int, pk: int) -> HttpResponse:
    contest = get_contest(request, contest_pk)
    entry = get_entry(request, contest, pk)
    if not contests.may_moderate(request.user):
        return forbidden(request, _("Only moderators may hide contest entries."), contest)
    form = HideEntryForm(request.POST)
    if form.is_valid():
        try:
            contests.hide_entry(entry, request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(f"{entry.get_absolute_url()}#hide")
        messages.success(request, _("The entry is hidden: it is no longer in the gallery, on the map or ranked."))
        return redirect(entry)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect(f"{entry.get_absolute_url()}#hide")


# The jury --------------------------------------------------------------------------------------------------


def jury_entries(contest: Contest) -> list[Entry]:
    """The entries the jury judges, in the order the jury works through them: the oldest first."""
    return list(
        contest.entries.filter(is_hidden=False)
        .select_related("author")
        .prefetch_related("photos")
        .order_by("submitted_at", "pk")
    )


def juror_only(view: View) -> View:
    """The contest's jury; anonymous visitors to the log-in page, anyone else to the 403 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contest = get_contest(request, kwargs.get("contest_pk") or kwargs.get("pk"))
        if not contests.is_juror(request.user, contest):
            return forbidden(request, _("This page is for the jury of this contest."), contest)
        return view(request, contest, *args, **kwargs)

    return signed_in(wrapped)


@require_safe
@juror_only
def jury(request: HttpRequest, contest: Contest, pk: int) -> HttpResponse:
    user = request.user
    progress = contests.juror_progress(contest, user)
    criteria_count = contest.criteria.count()
    rows = []
    for entry in jury_entries(contest):
        own = entry.author_id == user.pk
        given = progress.scored.get(entry.pk, 0)
        if own:
            state = "own"
        elif criteria_count and given >= criteria_count:
            state = "done"
        elif given:
            state = "partial"
        else:
            state = "todo"
        rows.append({"entry": entry, "photo": photo_of(entry), "state": state, "given": given})
    context = {
        **contest_context(request, contest, "jury"),
        "progress": progress,
        "rows": rows,
        "criteria_count": criteria_count,
    }
    return render(request, "participation/contests/jury.html", context)


def neighbours(entries: list[Entry], entry: Entry, user) -> tuple[Entry | None, Entry | None]:
    """The entries before and after ``entry`` that ``user`` may score, in the jury's order."""
    scorable = [item for item in entries if item.author_id != user.pk or item.pk == entry.pk]
    index = next((i for i, item in enumerate(scorable) if item.pk == entry.pk), None)
    if index is None:
        return None, None
    before = scorable[index - 1] if index > 0 else None
    after = scorable[index + 1] if index + 1 < len(scorable) else None
    return before, after


@require_http_methods(["GET", "POST"])
@juror_only
def score(request: HttpRequest, contest: Contest, contest_pk: int, pk: int) -> HttpResponse:
    user = request.user
    entries = jury_entries(contest)
    entry = next((item for item in entries if item.pk == pk), None)
    if entry is None:
        raise Http404
    criteria = list(contest.criteria.all())
    previous, following = neighbours(entries, entry, user)
    context = {
        **contest_context(request, contest, "score"),
        "entry": entry,
        "photo": photo_of(entry),
        "previous": previous,
        "next": following,
        "position": next(i for i, item in enumerate(entries) if item.pk == entry.pk) + 1,
        "total": len(entries),
    }
    if entry.author_id == user.pk:
        context["refusal"] = _("You cannot score your own entry.")
        return render(request, "participation/contests/score.html", context, status=403)
    status = 200
    if request.method == "POST":
        form = ScoreForm(request.POST, contest=contest, criteria=criteria)
        if form.is_valid():
            try:
                contests.score_entry(entry, user, form.values())
            except PermissionDenied as error:
                context["refusal"] = reason_of(error)
                return render(request, "participation/contests/score.html", context, status=403)
            except ValidationError as error:
                add_errors(form, error)
                status = 400
            else:
                messages.success(
                    request, _("Your scores of entry %(number)s were saved.") % {"number": context["position"]}
                )
                if request.POST.get("then") == "next" and following is not None:
                    return redirect("contests:score", contest.pk, following.pk)
                if request.POST.get("then") == "next":
                    return redirect("contests:jury", contest.pk)
                return redirect("contests:score", contest.pk, entry.pk)
        else:
            status = 400
    else:
        form = ScoreForm(initial=initial_scores(entry, user), contest=contest, criteria=criteria)
    context["form"] = form
    return render(request, "participation/contests/score.html", context, status=status)


def initial_scores(entry: Entry, user) -> dict[str, int]:
    return {contests.score_field(pk): value for pk, value in contests.juror_scores(entry, user).items()}


# Results and closing ---------------------------------------------------------------------------------------


@require_safe
def results(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_contest(request, pk)
    user = request.user
    if not contests.results_visible(user, contest):
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return forbidden(
            request,
            _("The results are shown to everybody once the organisers close the contest; until then, to its jury."),
            contest,
        )
    closed = contest.results_published_at is not None
    rows = contests.published_ranking(contest) if closed else contests.ranking(contest)
    ranked = [row for row in rows if row.fully_scored]
    unranked = [row for row in rows if not row.fully_scored]
    winners = [row for row in ranked if row.winner]
    context = {
        **contest_context(request, contest, "results"),
        "ranked": ranked,
        "unranked": unranked,
        "winners": winners,
        "tie_at_cutoff": contests.tie_at_cutoff(rows, contest.winners),
        "last_winning_rank": max((row.rank for row in winners), default=None),
    }
    if not closed and contests.may_organise(user, contest):
        context["can_close"] = timezone.now() >= contest.closes_at
        context["missing"] = contests.missing_scores(contest)
    return render(request, "participation/contests/results.html", context)


@signed_in
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_contest(request, pk)
    if not contests.may_organise(request.user, contest):
        return forbidden(request, _("Only the organisers of this contest may close it."), contest)
    try:
        contests.close_contest(contest, request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The contest is closed: its results are published for everybody."))
    return redirect("contests:results", contest.pk)


# The organisers' form --------------------------------------------------------------------------------------


@dataclass
class ContestForms:
    """The contest's form, its criteria, what the service said of the criteria, and the response once saved."""

    form: ContestForm
    formset: Any
    criteria_errors: list[str] = field(default_factory=list)
    response: HttpResponse | None = None


def save_form(request: HttpRequest, contest: Contest) -> ContestForms:
    """Bind the contest's form and criteria, and save them through the service when both are valid."""
    creating = contest.pk is None
    criteria_errors: list[str] = []
    if request.method == "POST":
        form = ContestForm(request.POST, instance=contest)
        formset = CriterionFormSet(request.POST, instance=contest, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            try:
                saved = contests.save_contest(
                    form.instance,
                    criteria=formset.kept(),
                    removed=formset.removed(),
                    jury=form.jury,
                    by=request.user,
                )
            except PermissionDenied as error:
                return ContestForms(form, formset, response=forbidden(request, reason_of(error), contest))
            except ValidationError as error:
                if hasattr(error, "error_dict") and "criteria" in error.error_dict:
                    criteria_errors = [message for item in error.error_dict.pop("criteria") for message in item]
                if not hasattr(error, "error_dict") or error.error_dict:
                    add_errors(form, error)
            else:
                messages.success(
                    request, _("The contest is created.") if creating else _("The contest's changes are saved.")
                )
                return ContestForms(form, formset, response=redirect(saved))
        return ContestForms(form, formset, criteria_errors)
    form = ContestForm(instance=contest)
    initial = DEFAULT_CRITERIA if creating else None
    formset = CriterionFormSet(instance=contest, prefix="criteria", initial=initial)
    if creating:
        formset.extra = len(DEFAULT_CRITERIA) + 1
    return ContestForms(form, formset)


def render_form(request: HttpRequest, contest: Contest, forms: ContestForms) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    formset = forms.formset
    criteria_errors = [*formset.non_form_errors(), *forms.criteria_errors]
    # Each criterion's problems named in the summary at the top: "Criterion 2, Weight: …".
    for number, criterion_form in enumerate(formset.forms, start=1):
        for name, errors in criterion_form.errors.items():
            label = criterion_form.fields[name].label if name in criterion_form.fields else ""
            for message in errors:
                criteria_errors.append(
                    _("Criterion %(number)d, %(field)s: %(problem)s")
                    % {"number": number, "field": label, "problem": message}
                    if label
                    else _("Criterion %(number)d: %(problem)s") % {"number": number, "problem": message}
                )
    context = {
        "contest": contest if contest.pk else None,
        "form": forms.form,
        "formset": formset,
        "criteria_errors": criteria_errors,
    }
    return render(request, "participation/contests/form.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def contest_create(request: HttpRequest) -> HttpResponse:
    if not contests.may_create(request.user):
        return forbidden(request, _("Creating contests is for the city's urbanists and administrators."))
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    contest = Contest(opens_at=now, closes_at=now + datetime.timedelta(days=30))
    forms = save_form(request, contest)
    return forms.response or render_form(request, contest, forms)


@signed_in
@require_http_methods(["GET", "POST"])
def contest_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contest = get_contest(request, pk)
    if not contests.may_organise(request.user, contest):
        return forbidden(request, _("Only the organisers of this contest may change it."), contest)
    if contest.results_published_at is not None:
        return forbidden(request, _("This contest is closed: its results are published and no longer change."), contest)
    forms = save_form(request, contest)
    return forms.response or render_form(request, contest, forms)
