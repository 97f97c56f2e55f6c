"""The probe's arithmetic, compiled. For a network of 2 × 2 layers and ReLU folds: every stage
of a frame's points in one call (:func:`stages`), the decision regions of every stage in another
(:func:`ride`). For any frame: the region grids (:func:`grids`) and the box around each stage's
points (:func:`boxes`).

The numbers of :func:`nets.probe.probe` and :func:`nets.probe.all_stage_regions` through torch,
operation by operation: the grids ride through the layers as they do there (a grid joins at its
stage, behind the grids of earlier stages); a 2 × 2 layer is computed as torch's matrix product
computes it on this CPU for so few rows (the bias, then each product added in turn, in float32,
without fused multiply-adds; see :mod:`nets.twowide` for where that holds); a ReLU keeps -0
and NaN as torch's does; the classifier's winner is the first of equal values, and a NaN wins,
as in :func:`nets.probe.winners`. The softmax's exponentials, their sum and its reciprocal are
left to torch (:func:`nets.probe.softmax_top`): the C library's exponential rounds a few of them
one unit apart from torch's, and is slower. The kernels let go of the GIL: a frame drawn in a
worker thread leaves the server's other threads running.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: What the kernels are told each module is.
LINEAR, RELU = 0, 1

# A network is told as ``kinds`` (M,) int8, each module a LINEAR layer or a RELU; ``flat``
# float32, every layer's weight (rows × 2, row by row) then its bias, layer after layer, module
# j's from ``offsets[j]``; and ``classes``, the rows of the last module, the classifier (the
# layers before it are 2 × 2).


@njit(cache=True, nogil=True)
def _layer(
    flat: np.ndarray,
    at: int,
    x: np.ndarray,
    y: np.ndarray,
    rows: int,
    out_x: np.ndarray,
    out_y: np.ndarray,
) -> None:
    """A 2 × 2 layer whose numbers start at ``flat[at]``, on the first ``rows`` points."""
    w00, w01, w10, w11 = flat[at], flat[at + 1], flat[at + 2], flat[at + 3]
    b0, b1 = flat[at + 4], flat[at + 5]
    for c in range(rows):
        u, v = x[c], y[c]
        out_x[c] = (b0 + w00 * u) + w01 * v
        out_y[c] = (b1 + w10 * u) + w11 * v


@njit(cache=True, nogil=True)
def _fold(x: np.ndarray, y: np.ndarray, rows: int, out_x: np.ndarray, out_y: np.ndarray) -> None:
    """A ReLU on the first ``rows`` points, as torch's keeps them: a negative is 0, while -0
    and NaN stay as they are (``out_x`` may be ``x``)."""
    for c in range(rows):
        out_x[c] = 0 if x[c] < 0 else x[c]
        out_y[c] = 0 if y[c] < 0 else y[c]


@njit(cache=True, nogil=True)
def _classify(
    flat: np.ndarray,
    at: int,
    classes: int,
    x: np.ndarray,
    y: np.ndarray,
    rows: int,
    logits: np.ndarray,
) -> None:
    """The classifier whose numbers start at ``flat[at]``, on the first ``rows`` points."""
    for k in range(classes):
        wk0, wk1, bk = flat[at + 2 * k], flat[at + 2 * k + 1], flat[at + 2 * classes + k]
        for c in range(rows):
            logits[k, c] = (bk + wk0 * x[c]) + wk1 * y[c]


@njit(cache=True, nogil=True)
def ride(
    cells: np.ndarray,
    starts: np.ndarray,
    firsts: np.ndarray,
    kinds: np.ndarray,
    offsets: np.ndarray,
    flat: np.ndarray,
    classes: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``cells`` (2, T) float32: the cells of several grids, grid g's from ``starts[g]`` to
    ``starts[g + 1]``, taken through modules ``firsts[g]`` (ascending) to the last. Returns each
    cell's winning class (T,) uint8 and its logits less the winner's, (K, T) float32 (what the
    softmax takes the exponentials of)."""
    total = cells.shape[1]
    modules = len(kinds)
    x = cells[0].copy()
    y = cells[1].copy()
    joined = 0  # grids that have joined the batch
    rows = 0
    for j in range(modules):
        while joined < len(firsts) and firsts[joined] <= j:
            joined += 1
        rows = starts[joined]
        if j == modules - 1:
            break
        if kinds[j] == LINEAR:
            _layer(flat, offsets[j], x, y, rows, x, y)
        else:
            _fold(x, y, rows, x, y)
    # The classifier, on every grid but the output stage's own (whose cells are its logits).
    logits = np.empty((classes, total), dtype=np.float32)
    _classify(flat, offsets[modules - 1], classes, x, y, rows, logits)
    for c in range(rows, total):
        logits[0, c] = x[c]
        logits[1, c] = y[c]
    label = np.zeros(total, dtype=np.uint8)
    for c in range(total):
        best = 0
        top = logits[0, c]
        for k in range(1, classes):
            value = logits[k, c]
            if top != top:  # a NaN has won
                break
            if value > top or value != value:
                best, top = k, value
        label[c] = best
        for k in range(classes):
            logits[k, c] -= top
    return label, logits


