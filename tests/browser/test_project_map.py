"""Projects and their photos on the map, in a real browser: styled, linked to their pages, filtered."""

import re

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from tests.factories import ASTANA_SQUARE, CategoryFactory, CityFactory, DistrictFactory, ProjectFactory
from tests.projects.test_layers import ON_ARBAT, make_photo

pytestmark = pytest.mark.browser

PROJECTS = "path.qala-layer-projects"
VIEWPOINTS = ".qala-viewpoint.qala-layer-project_photos"


@pytest.fixture
def city(transactional_db):
    CityFactory()
    DistrictFactory()


@pytest.fixture
def square(city):
    """A completed square, pink, published."""
    return ProjectFactory(
        title_en="Astana Square",
        category=CategoryFactory(slug="square", name_en="Square", color="#ad1457"),
        geom=ASTANA_SQUARE.clone(),
        status="completed",
    )


def open_map(page, live_server, path="/"):
    page.goto(live_server.url + path)
    page.wait_for_selector(PROJECTS, state="attached")


def test_a_visitor_sees_a_published_project_in_its_category_colour(page, live_server, square):
    ProjectFactory(title_en="Draft square", geom=ASTANA_SQUARE.clone(), is_published=False)
    open_map(page, live_server)
    expect(page.locator(PROJECTS)).to_have_count(1)
    expect(page.locator(PROJECTS)).to_have_attribute("stroke", "#ad1457")
    expect(page.locator(PROJECTS)).to_have_attribute("fill", "#ad1457")


def test_the_projects_layer_is_in_the_layer_control_with_its_legend(page, live_server, square):
    open_map(page, live_server)
    expect(page.get_by_role("checkbox", name="Projects and city works")).to_be_checked()
    legend = page.locator('[data-layer="projects"] .qala-variants li')
    expect(legend.filter(has_text="Square").locator("rect")).to_have_attribute("fill", "#ad1457")
    expect(legend.filter(has_text="Planned").locator("rect")).to_have_attribute("stroke-dasharray", "2 6")


def test_a_project_popup_links_its_title_to_the_project_page(page, live_server, square):
    open_map(page, live_server)
    page.locator(PROJECTS).click()
    popup = page.locator(".leaflet-popup-content")
    link = popup.get_by_role("link", name="Astana Square")
    expect(link).to_have_attribute("href", f"/projects/{square.pk}/")
    expect(popup).to_contain_text("Square · Completed")
    link.focus()
    expect(link).to_be_focused()


def test_a_planned_project_is_drawn_dashed(page, live_server, city):
    ProjectFactory(status="planned")
    open_map(page, live_server)
    expect(page.locator(PROJECTS)).to_have_attribute("stroke-dasharray", "2 6")


def test_a_project_drawn_as_a_point_is_a_circle_in_its_category_colour(page, live_server, city):
    ProjectFactory(category=CategoryFactory(slug="playground", color="#f9a825"), geom=Point(76.92, 43.255, srid=4326))
    open_map(page, live_server)
    # Leaflet draws a circle marker as an SVG path made of two arcs.
    expect(page.locator(PROJECTS)).to_have_attribute("d", re.compile(r"a7,7 0 1,0"))
    expect(page.locator(PROJECTS)).to_have_attribute("fill", "#f9a825")


def test_choosing_a_status_hides_the_projects_of_other_statuses(page, live_server, square):
    ProjectFactory(status="planned")
    open_map(page, live_server)
    expect(page.locator(PROJECTS)).to_have_count(2)
    page.locator('[data-layer="projects"]').get_by_label("Status").select_option("completed")
    expect(page.locator(PROJECTS)).to_have_count(1)
    expect(page.locator(PROJECTS)).to_have_attribute("fill", "#ad1457")
    assert page.evaluate("location.hash") == "#projects.status=completed"
    page.locator('[data-layer="projects"]').get_by_label("Status").select_option("")
    expect(page.locator(PROJECTS)).to_have_count(2)
    assert page.evaluate("location.hash") == ""


