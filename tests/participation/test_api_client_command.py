"""`manage.py participation_api_client`: Open311 keys created (and shown) once, listed, deactivated."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from participation.apikeys import client_for_key, create_api_client
from participation.models import ApiClient

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("participation_api_client", *args, stdout=out)
    return out.getvalue()


def printed_key(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_create_prints_a_key_that_is_stored_only_as_its_digest():
    output = run("create", "City back-end", "--email", "it@example.org")

    key = printed_key(output)
    client = ApiClient.objects.get()
    assert (client.name, client.contact_email, client.is_active) == ("City back-end", "it@example.org", True)
    assert client.key_digest == hashlib.sha256(key.encode()).hexdigest()
    assert client.key_prefix == key[:8]
    assert len(key) >= 40
    assert client_for_key(key) == client


def test_creating_an_active_client_again_leaves_it_as_it_is_and_prints_no_key():
    client, key = create_api_client("City back-end")

    output = run("create", "City back-end")

    assert "exists already" in output
    assert key[8:] not in output
    assert list(ApiClient.objects.all()) == [client]


def test_a_bad_contact_address_is_refused():
    with pytest.raises(CommandError, match="not an e-mail address"):
        run("create", "City back-end", "--email", "it-at-example")

    assert not ApiClient.objects.exists()


def test_list_shows_prefixes_names_and_states_but_never_keys():
    active, active_key = create_api_client("City back-end")
    retired, retired_key = create_api_client("Old app")
    retired.is_active = False
    retired.save()

    output = run("list")

    assert f"{active.key_prefix}  active    City back-end" in output
    assert f"{retired.key_prefix}  inactive  Old app" in output
    assert active_key not in output and retired_key not in output


def test_deactivate_revokes_the_key_that_begins_with_the_prefix():
    client, key = create_api_client("City back-end")
    other, other_key = create_api_client("Another app")

    output = run("deactivate", key[:8])

    client.refresh_from_db()
    assert "Deactivated 'City back-end'" in output
    assert not client.is_active
    assert client_for_key(key) is None
    assert client_for_key(other_key) == other


def test_deactivating_twice_says_so_and_an_unknown_prefix_is_an_error():
    client, key = create_api_client("City back-end")
    run("deactivate", key[:8])

    assert "inactive already" in run("deactivate", key[:8])
    with pytest.raises(CommandError, match="No API client"):
        run("deactivate", "********")  # never in a token_urlsafe key


def test_the_last_use_of_a_key_is_noted():
    client, key = create_api_client("City back-end")

    client_for_key(key)

    client.refresh_from_db()
    assert client.last_used_at is not None
    assert "last used" in run("list")
