"""The workshops' list and a workshop's page: dates, venue, ballots and their state, concepts, organisers' links."""

import datetime
import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from parks.models import RenovationConcept
from participation.models import ResultsShown
from tests.factories import BallotFactory, CityFactory, ConceptFactory, ParkFactory, UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

LIST = reverse("workshops:list")


@pytest.fixture(autouse=True)
def almaty(db):
    return CityFactory()


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def days(count: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=count)


@pytest.fixture
def workshop(db):
    """A workshop under way this week, at the Central Park's summer stage."""
    return WorkshopFactory(
        title_en="Gorky Park, together",
        starts_on=days(-1),
        ends_on=days(1),
        venue=Point(76.9695, 43.2620, srid=4326),
        venue_name="Summer stage, Gorky Park",
    )


def concept_of(workshop, **fields) -> RenovationConcept:
    return ConceptFactory(park=ParkFactory(), origin="workshop", workshop=workshop, **fields)


# The list


def test_the_list_puts_workshops_under_way_before_past_ones(client, workshop):
    WorkshopFactory(title_en="An old workshop")  # May 2023

    page_text = text(client.get(LIST))

    assert page_text.index("Gorky Park, together") < page_text.index("Past workshops") < page_text.index("An old")


def test_the_list_shows_each_workshops_dates_and_venue(client, workshop):
    page_text = text(client.get(LIST))

    assert "Summer stage, Gorky Park" in page_text
    assert re.search(r"Gorky Park, together .* to .* · Summer stage", page_text)


def test_the_list_says_of_each_ballot_when_it_opens_or_closes(client, workshop):
    now = timezone.now()
    BallotFactory(workshop=workshop, title_en="Which is best?")
    BallotFactory(
        workshop=workshop,
        title_en="Which comes next?",
        opens_at=now + datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=2),
    )
    BallotFactory(
        workshop=workshop,
        title_en="Which came first?",
        opens_at=now - datetime.timedelta(days=2),
        closes_at=now - datetime.timedelta(days=1),
    )

    page_text = text(client.get(LIST))

    assert re.search(r"Open Which is best\? Voting is open until", page_text)
    assert re.search(r"Not open yet Which comes next\? Voting opens on", page_text)
    assert re.search(r"Closed Which came first\? Voting closed on", page_text)


def test_the_list_has_a_way_in_for_a_participant_code(client):
    assert reverse("vote") in client.get(LIST).content.decode()


def test_an_empty_list_says_nothing_is_planned(client):
    assert "No workshop is planned at the moment." in text(client.get(LIST))


# A workshop's page


def test_a_workshops_page_shows_its_ballots_with_their_state_and_links(client, workshop):
    ballot = BallotFactory(workshop=workshop)

    response = client.get(workshop.get_absolute_url())
    content = response.content.decode()

    assert "Which concept is best?" in text(response)
    assert "Voting is open until" in text(response)
    assert ballot.get_absolute_url() in content
    assert reverse("workshops:results", args=[ballot.pk]) in content
    assert reverse("workshops:projector", args=[ballot.pk]) in content


def test_results_links_are_left_out_while_results_wait_for_the_close(client, workshop):
    ballot = BallotFactory(workshop=workshop, results_shown=ResultsShown.AFTER_CLOSE)

    content = client.get(workshop.get_absolute_url()).content.decode()

    assert reverse("workshops:results", args=[ballot.pk]) not in content
    assert reverse("workshops:projector", args=[ballot.pk]) not in content


def test_the_venue_is_on_a_small_map_with_its_name(client, workshop):
    response = client.get(workshop.get_absolute_url())

    config = json.loads(re.search(r'id="venue-map-config"[^>]*>(.*?)</script>', response.content.decode(), re.S)[1])
    assert config["features"][0]["geometry"]["coordinates"] == [76.9695, 43.262]
    assert config["features"][0]["properties"]["title"] == "Summer stage, Gorky Park"
    assert 'aria-describedby="venue-text"' in response.content.decode()


def test_a_workshop_without_a_venue_has_no_map(client):
    workshop = WorkshopFactory()

    response = client.get(workshop.get_absolute_url())

    assert "venue-map-config" not in response.content.decode()


def test_the_page_lists_the_workshops_published_concepts_but_not_its_drafts(client, resident, workshop):
    concept_of(workshop, title_en="Shade for everyone")
    concept_of(workshop, title_en="Secret draft", is_published=False)
    client.force_login(resident)

    response = client.get(workshop.get_absolute_url())

    assert "Shade for everyone" in text(response)
    assert "Secret draft" not in response.content.decode()


def test_an_urbanist_sees_the_workshops_drafts_marked_as_drafts(client, urbanist, workshop):
    concept_of(workshop, title_en="Secret draft", is_published=False)
    client.force_login(urbanist)

    response = client.get(workshop.get_absolute_url())

    assert re.search(r"Secret draft \(Gorky Central Park\) draft", text(response))


def test_an_organiser_of_the_workshop_sees_the_organisers_links(client, workshop):
    organiser = UserFactory(role="resident")
    workshop.organisers.add(organiser)
    ballot = BallotFactory(workshop=workshop)
    client.force_login(organiser)

    content = client.get(workshop.get_absolute_url()).content.decode()

    for name, pk in (
        ("edit", workshop.pk),
        ("ballot_create", workshop.pk),
        ("ballot_edit", ballot.pk),
        ("codes", ballot.pk),
        ("audit", ballot.pk),
    ):
        assert reverse(f"workshops:{name}", args=[pk]) in content


def test_a_resident_sees_no_organisers_links(client, resident, workshop):
    ballot = BallotFactory(workshop=workshop)
    client.force_login(resident)

    content = client.get(workshop.get_absolute_url()).content.decode()

    assert reverse("workshops:edit", args=[workshop.pk]) not in content
    assert reverse("workshops:codes", args=[ballot.pk]) not in content


def test_an_unknown_workshop_is_not_found(client):
    assert client.get(reverse("workshops:detail", args=[999_999])).status_code == 404


def test_the_list_offers_a_new_workshop_to_those_who_may_create_one(client, urbanist, resident):
    client.force_login(resident)
    assert reverse("workshops:create") not in client.get(reverse("workshops:list")).content.decode()

    client.force_login(urbanist)
    page = client.get(reverse("workshops:list")).content.decode()

    assert f'href="{reverse("workshops:create")}"' in page
