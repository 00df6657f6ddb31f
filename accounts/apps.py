from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts.signals import create_roles_after_migrate

        post_migrate.connect(create_roles_after_migrate, dispatch_uid="accounts.create_roles_after_migrate")
