"""One settings object, read from the environment (prefix-free) and an optional `.env`."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The roles the OIDC role claim may map to (values of Role; settings import nothing of ours).
OIDC_ROLES = ("adviser", "senior_adviser", "admin")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    JSON = "json"
    CONSOLE = "console"


class Settings(BaseSettings):
    """Everything configurable; nothing else in the code reads ``os.environ``."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str | None = Field(
        default=None, description="postgresql+asyncpg://… ; unset means the embedded default (dev only)"
    )
    redis_url: str | None = Field(default=None, description="redis://… ; unset means the embedded default")
    data_dir: Path = Field(default=Path(".data"), description="where the embedded servers keep their files")

    # Pool sizing and time limits: a request must fail fast (503) rather than hang when a service is down.
    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout_s: float = 5.0
    db_connect_timeout_s: float = 3.0
    db_statement_timeout_ms: int = 15_000
    redis_timeout_s: float = 0.5

    log_format: LogFormat | None = Field(default=None, description="default: json in production, else console")
    log_level: str = "INFO"

    # Secrets. The pepper keys the token hashes: changing it invalidates every token.
    token_pepper: SecretStr = SecretStr("dev-only-pepper-change-me")
    webhook_signing_secret: SecretStr = SecretStr("dev-only-webhook-secret-change-me")
    session_secret: SecretStr = SecretStr("dev-only-session-secret-change-me-32-bytes!")

    # Token lifetimes per role, in days (0 = no expiry).
    token_lifetime_days_staff: int = 90
    token_lifetime_days_company: int = 365
    token_lifetime_days_school: int = 365
    # Failed authentications (API bearer tokens and the web sign-in) per client address per window; 0 = off.
    # Only failures count and only failing attempts are refused: a valid token is never throttled.
    auth_failure_limit: int = Field(default=20, ge=0, description="failed authentications per address per window")
    auth_failure_window_s: int = Field(default=900, ge=1)

    # HTTP
    public_base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    cors_allow_origins: list[str] = Field(default_factory=list)
    max_request_body_bytes: int = 1_048_576
    trusted_proxies: list[str] = Field(default_factory=list)

    # Web interface: server-side sessions (PostgreSQL rows) behind an HttpOnly, SameSite=Lax cookie.
    web_session_idle_minutes: int = Field(default=30, ge=1, description="a session ends after this long unused")
    web_session_absolute_hours: int = Field(default=12, ge=1, description="and at the latest this long after sign-in")
    web_cookie_secure: bool | None = Field(default=None, description="default: Secure everywhere but development")
    web_signin_limit: int = Field(default=10, ge=1, description="failed sign-ins per address per window")
    web_signin_window_s: int = Field(default=300, ge=1)
    web_token_signin: bool = Field(
        default=False,
        description="people may paste an API token into the web sign-in (`erkenning dev` turns it on; keep it off in "
        "production, where staff use OIDC and companies and schools an e-mail link)",
    )

    # Staff sign-in: OpenID Connect (authorisation code flow with PKCE, state and nonce) against one provider.
    oidc_issuer: str | None = Field(
        default=None, description="the provider's issuer URL (discovery at /.well-known/openid-configuration); "
        "unset: no single sign-on. Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0",
    )
    oidc_client_id: str | None = Field(default=None, description="this service's client id at the provider")
    oidc_client_secret: SecretStr | None = Field(default=None, description="its client secret")
    oidc_scopes: str = Field(default="openid profile email", description="scopes asked for (openid is required)")
    oidc_role_claim: str = Field(
        default="roles", description="the ID token's claim that names the person's roles or groups (Entra: roles)"
    )
    oidc_role_map: dict[str, str] = Field(
        default_factory=dict,
        description='claim value -> role (adviser, senior_adviser, admin), JSON: {"Erkenning.Admin": "admin"}; '
        "a person with several mapped values gets the highest role; none: refused",
    )
    oidc_timeout_s: float = Field(default=5.0, gt=0, description="time limit of each call to the provider")
    oidc_leeway_s: int = Field(default=60, ge=0, le=300, description="clock skew allowed for exp/iat of ID tokens")
    oidc_sign_in_minutes: int = Field(
        default=10, ge=1, le=60, description="a sign-in started at the provider must come back within this time"
    )

    # Companies and schools: a one-time sign-in link by e-mail.
    sign_in_link_minutes: int = Field(default=15, ge=1, le=60, description="a link works once, within this time")
    sign_in_link_address_limit: int = Field(default=5, ge=1, description="links asked per e-mail address per window")
    sign_in_link_client_limit: int = Field(default=20, ge=1, description="links asked per client address per window")
    sign_in_link_window_s: int = Field(default=3600, ge=1)

    # E-mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_s: float = 10.0
    mail_from: str = "noreply@erkenning.sbb.example"

    # Worker and outbox
    arq_queue_name: str = "erkenning:queue"
    outbox_max_attempts: int = 8
    outbox_retry_base_s: float = 10.0
    outbox_pickup_grace_s: float = 30.0
    outbox_batch: int = Field(
        default=50, ge=1, le=500,
        description="a worker's job for one event also runs up to this many - 1 other due events in its transaction",
    )
    outbox_batch_budget_s: float = Field(
        default=2.0,
        gt=0,
        description="a batch takes no further event once it has run this long; the rest wait for their own job",
    )
    outbox_sweep_every_s: int = Field(
        default=60, ge=1, le=60, description="how often the worker re-enqueues events Redis lost or never got"
    )
    job_timeout_s: int = 60
    cron_timeout_s: int = 300
    worker_metrics_port: int = Field(
        default=9101,
        ge=0,
        le=65535,
        description="`erkenning worker` serves its Prometheus metrics here (on HOST); 0 = off",
    )

    # Deadlines' defaults (working days unless named otherwise)
    hearing_term_working_days: int = 10
    reporter_reaction_term_working_days: int = Field(
        default=10, ge=1,
        description="the reporting side's term to react to the substance of the company's answer (wederhoor)",
    )
    intended_decision_response_days: int = 14
    report_triage_term_working_days: int = Field(
        default=10, ge=1, le=60,
        description="SBB assesses a report within this many working days of its arrival (told to the school that "
        "passed it on; no published term found: set SBB's own)",
    )
    investigation_lead_time_weeks: int = 8
    objection_term_weeks: int = 6
    objection_advisory_committee: bool = Field(
        default=False,
        description="objections are heard by an advisory committee (art. 7:13 Awb): the decision term is twelve "
        "weeks instead of six (art. 7:10(1))",
    )
    objection_reminder_working_days: int = Field(
        default=10, ge=1, le=60,
        description="working days before an objection's decision term ends that the senior advisers are reminded",
    )
    objection_escalation_working_days: int = Field(
        default=3, ge=1, le=30,
        description="working days before an objection's decision term ends that it is escalated (once)",
    )
    reassessment_years: int = 4
    reassessment_notice_days: int = 60
    calendar_refresh_s: float = Field(
        default=300, gt=0,
        description="each API process and worker rereads the days equated with holidays (Atw art. 3(3)) this often",
    )

    # Letters (erkenning.letters): who sends them, and where an objection goes (art. 3:45 Awb names it in
    # every decision letter). Set these in production: the defaults are SBB's as far as known, unconfirmed.
    letter_sender: str = Field(
        default="Samenwerkingsorganisatie Beroepsonderwijs Bedrijfsleven (SBB)",
        description="the sender and signatory of every letter",
    )
    objection_postal_address: str = Field(
        default="SBB, t.a.v. bezwaarschriften, Postbus 7259, 2701 AG Zoetermeer",
        description="where an objection (bezwaarschrift) is sent by post; stated in every decision letter",
    )
    objection_email: str | None = Field(
        default=None,
        description="an e-mail address that takes objections (art. 2:15 Awb: only if SBB opened that way); "
        "none: the letters name post and the portal only",
    )
    objection_portal_url: str | None = Field(
        default=None, description="where the company objects online; default PUBLIC_BASE_URL + /portaal/besluiten"
    )

    # Public register: rate limits per window (0 = no limit), batch size, the read pool.
    register_anon_limit: int = Field(default=60, description="requests per window per client address")
    register_anon_window_s: int = 60
    register_school_limit: int = Field(default=1200, description="requests per window per school principal")
    register_school_window_s: int = 60
    register_batch_limit: int = Field(default=30, description="batch verifications per window per school principal")
    register_batch_window_s: int = 60
    register_batch_max_items: int = Field(
        default=1000, ge=1, le=1000, description="items per batch verification (the API document says at most 1,000)"
    )
    register_name_search_cap: int = Field(
        default=200, ge=1, le=10_000,
        description="a register search by part of the name counts and pages at most this many",
    )
    register_db_pool_size: int = Field(default=10, description="connections of the register's own read pool")
    register_rate_sync_hits: int = Field(
        default=32, ge=1, le=10_000,
        description="the register's rate limits are counted per process and added to Redis every this many hits of "
        "a window (or REGISTER_RATE_SYNC_MS); within this many of the limit every hit goes to Redis. Several "
        "processes may overshoot a limit by at most about processes × this",
    )
    register_rate_sync_ms: int = Field(
        default=50, ge=1, le=10_000, description="the longest a process keeps register hits before adding them to Redis"
    )
    register_fast_verify: bool = Field(
        default=True,
        description="serve a well-formed anonymous GET /api/v1/register/verify in the outermost ASGI layer (same "
        "answer as the route, without the framework around it); off: every verify goes through the route",
    )

    # School subscriptions: webhook delivery (keyed by WEBHOOK_SIGNING_SECRET above).
    webhook_timeout_s: float = 5.0
    webhook_allowed_networks: list[str] = Field(
        default_factory=list,
        description=(
            "CIDRs a webhook may reach although not public (and then over plain http); tests, internal receivers"
        ),
    )
    webhook_delivery_log_days: int = Field(default=90, description="how long a school's delivery log is kept")

    # Reports (meldingen). The public intake and the receipt look-up are limited per client address
    # and refuse (503) rather than run unlimited when Redis is down.
    report_intake_limit: int = Field(default=5, ge=1, description="anonymous reports per address per window")
    report_intake_window_s: int = Field(default=3600, ge=1)
    report_receipt_limit: int = Field(default=30, ge=1, description="receipt look-ups per address per window")
    report_receipt_window_s: int = Field(default=3600, ge=1)
    privacy_contact: str = Field(
        default="privacy@sbb.example", min_length=3, max_length=200,
        description="where reporters and schools turn with questions about their data (GDPR art. 13(1)(b)); "
        "every privacy statement names it",
    )
    report_repeat_window_months: int = Field(default=24, ge=1, description="window of the repeat count at triage")
    report_repeat_flag_others: int = Field(
        default=1, ge=1, description="flag a report when at least this many others about its company are in the window"
    )

    # Retention (issue 7): when the daily run erases what (see erkenning.retention.service).
    retention_not_substantiated_months: int = Field(
        default=12, ge=1, description="confidential part of a not-substantiated report, after triage"
    )
    retention_referred_months: int = Field(
        default=12, ge=1, description="confidential part of a referred report, after triage"
    )
    retention_investigated_years: int = Field(
        default=5,
        ge=1,
        description="confidential part of an investigated report, after the case's decision became final",
    )
    retention_receipt_months: int = Field(
        default=12, ge=1, description="an anonymous report's receipt, after it closed"
    )

    # Voluntary training
    training_reminder_days_before: int = Field(default=3, ge=0, description="days before a session to remind")
    learning_platform_webhook_secret: SecretStr = SecretStr("dev-only-learning-platform-secret-change-me")
    learning_platform_webhook_tolerance_s: int = Field(default=300, ge=1, description="refuse older (replayed) calls")
    certificate_check_per_minute: int = Field(default=60, ge=1, description="public certificate checks per address")

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, value: str | None) -> str | None:
        """Accept plain postgres:// URLs (as most platforms hand them out) and use asyncpg."""
        if value is None:
            return None
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        return value

    @field_validator("oidc_role_map")
    @classmethod
    def _staff_roles_only(cls, value: dict[str, str]) -> dict[str, str]:
        """Only staff roles come from the provider: companies and schools sign in by e-mail link."""
        wrong = sorted(set(value.values()) - set(OIDC_ROLES))
        if wrong:
            raise ValueError(f"OIDC_ROLE_MAP may map to {', '.join(OIDC_ROLES)} only, not {', '.join(wrong)}")
        return value

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def objection_portal(self) -> str:
        return self.objection_portal_url or f"{self.public_base_url.rstrip('/')}/portaal/besluiten"

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def cookie_secure(self) -> bool:
        if self.web_cookie_secure is not None:
            return self.web_cookie_secure
        return self.environment is not Environment.DEVELOPMENT

    @property
    def effective_log_format(self) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return LogFormat.JSON if self.is_production else LogFormat.CONSOLE

    def require_urls(self) -> tuple[str, str]:
        """The database and Redis URLs, or a clear error where the embedded default was not started."""
        if not self.database_url or not self.redis_url:
            raise RuntimeError(
                "DATABASE_URL and REDIS_URL must be set (or use `erkenning dev`, which starts embedded servers)"
            )
        return self.database_url, self.redis_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
