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
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

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

    Exact: rows are compared as their bytes, after -0.0 became 0.0."""
    z = np.ascontiguousarray(z, dtype=np.float64) + 0.0  # -0.0 becomes 0.0: bytes compare
    rows = z.view(np.dtype((np.void, 8 * z.shape[1]))).ravel()
    _, first, row_of = np.unique(rows, return_index=True, return_inverse=True)
    return z[first], row_of.ravel()


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


def merged_points(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(N,) bool: the points that lie within the tolerance of a point of another class."""
    z = np.asarray(points, dtype=np.float64)
    if z.ndim != 2 or len(z) != len(labels):
        raise ValueError(f"points must be (N, width) for N={len(labels)} labels, not {z.shape}")
    merged = np.zeros(len(z), dtype=bool)
    finite = np.isfinite(z).all(axis=1)
    everywhere = bool(finite.all())
    if not everywhere:
        z = z[finite]
    if z.shape[1] == 0 or len(z) < 2:
        return merged
    classes, label_of = np.unique(np.asarray(labels)[finite], return_inverse=True)
    if len(classes) < 2:
        return merged
    tolerance = merge_tolerance(z)
    # Exact duplicates become one row that knows every class it holds: thousands of points
    # folded onto one spot cost one row, and a row holding two classes is merged outright.
    rows, row_of = distinct_rows(z)
    holds = np.zeros((len(rows), len(classes)), dtype=bool)
    holds[row_of, label_of] = True
    count = holds.sum(axis=1)
    near = holds & (count > 1)[:, None]  # near[r, c]: row r is within reach of another class
    for c in range(len(classes)):
        mine = np.flatnonzero(holds[:, c] & (count == 1))
        others = np.flatnonzero(count > holds[:, c])
        if len(mine) == 0 or len(others) == 0:
            continue
        near[mine, c] = within(cKDTree(rows[others]), rows[mine], tolerance)
    answer: np.ndarray = near[row_of, label_of]
    if everywhere:
        return answer
    merged[finite] = answer
    return merged
