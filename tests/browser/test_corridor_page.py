"""A corridor's page in a real browser: its map, its elevation profile chart and its segments table."""

import pytest
from django.contrib.gis.geos import LineString, Point
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import ALMATINKA_PROMENADE, CityFactory, CorridorFactory, DistrictFactory, SegmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The promenade's continuation south of Abay Avenue, drawn as the corridor's first segment.
PROMENADE_SOUTH = LineString((76.9570, 43.2460), (76.9598, 43.2517), srid=4326)


@pytest.fixture
def promenade(transactional_db):
    """The Malaya Almatinka promenade in two measured segments, the second with a stretch the DEM does not cover."""
    CityFactory(center=Point(76.962, 43.255, srid=4326), default_zoom=14)
    DistrictFactory()
    corridor = CorridorFactory(length_m=2100, climb_m=61, descent_m=4, mean_grade=0.031, max_grade=0.06, dem_gap_m=90)
    SegmentFactory(
        corridor=corridor,
        position=0,
        geom=PROMENADE_SOUTH.clone(),
        name="South of Abay",
        length_m=690,
        status="existing",
        profile={"step": 30, "distances": [0, 230, 460, 690], "elevations": [845.0, 852.0, 858.0, 861.0]},
    )
    SegmentFactory(
        corridor=corridor,
        position=1,
        geom=ALMATINKA_PROMENADE.clone(),
        name="To Gorky Park",
        length_m=1410,
        status="planned",
        mode="pedestrian",
        follows="river",
        follows_name="Malaya Almatinka",
        follows_share=0.92,
        profile={
            "step": 30,
            "distances": [0, 300, 600, 900, 1200, 1410],
            "elevations": [861.0, 870.0, None, None, 896.0, 902.0],
        },
    )
    return corridor


def open_corridor(page, live_server, corridor):
    page.goto(live_server.url + reverse("corridors:detail", args=[corridor.pk]))
    # The map is drawn once both segments' lines are on it.
    expect(page.locator("#corridor-map path.qala-corridor-feature")).to_have_count(2)


def test_a_visitor_sees_the_profile_chart_and_the_segments_table(page, live_server, promenade):
    open_corridor(page, live_server, promenade)

    chart = page.locator("#profile-chart")
    expect(chart).to_be_visible()
    # Chart.js has drawn the line: the concatenated profile, with the DEM's gap kept as nulls (a break).
    data = chart.evaluate("canvas => Chart.getChart(canvas).data.datasets[0].data")
    assert len(data) == 10
    assert [point["y"] for point in data].count(None) == 2
    assert data[-1] == {"x": 2.1, "y": 902.0}
    assert chart.evaluate("canvas => Chart.getChart(canvas).data.datasets[0].spanGaps") is False
    expect(page.locator(".profile-gap")).to_contain_text("No elevation data along 90 m")

    table = page.get_by_role("table", name="2 segments, from the start of the corridor")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").nth(1)).to_contain_text("Malaya Almatinka, 92 %")

    page.get_by_text("The profile as a table").click()
    expect(page.get_by_role("table", name="Elevation along the corridor")).to_be_visible()


def test_the_corridor_page_fits_a_375_pixel_wide_phone(page, live_server, promenade):
    page.set_viewport_size({"width": 375, "height": 740})
    open_corridor(page, live_server, promenade)

    for selector in ("#corridor-map", "#profile-chart", ".segments-table", "h1"):
        element = page.locator(selector)
        element.scroll_into_view_if_needed()
        box = page.locator(selector).bounding_box()
        if selector == ".segments-table":
            # The table scrolls inside its own region; the region stays on the screen.
            box = page.locator(".table-scroll").filter(has=page.locator(selector)).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The table's region takes the keyboard focus, so it can be scrolled without a mouse.
    region = page.get_by_role("region", name="2 segments, from the start of the corridor")
    region.focus()
    expect(region).to_be_focused()
