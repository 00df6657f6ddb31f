"""Signal handlers of the accounts app."""

from django.apps import apps

from accounts.roles import ensure_roles


def create_roles_after_migrate(sender, using: str, **kwargs) -> None:
    """Build the role groups once every app's permissions exist.

    ``post_migrate`` is sent once per app, in INSTALLED_APPS order, and auth
    creates each app's permissions on that app's turn; so the roles are built on
    the last app's turn, when the permissions of every app are there. ``flush``
    sends the signal too, which gives transactional test databases their groups back.
    """
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if with_models and sender is with_models[-1]:
        ensure_roles(using=using)
