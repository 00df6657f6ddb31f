"""Django's own messages that residents see and Django's Kazakh catalogue lacks.

This module is never imported: `makemessages` reads it so that these strings
enter Qala's catalogues, where they are translated (our LOCALE_PATHS take
precedence over Django's catalogues). The Russian entries repeat Django's own.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

# django.contrib.auth: log-in, sign-up and password forms.
gettext_noop("Please enter a correct %(username)s and password. Note that both fields may be case-sensitive.")
gettext_noop("Enter the same password as before, for verification.")
gettext_noop("The password is too similar to the %(verbose_name)s.")
gettext_noop("Your password can’t be too similar to your other personal information.")
gettext_noop("This password is too common.")
gettext_noop("Your password can’t be a commonly used password.")
gettext_noop("This password is entirely numeric.")
gettext_noop("Your password can’t be entirely numeric.")
gettext_noop("email address")
gettext_noop("Email")
gettext_noop("Password reset")
gettext_noop("Password reset sent")
gettext_noop("Enter new password")
gettext_noop("Password reset unsuccessful")
gettext_noop("Password reset complete")
gettext_noop("Password change")
gettext_noop("Password change successful")
ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
ngettext_lazy(
    "Your password must contain at least %(min_length)d character.",
    "Your password must contain at least %(min_length)d characters.",
    "min_length",
)

# django.core: form validation.
gettext_noop("Enter a valid email address.")
gettext_noop("Enter a valid integer.")
gettext_noop("Null characters are not allowed.")
gettext_noop("%(model_name)s with this %(field_labels)s already exists.")
ngettext_lazy(
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
ngettext_lazy(
    "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)

# django.views.csrf: the page shown when a form is posted without its token.
gettext_noop("Forbidden")
gettext_noop("CSRF verification failed. Request aborted.")
gettext_noop(
    "If you have configured your browser to disable cookies, please re-enable them, "
    "at least for this site, or for “same-origin” requests."
)
