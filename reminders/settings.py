"""Every setting of the service, read once from `GCMCAL_*` environment variables.

Each field's description is the README's documentation of it (a test keeps the two in
step). A bad value stops the service at start with a message naming the variable.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from reminders.addresses import length_problem
from reminders.package_data import SHIPPED_TIMELINE

_DOMAIN = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
#: No '+': it separates the local part from the token.
_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
#: A web origin: scheme, host (name or IPv4), optional port; nothing else.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused outside the dev environment


class Environment(StrEnum):
    DEV = "dev"
    PRODUCTION = "production"


class SmtpSecurity(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    TLS = "tls"


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class SettingsError(Exception):
    """Settings that cannot work; the message names each bad variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GCMCAL_", frozen=True, extra="ignore")

    environment: Environment = Field(
        Environment.DEV, description="`dev` or `production`; production refuses the dev secret."
    )
    timeline: Path = Field(
        SHIPPED_TIMELINE,
        description="Path of the timeline file the service reads; unset, the timeline shipped "
        "with the service (`config/timeline.toml` in a checkout).",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public URL of the service, used in links, feed URLs and email headers.",
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///var/gcmcal.sqlite3",
        description="SQLAlchemy async URL: SQLite file (default) or `postgresql+asyncpg://…`.",
    )
    secret_key: SecretStr = Field(
        SecretStr(DEV_SECRET),
        description="Key for keyed hashes of unsubscribed addresses; required in production.",
    )
    mail_from: str = Field(
        "GCM calendar <reminders@localhost>", description="From address of every email."
    )
    unsubscribe_mailbox: str = Field(
        "",
        description="Address for mailto: unsubscribes in List-Unsubscribe; empty leaves the "
        "mailto out (only set it if something processes that mailbox).",
    )
    smtp_host: str = Field(
        "", description="SMTP relay host; empty sends mail to the Maildir in GCMCAL_OUTBOX."
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP relay port.")
    smtp_security: SmtpSecurity = Field(
        SmtpSecurity.NONE, description="`none`, `starttls` or `tls` (implicit TLS)."
    )
    smtp_username: str = Field("", description="SMTP login name; empty for no login.")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP login password.")
    smtp_connections: int = Field(
        4, ge=1, le=64, description="SMTP connections kept open and used in parallel."
    )
    smtp_timeout: float = Field(30.0, gt=0, description="Seconds before an SMTP command times out.")
    send_rate: float = Field(
        20.0, gt=0, description="Most messages sent per second (the relay's limit)."
    )
    outbox: Path = Field(
        Path("var/outbox"), description="Maildir that receives mail when no SMTP host is set."
    )
    tick_seconds: float = Field(
        60.0, gt=0, description="Seconds between scheduler ticks (reload, plan, dispatch, purge)."
    )
    feed_cache_mb: int = Field(
        32,
        ge=1,
        le=65536,
        description=(
            "Megabytes (MiB) of feed bodies `gcmcal serve` keeps for requests; a feed "
            "dropped from them is joined again from its entries on its next 200 (a few "
            "milliseconds for a 13 MB feed). Every feed's validators are always kept."
        ),
    )
    bounce_domain: str = Field(
        "",
        description="Domain of the per-message return path `<local>+<token>@<domain>` that "
        "bounces come back to; empty sends from the From address and matches no bounce.",
    )
    bounce_local: str = Field(
        "bounces", description="Local part of the return path, before the `+<token>`."
    )
    bounce_threshold: float = Field(
        3.0,
        gt=0,
        description="Bounce score at which a subscription is paused; each permanent "
        "failure adds 1, temporary failures add nothing.",
    )
    bounce_half_life_days: float = Field(
        30.0, gt=0, description="Days after which a subscription's bounce score has halved."
    )
    bounce_keep: bool = Field(
        True,
        description="Keep processed bounces and complaints (`bounces scan` marks them seen, "
        "`bounces serve` files them in GCMCAL_BOUNCE_ARCHIVE); `false` deletes them.",
    )
    bounce_archive: Path = Field(
        Path("var/bounces"), description="Maildir where `gcmcal bounces serve` keeps messages."
    )
    bounce_max_bytes: int = Field(
        1_000_000,
        ge=10_000,
        description="Largest bounce read whole: `bounces serve` refuses larger ones, "
        "`bounces scan` reads only their beginning.",
    )
    dkim_selector: str = Field(
        "", description="DKIM selector (`<selector>._domainkey.<From domain>`); empty: unsigned."
    )
    dkim_key_file: Path | None = Field(
        None, description="PEM file of the DKIM private key (RSA or Ed25519)."
    )
    worker_metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Port on 127.0.0.1 where `gcmcal worker` serves its Prometheus "
        "`/metrics`; 0 serves none.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level: DEBUG, INFO, WARNING or ERROR."
    )
    log_format: LogFormat = Field(LogFormat.TEXT, description="`text` or `json` log lines.")
    embed_origins: str = Field(
        "",
        description="Sites allowed to show the `/embed/{region}` calendar in a frame: origins "
        "separated by spaces, e.g. `https://migrantnetwork.example`; empty: no site.",
    )

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in value.split():
            if not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin like https://partner.example (scheme and host, "
                    "optionally a port, no path)"
                )
        return value

    @property
    def feed_cache_bytes(self) -> int:
        return self.feed_cache_mb * 1024 * 1024

    @property
    def frame_origins(self) -> tuple[str, ...]:
        return tuple(self.embed_origins.split())

    @field_validator("mail_from", "unsubscribe_mailbox")
    @classmethod
    def _address_fits_smtp(cls, value: str) -> str:
        address = parseaddr(value)[1]
        if value and (problem := length_problem(address or value)):
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.environment is Environment.PRODUCTION and (
            self.secret_key.get_secret_value() in ("", DEV_SECRET)
        ):
            raise ValueError("GCMCAL_SECRET_KEY must be set to a real secret in production")
        return self

    @model_validator(mode="after")
    def _bounce_and_dkim_names(self) -> Settings:
        if self.bounce_domain and not _DOMAIN.fullmatch(self.bounce_domain):
            raise ValueError(f"GCMCAL_BOUNCE_DOMAIN {self.bounce_domain!r} is not a domain name")
        if not _LOCAL.fullmatch(self.bounce_local):
            raise ValueError(
                f"GCMCAL_BOUNCE_LOCAL {self.bounce_local!r}: use letters, digits, '.', '_', '-'"
            )
        if bool(self.dkim_selector) != (self.dkim_key_file is not None):
            raise ValueError("GCMCAL_DKIM_SELECTOR and GCMCAL_DKIM_KEY_FILE go together")
        if self.dkim_selector and not _DOMAIN.fullmatch(self.dkim_selector):
            raise ValueError(f"GCMCAL_DKIM_SELECTOR {self.dkim_selector!r} is not a DNS label")
        return self

    @property
    def uses_smtp(self) -> bool:
        return bool(self.smtp_host)


def load_settings() -> Settings:
    """Read the environment; raise `SettingsError` naming every bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "_".join(str(part) for part in error["loc"]).upper()
            where = f"GCMCAL_{name}" if name else "settings"
            lines.append(f"{where}: {error['msg']}")
        raise SettingsError("\n".join(lines)) from None
