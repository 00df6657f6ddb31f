"""Settings for the test suite: the real PostGIS database, faster hashing, mail kept in memory."""

from config.settings import *  # noqa: F403 (the test settings extend the real ones)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files from the source folders, as DEBUG would: there is no collectstatic run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests read English unless they ask for another language (the site's default is Kazakh).
LANGUAGE_CODE = "en"
