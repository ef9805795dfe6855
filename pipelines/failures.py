"""What the disk and the warehouse file can do to a run, as errors a person can act on.

A full disk, a read-only directory, a file that is not a DuckDB database and a memory cap too small
for the warehouse surface as DuckDB or OS errors anywhere in a command (opening the warehouse, a
write, dbt, the BI copy). The CLI passes any unexpected error through `explain`; a known cause
becomes one line and its own exit code.
DuckDB rolls back the transaction that failed, so what was committed before stays.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator

from pipelines.errors import DiskFullError, NotAWarehouseError, NotWritableError, SalesmetricsError
from pipelines.warehouse.limits import memory_cap

_FILE = re.compile(r'file "([^"]+)"|"([^"]+)"')


_OUT_OF_MEMORY = "Out of Memory Error"


def explain(exc: BaseException) -> SalesmetricsError | None:
    """The known cause behind `exc` (its chain included), or None for a genuine bug."""
    return next((known for link in _chain(exc) if (known := _explain_one(link)) is not None), None)


def ran_out_of_memory(exc: BaseException) -> bool:
    """DuckDB's out-of-memory error is `exc` or behind it."""
    return any(_OUT_OF_MEMORY in str(link) for link in _chain(exc))


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    """`exc` and the errors behind it, each once."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _explain_one(exc: BaseException) -> SalesmetricsError | None:
    text = str(exc)
    code = exc.errno if isinstance(exc, OSError) else None
    where = _path(exc, text)
    if code == errno.ENOSPC or "No space left on device" in text:
        return DiskFullError(
            f"no space left on the disk{where}: the write in progress was rolled back and everything committed "
            "before it is kept. Free some space and run again; the run resumes."
        )
    if (
        code in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "Read-only file system" in text
        or "Permission denied" in text
    ):
        reason = "is on a read-only file system" if (code == errno.EROFS or "Read-only" in text) else "is not writable"
        return NotWritableError(
            f"the warehouse{where} {reason}. Make its directory writable, or set SALESMETRICS_DB (or --db) to a "
            "path you can write."
        )
    if _OUT_OF_MEMORY in text:  # a sync's own cap is named where it is set (Warehouse.capped_for_sync)
        return memory_cap().out_of_memory()
    if "not a valid DuckDB database file" in text or "database file with version number" in text:
        return NotAWarehouseError(
            f"{where.strip(' ()') or 'the warehouse file'} is not a DuckDB database this version can open. "
            "Set SALESMETRICS_DB (or --db) to the warehouse file, or move this file away to start a new warehouse."
        )
    return None


def _path(exc: BaseException, text: str) -> str:
    name = getattr(exc, "filename", None)
    if not name:
        match = _FILE.search(text)
        name = match and (match.group(1) or match.group(2))
    return f" ({name})" if name else ""
