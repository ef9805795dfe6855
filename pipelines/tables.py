"""Tables of figures for the terminal that never cut a figure.

On a terminal: a table whose figure columns are as wide as their widest figure; when the terminal
is narrow, the text columns and the headers wrap instead. Anywhere else (a pipe, a file, cron, CI):
one plain line per row, `header value` pairs, which grep and log viewers read as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table


def print_table(
    console: Console, title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int = 1
) -> None:
    """Print `rows` (already formatted strings) under `headers`; the first `text_columns` are text
    (left-aligned, may wrap), the rest are figures (right-aligned, never wrapped or cut)."""
    if not console.is_terminal:
        console.print(title, highlight=False, soft_wrap=True)
        for row in rows:
            text = " ".join(row[:text_columns])
            figures = ", ".join(f"{h} {v}" for h, v in zip(headers[text_columns:], row[text_columns:], strict=True))
            console.print(f"  {text}: {figures}" if text else f"  {figures}", highlight=False, soft_wrap=True)
        return
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for i, header in enumerate(headers):
        if i < text_columns:
            table.add_column(header, justify="left", overflow="fold")
        else:
            widest = max((len(row[i]) for row in rows), default=1)
            table.add_column(header, justify="right", overflow="fold", min_width=widest)
    for row in rows:
        table.add_row(*row)
    console.print(table)
