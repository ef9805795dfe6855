"""Errors a person can act on, and the one table of exit codes.

Each error says what went wrong and what to do; none carries the token. `EXIT_CODES` is the single
source of the codes: the error classes take theirs from it, and the README and `--help` list it.
"""

from __future__ import annotations

from typing import NamedTuple


class ExitCode(NamedTuple):
    code: int
    name: str
    cause: str
    fix: str


EXIT_CODES: tuple[ExitCode, ...] = (
    ExitCode(0, "ok", "the command finished", "-"),
    ExitCode(
        1,
        "internal",
        "an unexpected error (a bug): the only case that prints a traceback",
        "report it with the traceback",
    ),
    ExitCode(2, "usage", "unknown command or option, or a bad flag value", "see `salesmetrics COMMAND --help`"),
    ExitCode(
        3,
        "token_rejected",
        "HubSpot rejected the access token (401)",
        "set HUBSPOT_ACCESS_TOKEN to a valid private-app token",
    ),
    ExitCode(
        4,
        "hubspot_unavailable",
        "HubSpot unreachable, or failing after every retry",
        "check HUBSPOT_BASE_URL and the network; try again later",
    ),
    ExitCode(
        5,
        "warehouse_locked",
        "another process holds the warehouse (a run, a notebook, a BI tool)",
        "stop the process named in the message; point BI tools at the .bi.duckdb copy",
    ),
    ExitCode(
        6,
        "dbt_failed",
        "dbt build failed (a model, a unit test or a data test)",
        "read the failing node in the message; `dbt build` in dbt_project/ shows the detail",
    ),
    ExitCode(
        7,
        "scope_missing",
        "the token lacks a scope HubSpot requires (403)",
        "add the scope named in the message to the private app",
    ),
    ExitCode(
        8,
        "bad_config",
        "a bad environment variable, salesmetrics.yml, quota or scorecard file",
        "fix the file, line or variable named in the message",
    ),
    ExitCode(
        9,
        "not_hubspot",
        "HUBSPOT_BASE_URL answers, but not with HubSpot's API (HTML, other JSON)",
        "point HUBSPOT_BASE_URL at https://api.hubapi.com or a server speaking its wire format",
    ),
    ExitCode(10, "disk_full", "no space left on the warehouse's disk", "free space; then run again (it resumes)"),
    ExitCode(
        11,
        "not_writable",
        "the warehouse or its directory is read-only or not permitted",
        "make the directory writable or set SALESMETRICS_DB to a writable path",
    ),
    ExitCode(
        12,
        "not_a_warehouse",
        "the warehouse file is not a DuckDB database (or a newer DuckDB wrote it)",
        "set SALESMETRICS_DB to the right file, or move the file away to start a new warehouse",
    ),
    ExitCode(
        13,
        "portals_failed",
        "with --all-portals, one or more portals failed (the others finished)",
        "fix what each failed portal's line says, then rerun it alone with --portal NAME",
    ),
    ExitCode(
        130,
        "interrupted",
        "interrupted (Ctrl-C, SIGINT or SIGTERM); the message says what was committed",
        "run again: the next run resumes from the stored cursors",
    ),
)
_BY_NAME = {e.name: e.code for e in EXIT_CODES}


def exit_code(name: str) -> int:
    return _BY_NAME[name]


class SalesmetricsError(Exception):
    """An expected failure: the CLI prints its message (no traceback) and exits with `exit_code`."""

    exit_code = exit_code("internal")


class UsageError(SalesmetricsError):
    exit_code = exit_code("usage")


class ConfigError(SalesmetricsError):
    exit_code = exit_code("bad_config")


class HubSpotAuthError(SalesmetricsError):
    exit_code = exit_code("token_rejected")


class HubSpotScopeError(SalesmetricsError):
    exit_code = exit_code("scope_missing")


class HubSpotUnavailableError(SalesmetricsError):
    exit_code = exit_code("hubspot_unavailable")


class NotHubSpotError(HubSpotUnavailableError):
    exit_code = exit_code("not_hubspot")


class WarehouseLockedError(SalesmetricsError):
    exit_code = exit_code("warehouse_locked")


class TransformError(SalesmetricsError):
    exit_code = exit_code("dbt_failed")


class DiskFullError(SalesmetricsError):
    exit_code = exit_code("disk_full")


class NotWritableError(SalesmetricsError):
    exit_code = exit_code("not_writable")


class NotAWarehouseError(SalesmetricsError):
    exit_code = exit_code("not_a_warehouse")
