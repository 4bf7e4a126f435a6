"""The production settings, plus a bare constant view (bench/load_urls.py) for bench/load.py.

Everything else (middleware, database, cache, gunicorn) is the real site's, so the bare view's
throughput is the ceiling the real pages are compared with.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "load_urls"
