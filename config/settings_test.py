"""Settings for the test suite: the real settings, with a throwaway key and fast hashing.

DATABASE_URL and REDIS_URL still choose the services, so CI runs the same suite on PostgreSQL +
Redis and on the embedded default (SQLite + filesystem broker).
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from config.settings import *  # noqa: F403
from config.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests must not need collectstatic.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Most tests change rows directly and read pages again within one transaction (no commit, no
# bump): the page cache is on only in its own tests (tests/test_page_cache.py).
PUBLIC_PAGE_CACHE = False
# WhiteNoise warns about a missing STATIC_ROOT; the tests serve from the finders instead.
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Several test runs may share one PostgreSQL server (a developer's runs beside CI's): a run can
# pick its own test database name so that they do not drop each other's.
if os.environ.get("TEST_DATABASE_NAME") and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
