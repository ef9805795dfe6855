"""Many HubSpot portals in one deployment: the `portals:` list of `salesmetrics.yml`, and the
settings of each portal.

Each entry names a portal (a safe identifier), the environment variable holding its token (the
variable's NAME: the token itself never enters a file, a log or an error), and optionally its base
URL, request tier, reporting zone, quota file, home currency and warehouse file (default
`data/<name>.duckdb`, beside the configuration file). Everything else about a portal follows from
its warehouse: BI copy, Parquet export, dashboard, cursors and lock are per file; rate limiters
are per process (each portal of `--all-portals` and each Dagster run is its own process) and keyed
by portal besides.

With no list, the single portal of HUBSPOT_ACCESS_TOKEN works exactly as before.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipelines.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from pipelines.config import SalesmetricsConfig
    from pipelines.settings import Settings

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


class PortalConfig(BaseModel):
    """One entry of `portals:` in salesmetrics.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    token_env: str
    base_url: str | None = None
    tier: str | None = None
    timezone: str | None = None
    quotas: Path | None = None
    db: Path | None = None
    currency: str | None = Field(None, description="home currency (ISO 4217), shown beside the portal's money")

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError(
                "a portal name is a lowercase letter, then up to 39 lowercase letters, digits or '_' "
                "(it names files, a Dagster partition and a column value)"
            )
        return value

    @field_validator("token_env")
    @classmethod
    def _variable_name(cls, value: str) -> str:
        # The message never repeats the value: a token pasted here by mistake must not be printed.
        if not ENV_NAME.match(value):
            raise ValueError(
                "token_env is the NAME of the environment variable that holds the token (e.g. "
                "ACME_HUBSPOT_TOKEN), not the token itself; the value given is not a variable name"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("tier")
    @classmethod
    def _tier(cls, value: str | None) -> str | None:
        from pipelines.hubspot.rate_limits import TIERS

        if value is not None and value not in TIERS:
            raise ValueError(f"tier must be one of {', '.join(TIERS)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'UTC', 'Europe/Berlin')") from None
        return value

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str | None) -> str | None:
        if value is not None and not CURRENCY.match(value):
            raise ValueError("currency is a 3-letter ISO 4217 code in capitals, e.g. EUR")
        return value

    def anchored(self, base_dir: Path) -> PortalConfig:
        """Relative paths (db, quotas) taken from the configuration file's directory; db defaults
        to `data/<name>.duckdb` there."""
        db = self.db or Path("data") / f"{self.name}.duckdb"
        quotas = self.quotas
        return self.model_copy(
            update={
                "db": db if db.is_absolute() else (base_dir / db).resolve(),
                "quotas": quotas if quotas is None or quotas.is_absolute() else (base_dir / quotas).resolve(),
            }
        )


def check_portal_list(portals: list[PortalConfig]) -> list[PortalConfig]:
    """Names and warehouse files unique (two portals in one file would share cursors and a lock)."""
    names = [p.name for p in portals]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"each portal name may appear once; repeated: {', '.join(repeated)}")
    dbs = [str(p.db) for p in portals if p.db is not None]
    shared = sorted({d for d in dbs if dbs.count(d) > 1})
    if shared:
        raise ValueError(f"each portal needs its own warehouse file; shared: {', '.join(shared)}")
    return portals


def find_portal(config: SalesmetricsConfig, name: str) -> PortalConfig:
    if not config.portals:
        raise UsageError(f"--portal {name}: salesmetrics.yml has no `portals:` list (see README, Many portals).")
    for portal in config.portals:
        if portal.name == name:
            return portal
    raise UsageError(
        f"--portal {name!r} is not in salesmetrics.yml; its portals: {', '.join(p.name for p in config.portals)}."
    )


def portal_token(portal: PortalConfig, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    token = env.get(portal.token_env)
    if not token:
        raise ConfigError(
            f"portal {portal.name}: the environment variable {portal.token_env} (its token_env) is "
            "not set; export the portal's private-app token under that name."
        )
    return token


def portal_overrides(
    portal: PortalConfig, env: Mapping[str, str] | None = None, with_token: bool = True
) -> dict[str, Any]:
    """The settings a portal entry fixes (its values win over the environment; CLI flags win over them)."""
    values: dict[str, Any] = {
        "base_url": portal.base_url,
        "tier": portal.tier,
        "timezone": portal.timezone,
        "quotas_path": portal.quotas,
        "db_path": portal.db,
    }
    if with_token:
        values["access_token"] = portal_token(portal, env)
    return {k: v for k, v in values.items() if v is not None}


def portal_settings(
    portal: PortalConfig, env: Mapping[str, str] | None = None, with_token: bool = True, **flags: Any
) -> Settings:
    from pipelines.settings import Settings

    overrides = {**portal_overrides(portal, env, with_token), **{k: v for k, v in flags.items() if v is not None}}
    try:
        return Settings.from_env(None if env is None else dict(env), **overrides)
    except ConfigError as exc:
        raise ConfigError(f"portal {portal.name}: {exc}") from None


def resolve_settings(portal: str | None = None, single_only: bool = False, **flags: Any) -> Settings:
    """The settings of one command: `--portal NAME` from the list, else the single portal of
    HUBSPOT_ACCESS_TOKEN (only when no list is configured, so a list is never silently ignored)."""
    from pipelines.settings import Settings

    flags = {k: v for k, v in flags.items() if v is not None}
    settings = Settings.from_env(**flags)
    if portal is None:
        if settings.config.portals and not single_only:
            names = ", ".join(p.name for p in settings.config.portals)
            raise UsageError(
                f"salesmetrics.yml lists portals ({names}): choose one with --portal NAME, "
                "or run them all with --all-portals."
            )
        return settings
    return portal_settings(find_portal(settings.config, portal), **flags)


def portal_of(settings: Settings) -> PortalConfig | None:
    """The configured portal whose warehouse these settings write, if any."""
    db = Path(settings.db_path).resolve()
    return next((p for p in settings.config.portals if p.db is not None and Path(p.db).resolve() == db), None)


def fleet_dir(config: SalesmetricsConfig) -> Path | None:
    """Where the fleet copy and page go: beside the first listed portal's warehouse."""
    return Path(config.portals[0].db).parent if config.portals and config.portals[0].db else None
