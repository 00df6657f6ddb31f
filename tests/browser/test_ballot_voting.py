"""A participant votes on a phone with a participant code; the projector view follows the votes as they come."""

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from playwright.sync_api import expect

from participation import voting
from participation.models import Vote
from tests.factories import (
    GORKY_ALLEY,
    BallotFactory,
    CityFactory,
    ConceptFactory,
    ItemFactory,
    ParkFactory,
    UserFactory,
    ZoneFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ballot(transactional_db):
    """An open points ballot (10 points, at most 5 on one item) on three concepts for Gorky Park."""
    CityFactory(center=Point(76.9695, 43.2620, srid=4326), default_zoom=15)
    park = ParkFactory()
    ballot = BallotFactory(points=True, title_en="How would you renovate Gorky Park?")
    for title, purpose in (("Shade", "playground"), ("Water", "water"), ("Lights", "lighting")):
        concept = ConceptFactory(park=park, title_en=title)
        ZoneFactory(concept=concept, purpose=purpose)
        ZoneFactory(concept=concept, purpose="path", label="Main alley", geom=GORKY_ALLEY.clone())
        ItemFactory(ballot=ballot, subject=concept)
    return ballot


def items_by_title(ballot) -> dict[str, int]:
    return {item.subject.title: item.pk for item in ballot.items.all()}


def press(page, name: str, times: int) -> None:
    button = page.get_by_role("button", name=name, exact=True)
    for _ in range(times):
        button.click()


def test_a_participant_enters_a_code_on_a_phone_spreads_points_changes_their_mind_and_votes(page, live_server, ballot):
    _batch, codes = voting.generate_codes(ballot, 1)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + reverse("vote"))

    page.get_by_label("Participant code", exact=True).fill(codes[0].lower().replace("-", " "))
    page.get_by_role("button", name="Go to the ballot").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("How would you renovate Gorky Park?")
    expect(page.get_by_text("Your code is accepted: you can vote now.")).to_be_visible()
    counter = page.locator("#ballot-counter")
    expect(counter).to_have_text("Points left: 10 of 10.")
    # The first card's map is drawn as soon as it is on the screen, and takes no focus.
    expect(page.locator(".ballot-item-map-drawn").first).to_be_visible()
    assert page.locator(".ballot-item-map-drawn").first.get_attribute("tabindex") is None

    press(page, "One point more for “Shade”", 3)
    press(page, "One point more for “Water”", 2)
    expect(counter).to_have_text("Points left: 5 of 10.")
    # On second thoughts: less shade, more lights.
    press(page, "One point less for “Shade”", 2)
    press(page, "One point more for “Lights”", 4)
    expect(counter).to_have_text("Points left: 3 of 10.")
    expect(page.get_by_label("Points for “Shade”")).to_have_value("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("button", name="Send my vote").click()

    expect(page.get_by_text("Thank you: your vote is counted;")).to_be_visible()
    expect(page.locator(".voted-note")).to_contain_text("you can change your vote.")
    expect(page.get_by_label("Points for “Lights”")).to_have_value("4")
    items = items_by_title(ballot)
    vote = Vote.objects.get(ballot=ballot)
    assert vote.by_code
    assert dict(vote.marks.values_list("item_id", "points")) == {
        items["Shade"]: 1,
        items["Water"]: 2,
        items["Lights"]: 4,
    }


def test_the_projector_shows_a_new_vote_without_reloading(page, live_server, ballot, settings):
    settings.BALLOT_PROJECTOR_REFRESH_SECONDS = 1
    items = items_by_title(ballot)
    voting.cast_vote(ballot, voting.Voter(account=UserFactory()), {items["Shade"]: 5, items["Water"]: 5})
    page.goto(live_server.url + reverse("workshops:projector", args=[ballot.pk]))
    expect(page.locator("#projector-voters")).to_have_text("1 vote cast")
    expect(page.locator(".projector-bar-row").first).to_contain_text("Shade")
    page.evaluate("window.qalaNotReloaded = true")

    voting.cast_vote(ballot, voting.Voter(account=UserFactory()), {items["Lights"]: 5, items["Water"]: 3})

    expect(page.locator("#projector-voters")).to_have_text("2 votes cast")
    first = page.locator(".projector-bar-row").first
    expect(first).to_contain_text("Water")
    expect(first).to_contain_text("8")
    expect(page.locator(f'.result-map-card[data-item="{items["Lights"]}"] [data-figures]')).to_have_text(
        "Rank 2: 5 (27.8 %)"
    )
    assert page.evaluate("window.qalaNotReloaded") is True
