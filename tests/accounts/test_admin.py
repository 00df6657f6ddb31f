"""The Django admin for users, keyed on the e-mail address."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


def test_the_user_list_shows_emails_roles_and_confirmation(client, admin_user, resident):
    client.force_login(admin_user)

    response = client.get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 200
    assert resident.email in response.text
    assert "resident" in response.text


def test_an_admin_adds_a_user_with_an_email_and_a_password(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Example.org",
            "usable_password": "true",
            "password1": "a-fine-long-passphrase-1",
            "password2": "a-fine-long-passphrase-1",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password("a-fine-long-passphrase-1")


def test_the_admin_refuses_a_second_account_for_an_address_in_another_case(client, admin_user, resident):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": resident.email.upper(),
            "usable_password": "true",
            "password1": "a-fine-long-passphrase-1",
            "password2": "a-fine-long-passphrase-1",
        },
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact=resident.email).count() == 1


def test_the_change_page_of_a_user_opens(client, admin_user, resident):
    client.force_login(admin_user)

    response = client.get(reverse("admin:accounts_user_change", args=[resident.pk]))

    assert response.status_code == 200
