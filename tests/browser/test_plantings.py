"""Plantings in a real browser: an urbanist draws a row of trees and where the trees it replaces were felled,
records an inspection, and the list shows the survival; the pages fit a phone."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from parks.models import Inspection, Planting
from tests.factories import CityFactory, DistrictFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def urbanist_page(page, live_server, password):
    CityFactory()
    DistrictFactory()
    UserFactory(email="urbanist@example.org", password=password, role="urbanist")
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill("urbanist@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()
    return page


def map_point(page, dx: float, dy: float) -> tuple[float, float]:
    """The screen point ``dx``, ``dy`` pixels from the editor map's centre (the city's centre, in Almaly)."""
    page.locator("#editor-map").scroll_into_view_if_needed()
    box = page.locator("#editor-map").bounding_box()
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def open_editor(page, live_server):
    page.goto(live_server.url + reverse("parks:planting_create"))
    expect(page.get_by_role("button", name="Draw a line")).to_be_visible()


def test_an_urbanist_draws_a_row_of_trees_records_an_inspection_and_sees_the_survival(urbanist_page, live_server):
    page = urbanist_page
    open_editor(page, live_server)

    page.get_by_role("button", name="Draw a line").click()
    for dx, dy in [(-80, 0), (-40, 10), (0, 20)]:
        page.mouse.click(*map_point(page, dx, dy))
    page.mouse.click(*map_point(page, 0, 20))  # the last vertex again finishes the line
    expect(page.locator("#editor-status")).to_have_text("The planting was updated.")
    line = json.loads(page.locator("#id_geom").input_value())
    assert line["type"] == "LineString" and len(line["coordinates"]) == 3

    page.get_by_label("Where the trees it replaces were felled: a point").check()
    page.mouse.click(*map_point(page, 60, -30))
    expect(page.locator("#editor-status")).to_have_text("The place where the trees were felled was marked.")
    expect(page.locator("path.planting-felled")).to_have_count(1)

    page.get_by_label("Species").fill("Ulmus pumila")
    page.get_by_label("Trees planted").fill("20")
    page.get_by_label("Date planted").fill("2024-04-15")
    page.get_by_label("Responsible party").fill("Green Economy Department")
    page.get_by_label("Date felled").fill("2024-03-01")
    page.get_by_role("button", name="Create the planting").click()

    expect(page.locator(".messages")).to_contain_text("The planting was saved, in Almaly District.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ulmus pumila, 20 trees")
    planting = Planting.objects.get()
    assert planting.geom.geom_type == "LineString"
    assert planting.felled_place is not None
    expect(page.locator("path.planting-felled")).to_have_count(1)

    page.get_by_role("link", name="Record an inspection").click()
    page.get_by_label("Date inspected").fill("2025-04-20")
    page.get_by_label("Trees alive").fill("18")
    page.get_by_label("Trees dead").fill("2")
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.locator(".messages")).to_contain_text("The inspection was recorded: 18 of 20 trees alive (90 %).")
    assert Inspection.objects.get().planting == planting

    page.get_by_role("link", name="All plantings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compensatory plantings")
    by_district = page.locator("#survival-districts")
    expect(by_district.get_by_role("row", name="Almaly District")).to_contain_text("90 %")
    expect(page.locator("#survival-years").get_by_role("row", name="2024")).to_contain_text("90 %")
    expect(page.locator("path.planting-feature")).to_have_count(1)


def test_a_refused_inspection_says_why_and_keeps_what_was_typed(urbanist_page, live_server):
    page = urbanist_page
    open_editor(page, live_server)
    page.get_by_role("button", name="Draw a point").click()
    page.mouse.click(*map_point(page, -20, 10))
    page.get_by_label("other").check()
    expect(page.locator("#felled-fields")).to_be_hidden()
    page.get_by_label("Species").fill("Pinus sylvestris")
    page.get_by_label("Trees planted").fill("5")
    page.get_by_label("Date planted").fill("2023-10-01")
    page.get_by_label("Responsible party").fill("Volunteers")
    page.get_by_role("button", name="Create the planting").click()
    expect(page.locator(".messages")).to_contain_text("The planting was saved")

    page.get_by_role("link", name="Record an inspection").click()
    page.get_by_label("Date inspected").fill("2024-10-01")
    page.get_by_label("Trees alive").fill("5")
    page.get_by_label("Trees dead").fill("1")
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.locator(".field-invalid .errorlist")).to_have_text(
        "The inspection counts 6 trees (5 alive, 1 dead) but 5 were planted."
    )
    expect(page.get_by_label("Trees dead")).to_have_value("1")
    assert not Inspection.objects.exists()


def test_the_planting_pages_fit_a_375_pixel_wide_phone(urbanist_page, live_server):
    page = urbanist_page
    page.set_viewport_size({"width": 375, "height": 740})
    open_editor(page, live_server)
    for selector in ("#editor-map", "#id_species", ".form-actions .button"):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(live_server.url + reverse("parks:plantings"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Compensatory plantings")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
