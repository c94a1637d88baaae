"""Caidan settings: one module, every knob an environment variable with a safe default.

Development defaults: SQLite under var/, DEBUG off unless DEBUG=1 (``make run`` sets it),
a development-only SECRET_KEY that is refused when DEBUG is off outside of tests.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def _csp_nonce():
    from csp.constants import NONCE

    return NONCE


TESTING = "pytest" in sys.modules or env_bool("CAIDAN_TESTING")
DEBUG = env_bool("DEBUG", False)

_DEV_SECRET = "caidan-development-only-secret-key-change-me-0123456789"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET)
if SECRET_KEY == _DEV_SECRET and not (DEBUG or TESTING or env_bool("CAIDAN_ALLOW_DEV_SECRET")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment when DEBUG is off "
        "(set DEBUG=1 for local development)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # Swagger UI's assets from the installed package, not a public CDN
    "csp",
    "caidan.common",
    "caidan.audit",
    "caidan.accounts",
    "caidan.orgs",
    "caidan.catalog",
    "caidan.needs",
    "caidan.projects",
    "caidan.procurement",
    "caidan.complaints",
    "caidan.contracts",
    "caidan.evaluations",
    "caidan.enquiries",
    "caidan.disclosure",
    "caidan.stats",
    "caidan.jurisdiction",
    "caidan.notifications",
    "caidan.documents",
    "caidan.demo",
    "caidan.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "caidan.common.middleware.ApiJsonErrorMiddleware",  # errors under /api/ are JSON
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "caidan.accounts.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "caidan.urls"
WSGI_APPLICATION = "caidan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caidan.accounts.context_processors.shell",
                "caidan.notifications.context_processors.unread",
            ],
        },
    }
]

# Database: SQLite file under var/ unless DATABASE_URL is set (PostgreSQL via psycopg 3).
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'caidan.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Read replicas (docs/deploy.md): DATABASE_REPLICA_URLS, comma-separated, become the aliases
# replica_1, replica_2, …; anonymous reads of public pages go to one of them, everything else
# to the primary (caidan/common/dbrouter.py). None set: no router, nothing changes. Tests
# mirror the primary under replica_1 (same test database), unused unless a test routes to it.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", "")
for _n, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    DATABASES[f"replica_{_n}"] = dj_database_url.parse(
        _url, conn_max_age=int(env("DB_CONN_MAX_AGE", "60"))
    )
    if "postgresql" not in DATABASES[f"replica_{_n}"]["ENGINE"] or (
        "postgresql" not in DATABASES["default"]["ENGINE"]
    ):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS: read replicas are PostgreSQL streaming replicas of a "
            f"PostgreSQL DATABASE_URL (replica {_n} or the primary is not PostgreSQL)."
        )
if TESTING:  # every replica alias, at least replica_1, is the primary's test database
    for _alias in {*DATABASES, "replica_1"} - {"default"}:
        DATABASES[_alias] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
        if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
            # A reader: no write lock when a transaction begins, and past the table locks of
            # SQLite's shared in-memory cache (a PostgreSQL replica never waits for them).
            DATABASES[_alias]["OPTIONS"] = {
                "timeout": 20,
                "init_command": "PRAGMA read_uncommitted = true;",
            }
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["caidan.common.dbrouter.ReplicaRouter"]
    # After the session-less static files, before anything that reads the database.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
        "caidan.common.dbrouter.ReplicaMiddleware",
    )
# After a request that wrote, that visitor reads from the primary for this long (replica lag).
REPLICA_STICKY_SECONDS = int(env("REPLICA_STICKY_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn's estimate of the guesses needed: 4 of 4 (caidan/accounts/validators.py)
    {"NAME": "caidan.accounts.validators.StrengthValidator", "OPTIONS": {"min_score": 4}},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

# Failed-login throttling, per (username, client address) so that nobody can lock the owner
# out from elsewhere: from the LOGIN_MAX_FAILURES-th failure within the window on, the next
# attempt waits LOGIN_LOCK_SECONDS, doubling with each further failure up to
# LOGIN_LOCK_MAX_SECONDS. One address failing for many usernames (4 × the maximum within
# LOGIN_LOCK_MAX_SECONDS) is locked as a whole. See login_locked_until().
LOGIN_MAX_FAILURES = int(env("LOGIN_MAX_FAILURES", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(env("LOGIN_FAILURE_WINDOW_SECONDS", str(24 * 3600)))
LOGIN_LOCK_SECONDS = int(env("LOGIN_LOCK_SECONDS", "60"))
LOGIN_LOCK_MAX_SECONDS = int(env("LOGIN_LOCK_MAX_SECONDS", "900"))

# The reverse proxies in front of the app: empty (the default) trusts none and uses the TCP
# peer's address; a number N trusts N hops of X-Forwarded-For; a comma-separated list of
# addresses or CIDR networks trusts exactly those proxies. See client_ip() in
# caidan/accounts/middleware.py: the one function that reads a client's address.
CAIDAN_TRUSTED_PROXIES = env("CAIDAN_TRUSTED_PROXIES", "")

# Internationalisation: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "caidan" / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Documents are stored through Django's storage API: local files by default, an
# S3-compatible object store when STORAGE_BACKEND=s3 (install the "s3" extra).
STORAGE_BACKEND = env("STORAGE_BACKEND", "local")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if STORAGE_BACKEND == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "access_key": env("S3_ACCESS_KEY"),
            "secret_key": env("S3_SECRET_KEY"),
            "region_name": env("S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
DOCUMENT_MAX_BYTES = int(env("DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
# Spreadsheet imports (caidan/common/xlsx.py): data rows, cells read (blank ones included),
# columns per row, blank rows that end the data, and the workbook's unpacked size.
XLSX_MAX_ROWS = int(env("XLSX_MAX_ROWS", "20000"))
XLSX_MAX_CELLS = int(env("XLSX_MAX_CELLS", "1000000"))
XLSX_MAX_COLUMNS = int(env("XLSX_MAX_COLUMNS", "100"))
XLSX_EMPTY_RUN = int(env("XLSX_EMPTY_RUN", "50"))
XLSX_MAX_UNPACKED_BYTES = int(env("XLSX_MAX_UNPACKED_BYTES", str(100 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Cache: local memory by default; Redis when REDIS_URL (or CACHE_URL, redis:// or rediss://)
# is set, shared across workers and app servers. Rate limits never rely on it: they count in
# the database (caidan/accounts/throttle.py), so they hold with any cache.
REDIS_URL = env("REDIS_URL") or env("CACHE_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        "REDIS_URL / CACHE_URL must be a redis://, rediss:// or unix:// URL."
    )
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Email: console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "caidan@localhost")

# Security headers; HTTPS-only cookies when SECURE_COOKIES=1 (behind TLS).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS: HSTS for HSTS_SECONDS (default one year once SECURE_COOKIES=1, i.e. behind TLS; 0 turns
# it off), subdomains included unless HSTS_INCLUDE_SUBDOMAINS=0, preload only on request.
# The proxy terminating TLS sets X-Forwarded-Proto; SECURE_SSL_REDIRECT (default: on with
# SECURE_COOKIES) sends plain HTTP to HTTPS.
SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000" if env_bool("SECURE_COOKIES") else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", env_bool("SECURE_COOKIES"))
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", True) else None
)
SECURE_REFERRER_POLICY = "same-origin"
# Preloading is a decision for the owner of the whole domain (it cannot be undone quickly),
# so `check --deploy` does not ask for it unless HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Content-Security-Policy (django-csp 4): scripts and styles only from our origin; the two
# pages with a page-specific <style> carry the per-request nonce. No inline event handlers:
# caidan/web/static/caidan/site.js attaches confirm/autosubmit/print behaviour instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", _csp_nonce()],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))

# Residents' identities are stored only as HMAC-SHA256 digests under this key. Set it once
# per deployment and never change it (a new key makes every resident a new person).
IDENTITY_HASH_KEY = env("IDENTITY_HASH_KEY", "")
# Verification codes: "console" prints them (development); a deployment plugs in its SMS
# gateway by dotted path (see caidan/needs/sms.py).
SMS_BACKEND = env("SMS_BACKEND", "caidan.needs.sms.ConsoleSmsBackend")

# Sealed bids: each tender's data key is wrapped by this key-encryption key, which lives
# only in the environment (never in the database), so a database dump cannot open a bid.
# Format: "<key id>:<base64 of 32 bytes>[,<older id>:<older key>…]"; the first one wraps
# new tenders, older ones still unwrap theirs (key rotation). Generate one with
# ``python manage.py sealing_key``.
_DEV_SEALING_KEY = "dev:ZGV2ZWxvcG1lbnQtb25seS1zZWFsaW5nLWtleS0wMDA="  # noqa: S105
BID_SEALING_KEYS = env("BID_SEALING_KEYS", _DEV_SEALING_KEY)
if BID_SEALING_KEYS == _DEV_SEALING_KEY and not (
    DEBUG or TESTING or env_bool("CAIDAN_ALLOW_DEV_SECRET")
):
    raise ImproperlyConfigured(
        "BID_SEALING_KEYS must be set in the environment when DEBUG is off "
        "(python manage.py sealing_key prints a new one)."
    )

# Paths to the shared reference material (never copied into the repo).
SHARED_DIR = Path(env("CAIDAN_SHARED_DIR", str(BASE_DIR.parent / "shared")))
OCDS_SCHEMA_DIR = Path(env("OCDS_SCHEMA_DIR", str(SHARED_DIR / "ocds")))
OCDS_OCID_PREFIX = env("OCDS_OCID_PREFIX", "ocds-caidan")
OCDS_BULK_DIR = Path(env("OCDS_BULK_DIR", str(BASE_DIR / "var" / "ocds")))
# The unit that receives supervision reports (caidan/enquiries); empty: the platform admin's.
CAIDAN_FINANCE_BUREAU_CODE = env("CAIDAN_FINANCE_BUREAU_CODE", "")

# The audit chain's hash: SM3 where the OpenSSL build offers it, SHA-256 otherwise.
AUDIT_HASH_ALGORITHM = env("AUDIT_HASH_ALGORITHM", "sm3")
# The daily audit anchors (/open/audit-anchors/) are signed with this Ed25519 key, which lives
# only in the environment: "<key id>:<base64 of the 32-byte private key>" (``python manage.py
# audit_anchor --new-key`` prints one). Public keys of retired signing keys stay listed in
# AUDIT_ANCHOR_OLD_PUBLIC_KEYS ("<key id>:<base64 public key>[,…]") so old anchors verify.
_DEV_AUDIT_ANCHOR_KEY = "dev:ZGV2ZWxvcG1lbnQtb25seS1hdWRpdC1hbmNob3ItazA="  # noqa: S105
AUDIT_ANCHOR_KEY = env("AUDIT_ANCHOR_KEY", _DEV_AUDIT_ANCHOR_KEY)
AUDIT_ANCHOR_OLD_PUBLIC_KEYS = env("AUDIT_ANCHOR_OLD_PUBLIC_KEYS", "")
if not (DEBUG or TESTING or env_bool("CAIDAN_ALLOW_DEV_SECRET")):
    import base64 as _b64
    import binascii as _binascii

    try:
        _anchor_id, _, _anchor_b64 = AUDIT_ANCHOR_KEY.partition(":")
        _anchor_ok = bool(_anchor_id) and len(_b64.b64decode(_anchor_b64, validate=True)) == 32
    except (_binascii.Error, ValueError):
        _anchor_ok = False
    if AUDIT_ANCHOR_KEY == _DEV_AUDIT_ANCHOR_KEY or not _anchor_ok:
        raise ImproperlyConfigured(
            "AUDIT_ANCHOR_KEY must be set in the environment when DEBUG is off, as "
            "'<key id>:<base64 of 32 bytes>', not the development key "
            "(python manage.py audit_anchor --new-key prints a new one)."
        )
# Survey respondent tokens are stored only as HMAC-SHA256 under this key (never in clear).
# Set it once per deployment: a new key invalidates the tokens already handed out.
_DEV_SURVEY_TOKEN_KEY = "development-only-survey-token-key"  # noqa: S105
SURVEY_TOKEN_KEY = env("SURVEY_TOKEN_KEY", IDENTITY_HASH_KEY or _DEV_SURVEY_TOKEN_KEY)
if SURVEY_TOKEN_KEY == _DEV_SURVEY_TOKEN_KEY and not (
    DEBUG or TESTING or env_bool("CAIDAN_ALLOW_DEV_SECRET")
):
    raise ImproperlyConfigured(
        "SURVEY_TOKEN_KEY (or IDENTITY_HASH_KEY) must be set in the environment when DEBUG "
        "is off (at least 32 random characters)."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Production refuses weak or development secrets (DEBUG off, outside tests and without
# CAIDAN_ALLOW_DEV_SECRET, which `make test` and CI set). See docs/security.md.
if not (DEBUG or TESTING or env_bool("CAIDAN_ALLOW_DEV_SECRET")):
    from caidan.accounts.secrets_check import production_secret_problems

    _problems = production_secret_problems(
        secret_key=SECRET_KEY,
        sealing_keys=BID_SEALING_KEYS,
        dev_sealing_key=_DEV_SEALING_KEY,
        sms_backend=SMS_BACKEND,
        identity_hash_key=IDENTITY_HASH_KEY,
    )
    if _problems:
        raise ImproperlyConfigured(
            "Refusing to start with unsafe production settings:\n- " + "\n- ".join(_problems)
        )
