"""Settings for every environment, driven by environment variables (see .env.example).

The defaults give a working laptop site (SQLite and a filesystem broker under var/) only when
DEBUG is on; with DEBUG off nothing secret has a default and the site refuses to start without it.
"""

import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.email_url import mailer_from_email_url

# Lets admin.ModelAdmin[User] and QuerySet[Model] annotations work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    # A random key kept under var/ so that web and worker agree and sessions survive restarts,
    # without any key ever being committed to the repository.
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "accounts",
    "treaty",
    "annotations",
]

MIDDLEWARE = [
    # First: a NUL anywhere in the request is a 400 before any view or middleware queries with it.
    "config.request_guards.RejectNulMiddleware",
    # Then a HEAD is the GET it stands for, with the body dropped last (after compression, so
    # Content-Length is what the GET would send).
    "config.head_requests.HeadAsGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Compresses every answer the client accepts gzip for (Swagger UI's bundle at /api/docs/ is
    # 2.2 MB plain); Django pads compressed pages against BREACH. Precompressed static files
    # (WhiteNoise, production) already carry Content-Encoding and are left alone.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "config.interface_language.interface_language",
                "accounts.context_processors.login_next",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'marginalia.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # The web server and the worker write concurrently: WAL lets readers go on while one
        # writes, and IMMEDIATE transactions wait for the lock instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that a worker process started by the tests sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-marginalia.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "display_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Its own Redis database by default: clearing the cache must never drop queued tasks.
    CACHE_URL = env.str("CACHE_URL", default="")
    if not CACHE_URL:
        _redis = urlsplit(REDIS_URL)
        _broker_db = int(_redis.path.strip("/") or 0)
        CACHE_URL = urlunsplit(_redis._replace(path=f"/{_broker_db + 1}"))
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that stops answering (a silent host, not a refused connection) must fail a
            # cache call within a second, not hold a web worker forever: callers fail open.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # Shared by the web server and the worker on one laptop, unlike the per-process memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Login-throttle counters live here: the default cull at 300 entries would drop them.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Public pages and API answers served from the cache to anonymous visitors (treaty.page_cache),
# keyed by a token every visible change replaces; the timeout only bounds the memory they take.
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=3600)

# --- Internationalisation -------------------------------------------------------------------
# The six official languages of the United Nations (DESIGN §3 "Languages"). English stays the
# default: a browser that asks for none of these gets English. Each name is the language's own
# (the switcher shows it to someone who may not read the current interface language).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
# Catalogues are compiled and committed (locale/*/LC_MESSAGES/*.mo): `make run` needs no gettext.
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (WhiteNoise), never from a CDN ---------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The reverse proxy terminates TLS and says so in this header (docs/deployment.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Accounts -------------------------------------------------------------------------------
# The site's public address, for every absolute link: emails sent by workers (no request to build
# them from), export permalinks, JSON-LD ids and @context, the feedback CSV's source. On a laptop it
# follows PORT (what `make run` serves on), so links never point at a port nothing listens on; in
# production it is required: a guessed address would put a wrong host into every export.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off (https://marginalia.example.org).")
    SITE_URL = f"http://127.0.0.1:{env.int('PORT', default=8000)}"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "treaty:home"  # moderators: the queue (accounts.views.auth.LoginView)
LOGOUT_REDIRECT_URL = "treaty:home"
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
# How many reverse proxies add to X-Forwarded-For in front of the web nodes (0: use REMOTE_ADDR).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
# Days an API token works after its creation (a new password revokes every token at once).
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)

# --- Moderation -----------------------------------------------------------------------------


