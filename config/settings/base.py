"""Settings shared by every environment; everything deployment-specific comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from casework.security import DEFAULT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# DEFAULT_SECRET_KEY (casework.security) is public on purpose; config.settings.prod refuses to start with it.
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

# Reverse proxies whose X-Forwarded-For (and, in production, X-Forwarded-Proto) is believed: addresses or
# networks, comma-separated. None by default: the client is the socket's peer (casework.security.client_ip).
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_fsm",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "backoffice.apps.LoginLockoutConfig",  # django-axes
    "casework",
    "workflows",
    "notifications",
    "documents",
    "api",
    "backoffice",
    "demo",
    "workspace",
    "public",
]

MIDDLEWARE = [
    "config.middleware.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "api.middleware.ApiJsonErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a login refused by the lockout into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# Everything from this site only. No inline scripts, styles or event handlers (the templates have none;
# tests/config/test_headers.py keeps it so); images may be data: URIs (the admin's and Swagger UI's icons).
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workspace.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the worker share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# PostgreSQL: the hot paths' statements (token, case detail, transition) run as server-side prepared
# statements of each connection (casework.prepared.prepared_statements). Off behind a pooler that does
# not keep prepared statements per client (pgbouncer in transaction mode before 1.21, or without
# max_prepared_statements).
PREPARED_STATEMENTS = os.environ.get("DB_PREPARED_STATEMENTS", "1") != "0"
# PostgreSQL: the role that owns the tables, runs migrations and restores backups; DATABASE_URL's role
# only reads and writes rows (casework.dbroles, `manage.py setup_roles`). Empty: one role does both.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
# Uploaded files (kept with the database by `manage.py backup`).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Files citizens send online: under MEDIA_ROOT (backed up with it) but never served by URL; only views
# that check the reader (staff of the case, the citizen with the lookup code) read them.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", MEDIA_ROOT / "private"))


def reports_database(url: str) -> dict:
    """The `reports` alias: a read replica of `default` (casework.replica routes reads there)."""
    database = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    if database["ENGINE"] == "django.db.backends.postgresql":
        # A replica refuses writes by itself; this keeps a URL pointing at a primary just as safe.
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c default_transaction_read_only=on".strip()
    # The suite never creates a test database there: in tests it is the same database as `default`.
    database["TEST"] = {"MIRROR": "default"}
    return database


# Reports, the dashboard, the overdue board and exports may read from a streaming replica (README,
# "Scaling out"); writes and migrations always go to `default`.
if os.environ.get("REPORTS_DATABASE_URL"):
    DATABASES["reports"] = reports_database(os.environ["REPORTS_DATABASE_URL"])
DATABASE_ROUTERS = ["casework.replica.ReportsRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# django-axes' backend first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Login lockout (django-axes) ----------------------------------------------------------------
# Every password login (workspace, admin, API token) counts its failures per login name *and* client
# address: five failures lock that pair for the cool-off. Not per name alone: that would let anyone lock
# a head of unit out on a reception day, and not per address alone: a ward's whole office shares one
# public address. The API token endpoint also throttles per account and per address (api.throttling).
# Administrators see the attempts in the admin (Access attempts) and unlock by deleting them.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "casework.security.client_ip"
AXES_LOCKOUT_CALLABLE = "workspace.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # backoffice.admin.logins registers the attempts with an "unlock" action
AXES_VERBOSE = False

# The workspace's own login form; the admin keeps its own at /admin/login/.
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:home"

# --- Domain configuration -------------------------------------------------------------------
# Per-rule overrides of the deadline policy table (casework.rules.policy), keyed by rule code, e.g.
# {"petition.resolution": {"days": 20}}; a province that sets its own SLA for petitions does it here.
DEADLINE_RULE_OVERRIDES: dict = {}
# Bounds of one intake (workflows.intake): people named on one paper or at one visit (a collective letter
# names its representatives and gives the number of people), and cases opened at one visit.
INTAKE_MAX_PETITIONERS = int(os.environ.get("INTAKE_MAX_PETITIONERS", "100"))
INTAKE_MAX_CASES_PER_VISIT = int(os.environ.get("INTAKE_MAX_CASES_PER_VISIT", "20"))

# --- Email ------------------------------------------------------------------------------------
# Development writes each email as a file under var/mail/; production points EMAIL_BACKEND at SMTP.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tiepdan@localhost")

# --- Cache ------------------------------------------------------------------------------------
# Login throttling counts failures in the cache: with several web processes they must share one,
# so a deployment sets CACHE_URL=redis://host:6379/1 (the local-memory default suits one process).
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
    }

# --- Celery -----------------------------------------------------------------------------------
# One code path, two brokers: the default is kombu's file-system transport under var/broker/ (no
# service to install); set CELERY_BROKER_URL=redis://... to use Redis. No result backend: tasks
# record what they did in the database (outbox, deliveries).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # a task lost with its worker runs again; every task here is idempotent
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3  # a web request never waits long on a broker that is down
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _BROKER_DIR = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    # Producers write to data_folder_out and consumers read data_folder_in: one shared folder.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 1,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # broadcast queues are files too; nothing uses them
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 3,
        "visibility_timeout": 3600,
    }

# --- Notifications and the deadline scan --------------------------------------------------------
NOTIFICATIONS = {
    # Language of notices when the recipient set none ("vi" or "en"); empty = LANGUAGE_CODE.
    "LANGUAGE": os.environ.get("NOTIFY_LANGUAGE", ""),
    # Staff get in-app notifications always, and email when they have an address and this is on.
    "STAFF_EMAIL": os.environ.get("NOTIFY_STAFF_EMAIL", "1") == "1",
    # Working days overdue after which a case is escalated to the monitors of the parent unit.
    "ESCALATE_AFTER_WORKING_DAYS": int(os.environ.get("NOTIFY_ESCALATE_AFTER_WORKING_DAYS", "10")),
    # Delivery retries: exponential backoff (factor * 2**(attempt-1) seconds, capped), then failed.
    "MAX_ATTEMPTS": int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "8")),
    "RETRY_BACKOFF_SECONDS": int(os.environ.get("NOTIFY_RETRY_BACKOFF_SECONDS", "60")),
    "RETRY_BACKOFF_MAX_SECONDS": int(os.environ.get("NOTIFY_RETRY_BACKOFF_MAX_SECONDS", "21600")),
    # An email delivery left "sending" this long (its worker died) is looked at again.
    "SENDING_LEASE_SECONDS": int(os.environ.get("NOTIFY_SENDING_LEASE_SECONDS", "900")),
    "BATCH_SIZE": int(os.environ.get("NOTIFY_BATCH_SIZE", "200")),
    "DIGEST_MAX_ITEMS": int(os.environ.get("NOTIFY_DIGEST_MAX_ITEMS", "50")),
    # Beat schedule: relay sweep, deadline scan, daily digest (local time, Asia/Ho_Chi_Minh).
    "RELAY_INTERVAL_SECONDS": int(os.environ.get("NOTIFY_RELAY_INTERVAL_SECONDS", "60")),
    # Commits wake the relay once per run (notifications.wakeup); a wake-up no worker has taken after
    # this long is sent again if the broker's queue is empty (one was lost).
    "WAKEUP_REARM_SECONDS": int(os.environ.get("NOTIFY_WAKEUP_REARM_SECONDS", "300")),
    "SCAN_INTERVAL_MINUTES": int(os.environ.get("NOTIFY_SCAN_INTERVAL_MINUTES", "60")),
    "DIGEST_TIME": os.environ.get("NOTIFY_DIGEST_TIME", "07:30"),
    # Base address for links in notices.
    "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:8000"),
}


# How often beat refreshes the report summaries behind the resolution reports and the dashboard.
REPORT_SUMMARY_REFRESH_MINUTES = int(os.environ.get("REPORT_SUMMARY_REFRESH_MINUTES", "5"))


def _beat_schedule(conf: dict) -> dict:
    from datetime import timedelta

    from celery.schedules import crontab

    hour, minute = (int(x) for x in conf["DIGEST_TIME"].split(":"))
    return {
        "relay-outbox": {
            "task": "notifications.relay_outbox",
            "schedule": timedelta(seconds=conf["RELAY_INTERVAL_SECONDS"]),
        },
        "scan-deadlines": {
            "task": "workflows.scan_deadlines",
            "schedule": timedelta(minutes=conf["SCAN_INTERVAL_MINUTES"]),
        },
        "daily-digest": {
            "task": "workflows.daily_digest",
            "schedule": crontab(hour=hour, minute=minute),
        },
        # Report summaries (casework.reports.summary): the pages show until when they count.
        "refresh-report-summaries": {
            "task": "casework.refresh_report_summaries",
            "schedule": timedelta(minutes=REPORT_SUMMARY_REFRESH_MINUTES),
        },
        # Stored idempotent responses hold personal data: drop them once they expire.
        "purge-idempotency-records": {
            "task": "api.purge_expired_idempotency_records",
            "schedule": timedelta(hours=1),
        },
    }


CELERY_BEAT_SCHEDULE = _beat_schedule(NOTIFICATIONS)

# --- REST API (api/) ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header turns a missing login into 401 rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.RememberedContentNegotiation",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF's own client address would trust X-Forwarded-For; 0 makes it the socket address. The project's
    # throttles (api.throttling) read casework.security.client_ip, which honours TRUSTED_PROXIES.
    "NUM_PROXIES": 0,
}
# Failed logins on POST /api/v1/auth/token/ allowed per client address and, apart, per account
# ("<n>/<second|minute|hour|day>").
API_LOGIN_THROTTLE_RATE = os.environ.get("API_LOGIN_THROTTLE_RATE", "5/minute")
# Lifetime of an API token from its issue (hours; 0 = no expiry). A password change or deactivation
# revokes it at once (api.authentication).
API_TOKEN_MAX_AGE_HOURS = int(os.environ.get("API_TOKEN_MAX_AGE_HOURS", "24"))
# How long a POST with an Idempotency-Key is remembered (and replayed instead of repeated).
API_IDEMPOTENCY_TTL_HOURS = int(os.environ.get("API_IDEMPOTENCY_TTL_HOURS", "24"))
# Open311 GeoReport v2 (api/open311.py): services.json, requests.json and requests/{id}.json are public
# reads of recommendations and reflections (scrubbed, no petitioner data); "0" makes reads need a key.
OPEN311_PUBLIC_READS = os.environ.get("OPEN311_PUBLIC_READS", "1") == "1"
# Anonymous Open311 reads allowed per client address ("<n>/<second|minute|hour|day>").
OPEN311_PUBLIC_THROTTLE_RATE = os.environ.get("OPEN311_PUBLIC_THROTTLE_RATE", "60/minute")

# --- Citizens' pages and public API (public/, api/public.py) ----------------------------------------
# The published figures of a unit's area (casework.reports.cached_public_figures): the same for every
# visitor, so kept this many seconds per unit, period and language; 0 computes them on every request.
PUBLIC_FIGURES_CACHE_SECONDS = int(os.environ.get("PUBLIC_FIGURES_CACHE_SECONDS", "300"))

PUBLIC_SUBMISSIONS = {
    # Abuse limits per client address (casework.security.client_ip), "<n>/<second|minute|hour|day>".
    "SUBMIT_RATE": os.environ.get("PUBLIC_SUBMIT_RATE", "5/hour"),
    # Wrong lookup codes allowed per client address and, apart, per reference from one client network
    # (/24, /56), before every lookup from that client (or of that reference from that network) answers
    # 429 for the rest of the window (workflows.citizen.follow).
    "LOOKUP_FAILURES_PER_CLIENT": os.environ.get("PUBLIC_LOOKUP_FAILURES_PER_CLIENT", "10/hour"),
    "LOOKUP_FAILURES_PER_REFERENCE": os.environ.get("PUBLIC_LOOKUP_FAILURES_PER_REFERENCE", "20/day"),
    # Wrong codes on one reference from all networks together: past this the case page warns staff that
    # its code is being guessed. It never refuses (that would let anyone lock the citizen out).
    "LOOKUP_GUESSING_ALERT": os.environ.get("PUBLIC_LOOKUP_GUESSING_ALERT", "50/day"),
    # Unit-picker searches per client address.
    "SEARCH_RATE": os.environ.get("PUBLIC_SEARCH_RATE", "120/minute"),
    # The form page: a submission posted sooner than this after the form was served is a robot's.
    "MIN_FILL_SECONDS": int(os.environ.get("PUBLIC_MIN_FILL_SECONDS", "4")),
    "MAX_FORM_AGE_HOURS": 12,
    "MAX_ATTACHMENTS": int(os.environ.get("PUBLIC_MAX_ATTACHMENTS", "5")),
    "MAX_ATTACHMENT_BYTES": int(os.environ.get("PUBLIC_MAX_ATTACHMENT_BYTES", str(5 * 1024 * 1024))),
    "MAX_SUMMARY_CHARS": 10000,
    # A callable "module.function" given (name, bytes) that raises workflows.intake.online.Infected
    # (or any error: the file is then refused). The default scans with clamdscan when CLAMDSCAN is set.
    "VIRUS_SCAN": os.environ.get("PUBLIC_VIRUS_SCAN", "workflows.intake.online.clamdscan_scan"),
    "CLAMDSCAN": os.environ.get("CLAMDSCAN", ""),  # path of clamdscan; empty: no scanner configured
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tiếp dân API",
    "DESCRIPTION": (
        "Citizen reception, petitions, complaints and denunciations. State changes go through "
        "POST /api/v1/cases/{id}/actions/{action}/; every error carries a machine-readable `code`. "
        "Text never holds a NUL character (U+0000): a request with one in any text is refused with 400."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from drf-spectacular-sidecar's static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.require_visible_request_text",
        "api.schema.apply_request_rules",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "casework.choices.CaseKind",
        "CaseStateEnum": "casework.choices.CaseState",
        "ChannelEnum": "casework.choices.Channel",
        "OutcomeEnum": "casework.choices.Outcome",
        "RoleEnum": "casework.choices.Role",
        "DeadlineKindEnum": "casework.choices.DeadlineKind",
        "DeadlineStatusEnum": "casework.choices.DeadlineStatus",
        "DayTypeEnum": "casework.choices.DayType",
        "PartyKindEnum": "casework.choices.PartyKind",
        "DialogueKindEnum": "casework.choices.DialogueKind",
        "CalendarDayKindEnum": "casework.choices.CalendarDayKind",
        "ReceptionKindEnum": "casework.choices.ReceptionKind",
        "RefusalReasonEnum": "casework.choices.RefusalReason",
        "VisitOutcomeEnum": "casework.choices.VisitOutcome",
        "AuthorityLevelEnum": "casework.choices.AuthorityLevel",
        "SatisfactionEnum": "casework.choices.Satisfaction",
        "TimelinessEnum": "casework.choices.Timeliness",
        "QualityEnum": "casework.choices.Quality",
        "ConferenceFormatEnum": "casework.choices.ConferenceFormat",
        "ConferenceReasonEnum": "casework.choices.ConferenceReason",
        "ConferenceStatusEnum": "casework.choices.ConferenceStatus",
    },
}
