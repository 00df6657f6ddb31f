"""The map of proposals in a real browser: clusters counted on the server, opened by zooming, narrowed by filters."""

import pytest
from django.contrib.gis.geos import LineString, Point
from playwright.sync_api import expect

from tests.factories import CityFactory, DistrictFactory, ProposalCategoryFactory, ProposalFactory

pytestmark = pytest.mark.browser

MAP_URL = "/proposals/map/"
CLUSTERS = ".qala-cluster.qala-layer-proposals"
PROPOSALS = "path.qala-layer-proposals"
# Two places in the first view (the city at zoom 12), far apart, each inside one cell of the grid.
CENTRE = (76.92, 43.24)
EAST = (77.0, 43.3)


def centre_label(count: int) -> str:
    return f"Residents' proposals: {count} — zoom in"


@pytest.fixture
def proposals(transactional_db, settings):
    """Almaty at zoom 12; near the centre a bench and a street (a line); in the east three reports, one accepted.

    With at most two proposals drawn one by one, the city view shows two clusters.
    """
    settings.MAP_CLUSTER_FEATURE_LIMIT = 2
    CityFactory()
    DistrictFactory()
    ProposalCategoryFactory()
    bench = ProposalFactory(title="A bench in the shade", geom=Point(*CENTRE, srid=4326))
    ProposalFactory(
        title="Trees along the street",
        geom=LineString((76.9188, 43.2404), (76.9200, 43.2407), (76.9212, 43.2410), srid=4326),
    )
    for step in range(3):
        ProposalFactory(
            title=f"Broken pavement {step}",
            geom=Point(EAST[0] + step * 0.0005, EAST[1] + step * 0.0003, srid=4326),
            status="accepted" if step == 0 else "published",
        )
    return {"bench": bench}


def open_map(page, live_server):
    page.goto(live_server.url + MAP_URL)
    page.wait_for_selector(CLUSTERS, state="attached")


def test_the_city_view_shows_round_counts_of_the_proposals(page, live_server, proposals):
    open_map(page, live_server)
    expect(page.locator(CLUSTERS)).to_have_count(2)
    expect(page.locator(CLUSTERS).filter(has_text="2")).to_have_attribute("aria-label", centre_label(2))
    expect(page.locator(CLUSTERS).filter(has_text="3")).to_have_attribute("title", centre_label(3))
    expect(page.locator(PROPOSALS)).to_have_count(0)


def test_a_cluster_is_a_button_that_zooms_in_to_its_proposals_by_keyboard(page, live_server, proposals):
    open_map(page, live_server)
    cluster = page.get_by_role("button", name=centre_label(2))
    cluster.focus()
    expect(cluster).to_be_focused()
    page.keyboard.press("Enter")
    # Zoomed in to the two proposals near the centre: each drawn as itself, the street as a line.
    expect(page.locator(CLUSTERS)).to_have_count(0)
    expect(page.locator(PROPOSALS)).to_have_count(2)
    assert int(page.locator("#map").get_attribute("data-zoom")) > 12
    page.locator(PROPOSALS).first.wait_for()
    shapes = page.locator(PROPOSALS).evaluate_all("paths => paths.map(path => path.getAttribute('d'))")
    # Leaflet draws a circle marker with arcs ("a"), a line as straight segments only.
    assert sorted("a" in shape for shape in shapes) == [False, True]


def test_clicking_a_cluster_zooms_in_and_a_proposal_links_to_its_page(page, live_server, proposals):
    open_map(page, live_server)
    page.locator(CLUSTERS).filter(has_text="2").click()
    expect(page.locator(PROPOSALS)).to_have_count(2)
    # The bench is the circle marker (drawn with arcs).
    page.locator(f"{PROPOSALS}[d*='a']").click()
    link = page.locator(".leaflet-popup-content").get_by_role("link", name="A bench in the shade")
    expect(link).to_have_attribute("href", f"/proposals/{proposals['bench'].pk}/")
    # Zooming back out to the city gathers them into their cluster again.
    zoom = int(page.locator("#map").get_attribute("data-zoom"))
    while zoom > 12:
        page.get_by_role("button", name="Zoom out").click()
        zoom -= 1
        expect(page.locator("#map")).to_have_attribute("data-zoom", str(zoom))
    expect(page.locator(CLUSTERS)).to_have_count(2)
    expect(page.locator(PROPOSALS)).to_have_count(0)


def test_a_filter_narrows_the_proposals_on_the_map(page, live_server, proposals):
    open_map(page, live_server)
    expect(page.locator(CLUSTERS)).to_have_count(2)
    page.locator('[data-layer="proposals"]').get_by_label("Status").select_option("accepted")
    # One accepted report: few enough to be drawn as itself.
    expect(page.locator(CLUSTERS)).to_have_count(0)
    expect(page.locator(PROPOSALS)).to_have_count(1)
    assert page.evaluate("location.hash") == "#proposals.status=accepted"
    page.locator('[data-layer="proposals"]').get_by_label("Status").select_option("")
    expect(page.locator(CLUSTERS)).to_have_count(2)


def test_the_page_fits_a_phone_and_its_links_are_reached_by_keyboard(page, live_server, proposals):
    page.set_viewport_size({"width": 375, "height": 667})
    open_map(page, live_server)
    expect(page.get_by_role("heading", name="Proposals on the map")).to_be_visible()
    propose = page.get_by_role("link", name="Propose something")
    expect(propose).to_be_visible()
    page.get_by_role("link", name="See them as a list").focus()
    page.keyboard.press("Tab")
    expect(propose).to_be_focused()
    map_box = page.locator("#map").bounding_box()
    assert map_box["width"] == 375
    assert map_box["height"] > 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.get_by_role("button", name="Layers and filters")).to_have_attribute("aria-expanded", "false")
