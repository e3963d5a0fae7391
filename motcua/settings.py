"""One env-driven settings file. SQLite by default; DATABASE_URL for PostgreSQL."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from motcua.core import retention as _retention

# Django's generic classes take type parameters at run time too (class AgencyAdmin(
# admin.ModelAdmin[Agency])), as mypy and django-stubs want them written.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    """A string setting from the environment."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """A boolean setting; anything but the usual spellings is an error, not a silent False."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    """An integer setting that fails loudly on a bad value."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_cache(name: str) -> dict[str, Any]:
    """A cache from a URL: redis://, rediss:// or unix:// for Redis; unset, one per process."""
    url = os.environ.get(name, "")
    if not url:
        # Room for every agency, unit and procedure a province has (Django's default is 300).
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    scheme = url.partition(":")[0]  # not the whole URL: it may carry a password
    raise ImproperlyConfigured(
        f"{name} must be a redis://, rediss:// or unix:// URL (or unset), not {scheme}:…"
    )


_LOOPBACK = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "::")  # noqa: S104 - refused


def env_site_url(name: str, *, production: bool) -> str:
    """The site's public address, `scheme://host[:port]` (no path, query nor fragment), or ""
    when unset; in production required, over https and not a loopback address."""
    value = os.environ.get(name, "").strip()
    if not value:
        if production:
            raise ImproperlyConfigured(
                f"{name} must be set in production: the public address citizens reach, written "
                "on every form's QR code and link (e.g. https://motcua.hanoi.gov.vn)."
            )
        return ""
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or port == -1
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ImproperlyConfigured(
            f"{name} must be an address like https://motcua.hanoi.gov.vn (http or https, a "
            f"host, an optional port, no path), not {value!r}"
        )
    if production and (parts.scheme != "https" or parts.hostname in _LOOPBACK):
        raise ImproperlyConfigured(
            f"{name} must be the public https address in production, not {value!r}: the "
            "tracking link carries the dossier's secret."
        )
    return f"{parts.scheme}://{parts.netloc}"


# Where the embedded database, the generated demo secret and uploads live.
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(BASE_DIR / "var")))
# "production" refuses to start without a real secret key; "development" and "test" do not.
MOTCUA_ENV = env_str("MOTCUA_ENV", "development")
DEBUG = env_bool("DEBUG", False)

_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY and (VAR_DIR / "secret_key").exists():
    SECRET_KEY = (VAR_DIR / "secret_key").read_text().strip()
if not SECRET_KEY:
    if MOTCUA_ENV == "production":
        raise ImproperlyConfigured("SECRET_KEY must be set in production (at least 50 characters).")
    SECRET_KEY = _INSECURE_KEY
if MOTCUA_ENV == "production" and (SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production (at least 50 characters).")

# The audit key: every event's hash is an HMAC-SHA256 under it (motcua.dossiers.events), so
# whoever holds only the database login cannot re-hash an edited chain or forge an event. Kept
# outside the database: MOTCUA_AUDIT_KEY, or a file named by MOTCUA_AUDIT_KEY_FILE (default
# var/audit_key). Required in production (docs/audit.md: generating and keeping it).
_INSECURE_AUDIT_KEY = "insecure-development-audit-key"
_audit_key_file = Path(env_str("MOTCUA_AUDIT_KEY_FILE", str(VAR_DIR / "audit_key")))
AUDIT_KEY = env_str("MOTCUA_AUDIT_KEY", "")
if not AUDIT_KEY and _audit_key_file.exists():
    AUDIT_KEY = _audit_key_file.read_text().strip()
if not AUDIT_KEY:
    if MOTCUA_ENV == "production":
        raise ImproperlyConfigured("MOTCUA_AUDIT_KEY (or MOTCUA_AUDIT_KEY_FILE) must be set.")
    AUDIT_KEY = _INSECURE_AUDIT_KEY
if MOTCUA_ENV == "production" and (AUDIT_KEY == _INSECURE_AUDIT_KEY or len(AUDIT_KEY) < 32):
    raise ImproperlyConfigured("The audit key is too weak for production (at least 32 characters).")
# The Ed25519 private key (PEM) that signs `motcua audit anchor`, and the public key that
# `audit verify --anchor` checks it with; files outside the database, optional.
AUDIT_SIGNING_KEY_FILE = env_str("MOTCUA_AUDIT_SIGNING_KEY_FILE", "")
AUDIT_PUBLIC_KEY_FILE = env_str("MOTCUA_AUDIT_PUBLIC_KEY_FILE", "")
# The read log records REMOTE_ADDR; behind a reverse proxy that sets it, the request header
# named here (as Django spells it, e.g. HTTP_X_FORWARDED_FOR), its last address.
TRUSTED_PROXY_HEADER = env_str("MOTCUA_TRUSTED_PROXY_HEADER", "")
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The public address of the site, as citizens reach it: the QR code and the link on every form
# and in every e-mail point there. Required in production; elsewhere, unset, `motcua serve`
# (and the demo) use the address they serve on, and other commands http://127.0.0.1:8000.
SITE_URL = env_site_url("SITE_URL", production=MOTCUA_ENV == "production")
SITE_URL_IS_DEFAULT = not SITE_URL
SITE_URL = SITE_URL or "http://127.0.0.1:8000"
# Unset, the hosts a request may name are this machine's and the public address's (and, added
# by `motcua serve`, the one it serves on).
ALLOWED_HOSTS_IS_DEFAULT = not os.environ.get("ALLOWED_HOSTS")
ALLOWED_HOSTS = env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
if ALLOWED_HOSTS_IS_DEFAULT and not SITE_URL_IS_DEFAULT:
    ALLOWED_HOSTS.append(urlsplit(SITE_URL).hostname or "")
if MOTCUA_ENV == "production" and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG=true is refused in production: an error page would show the settings, the code "
        "and the request to whoever meets it. Unset DEBUG (or use MOTCUA_ENV=development on a "
        "machine of your own)."
    )

