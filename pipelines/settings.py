"""Runtime settings, read once (pydantic-settings) and checked before any work starts.

Precedence: CLI flags (keyword arguments) > environment variables > a `.env` file > the
configuration file (`salesmetrics.yml`) > defaults. The variable names are a public interface
(README, configuration table): a bad value stops the run with one `ConfigError` line naming the
variable and what it accepts. The token is a `SecretStr`, so no repr, log or traceback shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from pipelines.config import SalesmetricsConfig, load_config
from pipelines.errors import ConfigError, UsageError
from pipelines.hubspot.client import DEFAULT_BASE_URL, HubSpotClient
from pipelines.hubspot.rate_limits import Budgets, RateLimiters
from pipelines.paths import DEFAULT_DB, REPO_ROOT
from pipelines.quotas import read_quota_file
from pipelines.warehouse import limits

# An environment given in place of the process's own (`Settings.from_env(env)`), while it is read.
_GIVEN_ENVIRONMENT: ContextVar[Mapping[str, str] | None] = ContextVar("given_environment", default=None)


def hubspot_client(token: str, base_url: str, tier: str, **kwargs: Any) -> HubSpotClient:
    """The one way to a HubSpot client (CLI and Dagster alike): the portal's shared rate budgets (keyed by
    address and token: portals sharing api.hubapi.com keep their own)."""
    return HubSpotClient(
        token, base_url, limiters=RateLimiters.shared(limiter_key(base_url, token), Budgets.for_tier(tier)), **kwargs
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_ignore_empty=True,
        case_sensitive=True,
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
    )

    access_token: SecretStr | None = Field(None, validation_alias="HUBSPOT_ACCESS_TOKEN")
    base_url: str = Field(DEFAULT_BASE_URL, validation_alias="HUBSPOT_BASE_URL")
    tier: str = Field("starter", validation_alias="HUBSPOT_TIER")
    db_path: Path = Field(DEFAULT_DB, validation_alias="SALESMETRICS_DB")
    # Validated in this order: the file first, then the settings it gives defaults to.
    config_path: Path | None = Field(None, validation_alias="SALESMETRICS_CONFIG")
    config: SalesmetricsConfig = Field(None)  # type: ignore[assignment]  # read from config_path
    timezone: str = Field(None, validation_alias="SALESMETRICS_TIMEZONE")  # type: ignore[assignment]
    as_of: date = Field(None, validation_alias="SALESMETRICS_AS_OF")  # type: ignore[assignment]
    quotas_path: Path | None = Field(None, validation_alias="SALESMETRICS_QUOTAS")
    quarantine_max_share: float = Field(
        None,
        ge=0,
        le=1,  # type: ignore[assignment]
        validation_alias="SALESMETRICS_QUARANTINE_MAX_SHARE",
    )
    alert_webhook: str | None = Field(None, validation_alias="SALESMETRICS_ALERT_WEBHOOK")
    alert_log: Path | None = Field(None, validation_alias="SALESMETRICS_ALERT_LOG")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read and check every setting and the configuration file.

        `env`, when given, is the whole environment (no `.env` file either); `overrides` are CLI flags.
        """
        given = _GIVEN_ENVIRONMENT.set(None if env is None else {k: v for k, v in env.items() if v != ""})
        try:
            settings = cls(**overrides)
            warehouse = settings.config.warehouse
            limits.configure(warehouse.memory_limit, warehouse.threads, warehouse.sync_memory_limit)
            return settings
        except ValidationError as exc:
            raise ConfigError(_one_line(exc)) from None
        finally:
            _GIVEN_ENVIRONMENT.reset(given)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags, then the environment and `.env`; the configuration file comes in through the
        validators below, as the defaults of the settings it holds."""
        given = _GIVEN_ENVIRONMENT.get()
        if given is not None:
            return init_settings, InitSettingsSource(settings_cls, dict(given))
        return init_settings, env_settings, dotenv_settings

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ConfigError(f"HUBSPOT_BASE_URL must start with http:// or https:// (got {value!r}).")
        return value.rstrip("/")

    @field_validator("tier")
    @classmethod
    def _known_tier(cls, value: str) -> str:
        Budgets.for_tier(value)  # a bad tier stops here, before any work
        return value

    @field_validator("config", mode="before")
    @classmethod
    def _read_config_file(cls, value: object, info: ValidationInfo) -> object:
        return load_config(info.data.get("config_path")) if value is None else value

    @field_validator("timezone", mode="before")
    @classmethod
    def _known_timezone(cls, value: object, info: ValidationInfo) -> str:
        name = str(value or info.data["config"].reporting.timezone)
        check_timezone(name)
        return name

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of_date(cls, value: object, info: ValidationInfo) -> object:
        value = value or info.data["config"].reporting.as_of
        if not value:  # today where the reports are read
            return datetime.now(ZoneInfo(info.data["timezone"])).date()
        return value if isinstance(value, date) else parse_date(str(value))

    @field_validator("quotas_path", mode="before")
    @classmethod
    def _checked_quota_file(cls, value: object, info: ValidationInfo) -> Path | None:
        quotas = value or info.data["config"].quotas.file
        if not quotas:
            return None
        if not Path(str(quotas)).is_file():
            raise ConfigError(
                f"SALESMETRICS_QUOTAS points at {quotas}, which is not a file. Give the path of the quota CSV."
            )
        read_quota_file(Path(str(quotas)))  # every row checked before any work
        return Path(str(quotas))

    @field_validator("quarantine_max_share", mode="before")
    @classmethod
    def _configured_share(cls, value: object, info: ValidationInfo) -> object:
        return info.data["config"].quarantine.max_share if value is None else value

    def require_token(self) -> str:
        if not self.access_token:
            raise ConfigError(
                "HUBSPOT_ACCESS_TOKEN is not set. Create a HubSpot private app with the CRM read scopes and "
                "export its token, or run `salesmetrics demo` to use the built-in demo portal."
            )
        return self.access_token.get_secret_value()

    def client(self, **kwargs: Any) -> HubSpotClient:
        """A HubSpot client with this portal's token, address and rate budgets."""
        return hubspot_client(self.require_token(), self.base_url, self.tier, **kwargs)

    @property
    def property_mapping(self) -> dict[str, str]:
        """Our deal columns -> the analyst's HubSpot property names (salesmetrics.yml)."""
        return self.config.deals.property_mapping.model_dump()

    def dbt_vars(self) -> dict[str, object]:
        return {
            "as_of_date": self.as_of.isoformat(),
            "reporting_timezone": self.timezone,
            "default_contract_term_months": self.config.deals.default_contract_term_months,
        }

    def in_repository(self) -> Settings:
        """For Dagster's code location: the default warehouse is the checkout's `data/` whatever the
        working directory, and every path is absolute (dbt runs in its own project directory)."""
        db = self.db_path if "db_path" in self.model_fields_set else REPO_ROOT / DEFAULT_DB
        return self.model_copy(update={"db_path": db.resolve()})


def _one_line(exc: ValidationError) -> str:
    """'<VARIABLE>: <what is wrong> (got <value>)' for the first problem pydantic found."""
    error = exc.errors()[0]
    field = Settings.model_fields.get(str(error["loc"][0])) if error["loc"] else None
    name = (field.validation_alias if field else None) or ".".join(str(p) for p in error["loc"])
    more = f" ({exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"{name}: {error['msg']} (got {error.get('input')!r}){more}"


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
