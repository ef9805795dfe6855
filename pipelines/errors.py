"""Errors a person can act on. Each says what went wrong and what to do; none carries the token."""


class SalesmetricsError(Exception):
    """An expected failure: the CLI prints its message (no traceback) and exits non-zero."""

    exit_code = 1


class ConfigError(SalesmetricsError):
    exit_code = 2


class HubSpotAuthError(SalesmetricsError):
    exit_code = 3


class HubSpotScopeError(SalesmetricsError):
    exit_code = 3


class HubSpotUnavailableError(SalesmetricsError):
    exit_code = 4


class WarehouseLockedError(SalesmetricsError):
    exit_code = 5


class TransformError(SalesmetricsError):
    exit_code = 6


# Every exit code of the `salesmetrics` command, with its cause: `--help` and the README list
# them from here. A new failure kind adds its row (and its error class above).
EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "unexpected failure (a bug: the traceback says where)",
    2: "usage or configuration error (flag, variable, salesmetrics.yml)",
    3: "HubSpot refused the token, or a scope is missing",
    4: "HubSpot unreachable, or failing after retries",
    5: "the warehouse is locked by another process",
    6: "dbt build failed (a model or a data test)",
    130: "interrupted (Ctrl-C)",
}
