"""A contest on a phone-sized window: a resident enters a photo with an idea and a place and finds it in the
gallery; a jury member then scores it with the keyboard alone."""

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from playwright.sync_api import expect

from participation.models import Entry, Score
from photos.models import Photo
from tests.factories import CityFactory, ContestFactory, CriterionFactory, UserFactory
from tests.photo_files import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDEA = "Plant a row of elms along the canal and put benches in their shade."


def log_in(page, live_server, email, password):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def test_a_resident_enters_a_photo_on_a_phone_and_a_juror_scores_it_by_keyboard(page, live_server, password):
    CityFactory(center=Point(76.9695, 43.2622, srid=4326), default_zoom=15)
    contest = ContestFactory()
    idea = CriterionFactory(contest=contest, name_en="Quality of the idea", weight=2)
    photo_criterion = CriterionFactory(contest=contest, name_en="Creativity of the photo", weight=1)
    UserFactory(email="resident@example.org", password=password, role="resident", display_name="Aigerim")
    juror = UserFactory(email="jury@example.org", password=password, role="jury")
    contest.jury.add(juror)
    page.set_viewport_size({"width": 375, "height": 800})

    # The resident enters: a photo, the idea, hashtags, and the place tapped on the map.
    log_in(page, live_server, "resident@example.org", password)
    page.goto(live_server.url + contest.get_absolute_url())
    page.get_by_role("link", name="Enter the contest").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter “Most active citizen”")
    no_sideways_scroll(page)
    page.get_by_label("Photo", exact=True).set_input_files(
        {"name": "canal.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    page.get_by_label("Your idea").fill(IDEA)
    page.get_by_label("Hashtags (optional)").fill("#Trees, shade")
    page.locator("#entry-map").scroll_into_view_if_needed()
    page.locator("#entry-map").click()
    expect(page.locator("#entry-status")).to_contain_text("The place is the point at latitude")
    page.get_by_role("button", name="Send my entry").click()

    expect(page.locator(".messages")).to_contain_text("your entry is in the contest's gallery")
    entry = Entry.objects.get()
    assert entry.hashtags == ["trees", "shade"]
    assert entry.place is not None and entry.place.distance(Point(76.9695, 43.2622, srid=4326)) < 0.01
    assert Photo.objects.of(entry).count() == 1
    page.get_by_role("link", name="Contest and gallery").click()
    card = page.locator(f"#entry-{entry.pk}")
    expect(card.get_by_role("link", name=IDEA[:60], exact=False)).to_be_visible()
    expect(card.get_by_role("link", name="#trees")).to_be_visible()
    expect(card).to_contain_text("Aigerim")
    # The thumbnail is loaded lazily: once the card is in view, its picture arrives.
    card.scroll_into_view_if_needed()
    thumbnail = card.locator("img").element_handle()
    page.wait_for_function("image => image.complete && image.naturalWidth > 0", arg=thumbnail)
    no_sideways_scroll(page)

    # The juror opens their page and scores the entry without the mouse: type, Tab, type, Enter.
    log_in(page, live_server, "jury@example.org", password)
    page.goto(live_server.url + reverse("contests:jury", args=[contest.pk]))
    expect(page.locator("#progress")).to_have_text("You scored 0 of 1 entry on every criterion.")
    page.get_by_role("link", name=IDEA[:60], exact=False).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Score entry 1 of 1")
    expect(page.get_by_label("Quality of the idea")).to_be_focused()
    no_sideways_scroll(page)
    page.keyboard.type("8")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Creativity of the photo")).to_be_focused()
    page.keyboard.type("7")
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("Your scores of entry 1 were saved.")
    expect(page.locator("#progress")).to_have_text("You scored 1 of 1 entry on every criterion.")
    assert dict(Score.objects.filter(juror=juror).values_list("criterion_id", "value")) == {
        idea.pk: 8,
        photo_criterion.pk: 7,
    }
