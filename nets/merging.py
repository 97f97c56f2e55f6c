"""Merged points: two points of different classes that a stage sends to the same place.

Once two points of different classes lie on one spot, every later layer maps them to one spot
too, so no later layer can tell them apart: one of them is misclassified for good (and points
merely very close are as good as lost). What counts as "the same place" is a tolerance relative
to the stage's size:

- the *extent* of a stage is the largest side of the bounding box of its (finite) points, in
  its full width: ``max_u (max_i z[i, u] - min_i z[i, u])``;
- the *tolerance* is ``MERGE_TOLERANCE`` times the extent;
- a point is *merged* when some point of another class lies within the tolerance of it in the
  maximum norm (``max_u |z[i, u] - z[j, u]| <= tolerance``), computed in float64.

Points with a non-finite coordinate are neither merged nor counted in the extent.

A frame asks for every fold at once (:func:`merged_points_each`): the clouds are stacked and
swept together, so a frame pays numpy's per-call cost once rather than once per fold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree

from nets.merging_kernel import merged_clouds

#: The tolerance as a fraction of the stage's extent.
MERGE_TOLERANCE = 1e-3


def stage_extent(points: np.ndarray) -> float:
    """The largest side of the bounding box of ``points`` (N, width); 0 when there are none."""
    if points.size == 0:
        return 0.0
    return float((points.max(axis=0) - points.min(axis=0)).max())


def merge_tolerance(points: np.ndarray) -> float:
    """How close two points of ``points`` (N, width) must be to count as one place."""
    return MERGE_TOLERANCE * stage_extent(points)


def distinct_rows(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``z`` (N, width) float64 and, for each row of ``z``, which one it is.

    Exact: rows are compared by value (so -0.0 is 0.0; the rows returned hold 0.0)."""
    z = np.ascontiguousarray(z, dtype=np.float64) + 0.0  # -0.0 becomes 0.0
    if len(z) == 0:
        return z, np.zeros(0, dtype=np.intp)
    order = np.lexsort(z.T[::-1])
    ordered = z[order]
    starts = np.empty(len(z), dtype=bool)
    starts[0] = True
    np.any(ordered[1:] != ordered[:-1], axis=1, out=starts[1:])
    row_of = np.empty(len(z), dtype=np.intp)
    row_of[order] = np.cumsum(starts) - 1
    return ordered[starts], row_of


