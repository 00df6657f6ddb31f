"""Personas and shared fixtures for the whole suite."""

import pytest

from tests.factories import UserFactory

pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Every test stores its uploads in a folder of its own, removed with pytest's temporary files."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture
def password() -> str:
    return "a-long-test-password-42"


@pytest.fixture
def resident(db, password):
    return UserFactory(email="resident@example.org", password=password, role="resident")


@pytest.fixture
def urbanist(db, password):
    return UserFactory(email="urbanist@example.org", password=password, role="urbanist")


@pytest.fixture
def moderator(db, password):
    return UserFactory(email="moderator@example.org", password=password, role="moderator")


@pytest.fixture
def jury_member(db, password):
    return UserFactory(email="jury@example.org", password=password, role="jury")


@pytest.fixture
def admin_user(db, password):
    return UserFactory(email="admin@example.org", password=password, role="admin")
