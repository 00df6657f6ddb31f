"""Writes on accounts: signing up, confirming an e-mail address, creating users with a role."""

from datetime import timedelta

from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import RESIDENT, assign_role

CONFIRMATION_SALT = "accounts.confirm-email"
CONFIRMATION_MAX_AGE = timedelta(days=3)


class EmailAlreadyRegistered(Exception):
    """Someone already has an account with this e-mail address, in any letter case."""


class ConfirmationLinkInvalid(Exception):
    """The confirmation link was altered, or the account's e-mail address changed since it was sent."""


class ConfirmationLinkExpired(ConfirmationLinkInvalid):
    """The confirmation link is older than ``CONFIRMATION_MAX_AGE``."""


def normalize_email(email: str) -> str:
    """E-mail addresses are compared and stored in lower case."""
    return email.strip().lower()


def confirmation_token(user: User) -> str:
    """A signed token naming the user and the address to confirm; a changed address invalidates it."""
    return signing.dumps({"pk": user.pk, "email": user.email}, salt=CONFIRMATION_SALT)


def send_confirmation(user: User, *, request: HttpRequest) -> None:
    """Mail ``user`` a link that confirms their e-mail address, in the request's language."""
    link = request.build_absolute_uri(reverse("accounts:confirm", args=[confirmation_token(user)]))
    context = {"user": user, "link": link, "max_age_days": CONFIRMATION_MAX_AGE.days}
    subject = "".join(render_to_string("accounts/email/confirm_subject.txt", context).splitlines())
    body = render_to_string("accounts/email/confirm_body.txt", context)
    send_mail(subject, body, None, [user.email])


def sign_up(*, email: str, password: str, display_name: str = "", request: HttpRequest) -> User:
    """Create a resident's account and mail them a confirmation link.

    Raises ``EmailAlreadyRegistered`` when the address is taken, whatever its letter case.
    """
    email = normalize_email(email)
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise EmailAlreadyRegistered(email)
            user = User.objects.create_user(email=email, password=password, display_name=display_name.strip())
            assign_role(user, RESIDENT)
    except IntegrityError as error:
        # Two sign-ups with the same address at once: the unique index refuses the second.
        raise EmailAlreadyRegistered(email) from error
    send_confirmation(user, request=request)
    return user


def confirm_email(token: str) -> User:
    """Mark the address named by a confirmation token as confirmed; confirming twice changes nothing.

    Raises ``ConfirmationLinkExpired`` or ``ConfirmationLinkInvalid``.
    """
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ConfirmationLinkExpired from error
    except signing.BadSignature as error:
        raise ConfirmationLinkInvalid from error
    if not isinstance(data, dict) or not {"pk", "email"} <= data.keys():
        raise ConfirmationLinkInvalid
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data["pk"], email=data["email"], is_active=True).first()
        if user is None:
            raise ConfirmationLinkInvalid
        if user.email_confirmed_at is None:
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
    return user


def mark_email_confirmed(user: User) -> None:
    """Record that ``user`` proved they read their mail (for example by resetting their password)."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])


def create_user_with_role(
    *, email: str, password: str, role: str, display_name: str = "", superuser: bool = False
) -> tuple[User, bool]:
    """Create a user with a confirmed address in ``role``; an existing user is returned untouched.

    Returns the user and whether it was created.
    """
    email = normalize_email(email)
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            return existing, False
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email=email, password=password, display_name=display_name, email_confirmed_at=timezone.now())
        assign_role(user, role)
    return user, True
