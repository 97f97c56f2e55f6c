"""2×2 maps taken apart: W = R(θ_out) · diag(s1, s2) · F · R(θ_in), F a reflection iff det W < 0.

This is the lecture's reading of a layer's linear map: rotate, reflect (if the map flips
orientation), scale along two perpendicular directions, rotate again. ``affine_path`` walks that
sequence, then the shift by the bias, continuously from the identity to the layer's affine map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nets.linalg_kernel import forms_of

REFLECT = np.diag([1.0, -1.0])


def rotation(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


@dataclass(frozen=True)
class Decomposition:
    """``W = rotation(angle_out) @ diag(scales) @ F @ rotation(angle_in)``.

    ``F`` is ``REFLECT`` when ``reflect`` is true, else the identity.
    """

    angle_in: float  # radians, in (-π, π]
    reflect: bool
    scales: tuple[float, float]  # singular values, largest first, >= 0
    angle_out: float

    @property
    def det(self) -> float:
        return self.scales[0] * self.scales[1] * (-1.0 if self.reflect else 1.0)

    def matrix(self) -> np.ndarray:
        flip = REFLECT if self.reflect else np.eye(2)
        out: np.ndarray = (
            rotation(self.angle_out) @ np.diag(self.scales) @ flip @ rotation(self.angle_in)
        )
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "angle_in": self.angle_in,
            "reflect": self.reflect,
            "scales": list(self.scales),
            "angle_out": self.angle_out,
            "det": self.det,
        }


def _det(m: np.ndarray) -> float:
    """The determinant of a 2×2 matrix (numpy's general one costs many times more)."""
    return float(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0])


def decompose(w: np.ndarray) -> Decomposition:
    """Rotation · scaling · (reflection) · rotation for a real 2×2 matrix, singular ones too."""
    return decompose_each([w])[0]


def decompose_each(ws: list[np.ndarray]) -> list[Decomposition]:
    """:func:`decompose` of every 2×2 matrix of ``ws``, with one SVD call for all of them (the
    same numbers as one call each: the batched call runs the same routine on each)."""
    if not ws:
        return []
    stack = np.asarray(ws, dtype=np.float64)
    if stack.shape[1:] != (2, 2):
        raise ValueError(f"decompose takes a 2x2 matrix, not {stack.shape[1:]}")
    us, ss, vts = np.linalg.svd(stack)
    return [_decomposition(u, s, vt) for u, s, vt in zip(us, ss, vts, strict=True)]


def forms_each(ws: np.ndarray) -> list[tuple[dict[str, object], dict[str, float]]]:
    """``decompose(w).as_dict()`` and ``shear_form(w).as_dict()`` of each matrix ``w`` of the
    (K, 2, 2) float64 stack ``ws``: the same numbers, from one SVD call and one compiled pass
    (:mod:`nets.linalg_kernel`)."""
    ws = np.ascontiguousarray(ws, dtype=np.float64)
    if ws.shape[1:] != (2, 2):
        raise ValueError(f"decompose takes a 2x2 matrix, not {ws.shape[1:]}")
    us, ss, vts = np.linalg.svd(ws)
    parts = np.empty((len(ws), 6))
    uppers = np.matmul(forms_of(us, ss, vts, ws, parts), ws).tolist()
    return [
        (
            Decomposition(angle_in, reflect == 1.0, (s1, s2), angle_out).as_dict(),
            ShearForm(angle, sx, sy, shear).as_dict(),
        )
        for (angle_in, reflect, s1, s2, angle_out, angle), ((sx, shear), (_, sy)) in zip(
            parts.tolist(), uppers, strict=True
        )
    ]


def _decomposition(u: np.ndarray, s: np.ndarray, vt: np.ndarray) -> Decomposition:
    flips = 0
    if _det(u) < 0:
        u, flips = u @ REFLECT, flips + 1
    if _det(vt) < 0:
        vt, flips = REFLECT @ vt, flips + 1
    # diag matrices commute, so the flips taken out of u and vt meet in the middle
    return Decomposition(
        angle_in=math.atan2(vt[1, 0], vt[0, 0]),
        reflect=flips == 1,
        scales=(float(s[0]), float(s[1])),
        angle_out=math.atan2(u[1, 0], u[0, 0]),
    )


PHASES = ("rotate", "reflect", "scale", "rotate", "shift")


def affine_path(d: Decomposition, bias: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """The map ``x -> M @ x + c`` at time ``t`` in [0, 1] along the layer's affine step.

    The five phases (rotate, reflect, scale, rotate, shift) each take a fifth of the time;
    ``t = 0`` is the identity and ``t = 1`` is ``W x + b``. The reflection runs as a squash
    through the line it flips about: diag(1, 1 - 2u).
    """
    t = min(max(t, 0.0), 1.0)
    u = [min(max(t * 5 - i, 0.0), 1.0) for i in range(5)]
    m = rotation(u[0] * d.angle_in)
    if d.reflect:
        m = np.diag([1.0, 1.0 - 2.0 * u[1]]) @ m
    m = np.diag([1.0 + u[2] * (d.scales[0] - 1.0), 1.0 + u[2] * (d.scales[1] - 1.0)]) @ m
    m = rotation(u[3] * d.angle_out) @ m
    return m, u[4] * np.asarray(bias, dtype=np.float64)


@dataclass(frozen=True)
class ShearForm:
    """``W = rotation(angle) @ [[sx, shear], [0, sy]]``: a shear-and-scale, then a rotation.

    ``sy`` is negative when W reflects (det W < 0); ``sx`` >= 0.
    """

    angle: float
    sx: float
    sy: float
    shear: float

    def matrix(self) -> np.ndarray:
        out: np.ndarray = rotation(self.angle) @ np.array([[self.sx, self.shear], [0.0, self.sy]])
        return out

    def as_dict(self) -> dict[str, float]:
        return {"angle": self.angle, "sx": self.sx, "sy": self.sy, "shear": self.shear}


def shear_form(w: np.ndarray) -> ShearForm:
    """The QR reading of a 2×2 map: rotate the first column onto the x axis."""
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (2, 2):
        raise ValueError(f"shear_form takes a 2x2 matrix, not {w.shape}")
    angle = math.atan2(w[1, 0], w[0, 0]) if np.any(w[:, 0]) else 0.0
    upper = rotation(-angle) @ w
    return ShearForm(angle, float(upper[0, 0]), float(upper[1, 1]), float(upper[0, 1]))
