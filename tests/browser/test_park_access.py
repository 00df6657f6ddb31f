"""The park access page in a real browser: a visitor picks a concept, or draws a park, for the what-if and sees
the change in the live region and the table; the page fits a phone.

The toy city is tests/parks/test_access.py's: 500 of 1,000 residents within 800 m of the park; a park astride
the northern street (x 900 to 1,100 m, y 700 to 900 m) brings the north cell's 200 residents within.
"""

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import CityFactory, ConceptFactory, DistrictFactory, UserFactory
from tests.parks.test_access import box, cell, lonlat, park, street

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GAIN = "+200 residents within 800 m walk of an open park (50 % → 70 %)."


@pytest.fixture
def toy_city():
    """The toy city, with a closed park astride the northern street and a concept that opens it."""
    CityFactory()
    west = DistrictFactory(geom=MultiPolygon(box(-200, -600, 1200, 1200), srid=4326), name="West", name_en="West")
    east = DistrictFactory(geom=MultiPolygon(box(1200, -600, 2600, 1200), srid=4326), name="East", name_en="East")
    street((0, 0), (1000, 0), (2000, 0))
    street((1000, 0), (1000, 1000))
    cell(300, -20, 300, west)
    cell(1040, 500, 200, west)
    cell(1500, 50, 100, east)
    cell(1950, 200, 400, east)
    park()
    closed = park(west=900, south=700, east=1100, north=900, state="closed", name_en="Northern Park")
    return ConceptFactory(park=closed, title_en="Open the northern park")


def open_page(page, live_server, query: str = "") -> None:
    page.goto(live_server.url + reverse("parks:access") + query)
    expect(page.get_by_role("heading", level=1)).to_have_text("Park access: who lives within a walk of a park")
    page.wait_for_timeout(300)  # the map's fit ends


def screen_point(page, x: float, y: float) -> tuple[float, float]:
    """Where the toy city's point (metres) lies on the screen."""
    longitude, latitude = lonlat(x, y)
    point = page.evaluate(
        "([lat, lng]) => document.getElementById('access-map').qalaMap.map.latLngToContainerPoint([lat, lng])",
        [latitude, longitude],
    )
    box = page.locator("#access-map").bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def test_a_visitor_picks_a_concept_and_sees_what_it_changes(page, live_server, toy_city):
    open_page(page, live_server)
    expect(page.locator("#access-sentence")).to_contain_text("500 of 1,000 residents (50 %) live within 800 m")

    page.get_by_label("A renovation concept").select_option(label="Northern Park: Open the northern park")
    page.get_by_role("button", name="See the change").click()

    expect(page.get_by_role("status").filter(has_text="+200")).to_have_text(GAIN)
    expect(page.get_by_role("row", name="West")).to_contain_text("+200 (0 % → 40 %)")
    expect(page.get_by_role("row", name="East")).to_contain_text("no change")


def test_a_visitor_draws_a_park_and_sees_what_it_changes(page, live_server, toy_city):
    open_page(page, live_server)

    page.get_by_role("button", name="Draw a rectangle").click()
    page.mouse.click(*screen_point(page, 900, 700))
    page.wait_for_timeout(150)
    page.mouse.click(*screen_point(page, 1100, 900))
    expect(page.locator("#what-if-drawn")).to_be_visible()
    page.get_by_role("button", name="See the change").click()

    expect(page.locator("#what-if-result")).to_have_text(GAIN)


def test_a_link_from_a_concept_shows_its_change_at_once(page, live_server, toy_city):
    open_page(page, live_server, f"?concept={toy_city.pk}")

    expect(page.locator("#what-if-result")).to_have_text(GAIN)
    expect(page.get_by_label("A renovation concept")).to_have_value(str(toy_city.pk))


def test_asking_without_a_park_says_what_to_do(page, live_server, toy_city):
    open_page(page, live_server)

    page.get_by_role("button", name="See the change").click()

    expect(page.get_by_role("alert")).to_have_text("Draw a park on the map or choose a concept first.")


def test_the_access_page_fits_a_375_pixel_wide_phone(page, live_server, toy_city):
    page.set_viewport_size({"width": 375, "height": 740})
    open_page(page, live_server)

    for selector in ("h1", "#access-map", "#what-if-concept", "#what-if-form .button", ".access-table"):
        element = page.locator(selector).first
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        if selector == ".access-table":
            # The table scrolls inside its own region; the region stays on the screen.
            box = page.locator(".access-table").locator("xpath=..").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_an_urbanist_shows_the_cells_outside_the_walking_distance(page, live_server, toy_city, password):
    UserFactory(email="urbanist@example.org", password=password, role="urbanist")
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill("urbanist@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()
    open_page(page, live_server)

    page.get_by_label("Show the population cells farther than 800 m").check()

    # The west and north cells are outside.
    expect(page.locator("path.access-outside-cell")).to_have_count(2)


def test_visitors_are_not_offered_the_cells(page, live_server, toy_city):
    open_page(page, live_server)

    expect(page.locator("#access-outside")).to_have_count(0)
