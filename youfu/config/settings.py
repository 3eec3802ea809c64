"""Django settings for youfu. Every value that varies between machines comes from the environment.

SQLite under ./data is the default (zero set-up); DATABASE_URL=postgres://… selects PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from youfu.config.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(env_str("YOUFU_DATA_DIR", str(REPO_DIR / "data")))

DEBUG = env_bool("DEBUG", False)
# The default key is only for a local demo on SQLite; production sets SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "youfu-local-demo-key-not-for-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "auditlog",
    "youfu.core",
    "youfu.org",
    "youfu.accounts",
    "youfu.audit",
    "youfu.policies",
    "youfu.ledger",
    "youfu.standards",
    "youfu.inspections",
    "youfu.complaints",
    "youfu.notifications",
    "youfu.rectification",
    "youfu.facts",
    "youfu.feedback",
    "youfu.reports",
    "youfu.scoring",
    "youfu.appraisal",
    "youfu.performance_pay",
    "youfu.star_tellers",
    "youfu.bench",
    "youfu.api",
    "youfu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "youfu.web.middleware.ChineseFirstLocaleMiddleware",  # Chinese unless English was chosen
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "youfu.config.urls"
WSGI_APPLICATION = "youfu.config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "youfu.web.context_processors.navigation",
                "youfu.notifications.context_processors.notices",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'youfu.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Any command (migrate, shell, serve) may be the first to touch the default SQLite file.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web app read while an import writes; busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Each test run gets its own PostgreSQL test database, so two runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["youfu.accounts.backends.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# Stored in UTC, shown in Asia/Shanghai.
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Inspection evidence (youfu.inspections): photos up to this size; served only through the app's pages,
# which check the viewer's subtree (MEDIA_URL is not routed).
INSPECTIONS_MAX_PHOTO_BYTES = env_int("INSPECTIONS_MAX_PHOTO_BYTES", 10 * 1024 * 1024)
# Rectification (youfu.rectification): remind this many days before the deadline; escalate one level up
# the org tree the first day overdue and again every this many days.
RECTIFICATION_REMIND_DAYS = env_int("RECTIFICATION_REMIND_DAYS", 3)
RECTIFICATION_ESCALATION_STEP_DAYS = env_int("RECTIFICATION_ESCALATION_STEP_DAYS", 7)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "youfu@localhost")
# Outgoing mail of notices (youfu.notifications); tests use Django's locmem backend automatically.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# The address of this site as users reach it, put in front of the links in e-mailed notices.
YOUFU_BASE_URL = env_str("YOUFU_BASE_URL", "http://127.0.0.1:8000")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["youfu.api.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "youfu.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "youfu.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "youfu.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "youfu API",
    "DESCRIPTION": "youfu (优服) service-quality management: org tree, people, periods, audit.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One name per choice set, used by every endpoint that shows it.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "youfu.org.choices.UnitKind",
        "PeriodKindEnum": "youfu.org.choices.PeriodKind",
        "PositionEnum": "youfu.org.choices.Position",
        "GenderEnum": "youfu.org.choices.Gender",
        "RoleEnum": "youfu.accounts.choices.Role",
        "StandardKindEnum": "youfu.standards.choices.StandardKind",
        "VersionStatusEnum": "youfu.standards.choices.VersionStatus",
        "ScoreRuleEnum": "youfu.standards.choices.ScoreRule",
        "ItemKindEnum": "youfu.standards.choices.ItemKind",
        "AspectEnum": "youfu.standards.choices.Aspect",
        "RedLineEnum": "youfu.standards.choices.RedLine",
        "InspectionKindEnum": "youfu.inspections.choices.InspectionKind",
        "InspectionStatusEnum": "youfu.inspections.choices.InspectionStatus",
        "EvidenceKindEnum": "youfu.inspections.choices.EvidenceKind",
        "AppealStatusEnum": "youfu.inspections.choices.AppealStatus",
        "RectificationStatusEnum": "youfu.rectification.choices.RectificationStatus",
        "HandlingEnum": "youfu.rectification.choices.Handling",
        "CallStatusEnum": "youfu.feedback.choices.CallStatus",
        "ComplaintKindEnum": "youfu.complaints.choices.ComplaintKind",
        "ComplaintStatusEnum": "youfu.complaints.choices.ComplaintStatus",
        "ComplaintCallbackResultEnum": "youfu.complaints.choices.CallbackResult",
        "PlanItemKindEnum": "youfu.appraisal.choices.ItemKind",
        "PlanItemStatusEnum": "youfu.appraisal.choices.ItemStatus",
        "CallResultEnum": "youfu.feedback.choices.CallResult",
        "SurveyKindEnum": "youfu.feedback.choices.SurveyKind",
    },
}

# The audit log keeps JSON before/after values; changes to the password hash are never recorded.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
