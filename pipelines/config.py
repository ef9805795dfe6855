"""The analyst's configuration: one YAML file (`salesmetrics.yml`), checked before any work.

What an analyst changes without touching SQL lives here: reporting zone and as-of date, the deal
property mapping, positive call dispositions, daily activity goals, scorecard measures, revenue
targets and the quota file. Unknown keys, wrong types and impossible values stop the run with a
message that names the key and what is allowed. The values reach dbt as vars (scalars) and as
tables in the warehouse schema `config` (lists), so dbt reads only tables.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.errors import ConfigError
from pipelines.portals import PortalConfig, check_portal_list
from pipelines.warehouse.limits import DEFAULT_MEMORY_LIMIT, DEFAULT_SYNC_MEMORY_LIMIT, DEFAULT_THREADS, is_size

DEFAULT_CONFIG_FILE = Path("salesmetrics.yml")

# Measures the scorecard and the daily goals can use: column names of the activity and KPI marts.
SCORECARD_MEASURES = (
    "opportunities_created",
    "deals_won",
    "won_amount",
    "meetings_booked",
    "connected_calls",
    "calls",
    "emails_sent",
    "tasks_completed",
    "notes",
)
ACTIVITY_GOAL_MEASURES = ("calls", "connected_calls", "meetings_booked", "emails_sent", "tasks_completed", "notes")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportingConfig(_Strict):
    timezone: str = "UTC"
    as_of: date | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'UTC', 'Europe/Berlin')") from None
        return value


class PropertyMapping(_Strict):
    """HubSpot property names (custom properties in most portals) behind our deal columns."""

    contract_term_months: str = "contract_term_months"
    contract_start_date: str = "contract_start_date"
    cost_of_fulfillment: str = "cost_of_fulfillment"


class DealsConfig(_Strict):
    property_mapping: PropertyMapping = PropertyMapping()
    default_contract_term_months: float = Field(12, gt=0)


class ActivityConfig(_Strict):
    positive_dispositions: list[str] = Field(default_factory=lambda: ["Connected"], min_length=1)
    # measure -> goal per rep per day, e.g. {calls: 50}
    daily_goals: dict[Literal[ACTIVITY_GOAL_MEASURES], float] = Field(default_factory=lambda: {"calls": 50})

    @field_validator("daily_goals")
    @classmethod
    def _positive_goals(cls, value: dict[str, float]) -> dict[str, float]:
        for measure, goal in value.items():
            if goal <= 0:
                raise ValueError(f"goal for {measure} must be a positive number, got {goal}")
        return value


class ScorecardMeasure(_Strict):
    measure: Literal[SCORECARD_MEASURES]
    weight: float = Field(ge=0)
    benchmark: float = Field(gt=0)


DEFAULT_SCORECARD = [
    ScorecardMeasure(measure="opportunities_created", weight=15, benchmark=4),
    ScorecardMeasure(measure="deals_won", weight=25, benchmark=2),
    ScorecardMeasure(measure="meetings_booked", weight=5, benchmark=8),
    ScorecardMeasure(measure="connected_calls", weight=1, benchmark=40),
    ScorecardMeasure(measure="calls", weight=0.2, benchmark=200),
]


class ScorecardConfig(_Strict):
    """Inline measures, or a CSV (`file`: columns measure, weight, benchmark) that replaces them."""

    file: Path | None = None
    measures: list[ScorecardMeasure] = Field(default_factory=lambda: list(DEFAULT_SCORECARD), min_length=1)

    @field_validator("measures")
    @classmethod
    def _unique(cls, value: list[ScorecardMeasure]) -> list[ScorecardMeasure]:
        names = [m.measure for m in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"each measure may appear once; repeated: {', '.join(duplicates)}")
        return value


class RevenueTarget(_Strict):
    period_start: date
    period_end: date
    revenue_target: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> RevenueTarget:
        if self.period_end <= self.period_start:
            raise ValueError("period_end must be after period_start (periods are [start, end))")
        return self


class NorthStarConfig(_Strict):
    """Either a recurring target per period (`period` + `revenue_target`), or explicit periods.

    The plan is a plan for new sales: it counts the deals (won, lost and open alike) whose HubSpot
    `dealtype` is one of `deal_types`, where null (or an empty string) stands for deals with no
    type. Default: new business, i.e. `newbusiness` or no type; renewals (`existingbusiness`) are
    left out unless listed.
    """

    period: Literal["year", "quarter", "month"] = "year"
    revenue_target: float | None = Field(None, gt=0)
    revenue_targets: list[RevenueTarget] = Field(default_factory=list)
    deal_types: list[str | None] = Field(default_factory=lambda: ["newbusiness", None], min_length=1)

    @field_validator("deal_types")
    @classmethod
    def _normalised_deal_types(cls, value: list[str | None]) -> list[str | None]:
        """HubSpot's internal values, matched case-insensitively; '' is the same as null (no type)."""
        normalised = [(t.strip().lower() or None) if t is not None else None for t in value]
        return list(dict.fromkeys(normalised))

    def targets(self, as_of: date, periods_back: int = 3) -> list[RevenueTarget]:
        """Explicit targets, else the recurring one for the as-of period and `periods_back` before it."""
        if self.revenue_targets or self.revenue_target is None:
            return list(self.revenue_targets)
        months = {"year": 12, "quarter": 3, "month": 1}[self.period]
        start_month = (as_of.month - 1) // months * months  # 0-based month of the current period's start
        out = []
        for back in range(periods_back, -1, -1):
            index = as_of.year * 12 + start_month - back * months
            start = date(index // 12, index % 12 + 1, 1)
            end_index = index + months
            end = date(end_index // 12, end_index % 12 + 1, 1)
            out.append(RevenueTarget(period_start=start, period_end=end, revenue_target=self.revenue_target))
        return out


class QuotasConfig(_Strict):
    file: Path | None = None


class QuarantineConfig(_Strict):
    max_share: float = Field(0.05, ge=0, le=1)


CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))


