"""Logging in with the e-mail address, and logging out."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
LOGOUT_URL = reverse("accounts:logout")


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_login_field_is_labelled_email(client):
    response = client.get(LOGIN_URL)

    assert '<label for="id_username">E-mail</label>' in response.text


def test_the_right_password_logs_the_user_in(client, resident, password):
    response = client.post(LOGIN_URL, {"username": resident.email, "password": password})

    assert response.status_code == 302
    assert response["Location"] == reverse("gis_data:map")
    assert signed_in_user_id(client) == str(resident.pk)


def test_the_email_may_be_typed_in_any_letter_case(client, resident, password):
    client.post(LOGIN_URL, {"username": resident.email.upper(), "password": password})

    assert signed_in_user_id(client) == str(resident.pk)


def test_a_wrong_password_does_not_log_the_user_in(client, resident):
    response = client.post(LOGIN_URL, {"username": resident.email, "password": "not-the-password"})

    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password." in response.text
    assert signed_in_user_id(client) is None


def test_login_goes_on_to_the_next_page(client, resident, password):
    next_url = reverse("accounts:password_change")

    response = client.post(LOGIN_URL + f"?next={next_url}", {"username": resident.email, "password": password})

    assert response["Location"] == next_url


def test_logging_out_needs_a_post(client, resident):
    client.force_login(resident)

    response = client.get(LOGOUT_URL)

    assert response.status_code == 405
    assert signed_in_user_id(client) == str(resident.pk)


def test_a_post_logs_the_user_out(client, resident):
    client.force_login(resident)

    response = client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert signed_in_user_id(client) is None
