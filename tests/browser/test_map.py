"""The map page in a real browser, with every request to another host blocked (so no base-map tiles)."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString
from playwright.sync_api import expect

from tests.factories import (
    AUEZOV,
    DataSourceFactory,
    DistrictFactory,
    RailwayFactory,
    RasterFactory,
    StreetFactory,
    WaterwayFactory,
    write_dem,
)

pytestmark = pytest.mark.browser

DISTRICTS = "path.qala-layer-districts"
RIVERS = "path.qala-layer-waterways"
MAIN_ROADS = "path.qala-layer-main_roads"
RAILWAYS = "path.qala-layer-railways"
RELIEF = ".leaflet-qala-raster-relief-pane img.qala-raster-relief"
SRTM = "SRTM data courtesy of NASA/USGS"
# A short straight line in the middle of the first view, away from the other features; not level,
# for a line with an empty bounding box counts as hidden.
TRAM_LINE = LineString((76.90, 43.253), (76.95, 43.255), srid=4326)


@pytest.fixture
def almaty(transactional_db):
    """Two districts, a river and a main road of Almaty, with their data sources."""
    DistrictFactory()
    DistrictFactory(
        name="Auezov",
        name_kk="Әуезов ауданы",
        name_ru="Ауэзовский район",
        name_en="Auezov District",
        geom=AUEZOV.clone(),
    )
    WaterwayFactory()
    StreetFactory()
    DataSourceFactory(key="dem")


def open_map(page, live_server):
    page.goto(live_server.url + "/")
    page.wait_for_selector(DISTRICTS, state="attached")


def test_the_map_draws_the_districts_and_the_rivers(page, live_server, almaty):
    open_map(page, live_server)
    expect(page.locator(DISTRICTS)).to_have_count(2)
    expect(page.locator(RIVERS)).to_have_count(1)
    expect(page.locator("#map")).to_have_attribute("aria-label", "Map of Almaty")


def test_the_attribution_names_the_licence_of_each_visible_layer(page, live_server, almaty):
    open_map(page, live_server)
    page.wait_for_selector(RIVERS, state="attached")
    attribution = page.locator(".leaflet-control-attribution")
    expect(attribution).to_contain_text("© OpenStreetMap contributors, ODbL")
    expect(attribution).to_contain_text("© OpenStreetMap contributors, CC BY-SA 2.0")


def test_clicking_a_district_shows_its_name_in_the_page_language(page, live_server, almaty):
    open_map(page, live_server)
    page.locator(DISTRICTS).first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Almaly District")


def test_clicking_a_district_on_the_russian_page_shows_its_russian_name(page, live_server, almaty):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ru", "url": live_server.url}])
    open_map(page, live_server)
    page.locator(DISTRICTS).first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Алмалинский район")


def test_the_only_requests_to_other_hosts_are_the_base_map_tiles(page, live_server, almaty, page_log):
    open_map(page, live_server)
    page.wait_for_selector(RIVERS, state="attached")
    page.wait_for_load_state("networkidle")
    tile_host = urlsplit(settings.MAP_TILE_URL.replace("{s}", "a")).hostname
    assert page_log.blocked, "the page asked for no base-map tile at all"
    assert {urlsplit(url).hostname for url in page_log.blocked} == {tile_host}


def test_the_layer_control_turns_a_layer_off_and_on_by_keyboard(page, live_server, almaty):
    open_map(page, live_server)
    page.wait_for_selector(RIVERS, state="attached")
    rivers = page.get_by_role("checkbox", name="Rivers and canals")
    rivers.focus()
    page.keyboard.press("Space")
    expect(rivers).not_to_be_checked()
    expect(page.locator(RIVERS)).to_have_count(0)
    page.keyboard.press("Space")
    expect(page.locator(RIVERS)).to_have_count(1)


def test_the_layer_control_folds_by_keyboard(page, live_server, almaty):
    open_map(page, live_server)
    toggle = page.get_by_role("button", name="Layers")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#qala-layers-panel")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#qala-layers-panel")).to_be_visible()
    page.get_by_role("checkbox", name="Districts").focus()
    page.keyboard.press("Escape")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_the_legend_draws_each_swatch_from_the_layer_style(page, live_server, almaty):
    open_map(page, live_server)
    expect(page.locator('[data-layer="districts"] svg.qala-swatch rect')).to_have_attribute("fill", "#8c7bd1")
    railway_variants = page.locator('[data-layer="railways"] .qala-variants li')
    expect(railway_variants.first).to_contain_text("Disused railway")
    expect(railway_variants.first.locator("line")).to_have_attribute("stroke-dasharray", "6 5")


def test_a_layer_is_hidden_below_its_minimum_zoom(page, live_server, almaty):
    open_map(page, live_server)
    page.wait_for_selector(MAIN_ROADS, state="attached")
    hint = page.locator('[data-layer="main_roads"] .qala-layer-hint')
    expect(hint).to_be_hidden()
    expect(page.locator("#map")).to_have_attribute("data-zoom", "12")
    page.get_by_role("button", name="Zoom out").click()
    expect(page.locator("#map")).to_have_attribute("data-zoom", "11")
    expect(page.locator(MAIN_ROADS)).to_have_count(1)
    page.get_by_role("button", name="Zoom out").click()
    expect(page.locator("#map")).to_have_attribute("data-zoom", "10")
    expect(page.locator(MAIN_ROADS)).to_have_count(0)
    expect(hint).to_be_visible()
    expect(page.locator(DISTRICTS)).to_have_count(2)


def test_the_data_sources_dialog_lists_every_source_and_licence(page, live_server, almaty):
    open_map(page, live_server)
    page.locator(".qala-sources-button").click()
    dialog = page.get_by_role("dialog", name="Data sources")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("ODbL 1.0")
    expect(dialog).to_contain_text("CC BY-SA 2.0")
    expect(dialog).to_contain_text("SRTM data courtesy of NASA/USGS")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_a_phone_screen_shows_the_map_and_the_layer_control_without_scrolling_sideways(page, live_server, almaty):
    page.set_viewport_size({"width": 375, "height": 667})
    open_map(page, live_server)
    toggle = page.get_by_role("button", name="Layers")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    map_box = page.locator("#map").bounding_box()
    assert map_box["width"] == 375
    assert map_box["height"] > 300
    toggle.click()
    expect(page.locator("#qala-layers-panel")).to_be_visible()
    panel = page.locator(".qala-layers").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_every_matching_variant_styles_a_feature_in_order(page, live_server, almaty):
    # A disused tram line: dashed as a disused line, then coloured as a tram line (the later variant).
    RailwayFactory(kind="tram", in_use=False)
    open_map(page, live_server)
    railway = page.locator(RAILWAYS)
    expect(railway).to_have_attribute("stroke-dasharray", "6 5")
    expect(railway).to_have_attribute("stroke", "#8e24aa")


def test_a_popup_names_the_variants_of_the_feature(page, live_server, almaty):
    # A solid line, so that the click in its middle does not fall in a gap between dashes.
    RailwayFactory(kind="tram", name_en="Tram 4", geom=TRAM_LINE.clone())
    open_map(page, live_server)
    page.locator(RAILWAYS).click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Tram 4")
    expect(popup).to_contain_text("Tram line")


def test_a_layer_without_filters_has_no_filter_group(page, live_server, almaty):
    open_map(page, live_server)
    expect(page.locator('[data-layer="districts"] .qala-filters')).to_have_count(0)


@pytest.fixture
def relief(almaty, tmp_path):
    """A small synthetic elevation model of central Almaty, registered as the pack's DEM."""
    return RasterFactory(path=str(write_dem(tmp_path / "dem.tif")))


