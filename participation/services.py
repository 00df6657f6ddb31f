"""Writes of residents' proposals: submitting, moderating, routing, answering, supporting, discussing, flagging.

Every function runs in one transaction: what it refuses leaves nothing
behind, and what it does is mailed (participation.notifications) only once it
is committed. Refusals are exceptions a view can show as they are:

* ``ValidationError`` with field keys (``title``, ``geom``, ``note``...) where a
  form can show the message next to the field;
* ``PermissionDenied(message)`` when the person may not do it at all;
* ``LimitReached`` (participation.limits) when they have written too much lately.

Writes that must not happen twice (a double click, a resubmitted form, two
requests at once) are made safe by the database, not by a check before the
write: the unique submission keys of proposals and comments, the unique
support per resident and proposal, and row locks for status changes.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis_data.geometry import check_geometry
from participation import limits, notifications
from participation.models import (
    COMMENT_LENGTH,
    DESCRIPTION_LENGTH,
    REASON_LENGTH,
    SUBJECT_MODELS,
    TITLE_LENGTH,
    TRANSITIONS,
    Category,
    Comment,
    Department,
    Flag,
    FlagReason,
    Kind,
    Proposal,
    Status,
    StatusChange,
    Support,
    Visibility,
)
from participation.routing import route_for
from photos.services import add_photo

# How far a chain of duplicates is followed to its original (a chain is one step long when every
# duplicate points to the original, as change_status makes it; older data may be longer).
DUPLICATE_CHAIN_LIMIT = 20
# The deadline when no route fits a proposal (a routing table without its catch-all row).
DEFAULT_DEADLINE_DAYS = 30


# Helpers


def _lock(*names: str) -> None:
    """Serialize, until the transaction ends, the writes of one sender (so their limits count exactly).

    A PostgreSQL advisory lock per name; callers take them in a fixed order
    (account, API client, network), so two writers never wait on each other in a circle.
    """
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])


def _confirmed(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "email_confirmed_at", None) is not None
    )


def _may_moderate(user) -> bool:
    return user is not None and user.is_authenticated and user.has_perm("participation.moderate_proposal")


def _require_moderator(user) -> None:
    if not _may_moderate(user):
        raise PermissionDenied(_("Only moderators may publish or hide proposals and comments."))


def _clean_text(
    value, field: str, max_length: int, errors: dict, *, required: bool = True, required_message=None
) -> str:
    """``value`` stripped; an empty or too long text adds a message for ``field`` to ``errors``."""
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append(
            ValidationError(required_message or _("This cannot be empty: write a few words."), code="required")
        )
    elif len(text) > max_length:
        errors.setdefault(field, []).append(
            ValidationError(
                _("This is %(length)d characters long; at most %(limit)d are allowed."),
                code="max_length",
                params={"length": len(text), "limit": max_length},
            )
        )
    return text


def _reason(reason: str) -> str:
    """A moderator's reason for hiding something: required, and short enough to keep."""
    errors: dict = {}
    text = _clean_text(
        reason, "reason", REASON_LENGTH, errors, required_message=_("Write the reason: its author will read it.")
    )
    if errors:
        raise ValidationError(errors)
    return text


def _optional_reason(reason: str) -> str:
    errors: dict = {}
    text = _clean_text(reason, "reason", REASON_LENGTH, errors, required=False)
    if errors:
        raise ValidationError(errors)
    return text


def _status_label(status: str) -> str:
    return str(dict(Status.choices).get(status, status))


def _is_published_record(obj: Model) -> bool:
    """Whether a record a proposal may be about is public: projects and corridors have ``is_published``."""
    published = getattr(obj, "is_published", True)
    return bool(published)


# Proposals