def _runs(columns: np.ndarray, cloud: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An order of the points held as ``columns`` (width, N; no -0.0) in which equal points of
    one cloud mostly lie next to each other, and where each run of equal points starts (N,).

    The points are sorted by a 16-bit hash of their bits (a sort of small integers needs no
    comparisons): equal points hash alike and a stable sort keeps their order, so with
    ``cloud`` (N,) not decreasing equal points of a cloud end up together, unless a point that
    merely shares their hash lies between them. That splits a run in two, which costs a little
    time but changes no answer (the two runs lie at distance 0)."""
    width = len(columns)
    weights = np.array([(_MIX * (2 * u + 1)) % 2**64 for u in range(width)], dtype=np.uint64)
    hashed = (weights @ columns.view(np.uint64)) >> np.uint64(48)
    order = np.argsort(hashed.astype(np.uint16), kind="stable")
    ordered, clouds = columns[:, order], cloud[order]
    starts = np.empty(len(order), dtype=bool)
    starts[0] = True
    np.any(ordered[:, 1:] != ordered[:, :-1], axis=0, out=starts[1:])
    starts[1:] |= clouds[1:] != clouds[:-1]
    return order, starts


_MIX = 0x9E3779B97F4A7C15  # an odd 64-bit multiplier (2^64 over the golden ratio)


def _class_index(labels: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Each label's class number, how many classes there are and how many numbers they take:
    small non-negative integer labels are their own numbers (no sort needed)."""
    labels = np.asarray(labels).ravel()
    if labels.dtype.kind in "bui" and len(labels):
        least, most = int(labels.min()), int(labels.max())
        if least >= 0 and most < MASK_CLASSES:
            number = labels.astype(np.intp)
            return number, int(np.count_nonzero(np.bincount(number))), most + 1
    classes, number = np.unique(labels, return_inverse=True)
    return number.ravel(), len(classes), len(classes)


#: Clouds of at most this many points in all go the compiled way (:mod:`nets.merging_kernel`):
#: a frame's folds. Larger ones (thousands of points, dense clusters) take the sweep below.
COMPILED_POINTS = 20_000


#: ``eps`` of the rough passes of :func:`within`, roughest first. With ``eps`` the tree may
#: return a neighbour up to 1 + eps times farther than the nearest, and stops looking early.
_ROUGH = (np.inf, 1.0)


def within(tree: cKDTree, queries: np.ndarray, tolerance: float) -> np.ndarray:
    """(Q,) bool: which of ``queries`` have a point of ``tree`` within ``tolerance`` (maximum
    norm). Exact. An exact search must find *the* nearest neighbour, which is slow when
    thousands of points lie within the tolerance of each other in more than two dimensions;
    there rough searches settle most points first (the distances they return are true
    distances, so one within the tolerance settles a point), and only the points still open
    are searched exactly. In the plane the exact search alone is fast."""
    bound = float(np.nextafter(tolerance, np.inf))  # the tree keeps distances below its bound
    found = np.zeros(len(queries), dtype=bool)
    passes = (*_ROUGH, 0.0) if queries.shape[1] > 2 else (0.0,)
    for eps in passes:
        rest = np.flatnonzero(~found)
        if len(rest) == 0:
            break
        distance, _ = tree.query(queries[rest], k=1, p=np.inf, eps=eps, distance_upper_bound=bound)
        found[rest] = distance <= tolerance
    return found


#: The sweep of :func:`near_by_cells` gives up (and the trees take over) past this many
#: coordinates of candidate pairs to compare per distinct point (32 pairs of 2D points).
SWEEP_WORK = 64
#: The sweep looks along at most this many columns (those with the widest spread).
SWEEP_COLUMNS = 3
#: Classes a point's class mask (one bit each, int64) has room for.
MASK_CLASSES = 62
#: Cells along a column of one cloud: its extent over the tolerance, one cell before and two
#: after (so that a cell's neighbours on either side always exist).
_CELLS = math.ceil(1 / MERGE_TOLERANCE) + 3
#: A cell is this much wider than the tolerance: more than any rounding of the cell numbers.
_WIDER = 1 + 1e-9


def near_by_cells(
    rows: np.ndarray,
    cloud: np.ndarray,
    mask: np.ndarray,
    tolerance: np.ndarray,
    low: np.ndarray,
    spread: np.ndarray,
) -> np.ndarray | None:
    """(R,) bool: which of the distinct points ``rows`` (held as columns, (width, R)) that hold
    a single class have a point of their cloud (``cloud[r]``) within its ``tolerance[cloud]``
    (maximum norm) that holds another class (``mask[r]``: the classes point r holds, one bit
    each). ``low`` (F, width): each cloud's least value in each column; ``spread`` (width,):
    how widely each column spreads. None when the candidate pairs would be too many (dense
    clusters, see :data:`SWEEP_WORK`).

    Exact: two points within the tolerance are within it along every column, so along a column
    cut into cells a little wider than the tolerance they lie in the same or in neighbouring
    cells. Each open point takes the column where the fewest points share its three cells and
    checks those points exactly, as the trees would. Cells are counted (no search, no sort of
    floats): with the points ordered by cell, a point's three cells are one run of that order."""
    found = np.zeros(rows.shape[1], dtype=bool)
    open_rows = np.flatnonzero((mask & (mask - 1)) == 0)
    if len(open_rows) == 0:
        return found
    if not np.isfinite(tolerance).all():  # an extent past the largest float: no cells
        return None
    columns = np.argsort(-spread, kind="stable")[:SWEEP_COLUMNS]
    picked = rows[columns]  # (C, R)
    width = np.maximum(tolerance * _WIDER, np.finfo(np.float64).tiny)[cloud]
    cells = ((picked - low[cloud][:, columns].T) / width).astype(np.intp)
    # One key per point and column: column, cloud, then cell (past one empty cell).
    key = cells + (cloud * _CELLS + 1) + (np.arange(len(columns)) * len(low) * _CELLS)[:, None]
    starts = np.zeros(len(columns) * len(low) * _CELLS + 1, dtype=np.intp)
    np.cumsum(np.bincount(key.ravel(), minlength=len(starts) - 1), out=starts[1:])
    small = np.int16 if len(starts) <= np.iinfo(np.int16).max else np.intp
    order = np.argsort(key.ravel().astype(small), kind="stable") % rows.shape[1]
    mine = key[:, open_rows]  # (C, Q)
    first, past = starts[mine - 1], starts[mine + 2]
    sizes = past - first
    best = np.argmin(sizes, axis=0)  # (Q,) the column with the fewest points near
    pick = np.arange(len(open_rows))
    start, size = first[best, pick], sizes[best, pick]
    total = int(size.sum())
    if total * len(rows) > SWEEP_WORK * rows.shape[1]:
        return None
    query = np.repeat(pick, size)
    j = order[np.arange(total) - np.repeat(np.cumsum(size) - size - start, size)]
    i = open_rows[query]
    keep = ((mask[j] & ~mask[i]) != 0) & (cloud[j] == cloud[i])
    i, j = i[keep], j[keep]
    close = np.abs(rows[:, i] - rows[:, j]).max(axis=0, initial=0.0) <= tolerance[cloud[i]]
    found[i[close]] = True
    return found


def near_by_trees(rows: np.ndarray, holds: np.ndarray, tolerance: float) -> np.ndarray:
    """What :func:`near_by_cells` finds, for the distinct points ``rows`` (R, width) of one
    cloud (``holds[r, c]``: point r holds class c), by one tree per class of the points holding
    another class: the way for dense clusters."""
    found = np.zeros(len(rows), dtype=bool)
    count = holds.sum(axis=1)
    for c in range(holds.shape[1]):
        mine = np.flatnonzero(holds[:, c] & (count == 1))
        others = np.flatnonzero(count > holds[:, c])
        if len(mine) == 0 or len(others) == 0:
            continue
        found[mine] = within(cKDTree(rows[others]), rows[mine], tolerance)
    return found


def merged_points(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(N,) bool: the points that lie within the tolerance of a point of another class."""
    return merged_points_each([points], labels)[0]


def _columns(clouds: Sequence[np.ndarray], n: int) -> np.ndarray:
    """The clouds (each (n, width_i)) side by side as columns, a new float64 array (width, F·n);
    narrower ones padded with zeros (which change no distance and no extent)."""
    width = max(np.shape(z)[1] for z in clouds)
    out = np.zeros((width, len(clouds) * n))
    for i, z in enumerate(clouds):
        out[: np.shape(z)[1], i * n : (i + 1) * n] = np.transpose(z)
    return out


def _bounds(z: np.ndarray, origin: np.ndarray, usable: np.ndarray, n: int) -> np.ndarray:
    """(2, F, width): each cloud's least and greatest value in each column. ``z`` holds the
    points of the ``usable`` clouds (F,) bool as columns, ``origin`` their places in the stack
    of every cloud's ``n`` points (ascending); a cloud that is not usable has bounds 0."""
    width, clouds = len(z), len(usable)
    if len(origin) == clouds * n:  # every point of every cloud
        stack = z.reshape(width, clouds, n)
        return np.stack([stack.min(axis=2).T, stack.max(axis=2).T])
    kept = np.flatnonzero(usable)
    starts = np.searchsorted(origin, kept * n)
    out = np.zeros((2, clouds, width))
    out[0, kept] = np.minimum.reduceat(z, starts, axis=1).T
    out[1, kept] = np.maximum.reduceat(z, starts, axis=1).T
    return out


def merged_points_each(clouds: Sequence[np.ndarray], labels: np.ndarray) -> list[np.ndarray]:
    """:func:`merged_points` of every one of ``clouds`` (each (N, width_i): one stage's points,
    ``labels`` (N,) their classes), worked out together."""
    n = len(labels)
    for points in clouds:
        if np.ndim(points) != 2 or len(points) != n:
            raise ValueError(f"points must be (N, width) for N={n} labels, not {np.shape(points)}")
    none = [np.zeros(n, dtype=bool) for _ in clouds]
    if n < 2 or not clouds:
        return none
    label_of, classes, numbers = _class_index(labels)
    if classes < 2:
        return none
    if n * len(clouds) <= COMPILED_POINTS:
        stack = np.zeros((len(clouds), n, max(np.shape(z)[1] for z in clouds)))
        for i, points in enumerate(clouds):
            stack[i, :, : np.shape(points)[1]] = points
        widths = np.array([np.shape(points)[1] for points in clouds], dtype=np.intp)
        found, whole = merged_clouds(stack, widths, label_of, numbers, MERGE_TOLERANCE)
        if whole:
            return list(found)
    z = _columns(clouds, n)
    # A point takes part when it is finite, in a cloud of some width with two such points.
    taking = np.isfinite(z).all(axis=0)
    usable = taking.reshape(len(clouds), n).sum(axis=1) >= 2
    usable &= np.array([np.shape(points)[1] > 0 for points in clouds])
    if not usable.any():
        return none
    origin = np.arange(len(clouds) * n)  # each point's place in the stack
    if not (usable.all() and taking.all()):
        origin = np.flatnonzero(taking & np.repeat(usable, n))
        z = z[:, origin]
    z += 0.0  # -0.0 becomes 0.0: points compare by their values
    low, high = _bounds(z, origin, usable, n)
    extents = high - low
    tolerance = MERGE_TOLERANCE * extents.max(axis=1)
    # Exact duplicates become one point that knows every class it holds: thousands of points
    # folded onto one spot cost one, and one holding two classes is merged outright.
    order, starts = _runs(z, origin // n)
    origin = origin[order]
    run = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    rows, cloud = z[:, order[first]], origin[first] // n
    label_at = label_of[origin % n]
    near = None
    if numbers <= MASK_CLASSES:
        mask = np.bitwise_or.reduceat(np.left_shift(1, label_at, dtype=np.int64), first)
        outright = (mask & (mask - 1)) != 0
        near = near_by_cells(rows, cloud, mask, tolerance, low, extents.sum(axis=0))
    if near is None:
        holds = np.zeros((len(first), numbers), dtype=bool)
        holds[run, label_at] = True
        outright = holds.sum(axis=1) > 1
        near = np.zeros(len(first), dtype=bool)
        for c in np.flatnonzero(usable):
            mine = cloud == c
            near[mine] = near_by_trees(rows[:, mine].T, holds[mine], float(tolerance[c]))
    answer = np.zeros(len(clouds) * n, dtype=bool)
    answer[origin] = (near | outright)[run]
    return list(answer.reshape(len(clouds), n))
