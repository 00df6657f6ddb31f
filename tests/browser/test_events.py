"""Registering for a forum on a phone: a seat confirmed, the event filling up, a cancellation moving the first
person on the waiting list up."""

from urllib.parse import urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from playwright.sync_api import expect

from participation import events
from tests.factories import CityFactory, EventFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture
def other_page(browser, page, page_log):
    """A second person's phone: its own browser context, blocked from other hosts and watched like ``page``."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.set_default_timeout(15_000)

    def route(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            page_log.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    other = context.new_page()
    other.on("pageerror", lambda error: page_log.console_errors.append(f"uncaught: {error}"))
    other.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Failed to load resource" not in message.text
            and page_log.console_errors.append(message.text)
        ),
    )
    yield other
    context.close()


def log_in(page, live_server, email, password):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".site-header .user-name")).to_be_visible()


def test_a_cancellation_on_a_phone_gives_the_seat_to_the_first_on_the_waiting_list(
    page, other_page, live_server, password, mailoutbox
):
    CityFactory(center=Point(76.9656, 43.2598, srid=4326), default_zoom=15)
    forum = EventFactory(capacity=3)
    RegistrationFactory(event=forum)
    first = UserFactory(email="first@example.org", password=password, role="resident")
    third = UserFactory(email="third@example.org", password=password, role="resident")
    url = live_server.url + forum.get_absolute_url()

    # The first resident registers on a phone for the last seats but one.
    page.set_viewport_size(PHONE)
    log_in(page, live_server, first.email, password)
    page.goto(url)
    expect(page.locator("#event-seats")).to_have_text("2 seats left of 3")
    expect(page.locator("#event-map .event-venue-marker")).to_have_count(1)
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#registration-status")).to_have_text("You are registered: your seat is confirmed.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Another fills the last seat; the third person lands on the waiting list, and has the page open.
    events.register(forum, UserFactory(role="resident"))
    events.register(forum, third)
    log_in(other_page, live_server, third.email, password)
    other_page.goto(url)
    expect(other_page.locator("#registration-status")).to_have_text("You are on the waiting list: position 1.")
    expect(other_page.locator("#event-seats")).to_contain_text("Full — waiting list")

    # The first cancels on their phone: the seat goes to the third, who sees it on reloading.
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.locator(".messages")).to_contain_text("Your registration is cancelled.")
    expect(page.get_by_role("button", name="Join the waiting list")).to_be_visible()
    other_page.reload()
    expect(other_page.locator("#registration-status")).to_have_text("You are registered: your seat is confirmed.")
    assert any(message.to == [third.email] and message.subject.startswith("A seat freed up") for message in mailoutbox)
