"""The concept editor in a real browser: an urbanist creates a concept on a park, draws three zones on the park's
map with Geoman (a playground, a path, a point of seating), and moves the concept to shortlisted."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from parks import concepts
from parks.models import RenovationConcept, Zone
from tests.factories import GORKY_PLAYGROUND, CityFactory, ParkFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def park(password):
    """Gorky Central Park in Almaty, and an urbanist to draw on it."""
    UserFactory(email="urbanist@example.org", password=password, role="urbanist")
    return ParkFactory(city=CityFactory())


@pytest.fixture
def urbanist_page(page, live_server, password, park):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill("urbanist@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()
    return page


def map_point(page, dx: float, dy: float) -> tuple[float, float]:
    """A point of the editor's map, ``dx`` and ``dy`` pixels from its centre (the park's middle)."""
    page.locator("#editor-map").scroll_into_view_if_needed()
    box = page.locator("#editor-map").bounding_box()
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def click_map(page, dx: float, dy: float) -> None:
    page.mouse.click(*map_point(page, dx, dy))
    page.wait_for_timeout(150)  # Geoman tells a double click from two clicks


def save_zone(page, purpose: str, label: str) -> None:
    page.get_by_label("Purpose", exact=True).select_option(label=purpose)
    page.get_by_label("Label").fill(label)
    page.get_by_role("button", name="Add the zone").click()
    expect(page.locator(".messages")).to_contain_text(f"The zone “{label}” was added")


def test_an_urbanist_draws_a_concept_with_three_zones_and_shortlists_it(urbanist_page, live_server, park):
    page = urbanist_page
    page.goto(live_server.url + reverse("parks:concept_create", args=[park.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("New concept for Gorky Central Park")
    page.get_by_label("Title (English)").fill("Shaded alleys")
    page.get_by_label("Authors (team)").fill("Team Alatau")
    page.get_by_role("button", name="Create the concept").click()
    page.wait_for_url(f"**{reverse('parks:concept', args=[RenovationConcept.objects.get().pk])}")
    concept = RenovationConcept.objects.get()

    page.goto(live_server.url + reverse("parks:concept_zones", args=[concept.pk]))
    expect(page.get_by_role("button", name="Draw a polygon")).to_be_visible()
    page.wait_for_timeout(400)  # the map's fit to the park ends

    # A playground: four corners, then the first again to close the polygon.
    page.get_by_role("button", name="Draw a polygon").click()
    for dx, dy in ((-40, -30), (20, -30), (20, 20), (-40, 20), (-40, -30)):
        click_map(page, dx, dy)
    expect(page.locator("#editor-status")).to_have_text("The zone's shape was updated.")
    save_zone(page, "playground", "Playground by the pond")

    # A path: two vertices, then the last again to finish the line.
    page.get_by_role("button", name="Draw a line").click()
    for dx, dy in ((-60, 60), (50, 80), (50, 80)):
        click_map(page, dx, dy)
    expect(page.locator("#editor-status")).to_have_text("The zone's shape was updated.")
    save_zone(page, "path", "Main alley")

    # Seating: one point.
    page.get_by_role("button", name="Draw a point").click()
    click_map(page, 60, -60)
    expect(page.locator("#editor-status")).to_have_text("The zone's shape was updated.")
    save_zone(page, "seating", "Benches by the fountain")

    rows = page.locator(".zone-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("m²")
    expect(page.locator("path.editor-other-zone")).to_have_count(3)

    page.goto(live_server.url + reverse("parks:concept_status", args=[concept.pk]))
    page.get_by_label("New status").select_option(label="shortlisted")
    page.get_by_label("Note").fill("Chosen by the jury")
    page.get_by_role("button", name="Change the status").click()
    page.wait_for_url(f"**{reverse('parks:concept', args=[concept.pk])}")

    zones = {zone.purpose: zone for zone in concept.zones.all()}
    assert set(zones) == {"playground", "path", "seating"}
    assert zones["playground"].geom.geom_type == "Polygon" and zones["playground"].area_m2 > 1000
    assert zones["path"].geom.geom_type == "LineString" and zones["path"].length_m > 100
    assert zones["seating"].geom.geom_type == "Point"
    assert (zones["seating"].area_m2, zones["seating"].length_m) == (None, None)
    concept.refresh_from_db()
    assert concept.status == "shortlisted"
    step = concept.status_changes.last()
    assert (step.status, step.date, step.note) == ("shortlisted", timezone.localdate(), "Chosen by the jury")


def test_a_zone_drawn_outside_the_park_is_refused_and_stays_on_the_map(urbanist_page, live_server, park):
    page = urbanist_page
    concept = concepts.save_concept(RenovationConcept(park=park, title_en="Pond"))
    page.goto(live_server.url + reverse("parks:concept_zones", args=[concept.pk]))
    page.get_by_text("Edit the shape as GeoJSON").click()
    textarea = page.get_by_label("Shape (GeoJSON)")
    textarea.fill('{"type": "Point", "coordinates": [76.9747, 43.2610]}')
    textarea.press("Tab")
    page.get_by_label("Purpose", exact=True).select_option(label="seating")
    page.get_by_role("button", name="Add the zone").click()

    expect(page.locator(".field-invalid .errorlist")).to_contain_text("m outside Gorky Central Park")
    expect(page.locator("#editor-map .leaflet-marker-icon")).to_have_count(1)
    assert not concept.zones.exists()


def test_the_zone_editor_fits_a_375_pixel_wide_phone(urbanist_page, live_server, park):
    page = urbanist_page
    concept = concepts.save_concept(RenovationConcept(park=park, title_en="Pond"))
    concepts.save_zone(Zone(concept=concept, geom=GORKY_PLAYGROUND.clone(), purpose="playground", label="Sand pit"))
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + reverse("parks:concept_zones", args=[concept.pk]))
    for selector in ("#editor-map", "#id_purpose", "#id_label", ".zone-form .form-actions .button", ".table-scroll"):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
