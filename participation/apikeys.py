"""API keys of the Open311 clients: made once, shown once, kept as a SHA-256 digest only.

A key is 32 random bytes (``secrets.token_urlsafe``), so a plain SHA-256 of it
cannot be guessed back; no salt or slow hash is needed, and the digest can be
looked up directly. The first characters are kept in clear so that admins can
tell keys apart (``manage.py participation_api_client list``).
"""

import hashlib
import secrets

from django.utils import timezone

from participation.models import ApiClient

PREFIX_LENGTH = 8


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_client(name: str, contact_email: str = "") -> tuple[ApiClient, str]:
    """A new active client and its key; the key is not stored and cannot be shown again."""
    key = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name, contact_email=contact_email, key_digest=key_digest(key), key_prefix=key[:PREFIX_LENGTH]
    )
    return client, key


def client_for_key(key: str | None) -> ApiClient | None:
    """The active client holding ``key``, with its last use noted; None for no key, a wrong or a revoked one."""
    if not key:
        return None
    client = ApiClient.objects.filter(key_digest=key_digest(key), is_active=True).first()
    if client is not None:
        client.last_used_at = timezone.now()
        # One column, not a full save: two requests with the same key must not overwrite each other's fields.
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=client.last_used_at)
    return client