def test_the_relief_is_drawn_under_the_layers_with_the_srtm_attribution(page, live_server, relief):
    open_map(page, live_server)
    image = page.locator(RELIEF)
    expect(image).to_have_count(1)
    page.wait_for_function("image => image.complete && image.naturalWidth === 64", arg=image.element_handle())
    z_index = "selector => Number(getComputedStyle(document.querySelector(selector)).zIndex)"
    assert page.evaluate(z_index, ".leaflet-tile-pane") < page.evaluate(z_index, ".leaflet-qala-raster-relief-pane")
    assert page.evaluate(z_index, ".leaflet-qala-raster-relief-pane") < page.evaluate(
        z_index, ".leaflet-qala-districts-pane"
    )
    expect(page.locator(".leaflet-control-attribution")).to_contain_text(SRTM)


def test_the_layer_control_turns_the_relief_and_its_attribution_off_by_keyboard(page, live_server, relief):
    open_map(page, live_server)
    expect(page.locator(RELIEF)).to_have_count(1)
    checkbox = page.get_by_role("checkbox", name="Relief")
    checkbox.focus()
    page.keyboard.press("Space")
    expect(checkbox).not_to_be_checked()
    expect(page.locator(RELIEF)).to_have_count(0)
    expect(page.locator(".leaflet-control-attribution")).not_to_contain_text(SRTM)
    page.keyboard.press("Space")
    expect(page.locator(RELIEF)).to_have_count(1)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text(SRTM)
