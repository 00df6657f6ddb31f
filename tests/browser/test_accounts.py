"""Signing up, confirming, logging out and in again, in a real browser."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/accounts/confirm/\S+/")


def test_a_visitor_signs_up_confirms_logs_out_and_logs_in_again(page, live_server, password):
    page.goto(live_server.url + reverse("accounts:signup"))
    page.get_by_label("E-mail").fill("Aigerim@Example.org")
    page.get_by_label("Display name").fill("Aigerim")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    expect(page.locator(".site-header .user-name")).to_have_text("Aigerim")
    (message,) = mail.outbox
    page.goto(LINK.search(message.body).group(0))

    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail address confirmed")
    expect(page.get_by_text("your e-mail address aigerim@example.org is confirmed")).to_be_visible()
    assert User.objects.get(email="aigerim@example.org").email_confirmed

    page.locator(".site-header").get_by_role("button", name="Log out").click()
    expect(page.locator(".site-header .user-name")).to_have_count(0)

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail").fill("aigerim@example.org")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page.locator(".site-header .user-name")).to_have_text("Aigerim")


def test_the_signup_form_fits_a_375_pixel_wide_phone(page, live_server):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + reverse("accounts:signup"))

    controls = page.locator("main form input:not([type=hidden]), main form button")
    assert controls.count() >= 5
    for index in range(controls.count()):
        box = controls.nth(index).bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 375
