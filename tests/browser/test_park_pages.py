"""The park list and a park's page in a real browser: the maps, and every control within reach of the keyboard."""

import pytest
from django.contrib.gis.geos import MultiPoint, MultiPolygon, Point, Polygon
from django.urls import reverse
from playwright.sync_api import expect

from gis_data.streets import clear_cache as clear_street_cache
from parks import access
from tests.factories import (
    GORKY_ALLEY,
    GORKY_GATE,
    CityFactory,
    ConceptFactory,
    DataSourceFactory,
    DistrictFactory,
    ParkFactory,
    ZoneFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PANFILOV_SQUARE = MultiPolygon(
    Polygon(((76.9440, 43.2560), (76.9460, 43.2560), (76.9460, 43.2575), (76.9440, 43.2575), (76.9440, 43.2560))),
    srid=4326,
)


@pytest.fixture
def gorky(transactional_db):
    """Gorky Park with its gate and two published concepts (one with two zones), and a closed square nearby."""
    access.clear_cache()
    clear_street_cache()
    CityFactory(center=Point(76.9600, 43.2600, srid=4326), default_zoom=14)
    district = DistrictFactory()
    park = ParkFactory(district=district, area_m2=456_000, entrances=MultiPoint(GORKY_GATE.clone(), srid=4326))
    shade = ConceptFactory(park=park, title_en="Shade", status="in_design")
    ZoneFactory(concept=shade, purpose="playground", area_m2=700)
    ZoneFactory(concept=shade, purpose="path", geom=GORKY_ALLEY.clone(), length_m=420)
    ConceptFactory(park=park, title_en="Water", status="shortlisted")
    ParkFactory(name_en="Panfilov Square", boundary=PANFILOV_SQUARE.clone(), state="closed", district=district)
    yield park
    access.clear_cache()
    clear_street_cache()


def map_centre(page, selector: str) -> dict:
    return page.locator(selector).evaluate("element => element.qalaMap.map.getCenter()")


def focus_order(page, limit: int = 80) -> list[str]:
    """What the Tab key reaches, in order, from the top of the page: an id, else a role name and text."""
    page.locator("body").focus()
    reached = []
    for _step in range(limit):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                """() => {
                    const element = document.activeElement;
                    return element.id || ((element.getAttribute('aria-label') || element.textContent || '').trim());
                }"""
            )
        )
    return reached


def test_the_list_draws_each_park_on_its_map_and_links_to_it(page, live_server, gorky):
    page.goto(live_server.url + reverse("parks:list"))

    expect(page.locator("#park-map .qala-park-park")).to_have_count(2)
    expect(page.get_by_role("heading", level=2, name="2 parks")).to_be_visible()
    page.get_by_label("State").select_option(label="closed (for repair or otherwise)")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#park-map .qala-park-park")).to_have_count(1)
    page.locator("#park-map .qala-park-park").click()
    page.locator(".leaflet-popup").get_by_role("link", name="Panfilov Square").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Panfilov Square")


def test_a_parks_page_draws_its_boundary_gate_and_zones_with_a_legend(page, live_server, gorky):
    page.goto(live_server.url + reverse("parks:detail", args=[gorky.pk]))

    expect(page.get_by_role("heading", level=1)).to_have_text("Gorky Central Park")
    expect(page.locator("#park-map .qala-park-park")).to_have_count(1)
    expect(page.locator("#park-map .qala-park-entrance")).to_have_count(1)
    expect(page.locator('#park-map .qala-park-zone[data-purpose="playground"]')).to_have_count(1)
    expect(page.locator('#park-map .qala-park-zone[data-purpose="path"]')).to_have_count(1)
    legend = page.get_by_role("list", name="On the map")
    expect(legend.get_by_role("listitem")).to_have_text(["The park", "Entrance", "Playground", "Path"])
    expect(page.get_by_text("In design: Shade").first).to_be_visible()


def test_a_parks_map_credits_the_district_outlines_and_the_reference_layers(page, live_server, gorky):
    DataSourceFactory(key="osm2012")

    page.goto(live_server.url + reverse("parks:detail", args=[gorky.pk]))

    credits = page.locator("#park-map .leaflet-control-attribution")
    expect(credits).to_contain_text("© OpenStreetMap contributors, ODbL")
    expect(credits).to_contain_text("© OpenStreetMap contributors, CC BY-SA 2.0")


def test_every_control_of_a_parks_page_is_reached_by_the_tab_key_in_reading_order(page, live_server, gorky):
    page.goto(live_server.url + reverse("parks:detail", args=[gorky.pk]))
    expect(page.locator("#park-map .qala-park-park")).to_have_count(1)

    reached = focus_order(page)

    wanted = ["park-map", "Zoom in", "Zoom out", "Shade", "Water", "compare-a", "compare-b", "Compare"]
    positions = [reached.index(name) for name in wanted]
    assert positions == sorted(positions), reached
    assert "Propose something about this park" in reached


def test_a_keyboard_user_pans_the_parks_map_and_opens_a_comparison(page, live_server, gorky):
    page.goto(live_server.url + reverse("parks:detail", args=[gorky.pk]))
    expect(page.locator("#park-map .qala-park-park")).to_have_count(1)
    before = map_centre(page, "#park-map")

    page.locator("#park-map").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "lng => document.getElementById('park-map').qalaMap.map.getCenter().lng > lng", arg=before["lng"]
    )

    page.get_by_label("Second concept").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Compare")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two concepts for Gorky Central Park, side by side")


def test_a_parks_page_fits_a_375_pixel_wide_phone(page, live_server, gorky):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + reverse("parks:detail", args=[gorky.pk]))
    expect(page.locator("#park-map .qala-park-park")).to_have_count(1)

    for selector in ("h1", "#park-map", ".concept-cards", ".compare-form"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
