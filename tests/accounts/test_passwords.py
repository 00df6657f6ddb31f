"""Resetting a forgotten password by e-mail, and changing the password while signed in."""

import re

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET_URL = reverse("accounts:password_reset")
RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/[^/\s]+/[^/\s]+/")
NEW_PASSWORD = "a-brand-new-passphrase-77"


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def reset_link() -> str:
    (message,) = mail.outbox
    return RESET_LINK.search(message.body).group(0)


def set_new_password(client: Client, link: str) -> None:
    # The mailed link stores the token in the session and redirects to a URL without it.
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")


def test_asking_for_a_reset_mails_a_link(client, resident):
    response = client.post(RESET_URL, {"email": resident.email})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox[0].to == [resident.email]
    assert RESET_LINK.search(mail.outbox[0].body)


def test_the_address_may_be_typed_in_any_letter_case(client, resident):
    client.post(RESET_URL, {"email": resident.email.upper()})

    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_no_mail_and_the_same_page(client):
    response = client.post(RESET_URL, {"email": "nobody@example.org"})

    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_reset_link_sets_a_new_password_that_works(client, resident, password):
    client.post(RESET_URL, {"email": resident.email})

    set_new_password(client, reset_link())

    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    assert authenticate(email=resident.email, password=NEW_PASSWORD) == resident
    assert authenticate(email=resident.email, password=password) is None


def test_the_reset_link_works_only_once(client, resident):
    client.post(RESET_URL, {"email": resident.email})
    link = reset_link()
    set_new_password(client, link)

    response = client.get(link, follow=True)

    assert "This password reset link is not valid" in response.text


def test_resetting_the_password_confirms_the_email_address(client):
    user = UserFactory(email_confirmed_at=None)
    client.post(RESET_URL, {"email": user.email})

    set_new_password(client, reset_link())

    user.refresh_from_db()
    assert user.email_confirmed


def test_a_signed_in_user_can_change_their_password(client, resident, password):
    client.force_login(resident)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response["Location"] == reverse("accounts:password_change_done")
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)


def test_changing_the_password_needs_the_old_one(client, resident, password):
    client.force_login(resident)

    client.post(
        reverse("accounts:password_change"),
        {"old_password": "a-wrong-guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    resident.refresh_from_db()
    assert resident.check_password(password)


def test_changing_the_password_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:password_change"))

    assert response["Location"].startswith(reverse("accounts:login"))