class ScheduleConfig(_Strict):
    """When Dagster's sync runs (UTC): daily by default; intraday (e.g. every 15 minutes) keeps the
    dashboard near real time."""

    cron: str = "0 6 * * *"

    @field_validator("cron")
    @classmethod
    def _five_field_cron(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5:
            raise ValueError("a cron has 5 fields: minute hour day-of-month month day-of-week, e.g. '*/15 * * * *'")
        for text, (name, low, high) in zip(fields, CRON_FIELDS, strict=True):
            for part in text.split(","):
                base, _, step = part.partition("/")
                bounds = [] if base == "*" else base.split("-", 1)
                numbers = [*bounds, *([step] if step else [])]
                if (
                    not all(n.isdigit() for n in numbers)
                    or (step and int(step) == 0)
                    or not all(low <= int(n) <= high for n in bounds)
                ):
                    raise ValueError(
                        f"{name} field {text!r} is not a cron field of numbers {low}-{high}, '*', ranges, lists or steps"
                    )
        return value


class WarehouseConfig(_Strict):
    """DuckDB's memory and threads for the warehouse connections, and its memory while a sync writes
    (SALESMETRICS_DUCKDB_* override)."""

    memory_limit: str = DEFAULT_MEMORY_LIMIT
    sync_memory_limit: str = DEFAULT_SYNC_MEMORY_LIMIT
    threads: int = Field(DEFAULT_THREADS, ge=1)

    @field_validator("memory_limit", "sync_memory_limit")
    @classmethod
    def _a_size(cls, value: str) -> str:
        if not is_size(value):
            raise ValueError("a size such as 256MB or 1GB")
        return value


class SalesmetricsConfig(_Strict):
    reporting: ReportingConfig = ReportingConfig()
    deals: DealsConfig = DealsConfig()
    activity: ActivityConfig = ActivityConfig()
    scorecard: ScorecardConfig = ScorecardConfig()
    north_star: NorthStarConfig = NorthStarConfig()
    quotas: QuotasConfig = QuotasConfig()
    quarantine: QuarantineConfig = QuarantineConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    warehouse: WarehouseConfig = WarehouseConfig()
    # Many portals in one deployment (pipelines/portals.py); empty = the one of HUBSPOT_ACCESS_TOKEN.
    portals: list[PortalConfig] = Field(default_factory=list)

    @field_validator("portals")
    @classmethod
    def _unique_portals(cls, value: list[PortalConfig]) -> list[PortalConfig]:
        return check_portal_list(value)


def load_config(path: Path | str | None = None) -> SalesmetricsConfig:
    """Read the configuration file: `path` (SALESMETRICS_CONFIG or --config, through the settings),
    else ./salesmetrics.yml if it exists, else the defaults. Relative paths inside (the quota file)
    are relative to the file."""
    file = Path(path) if path else DEFAULT_CONFIG_FILE
    if not file.exists():
        if path:
            raise ConfigError(f"configuration file {file} does not exist (SALESMETRICS_CONFIG / --config).")
        return SalesmetricsConfig()
    if not file.is_file():
        raise ConfigError(
            f"configuration file {file} is a directory, not a YAML file: move it away, or set "
            "SALESMETRICS_CONFIG (--config) to the file."
        )
    try:
        text = file.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text) or {}
    except UnicodeDecodeError:
        raise ConfigError(f"{file} is not UTF-8 text: save it as UTF-8.") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{file}{where}: invalid YAML ({exc.problem or exc.context}); fix the syntax there "
            "(indentation, a missing ':' or quote)."
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file} is not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file} must hold a mapping of sections (reporting, deals, activity, ...).")
    try:
        config = SalesmetricsConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_located(file, text, exc)) from None
    if config.quotas.file and not config.quotas.file.is_absolute():
        config = config.model_copy(update={"quotas": QuotasConfig(file=(file.parent / config.quotas.file).resolve())})
    if config.portals:  # paths relative to the file; each portal's own warehouse by default
        portals = [p.anchored(file.parent.resolve()) for p in config.portals]
        try:
            check_portal_list(portals)
        except ValueError as exc:
            raise ConfigError(f"{file} line {_line_of(text, ('portals',))}: 'portals': {exc}") from None
        config = config.model_copy(update={"portals": portals})
    if config.scorecard.file:
        csv = config.scorecard.file if config.scorecard.file.is_absolute() else file.parent / config.scorecard.file
        config = config.model_copy(update={"scorecard": ScorecardConfig(file=csv, measures=read_scorecard_csv(csv))})
    return config


