"""The public project pages in a real browser, with every request to another host blocked (so no base-map tiles)."""

import datetime
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.factories import CityFactory, DistrictFactory, ProjectFactory, UserFactory
from tests.photo_files import arbat_jpeg

pytestmark = pytest.mark.browser

SLIDER = "img-comparison-slider"


@pytest.fixture
def project(transactional_db):
    """A published project on Arbat, under construction, in Almaty centred a little south of it."""
    # The map of "works near me" opens on the city's centre: 200 m south of Arbat.
    CityFactory(center=Point(76.9445, 43.2592, srid=4326), default_zoom=15)
    DistrictFactory()
    # A project completed in 2017, for the yearly figures.
    ProjectFactory(status="completed", actual_start=datetime.date(2017, 4, 1), actual_end=datetime.date(2017, 9, 1))
    return ProjectFactory(
        title_en="Arbat pedestrian zone",
        status="construction",
        planned_start=datetime.date.today() - datetime.timedelta(days=30),
        planned_end=datetime.date.today() + datetime.timedelta(days=200),
    )


@pytest.fixture
def arbat(project):
    """The project on Arbat with a before/after pair, uploaded as an urbanist would."""
    from photos.services import add_photo, pair_photos

    urbanist = UserFactory(role="urbanist")
    before = add_photo(
        project,
        SimpleUploadedFile("before.jpg", arbat_jpeg(), content_type="image/jpeg"),
        user=urbanist,
        phase="before",
        caption="Cars parked on the pavement",
    )
    after = add_photo(
        project,
        SimpleUploadedFile("after.jpg", arbat_jpeg(colour="#c8c2b4"), content_type="image/jpeg"),
        user=urbanist,
        phase="after",
        caption="Benches and trees",
    )
    pair_photos(before, after)
    return project


def slider_value(page) -> float:
    return page.locator(SLIDER).first.evaluate("slider => Number(slider.value)")


def test_a_visitor_sees_the_project_on_the_map_with_its_district_and_photo_viewpoints(page, live_server, arbat):
    page.goto(live_server.url + arbat.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Arbat pedestrian zone")
    expect(page.locator("#project-map path.qala-project-feature")).to_have_count(1)
    expect(page.locator("#project-map path.qala-district-outline")).to_have_count(1)
    expect(page.locator("#project-map .qala-photo-marker")).to_have_count(2)
    expect(page.locator("#project-map .qala-photo-marker").first).to_have_attribute(
        "aria-label", "Photo taken here on May 1, 2017, looking east: Cars parked on the pavement"
    )


def test_a_visitor_drags_the_before_after_slider_with_the_mouse(page, live_server, arbat):
    page.goto(live_server.url + arbat.get_absolute_url())
    slider = page.locator(SLIDER).first
    slider.scroll_into_view_if_needed()
    expect(slider).to_be_visible()
    start = slider_value(page)
    box = slider.bounding_box()
    middle = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, middle)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.2, middle, steps=8)
    page.mouse.up()
    assert slider_value(page) < start - 20


def test_a_visitor_moves_the_before_after_slider_with_the_keyboard(page, live_server, arbat):
    page.goto(live_server.url + arbat.get_absolute_url())
    slider = page.locator(SLIDER).first
    slider.focus()
    start = slider_value(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert slider_value(page) > start


def test_works_near_me_lists_the_project_after_a_click_on_the_map(page, live_server, project):
    page.goto(live_server.url + "/projects/near/")
    near_map = page.locator("#near-map")
    expect(near_map).to_have_class(re.compile(r"\bleaflet-container\b"))
    box = near_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_label("Latitude")).not_to_have_value("")
    expect(page.locator("#near-map path.qala-near-circle")).to_have_count(1)
    page.get_by_role("button", name="Search").click()
    results = page.locator(".near-results")
    expect(results).to_contain_text("1 work within 500 m")
    expect(results.get_by_role("link", name="Arbat pedestrian zone")).to_be_visible()
    expect(page.locator("#near-map path.qala-project-feature")).to_have_count(1)


def test_works_near_me_lists_the_project_near_typed_coordinates(page, live_server, project):
    page.goto(live_server.url + "/projects/near/")
    page.get_by_label("Latitude").fill("43.2583")
    page.get_by_label("Longitude").fill("76.9445")
    page.get_by_label("Distance").select_option("1000")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".near-results").get_by_role("link", name="Arbat pedestrian zone")).to_be_visible()


def test_use_my_location_fills_in_the_coordinates(page, live_server, project):
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 43.2590, "longitude": 76.9450})
    page.goto(live_server.url + "/projects/near/")
    page.get_by_role("button", name="Use my location").click()
    expect(page.get_by_label("Latitude")).to_have_value("43.259000")
    expect(page.get_by_label("Longitude")).to_have_value("76.945000")
    expect(page.locator("#near-locate-status")).to_contain_text("Your location is filled in.")


def test_the_figures_chart_follows_the_chosen_figure(page, live_server, project):
    page.goto(live_server.url + "/projects/figures/")
    chart = page.get_by_role("img", name="Bar chart of Pedestrian zones (km) per year, Almaty.", exact=False)
    expect(chart).to_be_visible()
    page.get_by_label("Figure shown in the chart").select_option("completed")
    expect(page.locator("#figures-chart")).to_have_attribute("data-figure", "completed")
    expect(page.get_by_role("img", name="Bar chart of Completed projects per year", exact=False)).to_be_visible()


@pytest.mark.parametrize(
    "path",
    ["/projects/", "detail", "/projects/near/?latitude=43.2583&longitude=76.9445&distance=500", "/projects/figures/"],
)
def test_the_project_pages_fit_a_375_px_wide_phone(page, live_server, arbat, path):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + (arbat.get_absolute_url() if path == "detail" else path))
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def test_the_project_map_draws_the_streets_and_parks_around_it_when_the_tiles_are_out_of_reach(
    page, live_server, project
):
    from django.contrib.gis.geos import LineString

    from tests.factories import StreetFactory

    # Furmanov Street crosses Arbat; the base-map tiles are blocked in every browser test.
    StreetFactory(
        name="Furmanov Street", highway="residential", geom=LineString((76.9445, 43.2580), (76.9450, 43.2640))
    )

    page.goto(live_server.url + project.get_absolute_url())

    expect(page.locator("#project-map path.qala-reference-streets")).to_have_count(1)
    expect(page.locator("#project-map path.qala-project-feature")).to_have_count(1)
