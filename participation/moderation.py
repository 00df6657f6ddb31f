"""What moderators and departments use: the moderation queue, the departments' queues, overdue answers, the status form.

Moderators (``participation.moderate_proposal``) publish or hide new
proposals and comments and resolve flags. Department staff (members of a
``Department``) see their departments' published proposals and answer them;
users with ``participation.answer_proposal`` do so for every department.
Anonymous visitors are sent to the log-in page; a signed-in user who may not
see a page gets the 403 page. Every write goes through participation.services.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from participation import services
from participation.models import (
    DESCRIPTION_LENGTH,
    OPEN_STATUSES,
    REASON_LENGTH,
    Comment,
    Department,
    Flag,
    FlagReason,
    Proposal,
    Status,
    Visibility,
)
from projects.models import Project

View = Callable[..., HttpResponse]

MODERATE = "participation.moderate_proposal"
ANSWER = "participation.answer_proposal"
# The queue shows this many of each kind, oldest first; the rest follow as these are done.
QUEUE_LIMIT = 100
PAGE_SIZE = 50
# The status form offers the published projects this close to the proposal, nearest first.
NEAR_PROJECTS_M = 1000
NEAR_PROJECTS_LIMIT = 20


# Access --------------------------------------------------------------------------------------------------


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/forbidden.html", status=403)


def signed_in_and(check: Callable[[Any], bool]) -> Callable[[View], View]:
    """Log-in first (anonymous visitors go to the log-in page); then ``check(user)``, or the 403 page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def is_moderator(user) -> bool:
    return user.has_perm(MODERATE)


def answers_for_all(user) -> bool:
    """Moderators and answerers see and answer every department's proposals."""
    return user.has_perm(ANSWER) or user.has_perm(MODERATE)


def is_department_staff(user) -> bool:
    return answers_for_all(user) or user.departments.exists()