def test_the_filters_are_usable_by_keyboard(page, live_server, square):
    ProjectFactory(status="planned")
    CategoryFactory(slug="pedestrian_zone")
    open_map(page, live_server)
    expect(page.locator(PROJECTS)).to_have_count(2)
    category = page.locator('[data-layer="projects"]').get_by_label("Category")
    category.focus()
    expect(category).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator('[data-layer="projects"]').get_by_label("Status")).to_be_focused()
    page.keyboard.type("Comp")
    expect(page.locator('[data-layer="projects"]').get_by_label("Status")).to_have_value("completed")
    expect(page.locator(PROJECTS)).to_have_count(1)


def test_a_shared_link_opens_the_map_with_its_filters(page, live_server, square):
    ProjectFactory(status="planned")
    open_map(page, live_server, "/#projects.status=completed")
    expect(page.locator('[data-layer="projects"]').get_by_label("Status")).to_have_value("completed")
    expect(page.locator(PROJECTS)).to_have_count(1)


def test_the_filters_fit_a_phone_screen(page, live_server, square):
    page.set_viewport_size({"width": 375, "height": 667})
    open_map(page, live_server)
    page.get_by_role("button", name="Layers").click()
    status = page.locator('[data-layer="projects"]').get_by_label("Status")
    status.scroll_into_view_if_needed()
    expect(status).to_be_visible()
    box = status.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.fixture
def arbat_photos(transactional_db):
    """A city centred on Arbat at street zoom, a project there and two photos of it."""
    CityFactory(center=ON_ARBAT.clone(), default_zoom=16)
    DistrictFactory()
    project = ProjectFactory(title_en="Arbat")
    looking_east = make_photo(project, bearing=90, caption="Arbat, looking east", phase="before")
    no_bearing = make_photo(project, location=Point(76.9460, 43.2612, srid=4326), bearing=None, caption="Kiosk")
    return project, looking_east, no_bearing


def test_a_photo_viewpoint_marker_is_turned_by_its_bearing(page, live_server, arbat_photos):
    open_map(page, live_server)
    page.wait_for_selector(VIEWPOINTS, state="attached")
    cone = page.locator(f'{VIEWPOINTS}[title="Arbat, looking east"] svg')
    expect(cone).to_have_attribute("data-bearing", "90")
    assert page.evaluate("svg => svg.style.transform", cone.element_handle()) == "rotate(90deg)"
    expect(cone.locator("path")).to_have_count(1)


def test_a_photo_without_a_bearing_is_a_plain_dot(page, live_server, arbat_photos):
    open_map(page, live_server)
    dot = page.locator(f'{VIEWPOINTS}[title="Kiosk"] svg')
    expect(dot.locator("circle")).to_have_count(1)
    expect(dot.locator("path")).to_have_count(0)


def test_a_photo_popup_shows_the_thumbnail_and_caption_and_links_to_the_project(page, live_server, arbat_photos):
    project, looking_east, _no_bearing = arbat_photos
    open_map(page, live_server)
    marker = page.locator(f'{VIEWPOINTS}[title="Arbat, looking east"]')
    # A marker is a button: the keyboard opens its popup.
    marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    image = popup.locator("img.qala-popup-image")
    expect(image).to_have_attribute("src", f"/media/{looking_east.thumbnail.name}")
    page.wait_for_function("image => image.complete && image.naturalWidth === 160", arg=image.element_handle())
    expect(popup.get_by_role("link", name="Arbat, looking east")).to_have_attribute("href", f"/projects/{project.pk}/")
    expect(popup).to_contain_text("Before")


def test_the_legend_draws_the_photos_as_viewpoints(page, live_server, arbat_photos):
    open_map(page, live_server)
    row = page.locator('[data-layer="project_photos"]')
    expect(row.locator("label svg.qala-swatch path")).to_have_count(1)
    expect(row.locator(".qala-variants li").filter(has_text="After").locator("circle")).to_have_attribute(
        "fill", "#15803d"
    )
