"""The moderation queue: who may open it, publishing (routing, due date), hiding with a reason, comments, flags."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.models import Comment, Flag, Proposal
from tests.factories import (
    CityFactory,
    CommentFactory,
    DepartmentFactory,
    DistrictFactory,
    PhotoFactory,
    ProposalCategoryFactory,
    ProposalFactory,
    RouteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("participation:moderation")


@pytest.fixture(autouse=True)
def almaly(db):
    """Almaty with its Almaly district, where the proposals of the factories lie."""
    CityFactory()
    return DistrictFactory()


@pytest.fixture
def moderating(client, moderator):
    client.force_login(moderator)
    return client


def moderate(client, proposal: Proposal, follow: bool = True, **data):
    return client.post(reverse("participation:moderate", args=[proposal.pk]), data, follow=follow)


def moderate_comment(client, comment: Comment, follow: bool = True, **data):
    return client.post(reverse("participation:comment_moderate", args=[comment.pk]), data, follow=follow)


# Who may moderate.


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["resident", "urbanist", "jury_member"])
def test_a_user_who_is_not_a_moderator_gets_the_forbidden_page(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(QUEUE)

    assert response.status_code == 403
    assert "This page is for moderators and city departments" in response.content.decode()


def test_a_resident_cannot_publish_a_proposal(client, resident):
    proposal = ProposalFactory(visibility="pending")
    client.force_login(resident)

    response = moderate(client, proposal, follow=False, action="publish")

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.visibility == "pending"


def test_moderators_and_admins_open_the_queue(client, moderator, admin_user):
    for user in (moderator, admin_user):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 200


# Proposals.


def test_the_queue_lists_pending_proposals_oldest_first_with_what_a_moderator_needs(moderating):
    author = UserFactory(role="resident", display_name="Aigerim Seitkali")
    now = timezone.now()
    ProposalFactory(visibility="pending", title="Newer bench", created_at=now - datetime.timedelta(hours=1))
    older = ProposalFactory(
        visibility="pending", title="Older lamp", author=author, created_at=now - datetime.timedelta(days=2)
    )
    PhotoFactory(owner=older)
    ProposalFactory(title="Already published")

    content = moderating.get(QUEUE).content.decode()

    assert content.index("Older lamp") < content.index("Newer bench")
    assert "Already published" not in content
    assert "Aigerim Seitkali" in content
    assert "Street lighting" in content
    assert "Problem report" in content
    assert "Almaly District" in content
    assert "1 photo" in content
    assert older.get_absolute_url() in content
    assert "2 proposals waiting" in content


def test_publishing_routes_the_proposal_and_sets_its_due_date(moderating, almaly):
    lighting = ProposalCategoryFactory(slug="lighting")
    akimat = DepartmentFactory(name_en="Akimat of Almaly District")
    RouteFactory(category=lighting, district=almaly, department=akimat, deadline_days=10)
    proposal = ProposalFactory(visibility="pending", category=lighting, published_at=None)

    response = moderate(moderating, proposal, action="publish", next=QUEUE)

    proposal.refresh_from_db()
    assert proposal.visibility == "published"
    assert proposal.department == akimat
    assert proposal.published_at is not None
    assert proposal.due_date == timezone.localdate(proposal.published_at) + datetime.timedelta(days=10)
    assert response.redirect_chain[-1][0] == QUEUE
    assert f"“{proposal.title}” is published." in response.content.decode()


def test_a_published_proposal_leaves_the_queue(moderating):
    proposal = ProposalFactory(visibility="pending", title="A bench on Panfilov Street", published_at=None)

    response = moderate(moderating, proposal, action="publish")

    assert "No proposal is waiting." in response.content.decode()


def test_hiding_a_proposal_needs_a_reason(moderating):
    proposal = ProposalFactory(visibility="pending", published_at=None)

    response = moderate(moderating, proposal, action="hide", reason="  ")

    proposal.refresh_from_db()
    assert proposal.visibility == "pending"
    assert "Give a reason for hiding it: its author will read it." in response.content.decode()


def test_the_author_sees_why_a_moderator_hid_the_proposal(client, moderator):
    author = UserFactory(role="resident")
    proposal = ProposalFactory(visibility="pending", author=author, published_at=None)
    client.force_login(moderator)

    response = moderate(client, proposal, action="hide", reason="The text gives a neighbour's phone number.")

    proposal.refresh_from_db()
    assert proposal.visibility == "hidden"
    assert proposal.moderation_reason == "The text gives a neighbour's phone number."
    assert proposal.moderated_by == moderator
    assert "is hidden; its author is told why." in response.content.decode()
    client.force_login(author)
    page = client.get(proposal.get_absolute_url())
    assert page.status_code == 200
    assert "The text gives a neighbour&#x27;s phone number." in page.content.decode()


def test_the_form_goes_back_to_a_local_next_page_only(moderating):
    first, second = ProposalFactory(visibility="pending"), ProposalFactory(visibility="pending")
    elsewhere = reverse("participation:department")

    local = moderate(moderating, first, follow=False, action="publish", next=elsewhere)
    foreign = moderate(moderating, second, follow=False, action="publish", next="https://evil.example/phish")

    assert local["Location"] == elsewhere
    assert foreign["Location"] == QUEUE


def test_an_unknown_action_changes_nothing(moderating):
    proposal = ProposalFactory(visibility="pending")

    response = moderate(moderating, proposal, action="delete")

    proposal.refresh_from_db()
    assert proposal.visibility == "pending"
    assert "The form was not understood; nothing was changed." in response.content.decode()


# Comments.


def test_the_queue_lists_pending_comments_with_their_proposal(moderating):
    proposal = ProposalFactory(title="Dark courtyard on Kabanbay Batyr")
    CommentFactory(proposal=proposal, visibility="pending", text="The lamp went out again yesterday.")
    CommentFactory(proposal=proposal, text="A comment already published.")

    content = moderating.get(QUEUE).content.decode()

    assert "The lamp went out again yesterday." in content
    assert "A comment already published." not in content
    assert "Dark courtyard on Kabanbay Batyr" in content
    assert reverse("participation:comment_moderate", args=[Comment.objects.get(visibility="pending").pk]) in content


def test_a_moderator_publishes_a_comment(moderating):
    comment = CommentFactory(visibility="pending")

    response = moderate_comment(moderating, comment, action="publish")

    comment.refresh_from_db()
    assert comment.visibility == "published"
    assert "The comment is published." in response.content.decode()


def test_a_moderator_hides_a_comment_with_a_reason_and_not_without(moderating):
    comment = CommentFactory(visibility="pending")

    refused = moderate_comment(moderating, comment, action="hide", reason="")
    comment.refresh_from_db()
    assert comment.visibility == "pending"
    assert "Give a reason for hiding it: its author will read it." in refused.content.decode()

    moderate_comment(moderating, comment, action="hide", reason="Insults another resident.")
    comment.refresh_from_db()
    assert comment.visibility == "hidden"
    assert comment.moderation_reason == "Insults another resident."


# Flags.


def test_flags_are_listed_by_target_with_their_count_and_reasons(moderating):
    proposal = ProposalFactory(title="Buy cheap phones here")
    comment = CommentFactory(text="You are all idiots.")
    for reason in ("spam", "spam", "off_topic"):
        Flag.objects.create(proposal=proposal, user=UserFactory(role="resident"), reason=reason)
    Flag.objects.create(comment=comment, user=UserFactory(role="resident"), reason="abuse", note="Insults.")
    Flag.objects.create(
        proposal=ProposalFactory(title="Resolved long ago"),
        user=UserFactory(role="resident"),
        reason="spam",
        resolved_at=timezone.now(),
    )

    content = moderating.get(QUEUE).content.decode()

    assert "2 flagged items" in content
    assert "Buy cheap phones here" in content
    assert "3 flags" in content
    assert "Spam or advertising: 2" in content
    assert "Not about the city: 1" in content
    assert "You are all idiots." in content
    assert "Insults, threats or hate: 1" in content
    assert "“Insults.”" in content
    assert "Resolved long ago" not in content


def test_hiding_a_flagged_proposal_resolves_its_flags(moderating, moderator):
    proposal = ProposalFactory()
    flags = [Flag.objects.create(proposal=proposal, user=UserFactory(role="resident"), reason="spam") for _ in "ab"]

    response = moderate(moderating, proposal, action="hide", reason="Advertising.")

    proposal.refresh_from_db()
    assert proposal.visibility == "hidden"
    for flag in flags:
        flag.refresh_from_db()
        assert flag.resolved_at is not None
        assert flag.resolved_by == moderator
    assert "No open flag." in response.content.decode()


def test_keeping_a_flagged_comment_published_resolves_its_flags(moderating):
    comment = CommentFactory()
    flag = Flag.objects.create(comment=comment, user=UserFactory(role="resident"), reason="abuse")

    response = moderate_comment(moderating, comment, action="publish")

    comment.refresh_from_db()
    flag.refresh_from_db()
    assert comment.visibility == "published"
    assert flag.resolved_at is not None
    assert "The comment stays published." in response.content.decode()


def test_html_in_what_residents_wrote_is_shown_as_text(moderating):
    proposal = ProposalFactory(title="<script>alert(1)</script> lamp", visibility="pending")
    CommentFactory(proposal=proposal, visibility="pending", text="<b>bold</b> claim")

    content = moderating.get(QUEUE).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; lamp" in content
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in content
