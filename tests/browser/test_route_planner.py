"""The route planner in a real browser: a visitor picks two points and gets both routes, their figures and a profile."""

import math
import re

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from playwright.sync_api import expect

from gis_data.models import City
from tests.corridors.test_route_views import A, B, hand_built_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZOOM = 13
# The middle of A and B, a little south, so the corridor round the hill is in view too.
CENTRE = ((A[0] + B[0]) / 2, 43.2400)


@pytest.fixture
def planner(page, live_server, tmp_path):
    """The hand-built network (a street over a hill, a corridor round it) and the planner open on it."""
    hand_built_network(tmp_path / "dem.tif")
    City.objects.update(center=Point(*CENTRE, srid=4326), default_zoom=ZOOM)
    page.goto(live_server.url + reverse("corridors:route"))
    # The published corridor is drawn under the map as a guide.
    expect(page.locator("#route-map path.qala-corridor-context")).to_have_count(1)
    return page


def world_pixel(longitude: float, latitude: float) -> tuple[float, float]:
    """Web Mercator pixel coordinates at ZOOM, as Leaflet computes them."""
    scale = 256 * 2**ZOOM
    x = scale * (longitude + 180) / 360
    y = scale * (0.5 - math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2)) / (2 * math.pi))
    return x, y


def click_at(page, longitude: float, latitude: float) -> None:
    """Click the planner's map where (longitude, latitude) is, the map showing CENTRE at ZOOM."""
    box = page.locator("#route-map").bounding_box()
    centre_x, centre_y = world_pixel(*CENTRE)
    x, y = world_pixel(longitude, latitude)
    page.mouse.click(box["x"] + box["width"] / 2 + x - centre_x, box["y"] + box["height"] / 2 + y - centre_y)


def chart_points(page) -> int:
    return page.locator("#route-chart").evaluate("canvas => Chart.getChart(canvas).data.datasets[0].data.length")


def test_a_visitor_clicks_a_start_and_an_end_and_sees_both_routes_and_the_profile(planner):
    page = planner
    click_at(page, A[0] + 0.0002, A[1] + 0.0002)
    expect(page.locator("#route-status")).to_have_text(
        "The start is set. Now pick the end: click the map or use its centre."
    )
    click_at(page, B[0] - 0.0002, B[1] + 0.0002)

    expect(page.locator("#route-status")).to_have_text("Two routes found: the shortest and the gentlest.")
    rows = page.locator("#routes-body tr")
    expect(rows).to_have_count(2)
    shortest, gentlest = rows.nth(0), rows.nth(1)
    expect(shortest.locator("th")).to_have_text("Shortest route")
    expect(shortest.locator("td").nth(0)).to_have_text(re.compile(r"^3\.[67]\d km$"))
    expect(shortest.locator("td").nth(3)).to_have_text("0 %")
    expect(gentlest.locator("th")).to_have_text("Gentlest route (least climbing)")
    expect(gentlest.locator("td").nth(0)).to_have_text(re.compile(r"^7\.\d\d km$"))
    expect(gentlest.locator("td").nth(3)).to_have_text("100 %")
    expect(page.locator("#route-map path.route-line-shortest")).to_have_count(1)
    expect(page.locator("#route-map path.route-line-gentlest")).to_have_count(1)

    chart = page.locator("#route-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("data-route", "shortest")
    assert chart_points(page) > 100
    expect(page.locator("#route-profile-summary")).to_contain_text("Elevation profile over 3.")

    page.get_by_label("Gentlest route (least climbing)").check()
    expect(chart).to_have_attribute("data-route", "gentlest")
    expect(page.locator("#route-profile-summary")).to_contain_text("Elevation profile over 7.")
    assert chart_points(page) > 200


def test_a_keyboard_user_sets_the_start_and_the_end_at_the_maps_centre(planner):
    page = planner
    # The map opens between A and B, just south of the hill street: its centre snaps to the street; three
    # presses of the right arrow move the centre east, towards B.
    page.get_by_role("button", name="Use the map centre as the start").press("Enter")
    expect(page.locator("#route-status")).to_contain_text("The start is set.")
    page.locator("#route-map").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)  # Leaflet's pan animation
    page.get_by_role("button", name="Use the map centre as the end").press("Enter")

    expect(page.locator("#route-status")).to_have_text("Two routes found: the shortest and the gentlest.")
    expect(page.locator("#routes-body tr")).to_have_count(2)
    assert chart_points(page) > 10


def test_points_the_network_does_not_join_get_the_message_and_the_nearest_reachable_point(planner):
    page = planner
    click_at(page, A[0] + 0.0002, A[1] + 0.0002)
    click_at(page, 76.9380, 43.2641)

    expect(page.locator("#route-message")).to_contain_text("The end cannot be reached from the start")
    expect(page.locator("#route-map path.route-nearest")).to_have_count(1)
    expect(page.locator(".route-nearest-label")).to_have_text("Nearest point reachable from the start")
    expect(page.locator("#route-found")).to_be_hidden()
