"""Signing up, and confirming the e-mail address through the mailed link."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.models import User
from accounts.services import CONFIRMATION_MAX_AGE, confirmation_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = reverse("accounts:signup")
LINK = re.compile(r"https?://\S+/accounts/confirm/\S+/")


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def form(password) -> dict:
    return {"email": "Aigerim@Example.ORG", "display_name": "Aigerim", "password1": password, "password2": password}


def confirmation_link() -> str:
    (message,) = mail.outbox
    return LINK.search(message.body).group(0)


def test_signing_up_creates_the_user_with_a_lowercased_email(client, form, password):
    response = client.post(SIGNUP_URL, form)

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "aigerim@example.org"
    assert user.display_name == "Aigerim"
    assert user.check_password(password)
    assert not user.email_confirmed


def test_signing_up_makes_the_user_a_resident(client, form):
    client.post(SIGNUP_URL, form)

    user = User.objects.get()
    assert list(user.groups.values_list("name", flat=True)) == [roles.RESIDENT]
    assert not user.is_staff


def test_signing_up_logs_the_user_in(client, form):
    response = client.post(SIGNUP_URL, form, follow=True)

    assert response.context["user"].email == "aigerim@example.org"
    assert response.redirect_chain[-1][0] == reverse("accounts:confirmation_sent")


def test_signing_up_sends_one_mail_with_a_confirmation_link(client, form):
    client.post(SIGNUP_URL, form)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["aigerim@example.org"]
    assert "\n" not in mail.outbox[0].subject
    assert LINK.search(mail.outbox[0].body)


def test_the_link_confirms_the_email_address(client, form):
    client.post(SIGNUP_URL, form)
    user = User.objects.get()

    response = Client(headers={"accept-language": "en"}).get(confirmation_link())

    assert response.status_code == 200
    assert "Thank you: your e-mail address aigerim@example.org is confirmed." in response.text
    user.refresh_from_db()
    assert user.email_confirmed


def test_opening_the_link_twice_keeps_the_first_confirmation_time(client):
    user = UserFactory(email_confirmed_at=None)
    link = reverse("accounts:confirm", args=[confirmation_token(user)])
    client.get(link)
    user.refresh_from_db()
    first = user.email_confirmed_at

    response = client.get(link)

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email_confirmed_at == first


def test_a_tampered_link_does_not_confirm(client):
    user = UserFactory(email_confirmed_at=None)
    token = confirmation_token(user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client.get(reverse("accounts:confirm", args=[tampered]))

    assert response.status_code == 200
    assert "This confirmation link is not valid." in response.text
    user.refresh_from_db()
    assert not user.email_confirmed


def test_an_expired_link_does_not_confirm(client, monkeypatch):
    user = UserFactory(email_confirmed_at=None)
    then = time.time() - CONFIRMATION_MAX_AGE.total_seconds() - timedelta(minutes=1).total_seconds()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: then)
        token = confirmation_token(user)

    response = client.get(reverse("accounts:confirm", args=[token]))

    assert response.status_code == 200
    assert "This confirmation link has expired" in response.text
    user.refresh_from_db()
    assert not user.email_confirmed


def test_a_link_for_an_address_changed_since_does_not_confirm(client):
    user = UserFactory(email="old@example.org", email_confirmed_at=None)
    token = confirmation_token(user)
    user.email = "new@example.org"
    user.save()

    response = client.get(reverse("accounts:confirm", args=[token]))

    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.email_confirmed


def test_a_failed_link_offers_a_signed_in_user_a_new_one(client, password):
    user = UserFactory(email_confirmed_at=None, password=password)
    client.force_login(user)

    response = client.get(reverse("accounts:confirm", args=["not-a-token"]))

    assert reverse("accounts:resend_confirmation") in response.text
    assert "Send a new link" in response.text


def test_a_failed_link_asks_an_anonymous_visitor_to_log_in_for_a_new_one(client):
    response = client.get(reverse("accounts:confirm", args=["not-a-token"]))

    assert "Log in to get a new link" in response.text


def test_a_duplicate_email_in_another_letter_case_is_refused(client, form):
    UserFactory(email="aigerim@example.org")

    response = client.post(SIGNUP_URL, form)

    assert response.status_code == 200
    assert "An account with this e-mail address already exists." in response.text
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_different_passwords_are_refused(client, form):
    form["password2"] = form["password1"] + "x"

    response = client.post(SIGNUP_URL, form)

    assert "The two passwords differ." in response.text
    assert not User.objects.exists()


def test_a_common_password_is_refused(client, form):
    form["password1"] = form["password2"] = "password123"

    response = client.post(SIGNUP_URL, form)

    assert "This password is too common." in response.text
    assert not User.objects.exists()


def test_the_display_name_is_optional(client, form):
    form["display_name"] = ""

    client.post(SIGNUP_URL, form)

    assert User.objects.get().display_name == ""


def test_resending_mails_a_new_link_that_confirms(client):
    user = UserFactory(email_confirmed_at=None)
    client.force_login(user)

    response = client.post(reverse("accounts:resend_confirmation"), follow=True)

    assert "We sent a new link to" in response.text
    Client().get(confirmation_link())
    user.refresh_from_db()
    assert user.email_confirmed


def test_resending_needs_a_post(client):
    client.force_login(UserFactory(email_confirmed_at=None))

    response = client.get(reverse("accounts:resend_confirmation"))

    assert response.status_code == 405
    assert mail.outbox == []


def test_resending_to_a_confirmed_address_sends_nothing(client, resident):
    client.force_login(resident)

    response = client.post(reverse("accounts:resend_confirmation"), follow=True)

    assert "Your e-mail address is already confirmed." in response.text
    assert mail.outbox == []


def test_resending_needs_a_signed_in_user(client):
    response = client.post(reverse("accounts:resend_confirmation"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert mail.outbox == []


def test_a_signed_in_user_is_sent_on_from_the_signup_page(client, resident):
    client.force_login(resident)

    response = client.get(SIGNUP_URL)

    assert response.status_code == 302
