"""Settings for the benchmark's server: the app's own, plus the floor views (bench/urls.py).

DEBUG stays off (as in production). ``BENCH_STATEMENT_TIMEOUT_MS`` bounds each query of the
served app so a path that takes minutes is measured as a failure instead of holding a
worker (the loader and the commands run without it).
"""

import os

from caidan.settings import *  # noqa: F403
from caidan.settings import DATABASES

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# The bench's proposals and awards notify the demo users: nothing is sent or printed.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

_timeout = os.environ.get("BENCH_STATEMENT_TIMEOUT_MS")
if _timeout and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = f"-c statement_timeout={int(_timeout)}"
