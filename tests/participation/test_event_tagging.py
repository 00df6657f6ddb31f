"""Proposals made at an event: tagged while the event is on, shown on the event's page afterwards."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from participation import events
from participation.models import Proposal
from tests.factories import ARBAT, CityFactory, DistrictFactory, EventFactory, ProposalCategoryFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("participation:create")


@pytest.fixture(autouse=True)
def almaty(db):
    CityFactory()
    return DistrictFactory()


@pytest.fixture
def lighting(db):
    return ProposalCategoryFactory(slug="lighting")


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def forum_now():
    """A forum that started an hour ago and ends in two hours."""
    now = timezone.now()
    return EventFactory(
        title_en="Parks forum",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=2),
        registration_deadline=now - datetime.timedelta(days=1),
    )


@pytest.fixture
def forum_last_week():
    now = timezone.now()
    start = now - datetime.timedelta(days=7)
    return EventFactory(
        title_en="Last week's forum",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        registration_deadline=start - datetime.timedelta(days=1),
    )


def proposal_data(category, **overrides) -> dict:
    data = {
        "kind": "public_space",
        "category": category.pk,
        "title": "Shade over the forum's square",
        "description": "Trees along the square's south side.",
        "language": "en",
        "geom": ARBAT.geojson,
        "subject": "",
        "event": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return response.content.decode()


def test_the_event_page_offers_to_make_a_proposal_while_the_event_is_on(client, forum_now):
    page = text(client.get(forum_now.get_absolute_url()))

    assert "Make a proposal at this event" in page
    assert f"{CREATE}?event={forum_now.pk}" in page


def test_the_event_page_does_not_offer_it_before_the_event(client):
    page = text(client.get(EventFactory().get_absolute_url()))

    assert "Make a proposal at this event" not in page


def test_the_form_reached_from_the_event_has_it_chosen(signed_in, lighting, forum_now):
    page = text(signed_in.get(f"{CREATE}?event={forum_now.pk}"))

    assert f'<option value="{forum_now.pk}" selected>Parks forum</option>' in page


def test_a_proposal_made_during_the_event_is_tagged_and_shown_on_its_page_afterwards(
    signed_in, lighting, forum_now, settings, client
):
    settings.PROPOSALS_PREMODERATION = False

    response = signed_in.post(CREATE, proposal_data(lighting, event=str(forum_now.pk)))

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert proposal.event == forum_now
    detail = text(signed_in.get(proposal.get_absolute_url()))
    assert "Made at" in detail and f'href="{forum_now.get_absolute_url()}"' in detail
    event_page = text(signed_in.get(forum_now.get_absolute_url()))
    assert "Proposals made at this event" in event_page
    assert "Shade over the forum&#x27;s square" in event_page


def test_a_proposal_made_after_the_event_is_refused_the_tag_with_the_event_and_its_times(
    signed_in, lighting, forum_last_week
):
    response = signed_in.post(CREATE, proposal_data(lighting, event=str(forum_last_week.pk)))

    assert response.status_code == 200
    assert not Proposal.objects.exists()
    page = text(response)
    assert "The proposal cannot be tagged to “Last week&#x27;s forum”" in page
    assert events.when_text(forum_last_week) in page


def test_a_proposal_without_an_event_is_not_tagged(signed_in, lighting, forum_now):
    signed_in.post(CREATE, proposal_data(lighting))

    assert Proposal.objects.get().event is None


def test_a_link_to_an_event_that_is_over_is_dropped_with_a_warning(signed_in, lighting, forum_last_week):
    page = text(signed_in.get(f"{CREATE}?event={forum_last_week.pk}"))

    assert "The proposal cannot be tagged to “Last week&#x27;s forum”" in page
    assert "selected>Last week" not in page
