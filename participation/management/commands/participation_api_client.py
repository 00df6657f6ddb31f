"""Open311 API clients: create one (its key printed once), list them, deactivate one by its key's prefix."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.utils import timezone

from participation.apikeys import PREFIX_LENGTH, create_api_client, key_digest
from participation.models import ApiClient


class Command(BaseCommand):
    help = (
        "Manage the clients of the Open311 API: `create NAME [--email ADDRESS]` prints a new key once; "
        "`list` shows every client; `deactivate PREFIX` revokes the key that begins with PREFIX."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,deactivate}")
        create = actions.add_parser("create", help="create a client and print its key (shown this once)")
        create.add_argument("name", help="who uses the key: a city back-end, an app...")
        create.add_argument("--email", default="", help="whom to contact about this client")
        actions.add_parser("list", help="list the clients, their key prefixes and their last use")
        deactivate = actions.add_parser("deactivate", help="revoke a client's key")
        deactivate.add_argument(
            "prefix", help=f"the first {PREFIX_LENGTH} characters of the key, as `list` shows (or the whole key)"
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "create":
            self.create(options["name"], options["email"])
        elif action == "list":
            self.list_clients()
        else:
            self.deactivate(options["prefix"])

    def create(self, name: str, email: str) -> None:
        name, email = name.strip(), email.strip()
        if not name:
            raise CommandError("Give the client a name.")
        if len(name) > ApiClient._meta.get_field("name").max_length:
            raise CommandError(
                f"The name is too long: at most {ApiClient._meta.get_field('name').max_length} characters."
            )
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not an e-mail address.") from None
        existing = ApiClient.objects.filter(name=name, is_active=True).first()
        if existing is not None:
            # Its key is kept as a digest only, so it cannot be printed again.
            self.stdout.write(
                f"An active client named {name!r} exists already (key {existing.key_prefix}…); left as it is. "
                "To give it a new key, deactivate it and create it again."
            )
            return
        client, key = create_api_client(name, contact_email=email)
        self.stdout.write(self.style.SUCCESS(f"Created the API client {client.name!r}. Its key (shown this once):"))
        self.stdout.write(key)

    def list_clients(self) -> None:
        clients = ApiClient.objects.order_by("name", "created_at")
        if not clients:
            self.stdout.write("No API clients yet: create one with `create NAME`.")
            return
        for client in clients:
            last_used = (
                f"last used {timezone.localtime(client.last_used_at):%Y-%m-%d %H:%M}"
                if client.last_used_at
                else "never used"
            )
            state = "active" if client.is_active else "inactive"
            contact = f" <{client.contact_email}>" if client.contact_email else ""
            self.stdout.write(f"{client.key_prefix}  {state:8}  {client.name}{contact}  ({last_used})")

    def deactivate(self, prefix: str) -> None:
        prefix = prefix.strip()
        if len(prefix) < PREFIX_LENGTH:
            raise CommandError(f"Give the first {PREFIX_LENGTH} characters of the key, as `list` shows them.")
        if len(prefix) > PREFIX_LENGTH:
            # The whole key: the one client that holds it, even if another key begins the same way.
            clients = list(ApiClient.objects.filter(key_digest=key_digest(prefix)))
            prefix = prefix[:PREFIX_LENGTH]
        else:
            clients = list(ApiClient.objects.filter(key_prefix=prefix))
        if not clients:
            raise CommandError(f"No API client has a key beginning with {prefix!r}; `list` shows them.")
        if len(clients) > 1:
            names = ", ".join(repr(client.name) for client in clients)
            raise CommandError(
                f"Several clients have a key beginning with {prefix!r} ({names}): give the whole key instead."
            )
        client = clients[0]
        if not client.is_active:
            self.stdout.write(f"{client.name!r} ({prefix}…) is inactive already; left as it is.")
            return
        client.is_active = False
        client.save(update_fields=["is_active"])
        self.stdout.write(
            self.style.SUCCESS(f"Deactivated {client.name!r} ({prefix}…): its key is refused from now on.")
        )
