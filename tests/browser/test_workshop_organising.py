"""A workshop from start to vote: an urbanist creates a workshop with a points ballot of three park concepts and
prints participant codes; a participant on a phone enters one code, spreads points, changes their mind and
sends the vote; the projector view the organiser keeps open shows the new totals without a reload."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from participation.models import Ballot, Mark, Vote, Workshop
from tests.factories import CityFactory, ConceptFactory, ParkFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$")


@pytest.fixture
def concepts(password):
    """An urbanist, and three published renovation concepts of Gorky Park."""
    UserFactory(email="urbanist@example.org", password=password, role="urbanist")
    CityFactory(center=Point(76.9695, 43.2620, srid=4326), default_zoom=15)
    park = ParkFactory()
    return [ConceptFactory(park=park, title_en=title) for title in ("Shaded alleys", "Water garden", "Night lights")]


@pytest.fixture
def phone(browser, page_log):
    """The participant's phone: a browser context of its own, blocked from other hosts and watched like ``page``."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.set_default_timeout(15_000)

    def route(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            page_log.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    phone = context.new_page()
    phone.on("pageerror", lambda error: page_log.console_errors.append(f"uncaught (phone): {error}"))
    phone.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Failed to load resource" not in message.text
            and page_log.console_errors.append(f"{message.text} (phone)")
        ),
    )
    yield phone
    context.close()


def log_in(page, live_server, email, password):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()


def local_input(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_workshop_ballot_from_printed_codes_to_the_projector(page, phone, live_server, password, concepts, settings):
    settings.BALLOT_PROJECTOR_REFRESH_SECONDS = 1
    shaded, water, lights = concepts
    log_in(page, live_server, "urbanist@example.org", password)

    # The workshop: a title, its days, and its venue put at the map's centre.
    page.goto(live_server.url + reverse("workshops:create"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New workshop")
    page.get_by_label("Title (English)").fill("Gorky Park: choose its future")
    page.get_by_label("First day").fill("2025-06-12")
    page.get_by_label("Last day").fill("2025-06-13")
    page.get_by_label("Venue (name)").fill("Gorky Park, main gate")
    page.get_by_role("button", name="Put the venue at the centre of the map").click()
    expect(page.locator("#venue-summary")).to_contain_text("Venue: latitude 43.26")
    page.get_by_role("button", name="Create the workshop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gorky Park: choose its future")
    workshop = Workshop.objects.get()
    assert workshop.venue is not None

    # A points ballot: 10 points, at most 6 on one item, of the three concepts, open now.
    page.get_by_role("link", name="Add a ballot").click()
    page.get_by_label("Question (English)").fill("How should Gorky Park change?")
    expect(page.get_by_label("Points each voter spreads (N)")).to_be_hidden()
    page.get_by_label("points", exact=True).check()
    expect(page.get_by_label("Items a voter may choose at most (k)")).to_be_hidden()
    page.get_by_label("Points each voter spreads (N)").fill("10")
    page.get_by_label("Most points on one item (m)").fill("6")
    now = timezone.now()
    page.get_by_label("Voting opens", exact=True).fill(local_input(now - datetime.timedelta(minutes=5)))
    page.get_by_label("Voting closes", exact=True).fill(local_input(now + datetime.timedelta(days=1)))
    page.get_by_label("live, while voting is open").check()
    page.get_by_label("holders of participant codes", exact=True).check()
    page.get_by_label("Filter the records by title, park or number").fill("gorky")
    expect(page.locator("#item-filter-status")).to_have_text("3 of 3 shown")
    for concept in (water, shaded, lights):
        page.get_by_label(concept.title_en).check()
    # Chosen in another order than wanted: Water garden moves down to second place.
    page.get_by_role("button", name="Move “Water garden” down").click()
    expect(page.locator("#item-order .item-title")).to_have_text(["Shaded alleys", "Water garden", "Night lights"])
    page.get_by_role("button", name="Create the ballot").click()
    expect(page.locator(".messages")).to_contain_text("The ballot “How should Gorky Park change?” was created.")
    ballot = Ballot.objects.get()
    assert (ballot.method, ballot.points_total, ballot.points_per_item) == ("points", 10, 6)
    assert [item.subject for item in ballot.items.order_by("position")] == [shaded, water, lights]

    # Five codes, on the printable sheet.
    page.get_by_role("link", name=re.compile(r"^Participant codes\W+How should Gorky Park change\?")).click()
    page.get_by_label("Number of codes").fill("5")
    page.get_by_label("Note (optional)").fill("Table 2")
    page.get_by_role("button", name="Generate the codes and show the sheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("5 participant codes for “How should Gorky Park change?”")
    expect(page.get_by_role("button", name="Print the codes")).to_be_visible()
    codes = page.locator(".code-card .card-code code").all_text_contents()
    assert len(set(codes)) == 5 and all(CODE.match(code) for code in codes)
    expect(page.locator(".code-card svg")).to_have_count(5)
    # Printed: the cards alone, without the site around them.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".sheet-intro")).to_be_hidden()
    expect(page.locator(".code-card").first).to_be_visible()
    page.emulate_media(media="screen")

    # The organiser puts the projector view up before anyone has voted.
    page.goto(live_server.url + reverse("workshops:projector", args=[ballot.pk]))
    expect(page.locator("#projector-voters")).to_have_text("0 votes cast")
    page.evaluate("window.notReloaded = true")

    # A participant, on a phone, enters the first code.
    phone.goto(live_server.url + reverse("vote"))
    phone.get_by_label("Participant code", exact=True).fill(codes[0].lower())
    phone.get_by_role("button", name="Go to the ballot").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("How should Gorky Park change?")
    expect(phone.get_by_text("You are voting with a participant code.")).to_be_visible()

    # They spread their points, then change their mind before sending.
    phone.get_by_label("Points for “Shaded alleys”").fill("6")
    phone.get_by_label("Points for “Water garden”").fill("4")
    expect(phone.locator("#ballot-counter")).to_have_text("Points left: 0 of 10.")
    for _step in range(3):
        phone.get_by_role("button", name="One point less for “Shaded alleys”").click()
    for _step in range(3):
        phone.get_by_role("button", name="One point more for “Night lights”").click()
    expect(phone.get_by_label("Points for “Shaded alleys”")).to_have_value("3")
    expect(phone.get_by_label("Points for “Night lights”")).to_have_value("3")
    expect(phone.locator("#ballot-counter")).to_have_text("Points left: 0 of 10.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="Send my vote").click()
    expect(phone.locator(".messages")).to_contain_text("Thank you: your vote is counted")

    vote = Vote.objects.get()
    assert vote.by_code and vote.voter is None
    marks = {mark.item.subject: mark.points for mark in Mark.objects.filter(vote=vote).select_related("item")}
    assert marks == {shaded: 3, water: 4, lights: 3}

    # The projector shows the new totals, and was not reloaded.
    expect(page.locator("#projector-voters")).to_have_text("1 vote cast")
    expect(page.locator("#projector-bars .projector-title").first).to_have_text("Water garden")
    expect(page.locator("#projector-bars .projector-total").first).to_contain_text("4")
    assert page.evaluate("window.notReloaded") is True
