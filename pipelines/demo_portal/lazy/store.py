"""One object type of the lazy portal: three numpy columns, and what changed on top of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipelines.demo_portal.data import to_epoch_ms

LIVE, ARCHIVED, GONE = 0, 1, 2  # a record's state byte; GONE: merged into another
INT_BOUND = 1 << 62  # ids and times outside (-INT_BOUND, INT_BOUND) match nothing


@dataclass
class Store:
    """One object type: the columns, the overrides and how to make its records."""

    name: str
    n_base: int
    ids: np.ndarray  # int64, strictly increasing
    lm: np.ndarray  # int64 epoch ms, current hs_lastmodifieddate / updatedAt
    state: np.ndarray  # uint8: LIVE, ARCHIVED, GONE (merged away)
    key: int  # stream key of the type's formulas
    created_fn: Callable[[np.ndarray], np.ndarray]
    base_lm_fn: Callable[[np.ndarray, np.ndarray], np.ndarray]
    # position -> {"props": {...}, "history": {prop: [entries]}, "archivedAt": ms}
    overrides: dict[int, dict[str, Any]] = field(default_factory=dict)
    extras: dict[int, dict[str, Any]] = field(default_factory=dict)  # added records, by position
    _created_col: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def nbytes(self) -> int:
        return int(self.ids.nbytes + self.lm.nbytes + self.state.nbytes)

    def created(self) -> np.ndarray:
        """Creation times of every position (computed on first use; only creation-date searches need it)."""
        if self._created_col is None or len(self._created_col) != len(self.ids):
            col = np.empty(len(self.ids), dtype=np.int64)
            col[: self.n_base] = self.created_fn(np.arange(self.n_base, dtype=np.int64))
            for p, record in self.extras.items():
                col[p] = to_epoch_ms(record["createdAt"])
            self._created_col = col
        return self._created_col

    def position(self, rid: Any) -> int | None:
        """The position of an id that exists (live or archived), else None."""
        try:
            key = int(str(rid))
        except (TypeError, ValueError):
            return None
        if not -INT_BOUND < key < INT_BOUND:
            return None
        p = int(np.searchsorted(self.ids, key))
        if p < len(self.ids) and int(self.ids[p]) == key and self.state[p] != GONE:
            return p
        return None
