"""Settings read from the environment.

Every setting has a default and a help line; `docs/settings.md` lists them all and a
test fails when one is missing there, so the table and the code cannot drift apart.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

SEARCH_BACKENDS = ("whoosh", "postgres")


class SettingsError(ValueError):
    """Settings that cannot work together; the message says what to change."""


def _setting(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    database_url: str = _setting(
        "sqlite:///var/sharedspace.db",
        "SQLAlchemy URL of the database. SQLite by default; "
        "`postgresql+psycopg://user@host/db` for PostgreSQL.",
    )
    database_pool_size: int = _setting(
        10,
        "PostgreSQL only: connections each worker keeps open. Workers x (pool size + "
        "overflow) must stay below the server's `max_connections`.",
    )
    database_max_overflow: int = _setting(
        10, "PostgreSQL only: extra connections a worker may open at a peak, closed after."
    )
    secret_key: str = _setting(
        "",
        "Key that signs CSRF tokens. When empty, one is generated once and kept in "
        "`DATA_DIR/secret_key`, so every worker on the machine shares it.",
    )
    data_dir: str = _setting("var", "Directory for the search index, outgoing mail and keys.")
    search_backend: str = _setting(
        "whoosh",
        "`whoosh`: a search index in `DATA_DIR`, for one machine. `postgres`: PostgreSQL "
        "full-text search in the database itself, for several machines; needs a PostgreSQL "
        "`DATABASE_URL` and `sharedspace reindex` once after switching.",
    )
    base_url: str = _setting(
        "http://127.0.0.1:8000",
        "Public address of the site; cookies are marked `Secure` when it starts with https. "
        "Unset, `sharedspace serve` uses the host and port it listens on.",
    )
    redis_url: str = _setting(
        "", "Redis URL for Socket.IO fan-out across workers. Empty: one worker only."
    )
    smtp_url: str = _setting(
        "",
        "`smtp://user:password@host:port` (or `smtps://`) to send mail. Empty: mail is "
        "written to `DATA_DIR/mail/` and the log instead.",
    )
    mail_from: str = _setting("Shared Space <noreply@localhost>", "Sender of outgoing mail.")
    mail_max_attempts: int = _setting(
        6,
        "Attempts to send a message (retries after refusals or lost connections) before giving up.",
    )
    mail_retry_seconds: int = _setting(
        60, "Wait before the first retry of a message; each later retry waits twice as long."
    )
    mail_send_timeout_seconds: int = _setting(
        600,
        "A message claimed for sending longer ago than this, and not settled, is marked "
        "uncertain (its worker stopped mid-send) and never resent.",
    )
    session_days: int = _setting(30, "Days a sign-in lasts without activity.")
    max_body_bytes: int = _setting(
        1_000_000, "Largest request body accepted; bigger ones get a 413 page."
    )
    max_upload_bytes: int = _setting(
        25 * 1024 * 1024,
        "Largest file accepted by an upload (the evidence library), in bytes; 25 MB by "
        "default. Uploads are streamed to disk, so this bounds disk, not memory.",
    )
    upload_types: str = _setting(
        "pdf,docx,xlsx,ods,csv,png,jpeg,gif,webp",
        "File types an upload may be, by name, comma-separated (any of pdf, docx, xlsx, "
        "ods, csv, png, jpeg, gif, webp). The type is told from the file's content.",
    )
    signin_limit_per_ip: int = _setting(20, "Sign-in attempts allowed per IP address per window.")
    signin_limit_per_account: int = _setting(
        8, "Failed sign-in attempts allowed per account per window."
    )
    register_limit_per_ip: int = _setting(10, "Registrations allowed per IP address per window.")
    comment_limit_per_person: int = _setting(
        20, "Comments and replies one person may post per window, on all consultations."
    )
    rate_window_seconds: int = _setting(900, "Length of the rate-limit window, in seconds.")
    timezone: str = _setting("Europe/London", "Time zone in which dates and times are shown.")
    demo_password: str = _setting(
        "", "Password for the demo accounts. Empty: a random one, printed at start."
    )
    argon2_fast: bool = _setting(
        False, "Use cheap argon2 parameters. Only for tests; never in production."
    )
    log_level: str = _setting("INFO", "Python logging level.")
    programme_goal: str = _setting(
        "Zero carbon new homes",
        "The programme's goal, until the secretariat sets one on the programme page.",
    )
    programme_starts_on: str = _setting(
        "2007-07-23", "First day of the programme (YYYY-MM-DD), until set on the programme page."
    )
    programme_target_on: str = _setting(
        "2016-04-01", "Target date of the programme (YYYY-MM-DD), until set on the programme page."
    )
    milestone_at_risk_days: int = _setting(
        60,
        "A milestone due within this many days whose deliverable is not yet proposed or "
        "opened is shown as at risk.",
    )
    page_cache_seconds: int = _setting(
        2,
        "Seconds a page as anonymous visitors see it (the consultation page) is served from "
        "memory without rendering; any write in the same worker drops it at once. 0 turns "
        "the cache off.",
    )
    digest_hour: int = _setting(
        8, "Hour of the day (0-23, in each person's time zone) at which digests are sent."
    )
    digest_weekday: int = _setting(
        0, "Day of the weekly digest: 0 is Monday, 6 is Sunday (each person can change it)."
    )
    closing_soon_days: int = _setting(
        3, "Days before a consultation closes when its followers are told it is closing soon."
    )
    demo_mode: bool = _setting(
        False,
        "Demo mode (`sharedspace serve --demo` sets it): the secretariat can read the mail "
        "outbox in the browser. Never on a live hub.",
    )
    queue_url: str = _setting(
        "",
        "Where the background worker's queue lives. Empty: a SQLite file in `DATA_DIR`, for "
        "every process on one machine. `redis://host:6379/1` or "
        "`postgresql://user@host/db` for several machines (docs/deployment.md).",
    )
    worker_embedded: bool = _setting(
        True,
        "Run a background worker inside each `sharedspace serve` process. Set false when "
        "`sharedspace worker` runs the queue on its own.",
    )
    worker_threads: int = _setting(
        2, "Threads of each background worker (embedded, or `sharedspace worker`)."
    )
    worker_poll_seconds: float = _setting(
        0.5,
        "Longest a worker waits between looks at a SQLite queue when idle (Redis and "
        "PostgreSQL queues wake it at once).",
    )
    fragment_cache_mb: int = _setting(
        64,
        "Megabytes each worker may keep of rendered page pieces that are the same for every "
        "viewer (a consultation's thread, its frozen definition), keyed by what they were "
        "built from as read from the database, so they are never stale. 0 turns it off.",
    )
    session_max_days: int = _setting(
        90,
        "Absolute lifetime of a sign-in, in days, however active: then the person signs in "
        "again. `SESSION_DAYS` is the idle timeout.",
    )

    two_factor_required: bool = _setting(
        True,
        "Secretariat accounts must sign in with a second factor (an authenticator app's "
        "code): one without it is sent to set it up before any other page. Off in demo "
        "mode (`DEMO_MODE`), whatever this says. Everyone else may turn it on.",
    )

    api_limit_per_token: int = _setting(
        600, "API requests one personal API token may make per rate-limit window."
    )
    api_limit_per_ip: int = _setting(
        300, "API requests without a token allowed per IP address per rate-limit window."
    )
    retention_session_days: int = _setting(
        30, "Days an ended or expired sign-in session is kept (with its browser) before deletion."
    )
    retention_rate_limit_days: int = _setting(
        1, "Days rate-limit counters (which name IP addresses) are kept before deletion."
    )
    retention_token_days: int = _setting(
        90, "Days a revoked or expired personal API token is listed before it is deleted."
    )
    retention_unconfirmed_days: int = _setting(
        7, "Days an account whose email address was never confirmed is kept before deletion."
    )
    confirm_link_days: int = _setting(
        7, "Days the emailed link that confirms a new account's address stays usable."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None:
                continue
            values[f.name] = _cast(raw, type(f.default))
        return cls(**values)

    def with_secret(self) -> Settings:
        """Return settings whose secret key is set, creating the key file if needed."""
        if self.secret_key:
            return self
        path = Path(self.data_dir) / "secret_key"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # O_EXCL: when two workers start at once only one key is ever written.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_urlsafe(48))
            except FileExistsError:
                pass
        return replace(self, secret_key=path.read_text().strip())

    def check(self) -> Settings:
        """Refuse combinations that cannot work, before anything is opened or served."""
        if self.search_backend not in SEARCH_BACKENDS:
            raise SettingsError(
                f"SEARCH_BACKEND={self.search_backend!r} is not one of "
                + ", ".join(SEARCH_BACKENDS)
                + "."
            )
        if self.search_backend == "postgres" and not self.is_postgres:
            raise SettingsError(
                "SEARCH_BACKEND=postgres searches inside PostgreSQL, but DATABASE_URL is not "
                "a PostgreSQL database. Set DATABASE_URL=postgresql+psycopg://user@host/db, "
                "or SEARCH_BACKEND=whoosh (docs/search.md)."
            )
        from workspace.files.types import allowed_types

        try:
            allowed_types(self.upload_types)
        except ValueError as error:
            raise SettingsError(str(error)) from error
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def two_factor_enforced(self) -> bool:
        """Whether secretariat accounts must have a second factor now: never in demo mode,
        whose people have no phones."""
        return self.two_factor_required and not self.demo_mode

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")


def _cast(raw: str, kind: type) -> Any:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    return raw


def documented_settings() -> list[tuple[str, Any, str]]:
    """(ENV_NAME, default, help) for every setting, for docs and the CLI."""
    return [(f.name.upper(), f.default, f.metadata["help"]) for f in fields(Settings)]
