"""`manage.py accounts_create_users`: the first admin and the demo users, created once."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts import roles
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENV_PASSWORD = "an-admin-passphrase-from-the-env"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("accounts_create_users", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str, email: str) -> str:
    return re.search(rf"Created {re.escape(email)} \(\w+\), password: (\S+)", output).group(1)


def test_it_creates_the_first_admin_as_a_confirmed_superuser(monkeypatch):
    monkeypatch.setenv("QALA_ADMIN_PASSWORD", ENV_PASSWORD)

    run("--admin-email", "Boss@Example.org")

    admin = User.objects.get()
    assert admin.email == "boss@example.org"
    assert admin.is_superuser and admin.is_staff
    assert admin.email_confirmed
    assert list(admin.groups.values_list("name", flat=True)) == [roles.ADMIN]


def test_the_admin_password_comes_from_the_environment_and_is_not_printed(monkeypatch):
    monkeypatch.setenv("QALA_ADMIN_PASSWORD", ENV_PASSWORD)

    output = run("--admin-email", "boss@example.org")

    assert ENV_PASSWORD not in output
    assert authenticate(email="boss@example.org", password=ENV_PASSWORD) is not None


def test_without_the_variable_a_generated_admin_password_is_printed(monkeypatch):
    monkeypatch.delenv("QALA_ADMIN_PASSWORD", raising=False)

    output = run("--admin-email", "boss@example.org")

    password = printed_password(output, "boss@example.org")
    assert authenticate(email="boss@example.org", password=password) is not None


def test_a_weak_admin_password_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("QALA_ADMIN_PASSWORD", "password")

    with pytest.raises(CommandError, match="QALA_ADMIN_PASSWORD"):
        run("--admin-email", "boss@example.org")

    assert not User.objects.exists()


def test_an_existing_admin_is_left_as_it_is(monkeypatch):
    existing = UserFactory(email="boss@example.org", display_name="Boss")
    monkeypatch.setenv("QALA_ADMIN_PASSWORD", ENV_PASSWORD)

    output = run("--admin-email", "BOSS@example.org")

    assert "boss@example.org exists already; left as it is." in output
    existing.refresh_from_db()
    assert not existing.is_superuser
    assert not existing.check_password(ENV_PASSWORD)
    assert User.objects.count() == 1


def test_demo_creates_one_confirmed_user_per_role():
    output = run("--demo")

    for role in roles.ROLES:
        user = User.objects.get(email=f"{role}@demo.qala.local")
        assert user.email_confirmed
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert authenticate(email=user.email, password=printed_password(output, user.email)) == user
    assert User.objects.count() == len(roles.ROLES)


def test_demo_staff_are_the_urbanist_and_the_admin():
    run("--demo")

    staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
    assert staff == {"urbanist@demo.qala.local", "admin@demo.qala.local"}


def test_demo_a_second_time_creates_nothing_and_says_so():
    run("--demo")
    passwords = dict(User.objects.values_list("email", "password"))

    output = run("--demo")

    assert dict(User.objects.values_list("email", "password")) == passwords
    assert output.count("exists already; left as it is.") == len(roles.ROLES)
    assert "password:" not in output


def test_it_asks_what_to_create_when_given_nothing():
    with pytest.raises(CommandError, match="--admin-email"):
        run()
