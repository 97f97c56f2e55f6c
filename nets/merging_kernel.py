"""The merged points of small clouds (a frame's folds), compiled: one call for every cloud.

The same answer as :func:`nets.merging.merged_points_each` (see its module for the rule), found
by a different route that suits a few hundred points: in each cloud the points are sorted by
class, then by a cell of the column that spreads widest (cells a little wider than the
tolerance), then by the second widest column. A point asks each other class for the points in
its own and the two neighbouring cells whose second column lies within the tolerance (each
cell's block known from a count, the second column found by a binary search), and checks those
exactly, in float64, stopping at the first within the tolerance.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: A cell is this much wider than the tolerance: more than any rounding of the cell numbers.
WIDER = 1 + 1e-9


@njit(cache=True)
def _first_within(values: np.ndarray, lo: int, hi: int, y: float, tolerance: float) -> int:
    """The first index in [lo, hi) of ascending ``values`` with ``y - value <= tolerance`` as
    the check computes it (hi if none): the difference only falls as the values grow."""
    while lo < hi:
        mid = (lo + hi) // 2
        if y - values[mid] > tolerance:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def merged_clouds(
    z: np.ndarray, widths: np.ndarray, label: np.ndarray, classes: int, tolerance_share: float
) -> tuple[np.ndarray, bool]:
    """``z`` (F, N, W) float64: F clouds of N points, cloud f's columns past ``widths[f]``
    zero; ``label`` (N,) each point's class number in [0, classes). Returns (F, N) bool: the
    merged points, and False where a cloud's tolerance is zero while its points differ (its
    extent below the smallest float over the share), which this route does not handle."""
    clouds, n, width = z.shape
    out = np.zeros((clouds, n), dtype=np.bool_)
    for f in range(clouds):
        if widths[f] == 0:
            continue
        taking = np.empty(n, dtype=np.intp)
        count = 0
        for i in range(n):
            ok = True
            for u in range(width):
                if not np.isfinite(z[f, i, u]):
                    ok = False
                    break
            if ok:
                taking[count] = i
                count += 1
        if count < 2:
            continue
        taking = taking[:count]
        low = np.empty(width)
        high = np.empty(width)
        for u in range(width):
            low[u] = z[f, taking[0], u]
            high[u] = low[u]
        held = np.zeros(classes, dtype=np.bool_)
        kinds = 0
        for point in taking:
            if not held[label[point]]:
                held[label[point]] = True
                kinds += 1
            for u in range(width):
                v = z[f, point, u]
                if v < low[u]:
                    low[u] = v
                if v > high[u]:
                    high[u] = v
        if kinds < 2:
            continue
        extent = 0.0
        first = 0
        for u in range(width):
            if high[u] - low[u] > extent:
                extent = high[u] - low[u]
                first = u
        tolerance = tolerance_share * extent
        if tolerance == 0.0:
            if extent > 0.0:
                return out, False
            for point in taking:  # every point on one spot, and it holds two classes
                out[f, point] = True
            continue
        second = first
        spread = -1.0
        for u in range(width):
            if u != first and high[u] - low[u] > spread:
                spread = high[u] - low[u]
                second = u
        cell_width = tolerance * WIDER
        cells = int((high[first] - low[first]) / cell_width) + 3
        blocks = classes * cells
        key = np.empty(count, dtype=np.intp)
        along = np.empty(count)
        for p in range(count):
            i = taking[p]
            key[p] = label[i] * cells + int((z[f, i, first] - low[first]) / cell_width) + 1
            along[p] = z[f, i, second]
        # By key, then along the second column: a sort along it, then a counting sort by key
        # (stable), whose counts also say where each key's block starts.
        starts = np.zeros(blocks + 1, dtype=np.intp)
        for p in range(count):
            starts[key[p] + 1] += 1
        for b in range(blocks):
            starts[b + 1] += starts[b]
        filled = starts[:-1].copy()
        points = np.empty(count, dtype=np.intp)
        ys = np.empty(count)
        for p in np.argsort(along):
            at = filled[key[p]]
            filled[key[p]] += 1
            points[at] = taking[p]
            ys[at] = along[p]
        for p in range(count):
            i = points[p]
            if out[f, i]:
                continue  # found as the partner of an earlier point
            mine = label[i]
            cell = int((z[f, i, first] - low[first]) / cell_width) + 1
            y = ys[p]
            for other in range(classes):
                if other == mine or not held[other] or out[f, i]:
                    continue
                for near in range(other * cells + cell - 1, other * cells + cell + 2):
                    stop = starts[near + 1]
                    q = _first_within(ys, starts[near], stop, y, tolerance)
                    while q < stop and ys[q] - y <= tolerance:
                        j = points[q]
                        close = True
                        for u in range(width):
                            if abs(z[f, i, u] - z[f, j, u]) > tolerance:
                                close = False
                                break
                        if close:
                            out[f, i] = out[f, j] = True
                            break
                        q += 1
                    if out[f, i]:
                        break
    return out, True
