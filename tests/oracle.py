"""Comparing what a frame carries with what the network computes, to the packing's precision.

Coordinates travel as uint16 steps between each column's min and max (engine/encoding.py), so a
drawn coordinate is within half a step of the computed one; a region's confidence within half
of one of its byte's levels.
"""

from __future__ import annotations

import numpy as np

from engine.encoding import COORD_TOP, levels
from nets.merging import MERGE_TOLERANCE


def assert_coords(got: np.ndarray, want: np.ndarray) -> None:
    """``got`` (from a frame) equals ``want`` (from the model) to within one uint16 step."""
    want = np.asarray(want, dtype=np.float64)
    flat = want.reshape(-1, want.shape[-1]) if want.ndim > 1 else want.reshape(-1, 1)
    finite = np.isfinite(flat)
    high = np.where(finite, flat, -np.inf).max(axis=0, initial=-np.inf)
    low = np.where(finite, flat, np.inf).min(axis=0, initial=np.inf)
    span = np.where(high >= low, high - low, 0.0)
    step = np.broadcast_to(np.asarray(span) / COORD_TOP, flat.shape).reshape(want.shape)
    error = np.abs(np.asarray(got, dtype=np.float64) - want)
    error = np.where(np.isnan(want) & np.isnan(np.asarray(got, dtype=np.float64)), 0.0, error)
    np.testing.assert_array_less(error, step + 1e-6 + 1e-6 * np.abs(np.nan_to_num(want)))


def assert_conf(got: np.ndarray, want: np.ndarray, classes: int) -> None:
    """A region's confidence equals the softmax maximum to within one of its byte's levels."""
    k = max(2, classes)
    step = (1 - 1 / k) / (levels(k) - 1)
    np.testing.assert_allclose(got, want, atol=step / 2 + 1e-6, rtol=0)


def merged_by_pairs(points: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The merged mask by brute force over every pair: some point of another class within
    MERGE_TOLERANCE of the largest side of the bounding box, in the maximum norm."""
    z = np.asarray(points, dtype=np.float64)
    finite = np.isfinite(z).all(axis=1)
    out = np.zeros(len(z), dtype=bool)
    if finite.sum() < 2:
        return out
    zf, yf = z[finite], np.asarray(labels)[finite]
    tolerance = MERGE_TOLERANCE * float((zf.max(axis=0) - zf.min(axis=0)).max())
    distance = np.abs(zf[:, None, :] - zf[None, :, :]).max(axis=2)
    out[finite] = ((distance <= tolerance) & (yf[:, None] != yf[None, :])).any(axis=1)
    return out


def flatness_by_svd(points: np.ndarray) -> float:
    """σ₂/σ₁ of the centred cloud, from numpy's SVD."""
    z = np.asarray(points, dtype=np.float64)
    sigma = np.linalg.svd(z - z.mean(axis=0), compute_uv=False)
    return float(sigma[1] / sigma[0])
