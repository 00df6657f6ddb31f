"""Making a proposal in a real browser: a resident draws a line along a street with Geoman, sees the project
already there, adds a photo and sends it; or gives their location as the place."""

import json

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from playwright.sync_api import expect

from participation.models import Proposal
from photos.models import Photo
from tests.factories import (
    ARBAT,
    CityFactory,
    DistrictFactory,
    ProjectFactory,
    ProposalCategoryFactory,
    StreetFactory,
    UserFactory,
)
from tests.photo_files import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GEOMAN_LINE = ".leaflet-pm-toolbar .leaflet-pm-icon-polyline"


@pytest.fixture
def resident_page(page, live_server, password):
    """Almaty opening on Arbat (a street with a project on it), and a resident logged in through the log-in page."""
    CityFactory(center=Point(76.94445, 43.2610, srid=4326), default_zoom=16)
    DistrictFactory()
    ProposalCategoryFactory(slug="lighting", name_en="Street lighting")
    StreetFactory(name="Zhibek Zholy", name_en="Zhibek Zholy Street", highway="pedestrian", geom=ARBAT.clone())
    ProjectFactory(title_en="Arbat pedestrian zone")
    UserFactory(email="resident@example.org", password=password, role="resident")
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill("resident@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()
    return page


def open_form(page, live_server):
    page.goto(live_server.url + reverse("participation:create"))
    # The street under the map is drawn once the page's script has fetched it.
    page.wait_for_selector("#proposal-map path.qala-reference-streets", state="attached")


def map_centre(page) -> tuple[float, float]:
    box = page.locator("#proposal-map").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_a_resident_draws_a_line_along_a_street_adds_a_photo_and_sends_it(resident_page, live_server):
    page = resident_page
    open_form(page, live_server)
    page.locator("#proposal-map").scroll_into_view_if_needed()

    # Along Arbat (it rises about 1 px in 6 to the east), through the map's centre, where the street is;
    # click the vertices, then the last one again to finish.
    page.locator(GEOMAN_LINE).click()
    x, y = map_centre(page)
    for point in [(x - 120, y + 19), (x, y), (x + 120, y - 19), (x + 120, y - 19)]:
        page.mouse.click(*point)

    geometry = json.loads(page.locator("#id_geom").input_value())
    assert geometry["type"] == "LineString"
    assert len(geometry["coordinates"]) == 3
    expect(page.locator("#proposal-status")).to_have_text("The place is a line on the map.")
    nearby = page.locator("#nearby-results")
    expect(nearby.get_by_role("link", name="Arbat pedestrian zone")).to_be_visible()

    page.get_by_label("Problem report").check()
    page.get_by_label("Category").select_option(label="Street lighting")
    page.get_by_label("Title").fill("Half of the lamps on Arbat are out")
    page.get_by_label("Description").fill("From the Ablai Khan corner to Furmanov Street.")
    page.get_by_label("Photos", exact=True).set_input_files(
        {"name": "lamps.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    page.get_by_role("button", name="Send the proposal").click()

    expect(page.locator(".messages")).to_contain_text("Your proposal waits for a moderator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Half of the lamps on Arbat are out")
    proposal = Proposal.objects.get()
    assert proposal.geom.geom_type == "LineString"
    # Drawn along the street: each end within about 10 m of it.
    assert all(Point(*end, srid=4326).distance(ARBAT) < 0.0001 for end in proposal.geom.coords[::2])
    assert proposal.visibility == "pending"
    assert Photo.objects.of(proposal).count() == 1
    expect(page.locator(".photo-gallery img")).to_have_count(1)


def test_use_my_location_gives_a_point_on_a_phone(resident_page, live_server):
    page = resident_page
    page.set_viewport_size({"width": 375, "height": 800})
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 43.2606, "longitude": 76.9450})
    open_form(page, live_server)

    page.get_by_role("button", name="Use my location").click()

    expect(page.locator("#proposal-status")).to_contain_text("Your location is the place of the proposal")
    geometry = json.loads(page.locator("#id_geom").input_value())
    assert geometry == {"type": "Point", "coordinates": [76.945, 43.2606]}
    expect(page.locator("#nearby-results").get_by_role("link", name="Arbat pedestrian zone")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the form scrolls sideways by {overflow} px"


def test_a_keyboard_user_moves_the_map_and_puts_a_point_at_its_centre(resident_page, live_server):
    page = resident_page
    open_form(page, live_server)
    pane = "document.querySelector('#proposal-map .leaflet-map-pane').style.transform"
    before = page.evaluate(pane)
    page.locator("#proposal-map").focus()
    page.keyboard.press("ArrowRight")
    # The arrow pans the map with an animation: the point is put once the map has moved.
    page.wait_for_function(f"before => {pane} !== before", arg=before)

    page.get_by_role("button", name="Put a point at the centre of the map").press("Enter")

    expect(page.locator("#proposal-status")).to_have_text("A point was put at the centre of the map.")
    longitude, latitude = json.loads(page.locator("#id_geom").input_value())["coordinates"]
    assert longitude > 76.94445  # the arrow moved the map east of the city's centre
    assert latitude == pytest.approx(43.2610, abs=1e-4)


def test_a_refused_location_is_said_in_words(resident_page, live_server):
    page = resident_page
    open_form(page, live_server)

    page.get_by_role("button", name="Use my location").click()

    expect(page.locator("#proposal-status")).to_contain_text("Your browser did not share your location.")
    assert page.locator("#id_geom").input_value() == ""
