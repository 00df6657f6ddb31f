import operator
import re
from collections.abc import Callable
from functools import reduce
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    PasswordResetForm,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import normalize_email

DUPLICATE_EMAIL = _(
    "An account with this e-mail address already exists. Log in, or reset your password if you forgot it."
)


def email_field(**attrs) -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", **attrs}),
    )


class SignUpForm(forms.Form):
    email = email_field(autofocus=True)
    display_name = forms.CharField(
        label=_("Display name (optional)"),
        max_length=150,
        required=False,
        help_text=_("How your name appears on the site. You can leave it empty."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        help_text=_("Type the same password again, to be sure there is no typo."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(DUPLICATE_EMAIL, code="duplicate")
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", forms.ValidationError(_("The two passwords differ."), code="password_mismatch"))
        elif password1:
            candidate = User(email=cleaned.get("email", ""), display_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Django's login form, asking for the e-mail address in any letter case."""

    username = email_field(autofocus=True)

    def clean_username(self) -> str:
        return normalize_email(self.cleaned_data["username"])


class EmailPasswordResetForm(PasswordResetForm):
    email = email_field(autofocus=True)


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(DUPLICATE_EMAIL, code="duplicate")
        return email


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(DUPLICATE_EMAIL, code="duplicate")
        return email


# E-mail addresses in a list are separated by commas, semicolons, spaces or new lines.
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


class AccountsByEmailField(forms.CharField):
    """Accounts named by their e-mail addresses (case does not matter), in the order given, each once.

    ``unknown_message(count)`` is the refusal when addresses name no account:
    a translated text with ``%(emails)s`` for the addresses, such as
    ``lambda count: ngettext("No account has the e-mail address %(emails)s…", "…addresses…", count)``.
    """

    def __init__(self, *, unknown_message: Callable[[int], str], **kwargs: Any) -> None:
        self.unknown_message = unknown_message
        super().__init__(**kwargs)

    @staticmethod
    def addresses(text: str) -> list[str]:
        return list(dict.fromkeys(email for email in EMAIL_SEPARATORS.split(text or "") if email))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple) or hasattr(value, "all"):
            users = value.all() if hasattr(value, "all") else value
            return ", ".join(user.email for user in users)
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        def emails(value: Any) -> set[str]:
            return {email.casefold() for email in self.addresses(self.prepare_value(value) or "")}

        return emails(initial) != emails(data)

    def clean(self, value: Any) -> list[User]:
        emails = self.addresses(super().clean(value) or "")
        if not emails:
            return []
        matches = reduce(operator.or_, (Q(email__iexact=email) for email in emails))
        users = {user.email.casefold(): user for user in User.objects.filter(matches)}
        unknown = [email for email in emails if email.casefold() not in users]
        if unknown:
            raise ValidationError(
                self.unknown_message(len(unknown)) % {"emails": get_text_list(unknown, _("and"))}, code="unknown"
            )
        return list({users[email.casefold()].pk: users[email.casefold()] for email in emails}.values())
