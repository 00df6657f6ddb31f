"""Create the first admin and demo users; users that exist already are left as they are."""

import os
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import roles
from accounts.services import create_user_with_role

ADMIN_PASSWORD_VARIABLE = "QALA_ADMIN_PASSWORD"  # noqa: S105 (the variable's name, not a password)
DEMO_DOMAIN = "demo.qala.local"


def generated_password() -> str:
    return secrets.token_urlsafe(15)


class Command(BaseCommand):
    help = (
        "Create the first admin (--admin-email, password from $QALA_ADMIN_PASSWORD or generated) "
        "and/or one demo user per role (--demo, passwords generated). Existing users are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin-email", help="e-mail address of the first admin (a superuser)")
        parser.add_argument("--demo", action="store_true", help=f"create <role>@{DEMO_DOMAIN} for every role")

    def handle(self, *args, admin_email: str | None, demo: bool, **options) -> None:
        if not admin_email and not demo:
            raise CommandError("Say what to create: --admin-email EMAIL, --demo, or both.")
        if admin_email:
            self.create_admin(admin_email)
        if demo:
            for role in roles.ROLES:
                self.create(f"{role}@{DEMO_DOMAIN}", generated_password(), role, display_name=f"Demo {role}")

    def create_admin(self, email: str) -> None:
        password = os.environ.get(ADMIN_PASSWORD_VARIABLE, "")
        if password:
            try:
                password_validation.validate_password(password)
            except ValidationError as error:
                raise CommandError(f"${ADMIN_PASSWORD_VARIABLE} is too weak: {' '.join(error.messages)}") from error
            self.create(email, password, roles.ADMIN, superuser=True, password_source=ADMIN_PASSWORD_VARIABLE)
        else:
            self.create(email, generated_password(), roles.ADMIN, superuser=True)

    def create(
        self,
        email: str,
        password: str,
        role: str,
        *,
        display_name: str = "",
        superuser: bool = False,
        password_source: str = "",
    ) -> None:
        user, created = create_user_with_role(
            email=email, password=password, role=role, display_name=display_name, superuser=superuser
        )
        if not created:
            self.stdout.write(f"{user.email} exists already; left as it is.")
        elif password_source:
            self.stdout.write(self.style.SUCCESS(f"Created {user.email} ({role}), password from ${password_source}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Created {user.email} ({role}), password: {password}"))