def departments_of(user) -> QuerySet[Department]:
    """The departments whose proposals ``user`` sees: all of them for answerers, else their own."""
    if answers_for_all(user):
        return Department.objects.all()
    return user.departments.all()


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` of the form when it is a URL of this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields where it names them, else on the whole form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def tell_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# The moderation queue ------------------------------------------------------------------------------------


@dataclass
class FlagGroup:
    """The open flags of one proposal or comment: how many, for which reasons, with what notes."""

    proposal: Proposal | None
    comment: Comment | None
    count: int
    first_at: datetime.datetime
    reasons: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def target(self) -> Proposal | Comment | None:
        return self.proposal or self.comment

    @property
    def kind(self) -> str:
        return "proposal" if self.proposal is not None else "comment"


def flag_groups(limit: int = QUEUE_LIMIT) -> tuple[list[FlagGroup], int]:
    """The flagged proposals and comments with open flags, the longest waiting first, and how many there are."""
    open_flags = Flag.objects.filter(resolved_at__isnull=True)
    targets = open_flags.values("proposal", "comment").annotate(count=Count("pk"), first_at=Min("created_at"))
    total = targets.count()
    rows = list(targets.order_by("first_at", "proposal", "comment")[:limit])
    proposals = Proposal.objects.select_related("author", "category").in_bulk(
        [row["proposal"] for row in rows if row["proposal"]]
    )
    comments = Comment.objects.select_related("author", "proposal").in_bulk(
        [row["comment"] for row in rows if row["comment"]]
    )
    groups = {
        (row["proposal"], row["comment"]): FlagGroup(
            proposal=proposals.get(row["proposal"]),
            comment=comments.get(row["comment"]),
            count=row["count"],
            first_at=row["first_at"],
        )
        for row in rows
    }
    reasons: dict[tuple, Counter] = {key: Counter() for key in groups}
    details = open_flags.filter(
        Q(proposal__in=[key[0] for key in groups if key[0]]) | Q(comment__in=[key[1] for key in groups if key[1]])
    ).order_by("created_at", "pk")
    for flag in details.only("proposal", "comment", "reason", "note"):
        key = (flag.proposal_id, flag.comment_id)
        if key not in groups:
            continue
        reasons[key][flag.reason] += 1
        if flag.note:
            groups[key].notes.append(flag.note)
    labels = dict(FlagReason.choices)
    for key, group in groups.items():
        group.reasons = [(str(labels.get(reason, reason)), count) for reason, count in reasons[key].most_common()]
    return list(groups.values()), total


@signed_in_and(is_moderator)
@require_http_methods(["GET"])
def queue(request: HttpRequest) -> HttpResponse:
    pending_proposals = (
        Proposal.objects.filter(visibility=Visibility.PENDING)
        .select_related("category", "district", "author")
        .annotate(photo_count=Count("photos"))
        .order_by("created_at", "pk")
    )
    pending_comments = (
        Comment.objects.filter(visibility=Visibility.PENDING)
        .select_related("proposal", "author", "parent")
        .order_by("created_at", "pk")
    )
    flags, flag_count = flag_groups()
    context = {
        "proposals": pending_proposals[:QUEUE_LIMIT],
        "proposal_count": pending_proposals.count(),
        "comments": pending_comments[:QUEUE_LIMIT],
        "comment_count": pending_comments.count(),
        "flags": flags,
        "flag_count": flag_count,
        "limit": QUEUE_LIMIT,
        "reason_length": REASON_LENGTH,
    }
    return render(request, "participation/moderation.html", context)


class ModerationForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", "publish"), ("hide", "hide")])
    reason = forms.CharField(max_length=REASON_LENGTH, required=False, strip=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("action") == "hide" and not cleaned.get("reason"):
            raise ValidationError(_("Give a reason for hiding it: its author will read it."))
        return cleaned


def tell_form_errors(request: HttpRequest, form: forms.Form) -> None:
    if "action" in form.errors:
        messages.error(request, _("The form was not understood; nothing was changed."))
        return
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def moderate(request: HttpRequest, target: Proposal | Comment, texts: dict[str, str]) -> HttpResponse:
    """Publish (or keep published) or hide ``target``, a proposal or a comment; its open flags are resolved.

    ``texts`` holds the messages "published", "stays" (already published: nothing to do, no mail again),
    "hidden" and "refused".
    """
    back = safe_next(request, reverse("participation:moderation"))
    form = ModerationForm(request.POST)
    if not form.is_valid():
        tell_form_errors(request, form)
        return redirect(back)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    is_proposal = isinstance(target, Proposal)
    publish = services.publish_proposal if is_proposal else services.publish_comment
    hide = services.hide_proposal if is_proposal else services.hide_comment
    try:
        if action == "hide":
            hide(target, moderator=request.user, reason=reason)
            text = texts["hidden"]
        elif target.is_published:
            text = texts["stays"]
        else:
            publish(target, moderator=request.user, reason=reason)
            text = texts["published"]
        resolved = services.resolve_flags(
            moderator=request.user, **({"proposal": target} if is_proposal else {"comment": target})
        )
    except ValidationError as error:
        tell_errors(request, error)
        return redirect(back)
    except PermissionDenied as error:
        messages.error(request, str(error) or texts["refused"])
        return redirect(back)
    messages.success(request, text)
    tell_resolved(request, resolved)
    return redirect(back)


@signed_in_and(is_moderator)
@require_POST
def proposal_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(Proposal, pk=pk)
    title = {"title": proposal.title}
    texts = {
        "published": _("“%(title)s” is published.") % title,
        "stays": _("“%(title)s” stays published.") % title,
        "hidden": _("“%(title)s” is hidden; its author is told why.") % title,
        "refused": _("You may not moderate this proposal."),
    }
    return moderate(request, proposal, texts)


@signed_in_and(is_moderator)
@require_POST
def comment_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    texts = {
        "published": _("The comment is published."),
        "stays": _("The comment stays published."),
        "hidden": _("The comment is hidden; its author is told why."),
        "refused": _("You may not moderate this comment."),
    }
    return moderate(request, get_object_or_404(Comment, pk=pk), texts)


def tell_resolved(request: HttpRequest, resolved: int) -> None:
    if resolved:
        messages.info(
            request,
            ngettext("%(count)d flag is resolved.", "%(count)d flags are resolved.", resolved) % {"count": resolved},
        )


# The departments' queues ---------------------------------------------------------------------------------

SHOW_CHOICES = (
    ("open", gettext_lazy("Waiting for an answer")),
    ("accepted", gettext_lazy("Accepted, to be implemented")),
    ("closed", gettext_lazy("Closed")),
    ("all", gettext_lazy("All")),
)
SHOW_STATUSES = {
    "open": OPEN_STATUSES,
    "accepted": (Status.ACCEPTED,),
    "closed": (Status.IMPLEMENTED, Status.REJECTED, Status.DUPLICATE),
}


class DepartmentFilterForm(forms.Form):
    """Which department's proposals a list shows; and, for the queue, which of them."""

    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], with_status: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = gettext_lazy("All departments") if departments.count() != 1 else None
        if with_status:
            self.fields["show"] = forms.ChoiceField(
                label=gettext_lazy("Proposals"), choices=SHOW_CHOICES, required=False, initial="open"
            )

    def filter(self, proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        department = data.get("department")
        if department is not None:
            proposals = proposals.filter(department=department)
        show = data.get("show") or "open"
        if "show" in self.fields and show in SHOW_STATUSES:
            proposals = proposals.filter(status__in=SHOW_STATUSES[show])
        return proposals


def with_due_dates(proposals: list[Proposal], today: datetime.date) -> list[Proposal]:
    """Each proposal with ``days_overdue`` (0 when it is not overdue) and ``days_left`` until its due date."""
    for proposal in proposals:
        due = proposal.due_date
        open_ = proposal.status in OPEN_STATUSES
        proposal.days_overdue = (today - due).days if due and open_ and due < today else 0
        proposal.days_left = (due - today).days if due and open_ and due >= today else None
    return proposals


def page_of(request: HttpRequest, queryset: QuerySet, size: int = PAGE_SIZE):
    paginator = Paginator(queryset, size)
    page = paginator.get_page(request.GET.get("page"))
    return page, paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


@signed_in_and(is_department_staff)
@require_http_methods(["GET"])
def department_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    departments = departments_of(user)
    form = DepartmentFilterForm(request.GET or None, departments=departments, with_status=True)
    proposals = Proposal.objects.published()
    if not answers_for_all(user):
        proposals = proposals.filter(department__in=departments)
    proposals = (
        form.filter(proposals)
        .select_related("category", "district", "department")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by(F("due_date").asc(nulls_last=True), "published_at", "pk")
    )
    page, page_range = page_of(request, proposals)
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "proposals": with_due_dates(list(page), timezone.localdate()),
        "all_departments": answers_for_all(user),
        "own_departments": user.departments.all(),
    }
    return render(request, "participation/department.html", context)


@signed_in_and(is_department_staff)
@require_http_methods(["GET"])
def overdue(request: HttpRequest) -> HttpResponse:
    user = request.user
    departments = departments_of(user)
    late = Proposal.objects.overdue()
    if not answers_for_all(user):
        late = late.filter(department__in=departments)
    counts = dict(late.order_by().values_list("department").annotate(count=Count("pk")))
    named = {department.pk: department for department in Department.objects.filter(pk__in=[pk for pk in counts if pk])}
    per_department = sorted(
        ((named.get(pk), count) for pk, count in counts.items()),
        key=lambda row: (-row[1], row[0].slug if row[0] else ""),
    )
    form = DepartmentFilterForm(request.GET or None, departments=departments)
    listed = (
        form.filter(late)
        .select_related("category", "district", "department")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by(F("department__slug").asc(nulls_last=True), "due_date", "pk")
    )
    page, page_range = page_of(request, listed, size=100)
    context = {
        "form": form,
        "page": page,
        "page_range": page_range,
        "proposals": with_due_dates(list(page), timezone.localdate()),
        "per_department": per_department,
        "total": sum(counts.values()),
        "all_departments": answers_for_all(user),
    }
    return render(request, "participation/overdue.html", context)


# The status of one proposal ------------------------------------------------------------------------------


def number_from(value: str, view_name: str) -> int | None:
    """The id in ``value``: a number ("42", "#42"), or the address of the page ``view_name`` shows it on."""
    value = value.strip().lstrip("#")
    if value.isdigit():
        return int(value)
    try:
        match = resolve(urlsplit(value).path or "/")
    except Resolver404:
        return None
    if match.view_name == view_name and "pk" in match.kwargs:
        return int(match.kwargs["pk"])
    return None


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, project: Project) -> str:
        distance = getattr(project, "distance", None)
        if distance is None:
            return project.title
        return _("%(title)s (%(distance)s m away)") % {"title": project.title, "distance": int(round(distance.m, -1))}


class StatusForm(forms.Form):
    """Move a proposal's status on, with the public answer, and what the new status needs."""

    note = forms.CharField(
        label=gettext_lazy("Public answer"),
        help_text=gettext_lazy(
            "Shown on the proposal's page and e-mailed to its author and to those who follow it. "
            "Required when the proposal is rejected: say why."
        ),
        max_length=DESCRIPTION_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        choices = [(status, Status(status).label) for status in proposal.next_statuses]
        # The status first: its choices depend on the proposal's current status.
        self.fields = {
            "status": forms.ChoiceField(label=gettext_lazy("New status"), choices=choices, widget=forms.RadioSelect),
            **self.fields,
        }
        if Status.IMPLEMENTED in proposal.next_statuses:
            near = Project.objects.published().near(proposal.geom, NEAR_PROJECTS_M)
            nearest = list(near.values_list("pk", flat=True)[:NEAR_PROJECTS_LIMIT])
            if nearest:
                self.fields["implemented_by"] = ProjectChoiceField(
                    label=gettext_lazy("Implemented by the project"),
                    help_text=gettext_lazy("The published projects within 1 km of the proposal, nearest first."),
                    queryset=near.filter(pk__in=nearest),
                    required=False,
                    empty_label=gettext_lazy("(another project, given below)"),
                )
            self.fields["implemented_by_other"] = forms.CharField(
                label=gettext_lazy("Or another project") if nearest else gettext_lazy("Implemented by the project"),
                help_text=gettext_lazy("Its number, or the address of its page."),
                max_length=300,
                required=False,
            )
        if Status.DUPLICATE in proposal.next_statuses:
            self.fields["duplicate_of"] = forms.CharField(
                label=gettext_lazy("Duplicate of the proposal"),
                help_text=gettext_lazy("The number of the original proposal, or the address of its page."),
                max_length=300,
                required=False,
            )

    def clean_implemented_by_other(self) -> Project | None:
        value = self.cleaned_data["implemented_by_other"]
        if not value:
            return None
        number = number_from(value, "projects:detail")
        if number is None:
            raise ValidationError(_("Give the number of the project or the address of its page."))
        project = Project.objects.published().filter(pk=number).first()
        if project is None:
            raise ValidationError(_("No published project has the number %(number)d.") % {"number": number})
        return project

    def clean_duplicate_of(self) -> Proposal | None:
        value = self.cleaned_data["duplicate_of"]
        if not value:
            return None
        number = number_from(value, "participation:detail")
        if number is None:
            raise ValidationError(_("Give the number of the original proposal or the address of its page."))
        if number == self.proposal.pk:
            raise ValidationError(_("A proposal cannot be a duplicate of itself."))
        original = Proposal.objects.published().filter(pk=number).first()
        if original is None:
            raise ValidationError(_("No published proposal has the number %(number)d.") % {"number": number})
        return original

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        status = cleaned.get("status")
        cleaned["project"] = cleaned.get("implemented_by") or cleaned.get("implemented_by_other")
        if status == Status.REJECTED and not cleaned.get("note"):
            self.add_error("note", _("Say why the proposal is rejected: its author and everyone else will read it."))
        if status == Status.IMPLEMENTED and cleaned["project"] is None and "implemented_by_other" not in self.errors:
            field = "implemented_by" if "implemented_by" in self.fields else "implemented_by_other"
            self.add_error(field, _("Choose the project that implemented the proposal, or give its number."))
        if status == Status.DUPLICATE and cleaned.get("duplicate_of") is None and "duplicate_of" not in self.errors:
            self.add_error("duplicate_of", _("Give the number of the proposal this one repeats."))
        return cleaned


class ReassignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("Responsible department"), queryset=Department.objects.all(), empty_label=None
    )
    reassign_note = forms.CharField(
        label=gettext_lazy("Why it goes there"),
        max_length=REASON_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_status(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        Proposal.objects.select_related("category", "district", "department", "implemented_by", "duplicate_of"),
        pk=pk,
    )
    user = request.user
    if not services.may_answer(user, proposal):
        return forbidden(request)
    # participation.services.reassign is the moderators' (answerers answer, moderators route).
    may_reassign = is_moderator(user)
    action = request.POST.get("action", "status") if request.method == "POST" else None
    status_form = StatusForm(request.POST if action == "status" else None, proposal=proposal)
    reassign_form = None
    if may_reassign:
        reassign_form = ReassignForm(
            request.POST if action == "reassign" else None, initial={"department": proposal.department_id}
        )

    if action == "status" and proposal.is_published and status_form.is_valid():
        data = status_form.cleaned_data
        try:
            services.change_status(
                proposal,
                data["status"],
                user=user,
                note=data["note"],
                implemented_by=data["project"] if data["status"] == Status.IMPLEMENTED else None,
                duplicate_of=data.get("duplicate_of") if data["status"] == Status.DUPLICATE else None,
            )
        except ValidationError as error:
            add_errors(status_form, error)
        except PermissionDenied:
            return forbidden(request)
        else:
            proposal.refresh_from_db()
            messages.success(
                request,
                _("The proposal is now “%(status)s”; its author and followers are told.")
                % {"status": proposal.get_status_display()},
            )
            return redirect(proposal)
    elif action == "reassign" and reassign_form is None:
        return forbidden(request)
    elif action == "reassign" and reassign_form.is_valid():
        department = reassign_form.cleaned_data["department"]
        try:
            services.reassign(proposal, department, user=user, note=reassign_form.cleaned_data["reassign_note"])
        except ValidationError as error:
            add_errors(reassign_form, error)
        except PermissionDenied:
            return forbidden(request)
        else:
            messages.success(request, _("The proposal now goes to %(department)s.") % {"department": department.name})
            return redirect("participation:status", pk=proposal.pk)
    elif action not in (None, "status", "reassign"):
        messages.error(request, _("The form was not understood; nothing was changed."))
        return redirect("participation:status", pk=proposal.pk)

    today = timezone.localdate()
    context = {
        "proposal": proposal,
        "status_form": status_form,
        "reassign_form": reassign_form,
        "final": not proposal.next_statuses,
        "days_overdue": with_due_dates([proposal], today)[0].days_overdue,
        "support_count": proposal.supports.count(),
        "timeline": proposal.status_changes.select_related("department", "changed_by"),
    }
    return render(request, "participation/status.html", context)
