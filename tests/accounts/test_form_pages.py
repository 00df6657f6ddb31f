"""The account pages: a heading, labelled inputs with autocomplete, errors tied to their input."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


class FormPage(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.inputs: list[dict] = []
        self.label_targets: set[str] = set()
        self.ids: set[str] = set()
        self.headings = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "h1":
            self.headings += 1
        if tag == "label" and "for" in attributes:
            self.label_targets.add(attributes["for"])
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attributes)

    def form_inputs(self) -> list[dict]:
        # The language switcher in the header is base.html's, not a form of this page.
        return [attributes for attributes in self.inputs if attributes.get("id") != "language-select"]


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


PAGES = ["accounts:signup", "accounts:login", "accounts:password_reset"]


@pytest.mark.parametrize("name", PAGES)
def test_every_input_has_a_label_and_the_page_a_heading(client, name):
    page = FormPage(client.get(reverse(name)).text)

    assert page.headings == 1
    assert page.form_inputs()
    for attributes in page.form_inputs():
        assert attributes["id"] in page.label_targets


def test_the_signup_inputs_say_what_to_autocomplete(client):
    page = FormPage(client.get(reverse("accounts:signup")).text)

    autocomplete = {attributes["name"]: attributes.get("autocomplete") for attributes in page.form_inputs()}
    assert autocomplete == {
        "email": "email",
        "display_name": "nickname",
        "password1": "new-password",
        "password2": "new-password",
    }


def test_the_password_change_inputs_say_what_to_autocomplete(client, resident):
    client.force_login(resident)
    page = FormPage(client.get(reverse("accounts:password_change")).text)

    autocomplete = {attributes["name"]: attributes.get("autocomplete") for attributes in page.form_inputs()}
    assert autocomplete == {
        "old_password": "current-password",
        "new_password1": "new-password",
        "new_password2": "new-password",
    }


def test_an_error_is_tied_to_its_input(client, resident):
    response = client.post(reverse("accounts:signup"), {"email": resident.email, "password1": "x", "password2": "x"})
    page = FormPage(response.text)

    (email,) = [attributes for attributes in page.form_inputs() if attributes["name"] == "email"]
    assert email["aria-invalid"] == "true"
    assert "id_email_error" in email["aria-describedby"].split()
    assert "id_email_error" in page.ids
