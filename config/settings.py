"""Settings, all overridable from the environment (see README: DATABASE_URL, REDIS_URL, ...)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
SECRET_KEY = env("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    # Sessions and password resets of a production instance must not be signed with a key
    # published in this repository.
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is false.")
# Behind a TLS-terminating proxy in production: secure cookies, and trust its scheme header.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "config",
    "orders",
    "inventory",
    "promises",
    "events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's, the API docs' Swagger UI and ReDoc) from the app itself, so the
    # docs load on a machine without internet and under gunicorn without a separate server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before everything that reaches a view: it times the request and gives it its id (static
    # files, answered above, are neither logged nor timed).
    "config.request_log.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.api.middleware.ApiErrorMiddleware",
    "config.api.middleware.RejectNulCharactersMiddleware",
    "config.db_router.ReplicaReadsMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _configure_postgresql(database):
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    options = database.setdefault("OPTIONS", {})
    # Parameters travel beside the statement instead of being quoted into it in Python, and a
    # statement seen twice on a connection is prepared there (parsed once). PostgreSQL still
    # plans every execution for its parameter values (force_custom_plan): a plan generic over
    # the values was slower for the availability and stock-lock queries.
    options["server_side_binding"] = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    # "off" for a pooler that moves transactions between connections (PgBouncer < 1.21).
    prepare_threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="2")
    options["prepare_threshold"] = (
        None if prepare_threshold.lower() == "off" else int(prepare_threshold)
    )
    options["options"] = " ".join(
        filter(None, [options.get("options"), "-c plan_cache_mode=force_custom_plan"])
    )
    return database


# Embedded default: an SQLite file, so the product runs with no server at all.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Runserver, worker and beat share the file: wait for locks instead of failing,
    # and take the write lock at BEGIN so two writers never deadlock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database is a file too: an in-memory one is shared between threads through
    # SQLite's shared cache, whose table locks fail at once instead of waiting out `timeout`,
    # so the concurrency tests would test the cache instead of the product.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    # The stock table's covering index (INCLUDE columns) is a PostgreSQL optimisation; SQLite
    # builds it without them, which is all it needs: no warning on a newcomer's first command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    _configure_postgresql(DATABASES["default"])

# Optional read replica (a PostgreSQL streaming standby of the primary): the reads that tolerate
# slightly stale data go there (config/db_router.py; README, "Scaling out").
if env("DATABASE_REPLICA_URL", default=""):
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL.")
    DATABASES["replica"] = _configure_postgresql(env.db("DATABASE_REPLICA_URL"))
    # Tests: the replica streams the primary's test database, under the same name.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
# Seconds an unreachable replica is left alone (its reads go to the primary meanwhile).
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=10.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# How long a web process remembers a bearer token's user and permissions (PostgreSQL; 0 = never).
API_AUTHENTICATION_CACHE_SECONDS = env.float("API_AUTHENTICATION_CACHE_SECONDS", default=5)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # collectstatic fills it; WhiteNoise warns when it is absent
# Serve straight from the apps' static folders unless `collectstatic` output is preferred.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

# "json": one JSON object per log line, with the request id (config/log_format.py); "text": plain.
LOG_FORMAT = env("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is 'text' or 'json'.")
# One line per request (method, URL pattern, status, duration, order id, request id).
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.log_format.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # JSON only: Django's own loggers write through the root's handler, not their plain one.
    "loggers": {"django": {"handlers": []}} if LOG_FORMAT == "json" else {},
}

# Operations (README, "Operations"): probes, the Prometheus scrape and its token.
READINESS_TIMEOUT = env.float("READINESS_TIMEOUT", default=2.0)
# Bearer token of GET /metrics; without one the endpoint is off (404).
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# Limits on what a client may send (see docs/decisions.md, Foundation). Django's own limit on a
# body read into memory is the same, so no path reads more than the API parser would.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
API_MAX_BODY_DEPTH = env.int("API_MAX_BODY_DEPTH", default=64)
API_MAX_JSON_FIELD_DEPTH = env.int("API_MAX_JSON_FIELD_DEPTH", default=32)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["config.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.ApiPermission"],
    "DEFAULT_RENDERER_CLASSES": ["config.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.LimitedJSONParser"],
    "EXCEPTION_HANDLER": "config.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "DOMS API",
    "DESCRIPTION": "Delivery promises, orders, inventory and routing. Wire-compatible with the "
    "reference API described in the project's specification.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the installed package (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.unique_operation_ids",
        "config.api.schema.public_component_descriptions",
        "config.api.schema.documented_error_responses",
    ],
    # Enums named as the reference names them (otherwise "status" fields of several apps
    # collide and get hashed names).
    "ENUM_NAME_OVERRIDES": {
        "OrderStatus": "orders.models.OrderStatus",
        "FacilityStatus": "inventory.models.FacilityStatus",
        "FacilityType": "inventory.models.FacilityType",
        "CarrierStatus": "inventory.models.CarrierStatus",
        "ServiceLevel": [("DELIVERY", "DELIVERY"), ("SAMEDAY", "SAMEDAY")],
        "SortDirection": [("ASC", "ASC"), ("DESC", "DESC")],
        "OutOfStockBehaviour": "inventory.models.OutOfStockBehaviour",
        "CarrierProductCategory": "inventory.models.CarrierProductCategory",
    },
}

# Per-token request limits by endpoint group, e.g. "600/min" or "20/10s"; empty: no limit (the
# default). Counted in the "rate_limits" cache, shared by every web process through Redis.
API_RATE_LIMIT_CHECKOUT = env("API_RATE_LIMIT_CHECKOUT", default="")
API_RATE_LIMIT_READS = env("API_RATE_LIMIT_READS", default="")
API_RATE_LIMIT_WRITES = env("API_RATE_LIMIT_WRITES", default="")

# Apps whose model permissions make up "full API permissions" for create_api_token.
API_PERMISSION_APPS = ["orders", "inventory", "promises", "events"]

# Celery: Redis in production; with no REDIS_URL a filesystem broker under var/,
# so worker and beat also run on the embedded default with no server.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        # A hung Redis must not hold beat or a worker for as long as TCP keeps the connection;
        # the web process publishes with its own, shorter timeouts (EVENTS_PUBLISH_TIMEOUT).
        "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=30.0),
        "socket_connect_timeout": env.float("REDIS_SOCKET_CONNECT_TIMEOUT", default=5.0),
    }
else:
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# The caches: Django's default, and the rate-limit counters, which every web process must share
# (Redis; without REDIS_URL, one process's memory: enough for runserver). A Redis that hangs
# must not hold requests: short timeouts, and the limits are skipped while it does not answer.
REDIS_CACHE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="doms"),
    "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "rate_limits": (
        REDIS_CACHE
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rate"}
    ),
    # The sourcing options answers, readable by id from any web process for their lifetime
    # (promises/sourcing_store.py): Redis, else files under var/ shared by the node's processes.
    "sourcing_options": (
        REDIS_CACHE
        if REDIS_URL
        else {
            "BACKEND": "config.file_cache.LifetimeFileCache",
            "LOCATION": env("SOURCING_OPTIONS_DIR", default=str(VAR_DIR / "sourcing-options")),
        }
    ),
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "release-expired-promises": {
        "task": "promises.tasks.release_expired_promises",
        "schedule": timedelta(minutes=1),
    },
    "route-unrouted-orders": {
        "task": "promises.tasks.route_unrouted_orders",
        "schedule": timedelta(minutes=1),
    },
    "deliver-events": {
        "task": "events.tasks.deliver_pending_events",
        "schedule": timedelta(seconds=15),
    },
}

# An order accepted without stock (NOT_ROUTED) that the retry task still cannot route this many
# minutes after its creation is flagged for staff (admin filter, ORDER_ROUTING_OVERDUE event).
UNROUTED_ORDER_FLAG_AFTER_MINUTES = env.int("UNROUTED_ORDER_FLAG_AFTER_MINUTES", default=8 * 60)

# Webhook delivery (events app); see events/conf.py for what each one does.
EVENTS_DELIVERY_TIMEOUT = env.float("EVENTS_DELIVERY_TIMEOUT", default=10.0)
EVENTS_RETRY_BASE_DELAY = env.float("EVENTS_RETRY_BASE_DELAY", default=30.0)
EVENTS_RETRY_MAX_DELAY = env.float("EVENTS_RETRY_MAX_DELAY", default=6 * 3600.0)
EVENTS_MAX_ATTEMPTS = env.int("EVENTS_MAX_ATTEMPTS", default=12)
EVENTS_PUBLISH_TIMEOUT = env.float("EVENTS_PUBLISH_TIMEOUT", default=2.0)
