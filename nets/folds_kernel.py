"""What each of a frame's folds does to the points (:mod:`nets.diagnostics`), compiled: one call
for every fold of a network whose folds are 2 wide.

The masks are exact (a unit is zero or not). The flatness σ₂/σ₁ of a centred cloud comes from
one Jacobi rotation of its two columns (the rotation that makes them orthogonal), whose norms
are then its singular values: the same numbers as LAPACK's SVD to about 1e-15 relative where
the cloud is not flat and to the rounding of the centring where it is.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _flatness(z: np.ndarray) -> float:
    """σ₂/σ₁ of the centred cloud ``z`` (N, 2) float64, N > 0, finite; NaN when σ₁ is 0."""
    n = len(z)
    mean0 = 0.0
    mean1 = 0.0
    for i in range(n):
        mean0 += z[i, 0]
        mean1 += z[i, 1]
    mean0 /= n
    mean1 /= n
    a = b = c = 0.0
    for i in range(n):
        u, v = z[i, 0] - mean0, z[i, 1] - mean1
        a += u * u
        b += u * v
        c += v * v
    if b == 0:
        big, small = max(a, c), min(a, c)
        return math.sqrt(small / big) if big > 0 else math.nan
    zeta = (c - a) / (2 * b)
    t = math.copysign(1.0, zeta) / (abs(zeta) + math.sqrt(1 + zeta * zeta))
    cs = 1 / math.sqrt(1 + t * t)
    sn = cs * t
    first = second = 0.0
    for i in range(n):
        u, v = z[i, 0] - mean0, z[i, 1] - mean1
        p, q = cs * u - sn * v, sn * u + cs * v
        first += p * p
        second += q * q
    big, small = max(first, second), min(first, second)
    return math.sqrt(small / big) if big > 0 else math.nan


@njit(cache=True, nogil=True)
def fold_facts(folded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``folded`` (F, N, 2) float32: the outputs of F folds for N points, N > 0. Returns which
    points each fold set to zero in some unit (F, N) and in every unit (F, N), which units are
    zero for every point (F, 2), and each fold's flatness (F,) float64 (NaN for none: a value
    that is not finite, or a cloud on one spot)."""
    folds, n = folded.shape[0], folded.shape[1]
    flat = np.zeros((folds, n), dtype=np.bool_)
    dead = np.zeros((folds, n), dtype=np.bool_)
    zero_units = np.ones((folds, 2), dtype=np.bool_)
    flatness = np.full(folds, np.nan)
    z = np.empty((n, 2))
    for f in range(folds):
        finite = True
        for i in range(n):
            first, second = folded[f, i, 0], folded[f, i, 1]
            flat[f, i] = first == 0 or second == 0
            dead[f, i] = first == 0 and second == 0
            zero_units[f, 0] &= first == 0
            zero_units[f, 1] &= second == 0
            z[i, 0], z[i, 1] = first, second
            finite &= first - first == 0 and second - second == 0
        if finite:
            flatness[f] = _flatness(z)
    return flat, dead, zero_units, flatness