def _check_subject(proposal: Proposal, errors: dict) -> None:
    if proposal.subject_type_id is None and proposal.subject_id is None:
        return
    message = ValidationError(
        _("Choose a published project, corridor, park or concept to link this proposal to, or none."), code="subject"
    )
    if proposal.subject_type_id is None or proposal.subject_id is None:
        errors.setdefault("subject", []).append(message)
        return
    content_type = ContentType.objects.get_for_id(proposal.subject_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in SUBJECT_MODELS:
        errors.setdefault("subject", []).append(message)
        return
    try:
        subject = content_type.get_object_for_this_type(pk=proposal.subject_id)
    except ObjectDoesNotExist:
        subject = None
    if subject is None or not _is_published_record(subject):
        errors.setdefault("subject", []).append(message)


def _check_proposal(proposal: Proposal, photos) -> None:
    """Strip and check what a proposal's form or an API gave; raise every problem at once, by field."""
    errors: dict = {}
    proposal.title = _clean_text(proposal.title, "title", TITLE_LENGTH, errors)
    proposal.description = _clean_text(proposal.description, "description", DESCRIPTION_LENGTH, errors)
    if proposal.kind not in Kind.values:
        errors.setdefault("kind", []).append(ValidationError(_("Choose what kind of proposal this is."), code="kind"))
    category = Category.objects.filter(pk=proposal.category_id).first() if proposal.category_id else None
    if category is None or not category.is_active:
        errors.setdefault("category", []).append(
            ValidationError(_("Choose one of the categories offered."), code="category")
        )
    if proposal.language not in dict(settings.LANGUAGES):
        errors.setdefault("language", []).append(
            ValidationError(_("Choose the language the proposal is written in."), code="language")
        )
    if proposal.geom is None:
        errors.setdefault("geom", []).append(
            ValidationError(_("Draw the place on the map: a point, a line or an area."), code="required")
        )
    else:
        try:
            proposal.geom = check_geometry(proposal.geom, proposal.geometry_rules()).geometry
        except ValidationError as error:
            errors.setdefault("geom", []).append(error)
    _check_subject(proposal, errors)
    if len(photos) > settings.PROPOSAL_MAX_PHOTOS:
        errors.setdefault("photos", []).append(
            ValidationError(
                _("You added %(count)d photos; at most %(limit)d are allowed."),
                code="max_photos",
                params={"count": len(photos), "limit": settings.PROPOSAL_MAX_PHOTOS},
            )
        )
    if errors:
        raise ValidationError(errors)


def _same_sender(existing, author, api_client) -> bool:
    author_id = author.pk if author is not None else None
    api_client_id = api_client.pk if api_client is not None else None
    return existing.author_id == author_id and getattr(existing, "api_client_id", None) == api_client_id


def _resubmitted(model, key, author, api_client=None):
    """The row already written with this submission key by the same sender, or None."""
    if key is None:
        return None
    existing = model.objects.filter(submission_key=key).first()
    if existing is None:
        return None
    if not _same_sender(existing, author, api_client):
        # A key belongs to one form shown to one person; someone else's key is never answered with their row.
        raise ValidationError(_("This form has already been used. Reload the page and send it again."), code="key")
    return existing


@transaction.atomic
def submit_proposal(proposal, *, author=None, network="", photos=(), api_client=None) -> Proposal:
    """Check and save a resident's proposal (or an Open311 report) with its photos, all or nothing.

    ``proposal`` is unsaved, with kind, category, title, description,
    language, geom, optionally a subject, and the ``submission_key`` the form
    was drawn with: a proposal already saved with that key (a double click, a
    resubmitted form) is returned as it is, and nothing new is written. The
    author needs a confirmed e-mail address, unless an active ``api_client``
    sends it. Limits per account and per network apply to residents, per key to API clients. With
    premoderation off, the proposal is published (and routed) at once.
    ``photos`` are photos.processing.ProcessedPhoto; if one cannot be stored,
    the proposal is not saved either.
    """
    photos = list(photos)
    if api_client is not None:
        if not api_client.is_active:
            raise PermissionDenied(_("This API key has been switched off."))
    elif author is None or not author.is_authenticated:
        raise PermissionDenied(_("Sign in to send a proposal."))
    if author is not None and api_client is None and not _confirmed(author):
        raise PermissionDenied(
            _("Confirm your e-mail address before you send a proposal: open the link we mailed you.")
        )
    if proposal.pk is not None:
        raise ValueError("submit_proposal saves new proposals only")

    locks = []
    if author is not None:
        locks.append(f"participation.proposal.account.{author.pk}")
    if api_client is not None:
        locks.append(f"participation.proposal.api_client.{api_client.pk}")
    # A city back-end posts every report from one address: its key has its own limit instead.
    network_limited = bool(network) and api_client is None
    if network_limited:
        locks.append(f"participation.proposal.network.{network}")
    _lock(*locks)

    existing = _resubmitted(Proposal, proposal.submission_key, author, api_client)
    if existing is not None:
        return existing

    now = timezone.now()
    if api_client is not None:
        limits.check_limits(
            limits.limits_from_setting("OPEN311_LIMITS_PER_KEY"),
            Proposal.objects.filter(api_client=api_client),
            limits.REPORTS_BY_API_CLIENT,
            now=now,
        )
    elif author is not None:
        limits.check_limits(
            limits.limits_from_setting("PROPOSAL_LIMITS_PER_ACCOUNT"),
            Proposal.objects.filter(author=author),
            limits.PROPOSALS_BY_ACCOUNT,
            now=now,
        )
    if network_limited:
        limits.check_limits(
            limits.limits_from_setting("PROPOSAL_LIMITS_PER_NETWORK"),
            Proposal.objects.filter(sender_network=network, api_client__isnull=True),
            limits.PROPOSALS_BY_NETWORK,
            now=now,
        )

    _check_proposal(proposal, photos)
    proposal.author = author
    proposal.api_client = api_client
    proposal.sender_network = network
    proposal.visibility = Visibility.PENDING
    proposal.status = Status.PUBLISHED
    proposal.moderation_reason = ""
    proposal.department = None
    proposal.published_at = None
    proposal.due_date = None
    proposal.implemented_by = None
    proposal.duplicate_of = None
    proposal.created_at = now
    if proposal.submission_key is None:
        proposal.submission_key = uuid.uuid4()
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        # The same form sent twice at once: the other request saved it first (and has committed by now).
        proposal.pk = None
        existing = _resubmitted(Proposal, proposal.submission_key, author, api_client)
        if existing is None:
            raise
        return existing

    for photo in photos:
        add_photo(proposal, photo, user=author)

    if not settings.PROPOSALS_PREMODERATION:
        _publish(proposal, moderator=None, reason="", notify=False)
    return proposal


def _locked(model, obj):
    """Lock ``obj``'s row until the transaction ends and read it again: the checks then see its current state."""
    model.objects.select_for_update().filter(pk=obj.pk).first()
    obj.refresh_from_db()
    return obj


def _publish(proposal: Proposal, *, moderator, reason: str, notify: bool) -> None:
    now = timezone.now()
    was_published = proposal.visibility == Visibility.PUBLISHED
    proposal.visibility = Visibility.PUBLISHED
    proposal.moderation_reason = reason
    proposal.moderated_by = moderator
    proposal.moderated_at = now if moderator is not None else None
    first_time = proposal.published_at is None
    if first_time:
        proposal.published_at = now
        route = route_for(proposal.category, proposal.district)
        if proposal.department_id is None and route is not None:
            proposal.department = route.department
        deadline = route.deadline_days if route is not None else DEFAULT_DEADLINE_DAYS
        proposal.due_date = timezone.localdate(now) + datetime.timedelta(days=deadline)
    proposal.save(
        update_fields=[
            "visibility",
            "moderation_reason",
            "moderated_by",
            "moderated_at",
            "published_at",
            "department",
            "due_date",
            "updated_at",
        ]
    )
    if first_time:
        StatusChange.objects.create(
            proposal=proposal,
            status=proposal.status,
            department=proposal.department,
            changed_by=moderator,
            changed_at=now,
        )
    if notify and not was_published:
        notifications.proposal_moderated(proposal, moderator=moderator)


@transaction.atomic
def publish_proposal(proposal, *, moderator=None, reason="") -> None:
    """Publish a pending or hidden proposal; the first time, route it and start its timeline; mail the author.

    On first publication the routing table gives the department and the
    deadline (due date = the local date of publication + the route's days),
    and the timeline gets its first step, "published". ``moderator`` None is
    the system publishing (premoderation off): it mails nobody.
    """
    if moderator is not None:
        _require_moderator(moderator)
    _locked(Proposal, proposal)
    if proposal.visibility == Visibility.PUBLISHED:
        return
    _publish(proposal, moderator=moderator, reason=_optional_reason(reason), notify=moderator is not None)


def _moderated(target, visibility: str, reason: str, moderator) -> None:
    """Record a moderator's decision on a proposal or a comment: its visibility, the reason, who and when."""
    target.visibility = visibility
    target.moderation_reason = reason
    target.moderated_by = moderator
    target.moderated_at = timezone.now()
    fields = ["visibility", "moderation_reason", "moderated_by", "moderated_at"]
    target.save(update_fields=[*fields, "updated_at"] if isinstance(target, Proposal) else fields)


@transaction.atomic
def hide_proposal(proposal, *, moderator, reason) -> None:
    """Hide a proposal from everyone but its author and the moderators; mail the author the reason (required)."""
    _require_moderator(moderator)
    reason = _reason(reason)
    _locked(Proposal, proposal)
    if proposal.visibility == Visibility.HIDDEN and proposal.moderation_reason == reason:
        return
    _moderated(proposal, Visibility.HIDDEN, reason, moderator)
    notifications.proposal_moderated(proposal, moderator=moderator)


def may_answer(user, proposal) -> bool:
    """Whether ``user`` may answer ``proposal``: anyone with answer_proposal, or staff of its department."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("participation.answer_proposal"):
        return True
    return proposal.department_id is not None and user.departments.filter(pk=proposal.department_id).exists()


def _original(duplicate_of: Proposal) -> Proposal:
    """The proposal a duplicate chain ends at: a duplicate of a duplicate points to the original."""
    original, seen = duplicate_of, {duplicate_of.pk}
    for _step in range(DUPLICATE_CHAIN_LIMIT):
        if original.status != Status.DUPLICATE or original.duplicate_of_id is None:
            break
        following = Proposal.objects.get(pk=original.duplicate_of_id)
        if following.pk in seen:
            break
        seen.add(following.pk)
        original = following
    return original


@transaction.atomic
def change_status(proposal, status, *, user, note="", implemented_by=None, duplicate_of=None) -> StatusChange:
    """Move a published proposal to ``status`` and record the public, dated step; mail author and followers.

    Refused unless TRANSITIONS allows the move from the current status (read
    under a row lock, so two answerers cannot both move it). A rejection needs
    its reason in ``note``; "implemented" needs the published project that did
    it; "duplicate" needs another published proposal, and a duplicate of a
    duplicate is linked to the original.
    """
    if not may_answer(user, proposal):
        raise PermissionDenied(_("Only the responsible department or a moderator may answer this proposal."))
    _locked(Proposal, proposal)
    if not may_answer(user, proposal):
        raise PermissionDenied(_("Only the responsible department or a moderator may answer this proposal."))
    if proposal.visibility != Visibility.PUBLISHED:
        raise ValidationError(_("Only a published proposal can be answered."), code="not_published")
    if status not in TRANSITIONS.get(proposal.status, ()):
        raise ValidationError(
            {
                "status": ValidationError(
                    _("A proposal cannot move from “%(current)s” to “%(new)s”."),
                    code="transition",
                    params={"current": _status_label(proposal.status), "new": _status_label(status)},
                )
            }
        )
    errors: dict = {}
    note = _clean_text(
        note,
        "note",
        DESCRIPTION_LENGTH,
        errors,
        required=status == Status.REJECTED,
        required_message=_("Write why the proposal is rejected: its author and its supporters will read it."),
    )
    if status == Status.IMPLEMENTED:
        from projects.models import Project

        project = Project.objects.filter(pk=getattr(implemented_by, "pk", None), is_published=True).first()
        if project is None:
            errors.setdefault("implemented_by", []).append(
                ValidationError(_("Choose the published project that implemented it."), code="implemented_by")
            )
        proposal.implemented_by = project
    if status == Status.DUPLICATE:
        original = None
        if duplicate_of is not None:
            original = Proposal.objects.filter(pk=duplicate_of.pk, visibility=Visibility.PUBLISHED).first()
        if original is not None:
            original = _original(original)
        if original is None or original.pk == proposal.pk or original.visibility != Visibility.PUBLISHED:
            errors.setdefault("duplicate_of", []).append(
                ValidationError(_("Choose another published proposal that this one repeats."), code="duplicate_of")
            )
        proposal.duplicate_of = original
    if errors:
        raise ValidationError(errors)

    proposal.status = status
    proposal.save(update_fields=["status", "implemented_by", "duplicate_of", "updated_at"])
    change = StatusChange.objects.create(
        proposal=proposal, status=status, note=note, department=proposal.department, changed_by=user
    )
    notifications.status_changed(proposal, change, actor=user)
    return change


@transaction.atomic
def reassign(proposal, department, *, user, note="") -> None:
    """A moderator hands a published proposal to another department (its due date stays).

    The hand-over is a public, dated step of the timeline: a StatusChange with
    the status unchanged, the new department and the note. Nobody is mailed.
    """
    if not _may_moderate(user):
        raise PermissionDenied(_("Only moderators may hand a proposal to another department."))
    if not isinstance(department, Department) or department.pk is None:
        raise ValidationError({"department": ValidationError(_("Choose a department."), code="required")})
    errors: dict = {}
    note = _clean_text(note, "note", DESCRIPTION_LENGTH, errors, required=False)
    if errors:
        raise ValidationError(errors)
    _locked(Proposal, proposal)
    if proposal.visibility != Visibility.PUBLISHED:
        raise ValidationError(_("Only a published proposal can be handed to a department."), code="not_published")
    if proposal.department_id == department.pk:
        return
    proposal.department = department
    proposal.save(update_fields=["department", "updated_at"])
    StatusChange.objects.create(
        proposal=proposal, status=proposal.status, note=note, department=department, changed_by=user
    )


# Supports


def _require_published(proposal: Proposal, message) -> None:
    if not Proposal.objects.filter(pk=proposal.pk, visibility=Visibility.PUBLISHED).exists():
        raise PermissionDenied(message)


@transaction.atomic
def support(proposal, user, *, follows=True) -> Support:
    """Support a published proposal, once per resident however many requests arrive at once.

    Supporting again changes nothing but ``follows``. Refused for one's own
    proposal and without a confirmed e-mail address.
    """
    if not _confirmed(user):
        raise PermissionDenied(_("Confirm your e-mail address before you support proposals."))
    if proposal.author_id is not None and proposal.author_id == user.pk:
        raise PermissionDenied(_("You cannot support your own proposal."))
    _require_published(proposal, _("Only published proposals can be supported."))
    # get_or_create inserts in a savepoint and, when a concurrent request inserted first (the unique
    # constraint), reads that row instead.
    row, created = Support.objects.get_or_create(proposal=proposal, user=user, defaults={"follows": follows})
    if not created and row.follows != follows:
        row.follows = follows
        row.save(update_fields=["follows"])
    return row


@transaction.atomic
def withdraw_support(proposal, user) -> bool:
    """Withdraw a support; True if there was one."""
    if user is None or not user.is_authenticated:
        return False
    deleted, _by_model = Support.objects.filter(proposal=proposal, user=user).delete()
    return deleted > 0


@transaction.atomic
def set_following(proposal, user, follows: bool) -> None:
    """Whether a supporter gets the status changes by e-mail (the author always does)."""
    if user is not None and user.is_authenticated and proposal.author_id == user.pk:
        return
    updated = 0
    if user is not None and user.is_authenticated:
        updated = Support.objects.filter(proposal=proposal, user=user).update(follows=follows)
    if not updated:
        raise ValidationError(_("Support the proposal to follow it."), code="not_supporter")


# Comments


def _comment_text(text: str) -> str:
    errors: dict = {}
    text = _clean_text(text, "text", COMMENT_LENGTH, errors)
    if errors:
        raise ValidationError(errors)
    return text


@transaction.atomic
def add_comment(proposal, *, author, text, parent=None, network="", submission_key=None) -> Comment:
    """Comment on a published proposal, or reply to a comment (a reply to a reply joins its comment).

    Needs a confirmed e-mail address; limits per account and network apply.
    The comment waits for a moderator while premoderation is on. The same
    ``submission_key`` sent again gives back the comment it made.
    """
    if not _confirmed(author):
        raise PermissionDenied(_("Confirm your e-mail address before you write comments."))
    _require_published(proposal, _("Only published proposals can be discussed."))
    text = _comment_text(text)
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise ValidationError({"parent": ValidationError(_("Reply to a comment on this proposal."))})
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.visibility != Visibility.PUBLISHED and parent.author_id != author.pk:
            raise ValidationError({"parent": ValidationError(_("This comment cannot be replied to."))})

    locks = [f"participation.comment.account.{author.pk}"]
    if network:
        locks.append(f"participation.comment.network.{network}")
    _lock(*locks)
    existing = _resubmitted(Comment, submission_key, author)
    if existing is not None:
        return existing
    now = timezone.now()
    limits.check_limits(
        limits.limits_from_setting("COMMENT_LIMITS_PER_ACCOUNT"),
        Comment.objects.filter(author=author),
        limits.COMMENTS_BY_ACCOUNT,
        now=now,
    )
    if network:
        limits.check_limits(
            limits.limits_from_setting("COMMENT_LIMITS_PER_NETWORK"),
            Comment.objects.filter(sender_network=network),
            limits.COMMENTS_BY_NETWORK,
            now=now,
        )
    comment = Comment(
        proposal=proposal,
        parent=parent,
        author=author,
        text=text,
        visibility=Visibility.PENDING if settings.PROPOSALS_PREMODERATION else Visibility.PUBLISHED,
        sender_network=network,
        created_at=now,
        submission_key=submission_key or uuid.uuid4(),
    )
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        existing = _resubmitted(Comment, comment.submission_key, author)
        if existing is None:
            raise
        return existing
    return comment


def may_edit_comment(user, comment) -> bool:
    """The author may edit a comment for COMMENT_EDIT_MINUTES after writing it, unless a moderator hid it."""
    if user is None or not user.is_authenticated or comment.author_id != user.pk:
        return False
    if comment.visibility == Visibility.HIDDEN:
        return False
    return timezone.now() - comment.created_at <= datetime.timedelta(minutes=settings.COMMENT_EDIT_MINUTES)


@transaction.atomic
def edit_comment(comment, *, user, text) -> Comment:
    """Change a comment's text (its author, for a short while). With premoderation on, it waits again."""
    if not may_edit_comment(user, comment):
        raise PermissionDenied(
            _("A comment can be edited by its author only, for %(minutes)d minutes after it was written.")
            % {"minutes": settings.COMMENT_EDIT_MINUTES}
        )
    text = _comment_text(text)
    _locked(Comment, comment)
    if not may_edit_comment(user, comment):
        raise PermissionDenied(
            _("A comment can be edited by its author only, for %(minutes)d minutes after it was written.")
            % {"minutes": settings.COMMENT_EDIT_MINUTES}
        )
    if text == comment.text:
        return comment
    comment.text = text
    comment.edited_at = timezone.now()
    fields = ["text", "edited_at"]
    if settings.PROPOSALS_PREMODERATION and comment.visibility == Visibility.PUBLISHED:
        # Otherwise a comment approved as harmless could be edited into anything.
        comment.visibility = Visibility.PENDING
        fields.append("visibility")
    comment.save(update_fields=fields)
    return comment


@transaction.atomic
def publish_comment(comment, *, moderator, reason="") -> None:
    """Publish a pending or hidden comment and mail its author."""
    _require_moderator(moderator)
    reason = _optional_reason(reason)
    _locked(Comment, comment)
    if comment.visibility == Visibility.PUBLISHED:
        return
    _moderated(comment, Visibility.PUBLISHED, reason, moderator)
    notifications.comment_moderated(comment, moderator=moderator)


@transaction.atomic
def hide_comment(comment, *, moderator, reason) -> None:
    """Hide a comment from everyone but its author and the moderators; mail its author the reason (required)."""
    _require_moderator(moderator)
    reason = _reason(reason)
    _locked(Comment, comment)
    if comment.visibility == Visibility.HIDDEN and comment.moderation_reason == reason:
        return
    _moderated(comment, Visibility.HIDDEN, reason, moderator)
    notifications.comment_moderated(comment, moderator=moderator)


# Flags


@transaction.atomic
def flag(*, user, reason, note="", proposal=None, comment=None) -> Flag:
    """Report a published proposal or comment to the moderators; one open flag per person and target.

    Flagging again what one already flagged changes nothing while the flag is
    open; once moderators resolved it, flagging again opens it anew.
    """
    if (proposal is None) == (comment is None):
        raise ValueError("flag one proposal or one comment")
    if not _confirmed(user):
        raise PermissionDenied(_("Confirm your e-mail address before you report anything."))
    errors: dict = {}
    if reason not in FlagReason.values:
        errors["reason"] = [ValidationError(_("Choose what is wrong."), code="reason")]
    note = _clean_text(note, "note", REASON_LENGTH, errors, required=False)
    if errors:
        raise ValidationError(errors)
    if proposal is not None:
        _require_published(proposal, _("Only published proposals can be reported."))
        target = {"proposal": proposal, "comment__isnull": True}
    else:
        published = Comment.objects.filter(
            pk=comment.pk, visibility=Visibility.PUBLISHED, proposal__visibility=Visibility.PUBLISHED
        )
        if not published.exists():
            raise PermissionDenied(_("Only published comments can be reported."))
        target = {"comment": comment, "proposal__isnull": True}
    row, created = Flag.objects.get_or_create(user=user, **target, defaults={"reason": reason, "note": note})
    if not created and row.resolved_at is not None:
        row.reason, row.note = reason, note
        row.created_at, row.resolved_at, row.resolved_by = timezone.now(), None, None
        row.save(update_fields=["reason", "note", "created_at", "resolved_at", "resolved_by"])
    return row


@transaction.atomic
def resolve_flags(*, moderator, proposal=None, comment=None) -> int:
    """Mark the open flags of a proposal or a comment resolved; how many were open."""
    _require_moderator(moderator)
    if (proposal is None) == (comment is None):
        raise ValueError("resolve the flags of one proposal or one comment")
    flags = Flag.objects.filter(resolved_at__isnull=True)
    flags = flags.filter(proposal=proposal) if proposal is not None else flags.filter(comment=comment)
    return flags.update(resolved_at=timezone.now(), resolved_by=moderator)
