"""Views of stages wider than the screen: a chosen pair of units, or a PCA basis kept stable.

A fresh PCA basis can swap its components or flip their signs from one frame to the next, and
the picture then jumps although the network barely moved. ``stable_pca`` matches each new
component to the previous basis (best pairing, then sign) so that motion reads as motion.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np


def pca_basis(x: np.ndarray, dims: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The mean of ``x`` and its top ``dims`` principal directions, as rows (dims, width)."""
    if len(x) == 0 or not np.isfinite(x).all():  # nothing (or NaN, diverged) to analyse
        return np.zeros(x.shape[1]), np.eye(dims, x.shape[1])
    mean = x.mean(axis=0)
    centred = x - mean
    if not np.any(centred):
        return mean, np.eye(dims, x.shape[1])
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    basis = vt[:dims]
    if len(basis) < dims:  # fewer points than dimensions: pad with unit vectors
        basis = np.concatenate([basis, np.eye(dims, x.shape[1])[len(basis) :]])
    return mean, basis


def align(basis: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """Reorder and flip the rows of ``basis`` to agree best with ``previous``."""
    if previous is None or previous.shape != basis.shape:
        return _canonical_signs(basis)
    rows = range(len(basis))
    best = max(
        permutations(rows), key=lambda p: sum(abs(float(basis[p[i]] @ previous[i])) for i in rows)
    )
    out = basis[list(best)].copy()
    for i in rows:
        if out[i] @ previous[i] < 0:
            out[i] = -out[i]
    return out


def _canonical_signs(basis: np.ndarray) -> np.ndarray:
    """With nothing to follow: make each row's largest entry positive."""
    out = basis.copy()
    for row in out:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    return out


def stable_pca(
    x: np.ndarray, previous: np.ndarray | None, dims: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """The mean and an aligned PCA basis of ``x`` (see ``align``)."""
    mean, basis = pca_basis(x, dims)
    return mean, align(basis, previous)


def project(x: np.ndarray, mean: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Coordinates of ``x`` (..., width) on ``basis`` around ``mean``: (..., dims) float32."""
    out: np.ndarray = ((x - mean) @ basis.T).astype(np.float32)
    return out
