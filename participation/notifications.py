"""E-mails about proposals: to authors when a moderator decides, to authors and followers when the status moves.

Every mail is sent once the transaction that made the change commits
(``transaction.on_commit``), so a change rolled back never mails anyone. It is
written in the proposal's language, whatever the language of the person who
made the change, and links to the proposal by its absolute address: built from
the request where there is one, else from ``settings.QALA_SITE_URL``.

Nobody is mailed about their own action: a moderator who hides their own
comment, or an answerer who supports the proposal, gets nothing. Open311
reports have a contact address instead of an author; it is mailed as the
author would be.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from participation.models import Comment, Proposal, StatusChange, Visibility

logger = logging.getLogger(__name__)

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def absolute_url(path: str, request=None) -> str:
    """``path`` as a full address: from the request when there is one, else from QALA_SITE_URL."""
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "QALA_SITE_URL", DEFAULT_SITE_URL).rstrip("/") + path


def _same_person(user, actor) -> bool:
    return actor is not None and user is not None and user.pk == actor.pk


def _author_addresses(proposal: Proposal, actor=None) -> list[str]:
    """The proposal's author (unless they are the actor), and an Open311 report's contact address."""
    addresses = []
    author = proposal.author
    if author is not None and author.is_active and author.email and not _same_person(author, actor):
        addresses.append(author.email)
    if proposal.contact_email and not (actor is not None and actor.email.lower() == proposal.contact_email.lower()):
        addresses.append(proposal.contact_email)
    return addresses


def _unique(addresses: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            kept.append(address)
    return kept


def _send(template: str, context: dict, language: str, addresses: list[str]) -> None:
    """Render ``participation/email/<template>_subject.txt`` and ``_body.txt`` in ``language``; one mail each."""
    addresses = _unique(addresses)
    if not addresses:
        return
    with translation.override(language):
        subject = "".join(render_to_string(f"participation/email/{template}_subject.txt", context).splitlines())
        body = render_to_string(f"participation/email/{template}_body.txt", context)
    # One message per person: the recipients never see each other's addresses.
    messages = [EmailMessage(subject.strip(), body, None, [address]) for address in addresses]
    get_connection().send_messages(messages)


def _proposal_language(proposal: Proposal) -> str:
    languages = dict(settings.LANGUAGES)
    return proposal.language if proposal.language in languages else settings.LANGUAGE_CODE


def _proposal_link(proposal: Proposal, request, language: str, anchor: str = "") -> str:
    with translation.override(language):
        return absolute_url(proposal.get_absolute_url(), request) + anchor


def proposal_moderated(proposal: Proposal, *, moderator=None, request=None) -> None:
    """On commit, tell the author that their proposal was published, or hidden and why."""
    template = "proposal_published" if proposal.visibility == Visibility.PUBLISHED else "proposal_hidden"
    language = _proposal_language(proposal)
    addresses = _author_addresses(proposal, moderator)
    context = {
        "proposal": proposal,
        "title": proposal.title,
        "reason": proposal.moderation_reason,
        "link": _proposal_link(proposal, request, language),
        "due_date": proposal.due_date,
        "department": proposal.department,
    }
    transaction.on_commit(lambda: _send(template, context, language, addresses), robust=True)


def comment_moderated(comment: Comment, *, moderator=None, request=None) -> None:
    """On commit, tell a comment's author that it was published, or hidden and why (in the proposal's language)."""
    author = comment.author
    if author is None or not author.is_active or not author.email or _same_person(author, moderator):
        return
    template = "comment_published" if comment.visibility == Visibility.PUBLISHED else "comment_hidden"
    proposal = comment.proposal
    language = _proposal_language(proposal)
    context = {
        "comment": comment,
        "text": comment.text,
        "title": proposal.title,
        "reason": comment.moderation_reason,
        "link": _proposal_link(proposal, request, language, f"#comment-{comment.pk}"),
    }
    transaction.on_commit(lambda: _send(template, context, language, [author.email]), robust=True)


def status_changed(proposal: Proposal, change: StatusChange, *, actor=None, request=None) -> None:
    """On commit, tell the author (or report contact) and every follower but ``actor`` of the new status."""
    followers = (
        proposal.supports.filter(follows=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    addresses = _author_addresses(proposal, actor) + [
        support.user.email for support in followers if not _same_person(support.user, actor)
    ]
    language = _proposal_language(proposal)
    context = {
        "proposal": proposal,
        "title": proposal.title,
        "change": change,
        "note": change.note,
        "department": change.department,
        "implemented_by": proposal.implemented_by if proposal.implemented_by_id else None,
        "duplicate_of": proposal.duplicate_of if proposal.duplicate_of_id else None,
        "link": _proposal_link(proposal, request, language),
    }
    if context["duplicate_of"] is not None:
        context["duplicate_link"] = _proposal_link(context["duplicate_of"], request, language)
    transaction.on_commit(lambda: _send("status_changed", context, language, addresses), robust=True)