@njit(cache=True, nogil=True)
def stages(
    columns: np.ndarray, kinds: np.ndarray, offsets: np.ndarray, flat: np.ndarray, classes: int
) -> np.ndarray:
    """``columns`` (2, N) float32 through every module: (modules + 1, max(2, K), N) float32,
    stage s's points in row s (the classifier's stage in its first K rows, the rest zero)."""
    n = columns.shape[1]
    modules = len(kinds)
    out = np.zeros((modules + 1, max(2, classes), n), dtype=np.float32)
    out[0, :2] = columns
    for j in range(modules):
        x, y = out[j, 0], out[j, 1]
        if j == modules - 1:
            _classify(flat, offsets[j], classes, x, y, n, out[j + 1])
        elif kinds[j] == LINEAR:
            _layer(flat, offsets[j], x, y, n, out[j + 1, 0], out[j + 1, 1])
        else:
            _fold(x, y, n, out[j + 1, 0], out[j + 1, 1])
    return out


@njit(cache=True, nogil=True)
def boxes(clouds: np.ndarray, margin: float) -> np.ndarray:
    """``clouds`` (S, N, 2) float32, N > 0: each cloud's square box, (S, 4) float64 (xmin, xmax,
    ymin, ymax), as :func:`nets.probe.fit_extent` computes it: its centre and its span in
    float32, half the larger span widened by ``margin`` in float64 (at least 1e-3), taken back
    to float32 to meet the centre; (-1, 1, -1, 1) for a cloud with a value that is not finite."""
    count, n = clouds.shape[0], clouds.shape[1]
    out = np.empty((count, 4))
    for s in range(count):
        low = clouds[s, 0].copy()
        high = clouds[s, 0].copy()
        finite = True
        for i in range(n):
            for u in range(2):
                v = clouds[s, i, u]
                if v - v != 0:  # NaN or an infinity (NaN either way)
                    finite = False
                low[u] = min(low[u], v)
                high[u] = max(high[u], v)
        if not finite:
            out[s] = (-1.0, 1.0, -1.0, 1.0)
            continue
        spread = max(high[0] - low[0], high[1] - low[1])
        half = np.float32(max(np.float64(spread) / 2 * (1 + margin), 1e-3))
        for u in range(2):
            centre = (low[u] + high[u]) / np.float32(2)
            out[s, 2 * u] = centre - half
            out[s, 2 * u + 1] = centre + half
    return out


@njit(cache=True, nogil=True)
def grids(bounds: np.ndarray, sides: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Region grids over boxes ``bounds`` (G, 4) float64 (xmin, xmax, ymin, ymax), ``sides[g]``
    cells a side, as :func:`nets.probe.region_grids` makes them: the cell centres of every grid,
    its xs then its ys, one grid after the other (2 Σ side,) float32, and every cell one grid
    after the other as columns, (2, Σ side²) float32, row i of a grid at y = ys[i], column j at
    x = xs[j]. A centre is ``low + step · (i + ½)`` in float64, ``step`` the box's side over the
    cells, then float32."""
    axes = np.empty(2 * sides.sum(), dtype=np.float32)
    cells = np.empty((2, (sides * sides).sum()), dtype=np.float32)
    at = cell = 0
    for g in range(len(sides)):
        side = sides[g]
        for u in range(2):
            low = bounds[g, 2 * u]
            step = (bounds[g, 2 * u + 1] - low) / side
            for i in range(side):
                axes[at + u * side + i] = low + step * (i + 0.5)
        xs, ys = axes[at : at + side], axes[at + side : at + 2 * side]
        for i in range(side):
            for j in range(side):
                cells[0, cell] = xs[j]
                cells[1, cell] = ys[i]
                cell += 1
        at += 2 * side
    return axes, cells
