"""Counter-based randomness: any record of the lazy portal can be made alone, in any order.

`draws(key, idx)` is a splitmix64 hash of the index, vectorised with numpy. Everything the server
filters or sorts on without making records (ids, creation and modification times, the archived flag,
a deal's companies) is such a formula, so the portal keeps only a few columns; `draw` is its scalar
twin, the seed of each record's own `random.Random`.
"""

from __future__ import annotations

import hashlib

import numpy as np

_U = np.uint64
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_STEP = 0xD1B54A32D192ED03
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB


def stream_key(seed: int, *labels: object) -> int:
    """A 64-bit key for one random stream (stable across runs and Python versions)."""
    digest = hashlib.blake2b(repr((seed, *labels)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def draws(key: int, idx: np.ndarray) -> np.ndarray:
    """splitmix64(key + idx * step) for every index: uniform uint64, one per index."""
    with np.errstate(over="ignore"):
        z = np.asarray(idx, dtype=np.int64).astype(np.uint64) * _U(_STEP) + _U((key + _GOLDEN) & _MASK)
        z = (z ^ (z >> _U(30))) * _U(_M1)
        z = (z ^ (z >> _U(27))) * _U(_M2)
        return z ^ (z >> _U(31))


def draw(key: int, i: int) -> int:
    """The scalar twin of `draws` (identical values)."""
    z = (i * _STEP + key + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def ranks(key: int, idx: np.ndarray, modulus: int) -> np.ndarray:
    """draws(...) % modulus as int64."""
    return (draws(key, idx) % _U(modulus)).astype(np.int64)


def spread_created(key: int, idx: np.ndarray, n: int, lo: int, hi: int) -> np.ndarray:
    """Creation times strictly increasing with the index, spread evenly over [lo, hi)."""
    span = max(1, hi - lo)
    step = max(1, span // max(1, n))
    idx = np.asarray(idx, dtype=np.int64)
    return lo + (idx * span) // max(1, n) + ranks(key, idx, step)


def within(created: np.ndarray, delay: np.ndarray, end: int, floor: int = 0) -> np.ndarray:
    """created + delay, folded back into [created + floor, end] when it would pass `end`."""
    out = created + floor + delay
    late = out > end
    if late.any():
        room = np.maximum(1, end - created[late] - floor + 1)
        out[late] = created[late] + floor + delay[late] % room
    return np.minimum(out, np.maximum(created, end))
