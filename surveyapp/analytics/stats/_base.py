"""What every statistic here shares: the conventions, the Data type and the table helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

# Conventions for every function here:
# - "No data" (n == 0, empty input) returns None, never 0, so callers can show "no data".
# - Invalid input (negative counts, count > n, confidence outside (0, 1)) raises ValueError.
# - Two-sample differences are always first − second, matching statsmodels and scipy.
# - `Data` is either raw values or a frequency table {value: count}, which is what SQL
#   GROUP BY returns; tables are expanded with numpy.repeat only where a library needs raw data.
Data = Sequence[float] | Mapping[float, float]


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")


def _table(data: Data) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts) sorted by value, zero counts dropped; raises ValueError on a negative count."""
    if isinstance(data, Mapping):
        values = np.array(list(data.keys()), dtype=float)
        counts = np.array(list(data.values()), dtype=float)
        if (counts < 0).any():
            raise ValueError("frequency table has a negative count")
    else:
        values, counts = np.unique(np.asarray(data, dtype=float), return_counts=True)
    keep = counts > 0
    order = np.argsort(values[keep], kind="stable")
    return values[keep][order], counts[keep][order].astype(float)


def _expand(data: Data) -> np.ndarray:
    values, counts = _table(data)
    if not np.all(counts == np.round(counts)):
        raise ValueError("frequency-table counts must be whole numbers")
    return np.repeat(values, counts.astype(np.int64))


def _scale_table(data: Data, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    values, counts = _table(data)
    if ((values < lo) | (values > hi) | (values != np.round(values))).any():
        raise ValueError(f"answers must be whole numbers from {lo} to {hi}")
    return values, counts
