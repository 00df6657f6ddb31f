"""Settings come from the environment, strictly; the database runs as the app needs it."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection


def run_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the real settings in a fresh interpreter with the given environment."""
    environment = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_settings(DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_starts_with_a_secret_key_when_debug_is_off():
    result = run_settings(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="qala.example.kz")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['qala.example.kz']"


def test_a_boolean_setting_that_cannot_be_read_names_the_variable():
    result = run_settings(DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.django_db
def test_the_app_connections_run_without_jit_and_parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        workers = cursor.fetchone()[0]

    assert (jit, workers) == ("off", "0")


@pytest.mark.django_db
def test_the_database_has_postgis():
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version()")
        assert cursor.fetchone()[0].startswith("3.")


def test_kazakh_pages_group_thousands_with_a_space_and_write_decimals_with_a_comma():
    import datetime

    from django.utils import formats, translation

    with translation.override("kk"):
        assert formats.number_format(1234567.5, decimal_pos=1, force_grouping=True) == "1\xa0234\xa0567,5"
        assert formats.date_format(datetime.date(2026, 11, 21)) == "21.11.2026"
