"""The one percentile every benchmark reports."""

from __future__ import annotations

from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The value at fraction ``q`` of the sorted ``values`` (nearest rank); NaN if none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]