# HTTPS (docs/operations.md, "Settings"). In production the site is served over https behind
# a reverse proxy (nginx) that terminates TLS and says so in X-Forwarded-Proto; elsewhere
# (the demo, tests) plain http on this machine. Each can be turned off or tuned on its own.
_PRODUCTION = MOTCUA_ENV == "production"
# The header the proxy sets, as Django spells it; "" when nothing stands in front. The proxy
# must overwrite it on every request, or a client could claim https itself.
_proxy_ssl_header = env_str(
    "SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO" if _PRODUCTION else ""
)
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
# Healthz and metrics are asked by the proxy and the monitoring over the internal network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
# Only sends "preload"; the domain enters browsers' lists when its owner submits it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", _PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: forms carry {% csrf_token %} and htmx the X-CSRFToken
# header written on <body> (templates/base.html).
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "motcua.edge.csrf_failure"
# A tracking link carries the dossier's secret: no other site is told the address it came from.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The Content Security Policy (django-csp), everywhere, tests included, so that the browser
# tests meet what production sends: scripts and styles only from the site's own files, never
# inline (no <script> block, on…= handler, style= attribute or javascript: address in a
# template; htmx's indicator style is in motcua.css). Forms post to the site itself, or to the
# identity provider and any origin named in CSP_FORM_ACTION (comma-separated, e.g. a payment
# provider's page). CSP_REPORT_ONLY=true sends it as Content-Security-Policy-Report-Only,
# CSP_REPORT_URI names where browsers report what it stopped.
_SELF, _NONE = "'self'", "'none'"
_form_action = [_SELF]
_form_action += [o.strip() for o in env_str("CSP_FORM_ACTION", "").split(",") if o.strip()]
_csp_directives: dict[str, Any] = {
    "default-src": [_SELF],
    "script-src": [_SELF],
    "style-src": [_SELF],
    "img-src": [_SELF, "data:"],
    "font-src": [_SELF],
    "connect-src": [_SELF],
    "form-action": _form_action,
    "frame-ancestors": [_NONE],
    "base-uri": [_NONE],
    "object-src": [_NONE],
}
if env_str("CSP_REPORT_URI", ""):
    _csp_directives["report-uri"] = [env_str("CSP_REPORT_URI", "")]
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _csp_directives}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "motcua.organization",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.notify",
    "motcua.portal",
    "motcua.desk",
    "motcua.paperwork",
    "motcua.citizens",
    "motcua.payments",
    "motcua.appointments",
    "motcua.feedback",
    "motcua.online",
    "motcua.oversight",
    "motcua.adminlog",
    "motcua.backups",
    "motcua.operations",
    "motcua.webhooks",
    "motcua.integrations",
    "motcua.exchange",
    "motcua.api",
]

