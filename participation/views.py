"""What residents see and do with proposals: the list, a proposal's page, making one, supporting,
discussing and flagging, and their own proposals.

The views are thin: a form, then participation.services, then a redirect
with a message. What a service refuses comes back to the resident in words:
a limit (``LimitReached``) as the page again with status 429 and "try again
in …", a permission (``PermissionDenied``) as the proposal's page with
status 403 and the reason, a rule (``ValidationError``) on the form or as a
message. Nobody sees a proposal they may not see: those answer 404.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gis_data.editing import geoman_strings
from gis_data.geometry import GeometryRuleError, check_geometry
from gis_data.packs import current_city
from gis_data.registry import registry
from gis_data.views import CONTEXT_LAYERS, reference_layers
from participation import events, limits, services
from participation.filters import ProposalFilterForm
from participation.forms import CommentEditForm, CommentForm, FlagForm, ProposalForm
from participation.limits import LimitReached
from participation.models import Comment, Flag, Proposal, StatusChange, Visibility
from photos.models import Photo
from projects.models import Project

PAGE_SIZE = 20
# "Near your place" while drawing: what lies this close to the drawing, at most this many of each kind.
NEARBY_METRES = 300
NEARBY_LIMIT = 10
# Under the drawing: the city's reference layers, then what exists already (projects, other proposals).
EDITOR_LAYERS = (*CONTEXT_LAYERS, "projects", "proposals")
# Layers sent as clusters (proposals) are too many to draw whole under the form: only from this zoom on.
CLUSTERED_LAYER_MIN_ZOOM = 15
# The proposal's colour on its small map (7:1 on the light map ground).
PROPOSAL_COLOUR = "#9a3412"


def get_proposal(request: HttpRequest, pk: int) -> Proposal:
    """The proposal, if the user may see it (published, or theirs, or they moderate); else 404."""
    return get_object_or_404(
        Proposal.objects.visible_to(request.user).select_related(
            "category", "department", "district", "author", "implemented_by", "duplicate_of", "subject_type", "event"
        ),
        pk=pk,
    )


def add_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields where it names them, else on the whole form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_text(error: Exception, default: str) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    text = getattr(error, "message", "") or str(error)
    return text or default


# The list and the resident's own proposals -----------------------------------------------------------------


def page_of(request: HttpRequest, queryset) -> tuple[Any, list]:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return page, list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    form = ProposalFilterForm(request.GET)
    page, page_range = None, []
    if form.is_valid():
        proposals = (
            form.filter(Proposal.objects.published())
            .select_related("category", "district")
            .annotate(support_count=Count("supports", distinct=True))
        )
        page, page_range = page_of(request, proposals)
    context = {"form": form, "page": page, "page_range": page_range}
    return render(request, "participation/list.html", context)


@login_required
@require_safe
def my_proposals(request: HttpRequest) -> HttpResponse:
    proposals = (
        Proposal.objects.filter(author=request.user)
        .select_related("category", "district", "department")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("-created_at", "-pk")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.select_related("department").order_by("-changed_at", "-pk"),
                to_attr="steps_newest_first",
            )
        )
    )
    page, page_range = page_of(request, proposals)
    return render(request, "participation/mine.html", {"page": page, "page_range": page_range})


# Making a proposal -----------------------------------------------------------------------------------------


def map_view(geometry=None) -> dict[str, Any]:
    """Where a map opens: on the city (its centre and extent), with the base-map tiles of the settings."""
    city = current_city()
    config: dict[str, Any] = {
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
        "center": [city.center.y, city.center.x] if city else [0, 0],
        "zoom": city.default_zoom if city else 2,
        "bounds": None,
    }
    if city is not None:
        west, south, east, north = city.extent.extent
        config["bounds"] = [[south, west], [north, east]]
    return config


def editor_layers(request: HttpRequest) -> list[dict[str, Any]]:
    """The layers under the drawing, as static/js/reference_layers.js draws them."""
    specs = reference_layers(request, EDITOR_LAYERS)
    for spec in specs:
        layer = registry.get(spec["name"])
        if layer is not None and layer.cluster_field:
            spec["min_zoom"] = max(spec["min_zoom"], CLUSTERED_LAYER_MIN_ZOOM)
    return specs


def editor_config(request: HttpRequest) -> dict[str, Any]:
    """What static/js/proposal_editor.js needs, embedded in the page as JSON (no URL or text in the script)."""
    return {
        **map_view(),
        "reference": editor_layers(request),
        "nearby": reverse("participation:nearby"),
        "nearbyMetres": NEARBY_METRES,
        "geoman": geoman_strings(),
        "strings": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "drawn": {
                "Point": _("The place is a point on the map."),
                "LineString": _("The place is a line on the map."),
                "Polygon": _("The place is an area on the map."),
            },
            "replaced": _("A proposal has one place: the new shape replaced the previous one."),
            "emptied": _("The place was removed: draw it again, or use your location."),
            "locating": _("Finding your location…"),
            "located": _("Your location is the place of the proposal (a point). You may move it on the map."),
            "locateDenied": _(
                "Your browser did not share your location. Allow it in the browser's settings, "
                "or draw the place on the map."
            ),
            "locateUnavailable": _("Your location could not be found. Draw the place on the map instead."),
            "locateUnsupported": _("This browser cannot tell your location. Draw the place on the map instead."),
            "centred": _("A point was put at the centre of the map."),
            "aboutDropped": _("The proposal is no longer linked to what it was about."),
            "sending": _("Sending…"),
            "nearbyLoading": _("Looking for what lies near the place…"),
            "nearbyFailed": _("What lies near the place could not be loaded."),
            "nearbyNone": _("Nothing published lies within %(distance)s m of the place yet.")
            % {"distance": NEARBY_METRES},
            "nearbyFound": _("Within %(distance)s m of the place:") % {"distance": NEARBY_METRES},
            "projects": _("Projects"),
            "proposals": _("Proposals of residents"),
            "distance": _("%(distance)s m away"),
            "supportHint": _("If one of these proposals says what you mean, support it instead of making a new one."),
        },
    }


def render_create(request: HttpRequest, form: ProposalForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "editor_config": editor_config(request),
        "premoderation": settings.PROPOSALS_PREMODERATION,
        # Browsers never keep chosen files when a page comes back with errors: say so.
        "photos_dropped": form.is_bound and bool(form.files.getlist(form.add_prefix("photos"))),
    }
    return render(request, "participation/create.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest) -> HttpResponse:
    if not request.user.email_confirmed:
        # Not 403: the page is an answer the resident can act on (confirm, or ask for a new link).
        return render(request, "participation/create.html", {"needs_confirmation": True})
    language = translation.get_language() or settings.LANGUAGE_CODE
    if request.method == "GET":
        about = request.GET.get("about", "")
        event = request.GET.get("event", "")
        form = ProposalForm(user=request.user, language=language, about=about, event=event)
        dropped = False
        if about and form.subject_object is None:
            messages.warning(
                request, _("What the link was about cannot be found; the proposal will not be linked to it.")
            )
            about, dropped = "", True
        if event and form.event_object is None:
            messages.warning(request, _("The event cannot be found; the proposal will not be tagged to it."))
            event, dropped = "", True
        elif event and not events.is_on(form.event_object):
            messages.warning(request, events.not_on_message(form.event_object))
            event, dropped = "", True
        if dropped:
            form = ProposalForm(user=request.user, language=language, about=about, event=event)
        return render_create(request, form)

    form = ProposalForm(request.POST, request.FILES, user=request.user, language=language)
    status = 200
    if form.is_valid():
        try:
            proposal = services.submit_proposal(
                form.save(),
                author=request.user,
                network=limits.sender_network(request),
                photos=form.processed_photos,
            )
        except LimitReached as error:
            form.add_error(None, error.message)
            status = 429
        except PermissionDenied as error:
            form.add_error(None, error_text(error, _("You cannot make a proposal.")))
            status = 403
        except ValidationError as error:
            add_errors(form, error)
        else:
            if form.repair_reason:
                messages.warning(
                    request, _("The shape you drew was corrected: %(reason)s.") % {"reason": form.repair_reason}
                )
            if proposal.visibility == Visibility.PUBLISHED:
                messages.success(request, _("Thank you. Your proposal is published."))
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Your proposal waits for a moderator: only you see it until it is published. "
                        "We will e-mail you then."
                    ),
                )
            return redirect(proposal)
    return render_create(request, form, status)


@require_safe
def nearby(request: HttpRequest) -> JsonResponse:
    """Published projects and the proposals the user may see within 300 m of ``?geom=`` (GeoJSON), nearest first."""
    text = request.GET.get("geom", "")
    if not text.strip():
        return JsonResponse({"error": _("Give the place as a GeoJSON geometry.")}, status=400)
    try:
        geom = check_geometry(text, Proposal().geometry_rules()).geometry
    except GeometryRuleError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    projects = Project.objects.published().near(geom, NEARBY_METRES)[:NEARBY_LIMIT]
    proposals = Proposal.objects.visible_to(request.user).near(geom, NEARBY_METRES)[:NEARBY_LIMIT]
    response = JsonResponse(
        {
            "within_m": NEARBY_METRES,
            "projects": [nearby_item(project, project.title) for project in projects],
            "proposals": [nearby_item(proposal, proposal.title) for proposal in proposals],
        }
    )
    # What a user sees depends on who they are (their own pending proposals).
    response["Cache-Control"] = "private, no-cache"
    return response


def nearby_item(record: Project | Proposal, title: str) -> dict[str, Any]:
    return {
        "id": record.pk,
        "title": title,
        "url": record.get_absolute_url(),
        "status": record.get_status_display(),
        "distance_m": round(record.distance.m),
    }


# A proposal's page -----------------------------------------------------------------------------------------


@dataclass
class Thread:
    """A top-level comment and its replies; ``comment`` is hidden from the reader when only its replies show."""

    comment: Comment
    replies: list[Comment]
    shown: bool = True
    reply_form: CommentForm | None = None


@dataclass
class Forms:
    """Forms sent back with errors, to show where they were filled in; the others are made fresh."""

    comment: CommentForm | None = None
    edit: tuple[int, CommentEditForm] | None = None
    refusal: str = ""


def comment_threads(request: HttpRequest, proposal: Proposal, forms: Forms) -> list[Thread]:
    user = request.user
    signed_in = user.is_authenticated
    comments = list(proposal.comments.select_related("author").order_by("created_at", "pk"))
    visible = set(Comment.objects.visible_to(user).filter(proposal=proposal).values_list("pk", flat=True))
    flagged = (
        set(Flag.objects.filter(user=user, comment__proposal=proposal).values_list("comment_id", flat=True))
        if signed_in
        else set()
    )
    edit_pk = forms.edit[0] if forms.edit else _int(request.GET.get("edit"))
    # A reply form sent back with errors goes under the thread it answers (a reply to a reply answers the top).
    bound_parent = None
    if forms.comment is not None and forms.comment.is_bound:
        bound_parent = _int(forms.comment.data.get("parent"))
        parents = {comment.pk: comment.parent_id for comment in comments}
        bound_parent = parents.get(bound_parent) or bound_parent

    for comment in comments:
        comment.is_own = signed_in and comment.author_id == user.pk
        comment.editable = comment.is_own and services.may_edit_comment(user, comment)
        comment.flagged = comment.pk in flagged
        comment.flag_form = (
            FlagForm(auto_id=f"flag-comment-{comment.pk}-%s") if signed_in and not comment.is_own else None
        )
        comment.edit_form = None
        if comment.editable and comment.pk == edit_pk:
            comment.edit_form = (
                forms.edit[1] if forms.edit else CommentEditForm(initial={"text": comment.text}, auto_id="edit-%s")
            )

    threads: list[Thread] = []
    by_pk: dict[int, Thread] = {}
    for comment in comments:
        if comment.parent_id is None:
            thread = Thread(comment, [], shown=comment.pk in visible)
            threads.append(thread)
            by_pk[comment.pk] = thread
    for comment in comments:
        if comment.parent_id is not None and comment.pk in visible and comment.parent_id in by_pk:
            by_pk[comment.parent_id].replies.append(comment)
    # A hidden comment stays as a placeholder only where visible replies answer it.
    threads = [thread for thread in threads if thread.shown or thread.replies]
    if signed_in and proposal.is_published:
        for thread in threads:
            if not thread.shown:
                continue
            if bound_parent == thread.comment.pk:
                thread.reply_form = forms.comment
                # Its own ids, apart from the form for a new comment further down the page.
                thread.reply_form.auto_id = f"reply-{thread.comment.pk}-%s"
            else:
                thread.reply_form = CommentForm(
                    initial={"parent": thread.comment.pk}, auto_id=f"reply-{thread.comment.pk}-%s"
                )
    return threads


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def detail_map(request: HttpRequest, proposal: Proposal) -> dict[str, Any]:
    return {
        **map_view(),
        "reference": reference_layers(request),
        "feature": {
            "type": "Feature",
            "geometry": json.loads(proposal.geom.json),
            "properties": {"title": proposal.title, "color": PROPOSAL_COLOUR},
        },
        "strings": {"zoomIn": _("Zoom in"), "zoomOut": _("Zoom out")},
    }


def render_detail(request: HttpRequest, proposal: Proposal, forms: Forms | None = None, status: int = 200):
    forms = forms or Forms()
    user = request.user
    signed_in = user.is_authenticated
    is_author = signed_in and proposal.author_id == user.pk
    is_moderator = user.has_perm("participation.moderate_proposal")
    my_support = proposal.supports.filter(user=user).first() if signed_in else None
    top_form = None
    if signed_in and proposal.is_published:
        bound_top = forms.comment is not None and not forms.comment.data.get("parent")
        top_form = forms.comment if bound_top else CommentForm(auto_id="comment-%s")
    context = {
        "proposal": proposal,
        "subject": proposal.subject if proposal.subject_type_id else None,
        "timeline": timeline(proposal),
        "photos": list(Photo.objects.of(proposal)),
        "support_count": proposal.supports.count(),
        "my_support": my_support,
        "is_author": is_author,
        "is_moderator": is_moderator,
        "can_answer": signed_in and services.may_answer(user, proposal),
        "show_moderation": (is_author or is_moderator) and not proposal.is_published,
        "threads": comment_threads(request, proposal, forms),
        "comment_form": top_form,
        "flag_form": FlagForm(auto_id="flag-proposal-%s") if signed_in and not is_author else None,
        "flagged": signed_in and Flag.objects.filter(user=user, proposal=proposal).exists(),
        "refusal": forms.refusal,
        "needs_confirmation": signed_in and not user.email_confirmed,
        "map_config": detail_map(request, proposal),
        "edit_minutes": settings.COMMENT_EDIT_MINUTES,
    }
    return render(request, "participation/detail.html", context, status=status)


@require_safe
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, get_proposal(request, pk))


# What residents do on a proposal's page --------------------------------------------------------------------


def attempt(request: HttpRequest, proposal: Proposal, write: Callable[[], Any]) -> tuple[Any, HttpResponse | None]:
    """Run a service call; on refusal, the response that tells why (a 429, a 403, or a message and the page)."""
    try:
        return write(), None
    except LimitReached as error:
        return None, render_detail(request, proposal, Forms(refusal=error.message), status=429)
    except PermissionDenied as error:
        refusal = error_text(error, _("You cannot do this on this proposal."))
        return None, render_detail(request, proposal, Forms(refusal=refusal), status=403)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return None, redirect(proposal)


@login_required
@require_POST
def proposal_support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal(request, pk)
    action = request.POST.get("action")
    if action == "support":
        _result, refused = attempt(request, proposal, lambda: services.support(proposal, request.user))
        if refused:
            return refused
        messages.success(
            request, _("Thank you: you support this proposal. We will e-mail you when its status changes.")
        )
    elif action == "withdraw":
        withdrawn, refused = attempt(request, proposal, lambda: services.withdraw_support(proposal, request.user))
        if refused:
            return refused
        if withdrawn:
            messages.success(request, _("You no longer support this proposal."))
        else:
            messages.info(request, _("You did not support this proposal."))
    else:
        messages.error(request, _("The form was not understood; nothing was changed."))
    return redirect(f"{proposal.get_absolute_url()}#support")


@login_required
@require_POST
def proposal_follow(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal(request, pk)
    follows = request.POST.get("follows")
    if follows not in ("0", "1"):
        messages.error(request, _("The form was not understood; nothing was changed."))
        return redirect(proposal)
    _result, refused = attempt(
        request, proposal, lambda: services.set_following(proposal, request.user, follows == "1")
    )
    if refused:
        return refused
    if follows == "1":
        messages.success(request, _("We will e-mail you when the status of this proposal changes."))
    else:
        messages.success(request, _("We will no longer e-mail you about this proposal."))
    return redirect(f"{proposal.get_absolute_url()}#support")


def comment_sent_message(comment: Comment) -> str:
    if comment.visibility == Visibility.PUBLISHED:
        return _("Your comment is published.")
    return _("Thank you. Your comment waits for a moderator: only you see it until it is published.")


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal(request, pk)
    form = CommentForm(request.POST, auto_id="comment-%s")
    status = 200
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = get_object_or_404(
                Comment.objects.visible_to(request.user), pk=form.cleaned_data["parent"], proposal=proposal
            )
        try:
            comment = services.add_comment(
                proposal,
                author=request.user,
                text=form.cleaned_data["text"],
                parent=parent,
                network=limits.sender_network(request),
                submission_key=form.cleaned_data["submission_key"],
            )
        except LimitReached as error:
            # The form comes back with the text, so nothing written is lost.
            form.add_error(None, error.message)
            status = 429
        except PermissionDenied as error:
            refusal = error_text(error, _("You cannot comment on this proposal."))
            return render_detail(request, proposal, Forms(comment=form, refusal=refusal), status=403)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, comment_sent_message(comment))
            return redirect(f"{proposal.get_absolute_url()}#comment-{comment.pk}")
    return render_detail(request, proposal, Forms(comment=form), status=status)


@login_required
@require_POST
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.visible_to(request.user).select_related("proposal"), pk=pk)
    proposal = get_proposal(request, comment.proposal_id)
    form = CommentEditForm(request.POST, auto_id="edit-%s")
    if form.is_valid():
        edited, refused = attempt(
            request,
            proposal,
            lambda: services.edit_comment(comment, user=request.user, text=form.cleaned_data["text"]),
        )
        if refused:
            return refused
        messages.success(request, _("Your comment was changed."))
        return redirect(f"{proposal.get_absolute_url()}#comment-{edited.pk}")
    return render_detail(request, proposal, Forms(edit=(comment.pk, form)))


def flag_sent(request: HttpRequest, page: Proposal, form: FlagForm, **target: Any) -> HttpResponse:
    """Report ``target`` (``proposal=`` or ``comment=``) to the moderators, then back to the proposal's ``page``."""
    proposal = page
    anchor = f"#comment-{target['comment'].pk}" if "comment" in target else ""
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(f"{proposal.get_absolute_url()}{anchor}")
    data = form.cleaned_data
    _flag, refused = attempt(
        request, proposal, lambda: services.flag(user=request.user, reason=data["reason"], note=data["note"], **target)
    )
    if refused:
        return refused
    messages.success(request, _("Thank you for telling us. A moderator will look at it."))
    return redirect(f"{proposal.get_absolute_url()}{anchor}")


@login_required
@require_POST
def proposal_flag(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal(request, pk)
    return flag_sent(request, proposal, FlagForm(request.POST), proposal=proposal)


@login_required
@require_POST
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.visible_to(request.user), pk=pk)
    proposal = get_proposal(request, comment.proposal_id)
    return flag_sent(request, proposal, FlagForm(request.POST), comment=comment)


def timeline(proposal: Proposal) -> list[StatusChange]:
    """The proposal's dated steps; a step that keeps the status is a hand-over to another department."""
    steps = list(proposal.status_changes.select_related("department"))
    for previous, step in zip([None, *steps], steps, strict=False):
        step.is_handover = previous is not None and previous.status == step.status
    return steps
