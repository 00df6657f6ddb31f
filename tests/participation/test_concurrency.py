"""Requests that arrive at the same moment: the database keeps one support, one proposal, one status step.

Each test runs real threads, each with its own database connection, against
committed data (a transactional test), started together by a barrier.
"""

import uuid

import pytest
from django.core.exceptions import ValidationError

from participation import services
from participation.limits import LimitReached
from participation.models import Comment, Proposal, StatusChange, Support
from tests.concurrency import at_once
from tests.factories import (
    PANFILOV_BENCH,
    CityFactory,
    DistrictFactory,
    ProposalCategoryFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def new_proposal(key) -> Proposal:
    return Proposal(
        kind="problem",
        category=ProposalCategoryFactory(slug="lighting"),
        title="A dark underpass",
        description="No light at night.",
        language="en",
        geom=PANFILOV_BENCH.clone(),
        submission_key=key,
    )


@pytest.fixture
def proposal():
    CityFactory()
    DistrictFactory()
    return ProposalFactory()


def test_many_requests_to_support_leave_exactly_one_support_per_resident(proposal):
    residents = [UserFactory() for _ in range(5)]
    calls = [lambda user=user: services.support(proposal, user) for user in residents for _ in range(4)]

    results = at_once(*calls)

    assert all(isinstance(result, Support) for result in results), results
    assert Support.objects.filter(proposal=proposal).count() == 5
    for user in residents:
        assert Support.objects.filter(proposal=proposal, user=user).count() == 1
        assert len({result.pk for result in results if result.user_id == user.pk}) == 1


def test_one_form_sent_twice_at_once_makes_one_proposal():
    CityFactory()
    DistrictFactory()
    author, key = UserFactory(), uuid.uuid4()

    results = at_once(*[lambda: services.submit_proposal(new_proposal(key), author=author) for _ in range(4)])

    assert all(isinstance(result, Proposal) for result in results), results
    assert Proposal.objects.filter(submission_key=key).count() == 1
    assert len({result.pk for result in results}) == 1


def test_one_comment_form_sent_twice_at_once_makes_one_comment(proposal):
    author, key = UserFactory(), uuid.uuid4()

    results = at_once(
        *[lambda: services.add_comment(proposal, author=author, text="Me too", submission_key=key) for _ in range(4)]
    )

    assert all(isinstance(result, Comment) for result in results), results
    assert Comment.objects.filter(submission_key=key).count() == 1


def test_limits_hold_when_a_resident_sends_many_proposals_at_once(settings):
    settings.PROPOSAL_LIMITS_PER_ACCOUNT = "3/hour"
    CityFactory()
    DistrictFactory()
    author = UserFactory()

    results = at_once(*[lambda: services.submit_proposal(new_proposal(uuid.uuid4()), author=author) for _ in range(6)])

    assert sum(isinstance(result, Proposal) for result in results) == 3
    assert sum(isinstance(result, LimitReached) for result in results) == 3
    assert Proposal.objects.filter(author=author).count() == 3


def test_two_answerers_moving_the_same_proposal_at_once_make_one_step(proposal):
    first, second = UserFactory(role="moderator"), UserFactory(role="moderator")

    results = at_once(
        lambda: services.change_status(proposal, "under_review", user=first),
        lambda: services.change_status(proposal, "under_review", user=second),
    )

    assert sum(isinstance(result, StatusChange) for result in results) == 1
    assert sum(isinstance(result, ValidationError) for result in results) == 1
    assert StatusChange.objects.filter(proposal=proposal, status="under_review").count() == 1
