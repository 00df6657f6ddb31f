"""Qala settings: every value comes from an environment variable with a local default.

Each variable is listed in the README's configuration table.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# DEBUG is on for a local checkout; production sets DEBUG=0.
DEBUG = env_bool("DEBUG", True)

# SECRET_KEY has no usable default outside DEBUG.
SECRET_KEY = env_str("SECRET_KEY", "local-development-only-not-secret" if DEBUG else None)
if not DEBUG and SECRET_KEY.startswith("local-development"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a real secret when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "simple_history",
    "accounts",
    "gis_data",
    "photos",
    "projects",
    "corridors",
    "parks",
    "participation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change to a model with history (projects).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gis_data.context_processors.city",
            ],
        },
    },
]

# DATABASE_URL: PostgreSQL with PostGIS. JIT and parallel workers are off on the
# app's connections: on a small server they make short spatial queries slower.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://qala:qala@127.0.0.1:5432/qala"),
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c max_parallel_workers_per_gather=0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "gis_data:map"
LOGOUT_REDIRECT_URL = "gis_data:map"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Kazakh, Russian, English. The browser's preference picks the first
# page; the language switcher stores the choice in a cookie.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "kk")
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django ships no Kazakh number and date formats; ours are in config/formats/kk.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env_str("TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# On one machine Django serves the uploaded photos itself; behind a web server that serves
# MEDIA_ROOT, turn this off.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# Photos (photos app): the largest upload accepted, in bytes, and the most pixels an image may
# have once decoded; a larger one is refused before it is decoded, which stops decompression bombs.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The site's address as people reach it, for the links in e-mails sent outside a request.
QALA_SITE_URL = env_str("QALA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Mail: printed to the console locally; EMAIL_URL-style SMTP settings in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Qala <noreply@localhost>")

# Proposals (participation app). With premoderation on, new proposals and comments wait for a
# moderator; off, they are published at once and moderators hide what breaks the rules.
PROPOSALS_PREMODERATION = env_bool("PROPOSALS_PREMODERATION", True)
PROPOSAL_MAX_PHOTOS = env_int("PROPOSAL_MAX_PHOTOS", 5)
# Limits on writing, as "count/period" pairs (period: minute, hour or day), comma-separated: per
# account and per sender network (an IPv4 address or an IPv6 /64), and per Open311 API key.
PROPOSAL_LIMITS_PER_ACCOUNT = env_str("PROPOSAL_LIMITS_PER_ACCOUNT", "5/hour,20/day")
PROPOSAL_LIMITS_PER_NETWORK = env_str("PROPOSAL_LIMITS_PER_NETWORK", "20/hour,100/day")
COMMENT_LIMITS_PER_ACCOUNT = env_str("COMMENT_LIMITS_PER_ACCOUNT", "20/hour,100/day")
COMMENT_LIMITS_PER_NETWORK = env_str("COMMENT_LIMITS_PER_NETWORK", "60/hour,300/day")
OPEN311_LIMITS_PER_KEY = env_str("OPEN311_LIMITS_PER_KEY", "600/hour")
# How long the author of a comment may still edit it, in minutes.
COMMENT_EDIT_MINUTES = env_int("COMMENT_EDIT_MINUTES", 15)
# How many proposals in view the map draws one by one; more are drawn as clusters counted on the server.
MAP_CLUSTER_FEATURE_LIMIT = env_int("MAP_CLUSTER_FEATURE_LIMIT", 400)

# Green corridors (corridors app). The elevation profile samples the DEM every this many metres;
# coverage counts the residents within this walking distance of the corridor network.
CORRIDOR_PROFILE_STEP_METRES = env_int("CORRIDOR_PROFILE_STEP_METRES", 30)
CORRIDOR_COVERAGE_METRES = env_int("CORRIDOR_COVERAGE_METRES", 500)
# A segment follows a river, canal or railway along the part of its length within this distance of one.
CORRIDOR_FOLLOW_METRES = env_int("CORRIDOR_FOLLOW_METRES", 60)

# Parks (parks app). Park access counts the residents within this walking distance of an open park
# over the street network (800 m: ten minutes on foot).
PARK_ACCESS_METRES = env_int("PARK_ACCESS_METRES", 800)
# A compensatory planting is overdue for inspection when its last inspection (or its planting) is older.
PLANTING_INSPECTION_DAYS = env_int("PLANTING_INSPECTION_DAYS", 365)

# Workshops, ballots, events and contests (participation app).
# Refused participant codes (unknown or used) a sender network may try, as "count/period" pairs:
# enough for a room of people on one Wi-Fi who mistype, far too few to guess a code.
BALLOT_CODE_LIMITS_PER_NETWORK = env_str("BALLOT_CODE_LIMITS_PER_NETWORK", "60/hour,300/day")
# The largest batch of participant codes printed at once.
BALLOT_CODE_BATCH_MAX = env_int("BALLOT_CODE_BATCH_MAX", 1000)
# How often the projector view of a ballot's results asks for new totals, in seconds.
BALLOT_PROJECTOR_REFRESH_SECONDS = env_int("BALLOT_PROJECTOR_REFRESH_SECONDS", 5)
# How many entries one resident may submit to one contest.
CONTEST_ENTRIES_PER_RESIDENT = env_int("CONTEST_ENTRIES_PER_RESIDENT", 3)
# The currency of cost estimates (ISO 4217), shown next to every amount.
CURRENCY_CODE = env_str("CURRENCY_CODE", "KZT")

# The base map. Only this URL points outside; the city's reference layers are
# drawn underneath so the map stays readable without it.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

# CITY_PACK: the city pack's manifest (a pack.toml, or the folder holding it).
CITY_PACK = Path(env_str("CITY_PACK", str(BASE_DIR / "gis_data" / "city_packs" / "almaty" / "pack.toml")))

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)

SILENCED_SYSTEM_CHECKS = [
    # gis.W001: GDAL 3.6 cannot forbid file or network access from a spatial
    # reference. Mitigation: no user-supplied WKT or PROJ string ever reaches
    # GDAL; spatial references are built only from the fixed EPSG list in
    # gis_data.geometry.ALLOWED_SRIDS, and GeoJSON "crs" members are refused.
    "gis.W001",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
