"""The segment editor in a real browser: an urbanist asks for a trajectory from a suburb to a park, edits the
suggested line with Geoman, saves it, and the segment is measured; by keyboard too, and on a phone."""

import json
import math

import pytest
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.urls import reverse
from playwright.sync_api import expect

from corridors import services
from corridors.models import Corridor, Segment
from tests.factories import (
    CityFactory,
    CorridorFactory,
    DistrictFactory,
    GreenAreaFactory,
    PopulatedPlaceFactory,
    RasterFactory,
    UserFactory,
    WaterwayFactory,
    write_dem,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# On the synthetic DEM (tests.factories.write_dem: a 1,000 m cone at 76.940, 43.246 on an 800 m plain):
# a village north-west of the cone, a park south-east of it, and a river between them round the cone's west side.
SUBURB = Point(76.9120, 43.2620, srid=4326)
PARK = MultiPolygon(Polygon.from_bbox((76.9520, 43.2260, 76.9580, 43.2320)), srid=4326)
RIVER = LineString((76.9100, 43.2600), (76.9160, 43.2450), (76.9250, 43.2330), (76.9540, 43.2290), srid=4326)
VERTEX = ".leaflet-marker-icon.marker-icon:not(.marker-icon-middle)"


@pytest.fixture
def corridor(tmp_path, password) -> Corridor:
    """Almaty with the synthetic DEM, a river, a park and a suburb; a corridor of the urbanist's, without segments."""
    CityFactory()
    DistrictFactory()
    RasterFactory(path=str(write_dem(tmp_path / "dem.tif")))
    WaterwayFactory(name="Тестовка", name_en="Testovka", geom=RIVER.clone())
    GreenAreaFactory(name="Тестовый парк", name_en="Test Park", geom=PARK.clone())
    PopulatedPlaceFactory(name="Тестовое", name_en="Testovoe", geom=SUBURB.clone())
    urbanist = UserFactory(email="urbanist@example.org", password=password, role="urbanist")
    return services.create_corridor(CorridorFactory.build(name_en="Testovka green corridor"), user=urbanist)


@pytest.fixture
def urbanist_page(page, live_server, password, corridor):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill("urbanist@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()
    return page


def open_segment_editor(page, live_server, corridor):
    page.goto(live_server.url + reverse("corridors:segment_create", args=[corridor.pk]))
    expect(page.get_by_role("button", name="Draw a line")).to_be_visible()


def drawn_line(page) -> dict:
    return json.loads(page.locator("#id_geom").input_value())


def loneliest_vertex(coordinates: list) -> int:
    """The inner vertex farthest from its nearer neighbour: dragging it a little cannot make the line cross itself."""

    def gap(i: int) -> float:
        (x0, y0), (x, y), (x1, y1) = coordinates[i - 1], coordinates[i], coordinates[i + 1]
        return min(math.hypot(x - x0, y - y0), math.hypot(x1 - x, y1 - y))

    return max(range(1, len(coordinates) - 1), key=gap)


def test_an_urbanist_asks_for_a_trajectory_from_a_suburb_to_a_park_edits_it_and_saves_it(
    urbanist_page, live_server, corridor
):
    page = urbanist_page
    open_segment_editor(page, live_server, corridor)
    page.get_by_label("Start").select_option(label="Testovoe")
    page.get_by_label("End").select_option(label="Test Park")
    expect(page.locator("path.suggest-marker-from")).to_have_count(1)
    expect(page.locator("path.suggest-marker-to")).to_have_count(1)
    page.get_by_role("button", name="Suggest a trajectory").click()

    status = page.locator("#suggest-status")
    expect(status).to_contain_text("along rivers, canals or disused railways")
    suggested = drawn_line(page)
    assert suggested["type"] == "LineString"
    start, end = suggested["coordinates"][0], suggested["coordinates"][-1]
    assert start == pytest.approx([SUBURB.x, SUBURB.y], abs=0.002)
    assert PARK.buffer(0.002).contains(Point(*end, srid=4326))

    # The draft's vertices are ready to drag: move the one farthest from its neighbours a little aside.
    vertices = page.locator(VERTEX)
    expect(vertices).to_have_count(len(suggested["coordinates"]))
    page.wait_for_timeout(400)  # the map's zoom to the suggestion ends
    index = loneliest_vertex(suggested["coordinates"])
    vertex = vertices.nth(index).bounding_box()
    x, y = vertex["x"] + vertex["width"] / 2, vertex["y"] + vertex["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=5)
    page.mouse.up()
    expect(page.locator("#editor-status")).to_have_text("The line was updated.")
    edited = drawn_line(page)
    moved = [i for i, (a, b) in enumerate(zip(suggested["coordinates"], edited["coordinates"], strict=True)) if a != b]
    assert moved == [index]

    page.get_by_label("Name").fill("Testovoe to Test Park")
    page.get_by_label("Mode").select_option(label="bike")
    page.get_by_role("button", name="Create the segment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Testovoe to Test Park”")
    expect(page.locator(".messages")).to_contain_text("The segment was saved")
    expect(page.locator(".segment-derived")).to_contain_text("Length")
    segment = Segment.objects.get()
    assert segment.corridor == corridor
    assert segment.mode == "bike"
    assert segment.geom.equals_exact(LineString(edited["coordinates"], srid=4326), 1e-9)
    assert segment.length_m > 2000
    assert segment.profile["elevations"]
    assert segment.climb_m is not None
    assert segment.created_by.email == "urbanist@example.org"
    corridor.refresh_from_db()
    assert corridor.length_m == pytest.approx(segment.length_m)


def test_the_start_may_be_a_point_picked_on_the_map(urbanist_page, live_server, corridor):
    page = urbanist_page
    open_segment_editor(page, live_server, corridor)
    page.get_by_role("button", name="Pick the start on the map").click()
    expect(page.locator("#suggest-status")).to_have_text("Click the map where the trajectory starts.")
    box = page.locator("#editor-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the city's centre
    expect(page.locator("#suggest-from-point")).to_contain_text("Start: the point at 43.2")
    page.get_by_label("End").select_option(label="Test Park")
    page.get_by_role("button", name="Suggest a trajectory").click()
    expect(page.locator("#suggest-status")).to_contain_text("along rivers, canals or disused railways")
    start = drawn_line(page)["coordinates"][0]
    assert start == pytest.approx([76.93, 43.25], abs=0.002)


def test_a_keyboard_user_asks_for_a_trajectory_and_saves_it(urbanist_page, live_server, corridor):
    page = urbanist_page
    open_segment_editor(page, live_server, corridor)
    start = page.get_by_label("Start")
    start.focus()
    start.press("ArrowDown")  # from "A point picked on the map" to the first place
    page.keyboard.press("Tab")  # the "Pick the start on the map" button
    page.keyboard.press("Tab")
    expect(page.get_by_label("End")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Suggest a trajectory").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#suggest-status")).to_contain_text("along rivers, canals or disused railways")

    page.get_by_label("Name").fill("By keyboard")
    page.get_by_label("Name").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “By keyboard”")
    assert Segment.objects.get().length_m > 2000


def test_a_refused_line_stays_on_the_map_with_the_message(urbanist_page, live_server, corridor):
    page = urbanist_page
    open_segment_editor(page, live_server, corridor)
    page.get_by_text("Edit the line as GeoJSON").click()
    figure_of_eight = {
        "type": "LineString",
        "coordinates": [[76.930, 43.250], [76.940, 43.258], [76.940, 43.250], [76.930, 43.258]],
    }
    textarea = page.get_by_label("Line (GeoJSON)")
    textarea.fill(json.dumps(figure_of_eight))
    textarea.press("Tab")
    page.get_by_role("button", name="Create the segment").click()

    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator(".field-invalid .errorlist")).to_contain_text("The line crosses itself")
    expect(page.locator("#editor-map path.leaflet-interactive:not(.editor-other-segment)")).to_have_count(1)
    assert drawn_line(page) == figure_of_eight
    assert not Segment.objects.exists()


def test_the_segment_editor_fits_a_375_pixel_wide_phone(urbanist_page, live_server, corridor):
    page = urbanist_page
    page.set_viewport_size({"width": 375, "height": 740})
    open_segment_editor(page, live_server, corridor)
    for selector in ("#editor-map", "#suggest", "#suggest-run", "#id_mode", ".form-actions .button"):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_cost_surface_is_an_optional_layer_of_the_editor_map(urbanist_page, live_server, corridor):
    page = urbanist_page
    open_segment_editor(page, live_server, corridor)
    page.locator(".leaflet-control-layers").hover()
    cost = page.get_by_role("checkbox", name="Cost surface of trajectory suggestions (darker costs more)")
    expect(cost).not_to_be_checked()
    cost.check()
    expect(page.locator("img.editor-cost-surface")).to_be_attached()
    expect(page.get_by_role("checkbox", name="Other segments of the corridor")).to_be_checked()
