"""The park editor in a real browser: an urbanist draws a new park and its entrance with Geoman, or moves a
vertex of a park's boundary; the database holds what was drawn. On a phone too."""

import json

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.urls import reverse
from playwright.sync_api import expect

from parks import services
from parks.models import Park
from tests.factories import CityFactory, DistrictFactory, ParkFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GEOMAN_POLYGON = ".leaflet-pm-toolbar .leaflet-pm-icon-polygon"
GEOMAN_MARKER = ".leaflet-pm-toolbar .leaflet-pm-icon-marker"
VERTEX = ".leaflet-marker-icon.marker-icon:not(.marker-icon-middle)"
MEDEU = MultiPolygon(Polygon.from_bbox((76.88, 43.20, 77.00, 43.30)), srid=4326)


@pytest.fixture
def urbanist_page(page, live_server, password):
    """Almaty with a district, and an urbanist logged in through the log-in page."""
    CityFactory()
    DistrictFactory(name="Medeu", name_en="Medeu District", geom=MEDEU.clone())
    UserFactory(email="urbanist@example.org", password=password, role="urbanist")
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill("urbanist@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()
    return page


def map_centre(page) -> tuple[float, float]:
    page.locator("#editor-map").scroll_into_view_if_needed()
    box = page.locator("#editor-map").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def zoom_in(page, times: int) -> None:
    """Zoom in with the map's own button, waiting for each zoom to end, so that a pixel is a few metres."""
    for _step in range(times):
        page.get_by_role("button", name="Zoom in").click()
        page.wait_for_timeout(350)  # Leaflet's zoom animation


def drawn(page, field: str) -> dict:
    return json.loads(page.locator(f"#id_{field}").input_value())


def test_an_urbanist_draws_a_new_park_and_its_entrance(urbanist_page, live_server):
    page = urbanist_page
    page.goto(live_server.url + reverse("parks:create"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New park")
    zoom_in(page, 4)  # zoom 16: a pixel is under 2 m

    # A rectangle of 120 by 80 pixels (about 210 m by 140 m), vertex by vertex, closed on the first.
    page.locator(GEOMAN_POLYGON).click()
    x, y = map_centre(page)
    corners = [(x - 60, y - 40), (x + 60, y - 40), (x + 60, y + 40), (x - 60, y + 40)]
    for cx, cy in [*corners, corners[0]]:
        page.mouse.click(cx, cy)
    expect(page.locator("#editor-status")).to_have_text("The boundary was updated.")
    boundary = drawn(page, "boundary")
    assert boundary["type"] == "Polygon"
    assert len(boundary["coordinates"][0]) == 5
    expect(page.locator("#boundary-summary")).to_have_text("Polygons in the boundary: 1; vertices: 5.")

    # The entrance: a point in the middle of the northern edge (Geoman snaps it onto the edge).
    page.locator(GEOMAN_MARKER).click()
    page.mouse.click(x, y - 40)
    expect(page.locator("#editor-status")).to_have_text("The entrances were updated.")
    entrances = drawn(page, "entrances")
    assert entrances["type"] == "MultiPoint"
    assert len(entrances["coordinates"]) == 1
    expect(page.locator("#entrance-list li")).to_have_count(1)
    expect(page.locator("#entrance-list li")).to_contain_text("Entrance 1: latitude 43.25")
    expect(page.locator("#no-entrances")).to_be_hidden()

    page.get_by_label("Name (English)").fill("Samal Park")
    page.get_by_label("Name (Russian)").fill("Парк Самал")
    page.get_by_role("button", name="Create the park").click()
    page.wait_for_url(live_server.url + reverse("parks:detail", args=[Park.objects.get().pk]))

    park = Park.objects.get()
    assert (park.name_en, park.name_ru, park.state) == ("Samal Park", "Парк Самал", "open")
    assert park.boundary[0].equals_exact(Polygon(boundary["coordinates"][0], srid=4326), 1e-9)
    assert park.entrances[0].equals_exact(Point(entrances["coordinates"][0], srid=4326), 1e-9)
    assert 15_000 < park.area_m2 < 50_000
    assert park.district.name_en == "Medeu District"
    assert park.created_by.email == "urbanist@example.org"


def test_an_urbanist_moves_a_vertex_of_a_parks_boundary(urbanist_page, live_server):
    page = urbanist_page
    park = services.save_park(ParkFactory.build(city=CityFactory()))
    area = park.area_m2
    page.goto(live_server.url + reverse("parks:edit", args=[park.pk]))
    expect(page.locator("#boundary-summary")).to_have_text("Polygons in the boundary: 1; vertices: 8.")
    page.locator("#editor-map").scroll_into_view_if_needed()
    page.get_by_role("button", name="Edit the vertices").click()
    vertices = page.locator(VERTEX)
    expect(vertices).to_have_count(7)
    page.wait_for_timeout(400)  # the map's zoom to the park ends

    # The park's eastern corner (its fourth vertex), dragged 30 pixels west, into the park: away from the
    # map's edge and its toolbar.
    before = drawn(page, "boundary")
    box = vertices.nth(3).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 30, y, steps=5)
    page.mouse.up()
    expect(page.locator("#editor-status")).to_have_text("The boundary was updated.")
    edited = drawn(page, "boundary")
    assert edited != before
    assert edited["coordinates"][0][3][0] < 76.9737
    assert edited["coordinates"][0][0] == pytest.approx([76.9655, 43.2596])

    page.get_by_role("button", name="Save the park").click()
    page.wait_for_url(live_server.url + reverse("parks:detail", args=[park.pk]))

    park.refresh_from_db()
    assert park.boundary[0].equals_exact(Polygon(edited["coordinates"][0], srid=4326), 1e-9)
    assert park.area_m2 < area
    assert park.history.count() == 2
    assert park.history.latest().history_user.email == "urbanist@example.org"


def test_the_park_editor_fits_a_375_pixel_wide_phone(urbanist_page, live_server):
    page = urbanist_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + reverse("parks:create"))
    for selector in ("#editor-map", "#id_name_en", "#id_state", ".form-actions .button"):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