def _threshold(name: str, default: int) -> int:
    """A count that protects people: below 1 it would protect nobody (a flag threshold of 0 sends
    every approved item back to the queue; a small-cell minimum of 0 shows every cell), so the
    site refuses to start rather than run with it."""
    value = env.int(name, default=default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be 1 or more; it is set to {value}.")
    return value


# Open flags at which an approved item goes back to the queue (DESIGN §5).
FLAG_THRESHOLD = _threshold("FLAG_THRESHOLD", 3)
# Breakdowns of heat by country or organisation type show a cell only from this many distinct
# organisations (DESIGN §6 "Small cells"): smaller cells are shown as suppressed, never as their
# numbers, and the filters do not offer a country or type below it.
HEAT_MIN_ORGANIZATIONS = _threshold("HEAT_MIN_ORGANIZATIONS", 3)
# The same body from one user within this many seconds is held for review as a duplicate.
DUPLICATE_WINDOW_SECONDS = env.int("DUPLICATE_WINDOW_SECONDS", default=600)

# --- Export jobs (DESIGN §7) ----------------------------------------------------------------
# Files written by the worker and downloaded through the API; the web nodes must see them too.
EXPORT_DIR = VAR_DIR / "exports"
# A finished export's file is kept this long, then purged (annotations.exports.tasks.export_files_purge_task).
EXPORT_TTL_HOURS = env.int("EXPORT_TTL_HOURS", default=24)

# --- Email ----------------------------------------------------------------------------------
# Django 6.1 configures mail through MAILERS; EMAIL_URL (smtp://user:pass@host:587?tls=True,
# consolemail://, ...) is translated into it.
# Without EMAIL_URL: the local outbox on a laptop (accounts.outbox: every message readable at
# /dev/outbox/); in production Django's classic default, a local MTA on port 25 (check --deploy
# rejects the console backend, whose mail nobody would ever receive). config.email_url refuses,
# at start-up, a URL that could never send (filemail:// without a folder, an unknown scheme, SMTP
# without a host).
_outbox = DEBUG and not env.str("EMAIL_URL", default="")
MAILERS = {
    "default": mailer_from_email_url(
        env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
    )
}
if _outbox:
    MAILERS = {
        "default": {
            "BACKEND": "accounts.outbox.OutboxEmailBackend",
            "OPTIONS": {"path": str(VAR_DIR / "outbox")},
        }
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Marginalia <noreply@localhost>")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's JSON parser had no size or depth limit (config.json_parser); forms are DRF's own.
    "DEFAULT_PARSER_CLASSES": [
        "config.json_parser.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # `?format=` is ours (csv, ndjson, jsonld on exports), not DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
    # DRF's own, failing open (and logging it) when the cache is down (config.throttles).
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttles.AnonRateThrottle",
        "config.throttles.UserRateThrottle",
    ],
    "NUM_PROXIES": NUM_PROXIES or None,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="600/minute"),
        "user": env.str("THROTTLE_USER", default="1200/minute"),
        # Per user, on creation only (config.throttles.WriteRateThrottle).
        "annotations": env.str("THROTTLE_ANNOTATIONS", default="30/minute"),
        "replies": env.str("THROTTLE_REPLIES", default="30/minute"),
        "flags": env.str("THROTTLE_FLAGS", default="30/hour"),
        # Exports and feedback downloads, per user (or address): they read a lot.
        "exports": env.str("THROTTLE_EXPORTS", default="60/hour"),
        # Pages of a JSON-LD export (1,000 annotations each): a million annotations are 1,000 pages.
        "export_pages": env.str("THROTTLE_EXPORT_PAGES", default="2000/hour"),
        # Full-text searches (the search page and annotations/?q=), per user or address.
        "search": env.str("THROTTLE_SEARCH", default="30/minute"),
    },
}
# A JSON body of the API: the largest real one (an annotation with its 10,000-character comment
# and proposed wording, or a bulk moderation) is well under 100 kB; the deepest is 3 levels.
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1_000_000)
API_JSON_MAX_DEPTH = 32

SPECTACULAR_SETTINGS = {
    "TITLE": "Marginalia API",
    "DESCRIPTION": "Clause-by-clause public commentary on draft treaties.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package: served by us, no CDN. (No ReDoc: its page loads a logo
    # from its makers' CDN and styles itself inline, against our CSP.)
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The enum names as drf-spectacular's own hook makes them, then 400 on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.document_refused_nul",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AttributionEnum": "accounts.models.Attribution",
        "ModerationStatusEnum": "annotations.models.Status",
        "MembershipStatusEnum": "accounts.models.Membership.Status",
    },
}

# --- Celery ---------------------------------------------------------------------------------
# The longest task may run TASK_TIME_LIMIT seconds; a message not acknowledged within the
# broker's visibility timeout is redelivered, so that timeout must be well above it.
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
BROKER_VISIBILITY_TIMEOUT = 3600
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT}
else:
    BROKER_DIR = Path(env.str("BROKER_DIR", default=str(VAR_DIR / "broker")))
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    # A host part only to keep kombu from warning that none was given; the folders are what count.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Exchange bindings; kombu's default is ./control in whatever directory a process runs.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # The outbox's one line per email, plain, on the real terminal: a Celery worker replaces
        # sys.stderr with a logger that would print it as a WARNING.
        "terminal": {"class": "logging.StreamHandler", "stream": "ext://sys.__stderr__", "formatter": "bare"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "marginalia.outbox": {"handlers": ["terminal"], "level": "INFO", "propagate": False},
    },
}
