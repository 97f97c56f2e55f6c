"""The arithmetic of a frame's packings (:mod:`engine.encoding`), compiled: one call packs every
coordinate array of a frame, one every region grid.

Each loop does, number for number, what the numpy expressions it replaces did: coordinates in
float64 between float32 bounds, region confidences in float32 (numpy works in the array's
float32 when a Python number meets it), so the bytes are the same.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def pack_coords(
    stacked: np.ndarray, rows: np.ndarray, top: int, nan_code: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``stacked`` (R, W) float32: several arrays' rows one after the other, ``rows[a]`` of
    array a. Returns the uint16 codes (R, W) and each array's column low and high (A, W)
    float32 over its finite values (0 and 0 where a column has none): a value's code is its
    step between them, ``top`` at the high, ``nan_code`` for a value that is not finite."""
    total, width = stacked.shape
    arrays = len(rows)
    codes = np.empty((total, width), dtype=np.uint16)
    low = np.zeros((arrays, width), dtype=np.float32)
    high = np.zeros((arrays, width), dtype=np.float32)
    least = np.empty(width, dtype=np.float32)
    most = np.empty(width, dtype=np.float32)
    floor = np.empty(width)
    scale = np.empty(width)
    begin = 0
    for a in range(arrays):
        end = begin + rows[a]
        least[:] = np.inf
        most[:] = -np.inf
        for r in range(begin, end):  # row by row, as the values lie
            for u in range(width):
                v = stacked[r, u]
                if v - v == 0:  # finite: infinities and NaN give NaN
                    least[u] = min(least[u], v)
                    most[u] = max(most[u], v)
        for u in range(width):
            if least[u] > most[u]:  # no finite value
                least[u] = most[u] = 0
            low[a, u] = least[u]
            high[a, u] = most[u]
            floor[u] = least[u]
            span = np.float64(most[u]) - floor[u]
            scale[u] = top / span if span > 0 else 0.0
        for r in range(begin, end):
            for u in range(width):
                v = stacked[r, u]
                if v - v == 0:
                    step = np.rint((np.float64(v) - floor[u]) * scale[u])
                    codes[r, u] = min(max(step, 0.0), float(top))
                else:
                    codes[r, u] = nan_code
        begin = end
    return codes, low, high


@njit(cache=True)
def pack_regions(label: np.ndarray, conf: np.ndarray, classes: int, steps: int) -> np.ndarray:
    """One byte a cell: its class times ``steps`` plus its confidence's level, the confidence
    (float32, in [1/classes, 1]; NaN as the floor) read in ``steps`` levels from 1/classes."""
    floor = np.float32(1.0 / classes)
    scale = np.float32(1.0 - 1.0 / classes)
    levels = np.float32(steps - 1)
    biggest = np.float32(np.finfo(np.float32).max)
    out = np.empty(len(label), dtype=np.uint8)
    for i in range(len(label)):
        c = conf[i]
        if np.isnan(c):
            c = floor
        elif c > biggest:
            c = biggest
        elif c < -biggest:
            c = -biggest
        level = np.rint((c - floor) / scale * levels)
        level = min(max(level, np.float32(0.0)), levels)
        out[i] = np.uint8(np.float64(label[i]) * steps + np.float64(level))
    return out
