"""What `salesmetrics --help` says after the commands: the environment it reads and its exit codes.

Both lists come from one place each (`ENVIRONMENT` here, `EXIT_CODES` in pipelines.errors), so
the help, the README and the code cannot drift apart.
"""

import textwrap

from pipelines.errors import EXIT_CODES

ENVIRONMENT: dict[str, str] = {
    "HUBSPOT_ACCESS_TOKEN": "private-app token (not for demo); never printed",
    "HUBSPOT_BASE_URL": "API address (default https://api.hubapi.com)",
    "HUBSPOT_TIER": "request budget (default starter; see README)",
    "SALESMETRICS_DB": "warehouse file (default data/salesmetrics.duckdb)",
    "SALESMETRICS_AS_OF": "marts as of this date, YYYY-MM-DD (default today)",
    "SALESMETRICS_TIMEZONE": "IANA zone periods are cut in (default UTC)",
    "SALESMETRICS_QUOTAS": "quota CSV file (default none)",
    "SALESMETRICS_CONFIG": "configuration file (default ./salesmetrics.yml)",
}


def epilog() -> str:
    """Two lists; `\\b` before a paragraph tells click to keep its line breaks (no rewrapping)."""
    env = "\n".join(f"  {name:<23} {meaning}" for name, meaning in ENVIRONMENT.items())
    codes = "\n".join(
        textwrap.fill(e.cause, width=78, initial_indent=f"  {e.code:<4} ", subsequent_indent=" " * 7)
        for e in EXIT_CODES
    )
    return f"\b\nEnvironment variables:\n{env}\n\n\b\nExit codes:\n{codes}"
