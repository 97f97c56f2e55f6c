"""The decompositions and shear forms of several 2×2 maps (a frame's layers), compiled: one call
for all of them.

The same numbers as :func:`nets.linalg.decompose_each` and :func:`nets.linalg.shear_form`: numpy's
SVD comes first, as there, and this loop repeats the arithmetic that follows it, step by step.
A product with ``REFLECT`` is written out as numpy's 2×2 product rounds each entry (a sum from
zero, one term after the other), which is exact here: every term's product is. The shear form's
product with a rotation, whose terms do round, is left to numpy.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def forms_of(
    us: np.ndarray, ss: np.ndarray, vts: np.ndarray, ws: np.ndarray, parts: np.ndarray
) -> np.ndarray:
    """``us``, ``ss``, ``vts``: numpy's SVD of the (K, 2, 2) float64 stack ``ws``. Fills row k
    of ``parts`` (K, 6) with matrix k's angle_in, reflect (1.0 or 0.0), both scales, angle_out
    and its shear form's angle; returns the rotations (K, 2, 2) by minus that angle, which
    take the first column onto the x axis (times ``ws``: the shear form's upper matrices)."""
    turns = np.empty((len(ws), 2, 2))
    for k in range(len(ws)):
        u00, u10 = us[k, 0, 0], us[k, 1, 0]
        flips = 0
        if us[k, 0, 0] * us[k, 1, 1] - us[k, 0, 1] * us[k, 1, 0] < 0:  # u @ REFLECT
            u00 = (u00 * 1.0 + 0.0) + us[k, 0, 1] * 0.0
            u10 = (u10 * 1.0 + 0.0) + us[k, 1, 1] * 0.0
            flips += 1
        v00, v10 = vts[k, 0, 0], vts[k, 1, 0]
        if vts[k, 0, 0] * vts[k, 1, 1] - vts[k, 0, 1] * vts[k, 1, 0] < 0:  # REFLECT @ vt
            v00 = (v00 * 1.0 + 0.0) + v10 * 0.0
            v10 = (vts[k, 0, 0] * 0.0 + 0.0) + v10 * -1.0
            flips += 1
        parts[k, 0] = math.atan2(v10, v00)
        parts[k, 1] = 1.0 if flips == 1 else 0.0
        parts[k, 2] = ss[k, 0]
        parts[k, 3] = ss[k, 1]
        parts[k, 4] = math.atan2(u10, u00)
        w00, w10 = ws[k, 0, 0], ws[k, 1, 0]
        angle = math.atan2(w10, w00) if w00 != 0 or w10 != 0 else 0.0
        parts[k, 5] = angle
        c, s = math.cos(-angle), math.sin(-angle)
        turns[k, 0, 0], turns[k, 0, 1] = c, -s
        turns[k, 1, 0], turns[k, 1, 1] = s, c
    return turns
