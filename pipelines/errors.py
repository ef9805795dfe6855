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
