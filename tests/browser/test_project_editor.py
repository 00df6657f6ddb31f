"""The project editor in a real browser: an urbanist draws a square with Geoman, adds photos and publishes."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from photos.models import Photo
from projects.models import Project
from tests.factories import ASTANA_SQUARE, CategoryFactory, CityFactory, DistrictFactory, UserFactory
from tests.photo_files import arbat_jpeg, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GEOMAN_POLYGON = ".leaflet-pm-toolbar .leaflet-pm-icon-polygon"


@pytest.fixture
def urbanist_page(page, live_server, password):
    """Almaty with a district and the "Square" category, and an urbanist logged in through the log-in page."""
    CityFactory()
    DistrictFactory()
    CategoryFactory(slug="square", name_en="Square")
    CategoryFactory(slug="bike_lane", name_en="Bike lane")
    UserFactory(email="urbanist@example.org", password=password, role="urbanist")
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill("urbanist@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()
    return page


def open_editor(page, live_server):
    page.goto(live_server.url + reverse("projects:create"))
    # The districts are drawn once the page's script has fetched them.
    page.wait_for_selector("path.editor-district", state="attached")


def draw_polygon(page, offsets):
    """Click Geoman's polygon button, then the map at ``offsets`` from its centre, and the first vertex again."""
    page.locator(GEOMAN_POLYGON).click()
    box = page.locator("#editor-map").bounding_box()
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    points = [(centre_x + dx, centre_y + dy) for dx, dy in offsets]
    for x, y in [*points, points[0]]:
        page.mouse.click(x, y)


def upload_photo(page, name, content, phase, caption):
    page.locator("input[type=file][name=image]").set_input_files(
        {"name": name, "mimeType": "image/jpeg", "buffer": content}
    )
    page.locator("select[name=phase]").select_option(phase)
    page.locator("input[name=caption]").fill(caption)
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.locator(".messages")).to_contain_text("The photo was added.")


def test_an_urbanist_draws_a_square_adds_a_before_and_after_pair_and_publishes(urbanist_page, live_server):
    page = urbanist_page
    open_editor(page, live_server)
    page.get_by_label("Category").select_option(label="Square")
    expect(page.locator("#editor-hint")).to_have_text("Draw one or more polygons.")

    draw_polygon(page, [(-60, -40), (60, -40), (60, 40), (-60, 40)])
    geometry = json.loads(page.locator("#id_geom").input_value())
    assert geometry["type"] == "Polygon"
    assert len(geometry["coordinates"][0]) == 5
    expect(page.locator("#editor-status")).to_have_text("The geometry was updated.")

    page.get_by_label("Title (English)").fill("Astana Square")
    page.get_by_role("button", name="Create the project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Astana Square”")
    project = Project.objects.get()

    page.get_by_role("link", name="Photos").click()
    upload_photo(page, "before.jpg", arbat_jpeg(), "before", "The square in 2017")
    upload_photo(page, "after.jpg", jpeg_bytes(colour="#884422"), "after", "The square in 2024")
    before = Photo.objects.get(caption="The square in 2017")
    after = Photo.objects.get(caption="The square in 2024")

    card = page.locator(f"#photo-{before.pk}")
    card.locator("summary").click()
    card.locator(f"select[name='photo-{before.pk}-pair']").select_option(str(after.pk))
    card.get_by_role("button", name="Save the photo").click()
    expect(page.locator(".messages")).to_contain_text("The photo was saved.")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".editor-state")).to_have_text("Published: everyone can see it.")

    project.refresh_from_db()
    before.refresh_from_db()
    after.refresh_from_db()
    assert project.is_published
    assert project.title_en == "Astana Square"
    assert project.category.slug == "square"
    assert project.area_m2 > 0
    assert before.pair == after and after.pair == before
    assert set(Photo.objects.of(project)) == {before, after}


def test_a_keyboard_user_creates_a_project_from_the_geojson_alone(urbanist_page, live_server):
    page = urbanist_page
    open_editor(page, live_server)
    page.get_by_label("Category").select_option(label="Square")
    page.get_by_text("Edit the geometry as GeoJSON").press("Enter")
    textarea = page.get_by_label("Geometry (GeoJSON)")
    textarea.fill(ASTANA_SQUARE.geojson)
    textarea.press("Tab")  # the change event redraws the map
    expect(page.locator("#editor-map path.leaflet-interactive:not(.editor-district)")).to_have_count(1)

    page.get_by_label("Title (English)").fill("Astana Square")
    page.get_by_label("Title (English)").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Astana Square”")
    project = Project.objects.get()
    assert project.geom.equals_exact(ASTANA_SQUARE, 1e-6)
    assert project.area_m2 > 0


def test_the_editor_shows_a_refused_geometry_again_on_the_map(urbanist_page, live_server):
    page = urbanist_page
    open_editor(page, live_server)
    page.get_by_label("Category").select_option(label="Bike lane")
    expect(page.locator(GEOMAN_POLYGON)).to_have_count(0)  # a bike lane is a line: no polygon tool
    page.get_by_label("Category").select_option(label="Square")
    draw_polygon(page, [(-50, -30), (50, -30), (0, 40)])
    page.get_by_role("button", name="Create the project").click()  # no title

    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator("#editor-map path.leaflet-interactive:not(.editor-district)")).to_have_count(1)
    assert not Project.objects.exists()


def test_the_geoman_buttons_have_names_in_the_page_language(urbanist_page, live_server):
    page = urbanist_page
    open_editor(page, live_server)
    expect(page.get_by_role("button", name="Draw a polygon")).to_be_visible()
    expect(page.get_by_role("button", name="Remove a shape")).to_be_visible()