MIDDLEWARE = [
    # One log line per request, with its id (motcua/operations/middleware.py).
    "motcua.operations.middleware.RequestLogMiddleware",
    # Around everything else: each request's duration per view, for /metrics
    # (motcua/operations/metrics.py).
    "motcua.operations.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Cache-Control: private, no-store on every signed-in or staff page, whatever page an
    # inner middleware put in its place (motcua/desk/middleware.py).
    "motcua.desk.middleware.PrivateResponseMiddleware",
    "motcua.portal.middleware.ChosenLanguageMiddleware",
    # The same for /api/, answered with the API's structured error and recorded (motcua/api).
    "motcua.api.middleware.ApiGuardMiddleware",
    # Before every reader of the request: a NUL anywhere in it is refused (motcua/edge.py).
    "motcua.edge.RequestGuardMiddleware",
    # Django's empty 405 becomes a page in the reader's language (motcua/edge.py).
    "motcua.edge.MethodNotAllowedMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session of someone who must use a second factor and has not is ended (motcua/desk).
    "motcua.desk.middleware.SecondFactorMiddleware",
    # A staff session idle for STAFF_IDLE_MINUTES is signed out (motcua/desk/middleware.py).
    "motcua.desk.middleware.StaffIdleMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The dossier write path (motcua/dossiers/writes.py) prepares its statements on the
    # server, so PostgreSQL parses and plans each once per connection; Django's own queries
    # bind on the client and are never prepared. Behind PgBouncer in transaction mode this
    # needs PgBouncer 1.21+ with max_prepared_statements set.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Calendars, agencies, units and the catalog are read through this cache (motcua.caching).
# With several app servers or workers, a shared Redis (CACHE_URL=redis://…) lets an admin
# change reach all of them at once; a cache per process sees it within a minute.
CACHES = {"default": env_cache("CACHE_URL")}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Staff sign-in's guessing limits (motcua/core/signin.py), in fixed windows of
# SIGNIN_LOCK_MINUTES: this many failures for one account from one source hold that pair
# (citizens' sign-in uses the same two per address); a source is held after
# SIGNIN_MAX_FAILURES_PER_SOURCE failures whatever the accounts; an account after
# SIGNIN_MAX_FAILURES_PER_ACCOUNT failures from anywhere in SIGNIN_ACCOUNT_WINDOW_MINUTES,
# except from the sources it signed in from in the last SIGNIN_KNOWN_SOURCE_DAYS days.
SIGNIN_MAX_FAILURES = env_int("SIGNIN_MAX_FAILURES", 5)
SIGNIN_LOCK_MINUTES = env_int("SIGNIN_LOCK_MINUTES", 15)
SIGNIN_MAX_FAILURES_PER_SOURCE = env_int("SIGNIN_MAX_FAILURES_PER_SOURCE", 30)
SIGNIN_MAX_FAILURES_PER_ACCOUNT = env_int("SIGNIN_MAX_FAILURES_PER_ACCOUNT", 50)
SIGNIN_ACCOUNT_WINDOW_MINUTES = env_int("SIGNIN_ACCOUNT_WINDOW_MINUTES", 60)
SIGNIN_KNOWN_SOURCE_DAYS = env_int("SIGNIN_KNOWN_SOURCE_DAYS", 30)
# Citizens' sign-in holds a source (an IPv4 address, an IPv6 /64) after this many failures in
# SIGNIN_LOCK_MINUTES whatever the addresses tried: higher than staff's, since thousands of
# citizens share one address behind a mobile carrier's NAT.
CITIZEN_SIGNIN_MAX_FAILURES_PER_SOURCE = env_int("CITIZEN_SIGNIN_MAX_FAILURES_PER_SOURCE", 100)
# A staff session left this long without a request is signed out (shared counter PCs).
STAFF_IDLE_MINUTES = env_int("MOTCUA_STAFF_IDLE_MINUTES", 30)
# A right password waits this long for its second factor (motcua/desk/views/auth.py).
SIGNIN_PENDING_MINUTES = env_int("SIGNIN_PENDING_MINUTES", 10)
# The issuer an authenticator app shows beside the account's name.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Một cửa")
# Wrong codes are counted by the sign-in's own limits (per account and source, ...); django-otp's
# per-device delay would let whoever knows a password keep its owner waiting from anywhere.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Guessing limits of the public tracking page (motcua/portal/tracking.py): wrong code and
# secret pairs counted per source address and code, per source, and per code from anywhere.
TRACKING_MAX_FAILURES_PER_SOURCE_CODE = env_int("TRACKING_MAX_FAILURES_PER_SOURCE_CODE", 5)
TRACKING_MAX_FAILURES_PER_SOURCE = env_int("TRACKING_MAX_FAILURES_PER_SOURCE", 30)
TRACKING_MAX_FAILURES_PER_CODE = env_int("TRACKING_MAX_FAILURES_PER_CODE", 100)
TRACKING_WINDOW_MINUTES = env_int("TRACKING_WINDOW_MINUTES", 15)
TRACKING_CODE_WINDOW_MINUTES = env_int("TRACKING_CODE_WINDOW_MINUTES", 60)
# A right refresh of the tracking page answered from the page kept with the dossier's stamp, with
# no database read (motcua/portal/tracking.py): only where the cache is shared by every process
# (Redis), which the writes' removal of the stamp must reach. On with CACHE_URL.
TRACKING_REFRESH_FROM_CACHE = env_bool(
    "TRACKING_REFRESH_FROM_CACHE", CACHES["default"]["BACKEND"].endswith(".RedisCache")
)
# The one-stop desks' own networks (CIDRs, comma-separated, e.g. "10.26.0.0/16"): a rating sent
# from one of them is stored marked as entered at the desk (motcua.feedback). Unset: none.
DESK_NETWORKS = [
    str(ipaddress.ip_network(n.strip(), strict=False))
    for n in env_str("DESK_NETWORKS", "").split(",")
    if n.strip()
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["motcua.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Scans of papers (digitisation at the counter) are kept in the default storage under
# MEDIA_ROOT, never served as static files: the desk opens them through an access-checked
# view. A scan larger than SCAN_MAX_BYTES is refused (PDF, JPEG or PNG only).
MEDIA_ROOT = Path(env_str("MOTCUA_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
SCAN_MAX_BYTES = env_int("SCAN_MAX_BYTES", 10 * 1024 * 1024)
# Working days a citizen has to answer a request for papers online (form 02); after that the
# papers go to the counter. The default follows the online drafts' 15 working days (DOMAIN §5).
SUPPLEMENT_ANSWER_WORKING_DAYS = env_int("SUPPLEMENT_ANSWER_WORKING_DAYS", 15)
# A page may carry one scan per paper: at most this many files in one request.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 40)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "motcua@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # the file-based backend
# A relay that stops answering must not hold a message past its claim: the outbox's lease
# (how long a worker's claim on a message keeps other workers off it) outlasts the timeout.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 60)
# Text messages (motcua.notify.sms): the console backend prints them; a province names its
# gateway's class here.
SMS_BACKEND = env_str("SMS_BACKEND", "motcua.notify.sms.ConsoleSmsBackend")
# Online payment of fees (motcua.payments.providers): the provider's class. Outside production
# the default is the sandbox, a test double that charges nothing (demo and tests); production
# must name a real one, or has no online payment ("": fees are paid at the desk).
PAYMENT_PROVIDER = env_str(
    "PAYMENT_PROVIDER",
    "" if MOTCUA_ENV == "production" else "motcua.payments.providers.SandboxProvider",
)
if MOTCUA_ENV == "production" and PAYMENT_PROVIDER.endswith(".SandboxProvider"):
    raise ImproperlyConfigured("PAYMENT_PROVIDER must name a real provider in production.")
# The sandbox's signing key ("": derived from SECRET_KEY).
PAYMENT_SANDBOX_SECRET = env_str("PAYMENT_SANDBOX_SECRET", "")
# A payment started online whose callback has not come after this many minutes is settled
# by asking the provider its status (the worker's payments pass).
PAYMENT_POLL_AFTER_MINUTES = env_int("PAYMENT_POLL_AFTER_MINUTES", 15)
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 600)
# Liên thông between installations (motcua.exchange, docs/integration.md): this installation's
# id as its peers know it (empty: it exchanges with nobody); the directory of its Ed25519
# signing keys (keyring.json and the current key's PEM, 0600); how old a message may arrive;
# how long a peer has to answer; how long a retired key's public half stays exported.
INSTALLATION_ID = env_str("MOTCUA_INSTALLATION_ID", "")
EXCHANGE_KEY_DIR = Path(env_str("MOTCUA_EXCHANGE_KEY_DIR", str(VAR_DIR / "exchange")))
EXCHANGE_MAX_AGE_SECONDS = env_int("MOTCUA_EXCHANGE_MAX_AGE_SECONDS", 86400)
EXCHANGE_TIMEOUT_SECONDS = env_int("MOTCUA_EXCHANGE_TIMEOUT_SECONDS", 10)
EXCHANGE_KEY_GRACE_DAYS = env_int("MOTCUA_EXCHANGE_KEY_GRACE_DAYS", 30)
if OUTBOX_LEASE_SECONDS <= 2 * EXCHANGE_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "OUTBOX_LEASE_SECONDS must be more than twice MOTCUA_EXCHANGE_TIMEOUT_SECONDS."
    )
if OUTBOX_LEASE_SECONDS <= 2 * EMAIL_TIMEOUT:
    raise ImproperlyConfigured("OUTBOX_LEASE_SECONDS must be more than twice EMAIL_TIMEOUT.")

# The outbound sync with the National Public Service Portal (motcua.national,
# docs/integration.md): every status change and result of every dossier is POSTed to
# NATIONAL_PORTAL_URL + "/dossiers/sync" through the outbox, in order, with the token the portal
# issued as a bearer. Unset URL: not connected; nothing is queued, and oversight shows the sync
# rate as "không kết nối".
NATIONAL_PORTAL_URL = env_str("NATIONAL_PORTAL_URL", "").rstrip("/")
NATIONAL_PORTAL_TOKEN = env_str("NATIONAL_PORTAL_TOKEN", "")
# Seconds a POST to the portal may take; under half the outbox's lease, as for mail.
NATIONAL_PORTAL_TIMEOUT = env_int("NATIONAL_PORTAL_TIMEOUT", 30)
if OUTBOX_LEASE_SECONDS <= 2 * NATIONAL_PORTAL_TIMEOUT:
    raise ImproperlyConfigured(
        "OUTBOX_LEASE_SECONDS must be more than twice NATIONAL_PORTAL_TIMEOUT."
    )
# MaCSDL: the code the portal knows this installation's database by.
NATIONAL_SYSTEM_CODE = env_str("NATIONAL_SYSTEM_CODE", "MOTCUA")
INSTALLED_APPS.append("motcua.national")
# The portal simulator (motcua.simulator): a TEST DOUBLE that plays the national portal for the
# demo and the tests (it takes the sync, and files dossiers as the portal would). Outside
# production it is on unless turned off, like the payments' sandbox; production refuses it.
PORTAL_SIMULATOR = env_bool("MOTCUA_PORTAL_SIMULATOR", not _PRODUCTION)
if _PRODUCTION and PORTAL_SIMULATOR:
    raise ImproperlyConfigured("MOTCUA_PORTAL_SIMULATOR is a test double: refused in production.")
if PORTAL_SIMULATOR:
    INSTALLED_APPS.append("motcua.simulator")

# Webhooks to subscribers (motcua.webhooks, docs/integration.md "Webhooks"). A rotated secret
# keeps signing beside the new one for WEBHOOK_SECRET_GRACE_HOURS; a subscriber that does not
# answer within WEBHOOK_TIMEOUT_SECONDS is tried again later. Addresses must be https unless
# DEBUG (always in production), and may not point at loopback or private networks in
# production unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES says so (a receiver on the agency's LAN).
WEBHOOK_SECRET_GRACE_HOURS = env_int("WEBHOOK_SECRET_GRACE_HOURS", 24)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", not DEBUG)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", not _PRODUCTION)
if _PRODUCTION and not WEBHOOK_REQUIRE_HTTPS:
    raise ImproperlyConfigured("WEBHOOK_REQUIRE_HTTPS=false is refused in production.")
if not 0 < WEBHOOK_TIMEOUT_SECONDS < OUTBOX_LEASE_SECONDS / 2:
    raise ImproperlyConfigured("WEBHOOK_TIMEOUT_SECONDS must be under half OUTBOX_LEASE_SECONDS.")
if WEBHOOK_SECRET_GRACE_HOURS < 0:
    raise ImproperlyConfigured("WEBHOOK_SECRET_GRACE_HOURS must not be negative.")

# Citizens' accounts (motcua.citizens): a password-reset link lasts this long (Django's
# token generator reads it), and an external identity provider (OpenID Connect) is off until
# OIDC_ENABLED is set with the provider's issuer and this site's client id and secret.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 2 * 3600)
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "")
OIDC_ISSUER = env_str("OIDC_ISSUER", "").rstrip("/")
OIDC_DISCOVERY_URL = env_str(
    "OIDC_DISCOVERY_URL", f"{OIDC_ISSUER}/.well-known/openid-configuration" if OIDC_ISSUER else ""
)
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid profile email phone")
# Which claim holds what, when the provider's names differ from OpenID Connect's
# (motcua.core.accounts.DEFAULT_CLAIMS), as key=claim pairs: "id_number=citizen_id,…".
OIDC_CLAIMS = dict(
    pair.split("=", 1) for pair in env_str("OIDC_CLAIMS", "").split(",") if "=" in pair
)
OIDC_TIMEOUT_SECONDS = env_int("OIDC_TIMEOUT_SECONDS", 10)
if OIDC_ENABLED:
    if not (OIDC_ISSUER and OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "OIDC_ENABLED needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET."
        )
    if MOTCUA_ENV == "production" and not (
        OIDC_ISSUER.startswith("https://") and OIDC_DISCOVERY_URL.startswith("https://")
    ):
        raise ImproperlyConfigured("The identity provider must be reached over https.")
if OIDC_ISSUER:  # the sign-in form may hand the citizen to the provider (CSP above)
    _issuer = urlsplit(OIDC_ISSUER)
    _form_action.append(f"{_issuer.scheme}://{_issuer.netloc}")

LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:inbox"
LOGOUT_REDIRECT_URL = "desk:login"

# Worker: how often it wakes, and how far ahead it warns (working hours).
WORKER_INTERVAL_SECONDS = env_int("WORKER_INTERVAL_SECONDS", 30)
# /healthz answers 503 when no worker has finished a pass for this long (its heartbeat).
WORKER_MAX_LAG_SECONDS = env_int("WORKER_MAX_LAG_SECONDS", 300)
if WORKER_MAX_LAG_SECONDS <= WORKER_INTERVAL_SECONDS:
    raise ImproperlyConfigured("WORKER_MAX_LAG_SECONDS must be more than WORKER_INTERVAL_SECONDS.")
# /metrics (Prometheus) tells volumes: answered to the bearer of this token
# (Authorization: Bearer …) or to an address in METRICS_NETWORKS (CIDRs, comma-separated, as
# the read log sees the address: behind a proxy, set MOTCUA_TRUSTED_PROXY_HEADER). Neither set:
# the page is off (404).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
METRICS_NETWORKS = [
    str(ipaddress.ip_network(n.strip(), strict=False))
    for n in env_str("METRICS_NETWORKS", "").split(",")
    if n.strip()
]
if MOTCUA_ENV == "production" and METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN is too weak for production (at least 32 characters).")
DUE_SOON_WORKING_HOURS = env_int("DUE_SOON_WORKING_HOURS", 8)
# Look for dossiers predicted late this far ahead, so the apology can still come at least one
# working day before the deadline (DOMAIN §5).
APOLOGY_LOOKAHEAD_WORKING_HOURS = env_int("APOLOGY_LOOKAHEAD_WORKING_HOURS", 24)
# Online dossiers (DOMAIN §5, law for one group of procedures, kept as defaults): the desk is
# alerted within this many working hours of arrival, accepts or sends back for corrections
# within this many, and a draft left unchanged this many working days is closed.
ONLINE_ALERT_WORKING_HOURS = env_int("ONLINE_ALERT_WORKING_HOURS", 2)
ONLINE_RECEPTION_WORKING_HOURS = env_int("ONLINE_RECEPTION_WORKING_HOURS", 8)
DRAFT_EXPIRY_WORKING_DAYS = env_int("DRAFT_EXPIRY_WORKING_DAYS", 15)
# How many times a day a citizen may download their own data ("Tải dữ liệu của tôi").
DATA_EXPORTS_PER_DAY = env_int("DATA_EXPORTS_PER_DAY", 3)
# How many days each kind of record holding personal data is kept before `motcua purge`
# deletes or pseudonymises it (motcua/core/retention.py; docs/privacy.md gives the defaults
# and why): RETENTION_DAYS_DOSSIER=3650, RETENTION_DAYS_READ_LOG=1095 …
RETENTION_DAYS = {
    record.value: env_int(f"RETENTION_DAYS_{record.name}", rule.days)
    for record, rule in _retention.DEFAULTS.items()
}

# LOG_FORMAT=json (production's default): one JSON object a line (motcua/logs.py), each with
# its request's id; "text" for a person reading a terminal. motcua.request logs every request.
# Every handler masks ID and phone numbers (motcua/logmask.py).
LOG_FORMAT = env_str("LOG_FORMAT", "json" if MOTCUA_ENV == "production" else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "motcua.logs.RequestIdFilter"},
        "mask_numbers": {"()": "motcua.logmask.MaskNumbers"},
    },
    "formatters": {
        "json": {
            "()": "motcua.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Django's own access line (runserver) carries the query string: ours replaces it.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