def read_scorecard_csv(path: Path) -> list[ScorecardMeasure]:
    """The scorecard CSV (measure, weight, benchmark), each row checked like the YAML form."""
    import csv

    if not path.is_file():
        raise ConfigError(f"scorecard.file {path} does not exist.")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except UnicodeDecodeError:
        raise ConfigError(f"scorecard file {path} is not UTF-8: save it as 'CSV UTF-8'.") from None
    try:
        return ScorecardConfig(measures=rows).measures
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = error["loc"]
        line = f" line {loc[1] + 2}" if len(loc) > 1 and isinstance(loc[1], int) else ""
        more = f" ({exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ConfigError(f"scorecard file {path}{line}: {_describe(error)}{more}") from None


def _located(file: Path, text: str, exc: ValidationError) -> str:
    """'<file> line 7: <first problem> (N more problems)': the line of the key the problem is about."""
    error = exc.errors()[0]
    line = _line_of(text, error["loc"])
    more = f" ({exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return f"{file}{f' line {line}' if line else ''}: {_describe(error)}{more}"


def _line_of(text: str, loc: tuple) -> int | None:
    """The line (1-based) of the YAML node at `loc` (keys and list indexes), or of its nearest parent."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(p) for p in error["loc"])
    # A portal entry may hold a token pasted by mistake: its values (and whole entries) are never echoed.
    if (
        error["loc"]
        and error["loc"][0] == "portals"
        and (error["loc"][-1] == "token_env" or isinstance(error.get("input"), (dict, list)))
    ):
        return f"'{key}': {error['msg'].removeprefix('Value error, ')} (value not shown)"
    if error["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    if error["type"] == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"'{key}' is {error.get('input')!r}; allowed: {allowed}"
    bound = {"greater_than_equal": ("ge", "or more"), "greater_than": ("gt", "or more, not equal")}.get(error["type"])
    if bound:
        return f"'{key}' must be {error['ctx'][bound[0]]} {bound[1]} (got {error.get('input')!r})"
    return f"'{key}': {error['msg']} (got {error.get('input')!r})"
