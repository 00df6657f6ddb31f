"""The language switcher, in a real browser: the page changes language and remembers the choice."""

import pytest
from playwright.sync_api import expect

from tests.factories import CityFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def almaty(transactional_db):
    CityFactory()


def switch_language(page, code: str) -> None:
    page.locator("#language-select").select_option(code)
    with page.expect_navigation():
        page.locator(".language-switcher [type=submit]").click()


def test_the_first_page_follows_the_browser_language(page, live_server, almaty):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-select")).to_have_value("en")


def test_the_switcher_turns_the_page_into_kazakh_and_back_into_english(page, live_server, almaty):
    page.goto(live_server.url + "/")
    switch_language(page, "kk")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("#language-select")).to_have_value("kk")
    expect(page.locator("#language-select option:checked")).to_have_text("Қазақ")
    expect(page.get_by_role("link", name="Кіру", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Тіркелу", exact=True)).to_be_visible()
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#language-select")).to_have_value("en")
    expect(page.get_by_role("link", name="Map", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()


def test_the_chosen_language_is_remembered_on_the_next_page_load(page, live_server, almaty):
    page.goto(live_server.url + "/")
    switch_language(page, "kk")
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("#language-select")).to_have_value("kk")


def test_the_switcher_returns_to_the_page_it_was_used_on(page, live_server, almaty):
    page.goto(live_server.url + "/")
    switch_language(page, "ru")
    assert page.url == live_server.url + "/"
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".brand-city")).to_have_text("Алматы")
