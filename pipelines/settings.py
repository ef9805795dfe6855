"""Runtime configuration from environment variables, checked before any work starts.

The names are a public interface (README, configuration table). Each bad value raises a
`ConfigError` that names the variable and what it accepts. The token is kept in a `Secret` whose
repr never shows it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.config import SalesmetricsConfig, load_config
from pipelines.errors import ConfigError, UsageError
from pipelines.hubspot.client import DEFAULT_BASE_URL, HubSpotClient
from pipelines.hubspot.rate_limits import Budgets, RateLimiters
from pipelines.quotas import read_quota_file

DEFAULT_DB = Path("data/salesmetrics.duckdb")


class Secret(str):
    """A string that never prints itself (repr, str formatting in logs, tracebacks)."""

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    @property
    def value(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class Settings:
    access_token: Secret | None
    base_url: str
    db_path: Path
    as_of: date
    timezone: str
    quotas_path: Path | None
    config: SalesmetricsConfig = SalesmetricsConfig()
    tier: str = "starter"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> "Settings":
        """Read and check every setting and the configuration file.

        Precedence: `overrides` (CLI flags) > environment variables > `salesmetrics.yml` > defaults.
        """
        env = dict(os.environ if env is None else env)
        config = load_config(overrides.get("config_path") or env.get("SALESMETRICS_CONFIG"))
        timezone = str(overrides.get("timezone") or env.get("SALESMETRICS_TIMEZONE") or config.reporting.timezone)
        check_timezone(timezone)
        as_of_text = overrides.get("as_of") or env.get("SALESMETRICS_AS_OF") or config.reporting.as_of
        as_of = parse_date(str(as_of_text)) if as_of_text else datetime.now(ZoneInfo(timezone)).date()
        base_url = str(overrides.get("base_url") or env.get("HUBSPOT_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"HUBSPOT_BASE_URL must start with http:// or https:// (got {base_url!r}).")
        token = overrides.get("access_token") or env.get("HUBSPOT_ACCESS_TOKEN")
        quotas = overrides.get("quotas_path") or env.get("SALESMETRICS_QUOTAS") or config.quotas.file
        if quotas and not Path(str(quotas)).is_file():
            raise ConfigError(f"SALESMETRICS_QUOTAS points at {quotas}, which is not a file. Give the path of the quota CSV.")
        if quotas:
            read_quota_file(Path(str(quotas)))  # every row checked before any work
        db = overrides.get("db_path") or env.get("SALESMETRICS_DB") or DEFAULT_DB
        tier = str(overrides.get("tier") or env.get("HUBSPOT_TIER") or "starter")
        Budgets.for_tier(tier)  # a bad tier stops here, before any work
        return cls(
            access_token=Secret(str(token)) if token else None,
            base_url=base_url,
            db_path=Path(str(db)),
            as_of=as_of,
            timezone=timezone,
            quotas_path=Path(str(quotas)) if quotas else None,
            config=config,
            tier=tier,
        )

    def require_token(self) -> str:
        if not self.access_token:
            raise ConfigError(
                "HUBSPOT_ACCESS_TOKEN is not set. Create a HubSpot private app with the CRM read scopes and "
                "export its token, or run `salesmetrics demo` to use the built-in demo portal."
            )
        return self.access_token.value

    def client(self, **kwargs: object) -> HubSpotClient:
        """A HubSpot client with this portal's token, address and rate budgets."""
        return HubSpotClient(
            self.require_token(),
            self.base_url,
            limiters=RateLimiters.shared(limiter_key(self.base_url, self.access_token.value), Budgets.for_tier(self.tier)),
            **kwargs,
        )

    def crm_objects(self):
        from pipelines.sync import crm_objects

        return crm_objects(self.config.deals.property_mapping.model_dump())

    def dbt_vars(self) -> dict[str, object]:
        return {
            "as_of_date": self.as_of.isoformat(),
            "reporting_timezone": self.timezone,
            "default_contract_term_months": self.config.deals.default_contract_term_months,
        }


def limiter_key(base_url: str, token: str) -> str:
    """Budgets are per portal (app and account), not per address: portals sharing api.hubapi.com keep
    their own limiters. The token enters the key only as a short digest."""
    import hashlib

    return f"{base_url}#{hashlib.sha256(token.encode()).hexdigest()[:12]}"


def parse_date(text: str, name: str = "SALESMETRICS_AS_OF") -> date:
    """A YYYY-MM-DD date, or a ConfigError naming the variable or flag it came from."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        error = UsageError if name.startswith("--") else ConfigError  # a flag, or a variable/file
        raise error(f"{name} must be a date as YYYY-MM-DD (got {text!r}).") from None


def check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"SALESMETRICS_TIMEZONE {name!r} is not a known IANA time zone; use a name such as "
            "'UTC', 'Europe/Berlin' or 'America/New_York'."
        ) from None
