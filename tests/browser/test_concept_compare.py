"""A visitor compares two concepts of a park side by side, on two maps that move together."""

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from playwright.sync_api import expect

from gis_data.streets import clear_cache as clear_street_cache
from parks import access
from tests.factories import GORKY_ALLEY, GORKY_FOUNTAIN, CityFactory, ConceptFactory, ParkFactory, ZoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gorky(transactional_db):
    """Gorky Park with three published concepts: Shade (three zones), Water (two), Lights (none)."""
    access.clear_cache()
    clear_street_cache()
    CityFactory(center=Point(76.9695, 43.2620, srid=4326), default_zoom=15)
    park = ParkFactory(area_m2=456_000)
    shade = ConceptFactory(park=park, title_en="Shade", status="in_design")
    ZoneFactory(concept=shade, purpose="playground", area_m2=700)
    ZoneFactory(concept=shade, purpose="path", geom=GORKY_ALLEY.clone(), length_m=420)
    ZoneFactory(concept=shade, purpose="lighting", geom=GORKY_FOUNTAIN.clone())
    water = ConceptFactory(park=park, title_en="Water", status="shortlisted")
    ZoneFactory(concept=water, purpose="water", area_m2=700)
    ZoneFactory(concept=water, purpose="trees", geom=GORKY_ALLEY.clone(), length_m=420)
    ConceptFactory(park=park, title_en="Lights")
    yield park
    access.clear_cache()
    clear_street_cache()


def views(page) -> dict:
    """Both maps' centres and zooms, read at one moment."""
    return page.evaluate(
        """() => ['a', 'b'].map(side => {
            const map = document.getElementById('compare-map-' + side).qalaMap.map;
            const centre = map.getCenter();
            return {lat: centre.lat, lng: centre.lng, zoom: map.getZoom()};
        })"""
    )


def open_comparison(page, live_server, park):
    page.goto(live_server.url + reverse("parks:detail", args=[park.pk]))
    page.get_by_label("First concept").select_option(label="Shade (in design)")
    page.get_by_label("Second concept").select_option(label="Water (shortlisted)")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two concepts for Gorky Central Park, side by side")
    # Each map is drawn once its concept's zones are on it.
    expect(page.locator("#compare-map-a .qala-park-zone")).to_have_count(3)
    expect(page.locator("#compare-map-b .qala-park-zone")).to_have_count(2)


def test_a_visitor_picks_two_concepts_of_a_park_and_sees_them_side_by_side(page, live_server, gorky):
    open_comparison(page, live_server, gorky)

    first, second = page.locator("#compare-map-a").bounding_box(), page.locator("#compare-map-b").bounding_box()
    assert second["x"] >= first["x"] + first["width"]
    assert abs(first["y"] - second["y"]) < 1
    expect(page.get_by_role("heading", level=2, name="Shade")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Water")).to_be_visible()
    areas = page.get_by_role("table", name="Areas by purpose, and their share of the park (456,000 m²)")
    expect(areas.locator("tbody tr")).to_have_count(2)
    expect(areas.locator('tr[data-purpose="water"]')).to_contain_text("700 m²")
    a, b = views(page)
    assert (a["lat"], a["lng"], a["zoom"]) == (b["lat"], b["lng"], b["zoom"])


def test_panning_one_map_moves_the_other(page, live_server, gorky):
    open_comparison(page, live_server, gorky)
    before, _ = views(page)

    box = page.locator("#compare-map-a").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 60, steps=8)
    page.mouse.up()

    a, b = views(page)
    assert (a["lat"], a["lng"]) != (before["lat"], before["lng"])
    assert (a["lat"], a["lng"], a["zoom"]) == (b["lat"], b["lng"], b["zoom"])


def test_zooming_the_second_map_zooms_the_first(page, live_server, gorky):
    open_comparison(page, live_server, gorky)
    before, _ = views(page)

    page.locator("#compare-map-b .leaflet-control-zoom-in").click()

    page.wait_for_function(
        """zoom => ['a', 'b'].every(side =>
            document.getElementById('compare-map-' + side).qalaMap.map.getZoom() === zoom)""",
        arg=before["zoom"] + 1,
    )


def test_the_arrow_keys_on_one_map_move_the_other(page, live_server, gorky):
    open_comparison(page, live_server, gorky)
    before, _ = views(page)

    page.locator("#compare-map-b").focus()
    page.keyboard.press("ArrowUp")

    page.wait_for_function(
        """lat => {
            const [a, b] = ['a', 'b'].map(
                side => document.getElementById('compare-map-' + side).qalaMap.map.getCenter());
            return a.lat > lat && a.lat === b.lat && a.lng === b.lng;
        }""",
        arg=before["lat"],
    )


def test_on_a_375_pixel_wide_phone_the_maps_stack(page, live_server, gorky):
    page.set_viewport_size({"width": 375, "height": 740})
    open_comparison(page, live_server, gorky)

    first, second = page.locator("#compare-map-a").bounding_box(), page.locator("#compare-map-b").bounding_box()
    assert second["y"] >= first["y"] + first["height"]
    for box in (first, second):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_bad_comparison_says_what_is_wrong_and_offers_to_pick_again(page, page_log, live_server, gorky):
    shade = gorky.concepts.get(title_en="Shade")
    page.goto(live_server.url + reverse("parks:compare", args=[gorky.pk]) + f"?a={shade.pk}&b={shade.pk}")

    expect(page.get_by_role("alert")).to_have_text(
        "That is the same concept twice: pick two different concepts to compare."
    )
    page.get_by_label("Second concept").select_option(label="Lights (concept)")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#compare-map-b")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    # The refused query answers 400 on purpose, which Chromium logs as a failed load: that one is expected.
    page_log.console_errors[:] = [error for error in page_log.console_errors if "status of 400" not in error]
