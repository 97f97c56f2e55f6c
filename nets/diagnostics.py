"""What each fold does to the data: points flattened, killed or merged, and how flat it leaves them.

For the output ``z`` (N, width) of hidden layer l's fold, over every data point:

- *flat*: the fold set some unit of the point exactly to zero (only activations that zero);
- *dead*: the fold set every unit to zero. All the point carried about the input is gone, but
  a dead point is only lost if points of other classes die with it;
- *dead units*: units zero for every point: their weights no longer get any gradient;
- *merged*: a point of another class lies at the same place (see :mod:`nets.merging`). This is
  what no later layer can undo: whatever follows maps both points to one place (classification
  only);
- *flatness*: σ₂/σ₁, the ratio of the two largest singular values of the centred cloud: near 0
  when the fold has squashed the points onto a line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nets.folds_kernel import fold_facts
from nets.merging import merged_points_each

#: Activations that send negative inputs to exactly zero.
FOLDS_TO_ZERO = frozenset({"relu"})


def share(mask: np.ndarray | None) -> float | None:
    """The fraction of True in ``mask``; None when the mask does not apply."""
    if mask is None:
        return None
    # The count over the length is the mean, to the bit (the count is exact), and cheaper.
    return np.count_nonzero(mask) / len(mask) if len(mask) else 0.0


def flatness(points: np.ndarray) -> float | None:
    """σ₂/σ₁ of the centred cloud ``points`` (N, width); None for width 1, for no points, for a
    cloud on one spot and for non-finite points."""
    return flatness_each([points])[0]


def flatness_each(clouds: Sequence[np.ndarray]) -> list[float | None]:
    """:func:`flatness` of every cloud; clouds of one shape share one SVD call (the same
    numbers as one call each: the batched call runs the same routine on each)."""
    out: list[float | None] = [None] * len(clouds)
    centred: dict[tuple[int, ...], list[tuple[int, np.ndarray]]] = {}
    for i, points in enumerate(clouds):
        z = np.asarray(points, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] < 2 or len(z) == 0 or not np.isfinite(z).all():
            continue
        centred.setdefault(z.shape, []).append((i, z - z.mean(axis=0)))
    for group in centred.values():
        sigmas = np.linalg.svd(np.stack([z for _, z in group]), compute_uv=False)
        for (i, _), sigma in zip(group, sigmas, strict=True):
            if sigma[0] > 0:
                out[i] = float(sigma[1] / sigma[0]) if len(sigma) > 1 else 0.0
    return out


@dataclass(frozen=True)
class FoldReport:
    """One hidden layer's fold; None marks what does not apply to its activation or task."""

    layer: int  # 1-based hidden layer
    stage: int  # index of the fold's stage in the network
    flat: np.ndarray | None  # (N,) bool: zero in some unit
    dead: np.ndarray | None  # (N,) bool: zero in every unit
    dead_units: list[int] | None  # units zero for every point
    merged: np.ndarray | None  # (N,) bool: at the place of a point of another class
    flatness: float | None

    def summary(self) -> dict[str, Any]:
        """The shares and figures, without the per-point masks."""
        return {
            "layer": self.layer,
            "stage": self.stage,
            "flat_share": share(self.flat),
            "dead_share": share(self.dead),
            "dead_units": self.dead_units,
            "merged_share": share(self.merged),
            "flatness": self.flatness,
        }


def fold_report(
    layer: int, stage: int, activation: str, folded: np.ndarray, labels: np.ndarray | None
) -> FoldReport:
    """Report on ``folded`` (N, width), the fold's output; ``labels`` (N,) the class of each
    point, or None for regression (then nothing is merged)."""
    return fold_reports([(layer, stage)], activation, [folded], labels)[0]


def fold_reports(
    places: Sequence[tuple[int, int]],
    activation: str,
    folded: Sequence[np.ndarray],
    labels: np.ndarray | None,
) -> list[FoldReport]:
    """:func:`fold_report` of every fold at once: ``places[i]`` is fold i's (layer, stage) and
    ``folded[i]`` its output. Their merged points and flatness are worked out together."""
    merged: list[np.ndarray | None] = (
        [None] * len(folded) if labels is None else list(merged_points_each(folded, labels))
    )
    shapes = {(np.shape(points), np.asarray(points).dtype) for points in folded}
    if activation in FOLDS_TO_ZERO and len(shapes) == 1:
        ((shape, dtype),) = shapes
        if len(shape) == 2 and shape[0] > 0 and shape[1] == 2 and dtype == np.float32:
            return _compiled_reports(places, np.stack(folded), merged)
    flat = flatness_each(folded)
    return [
        _report(layer, stage, activation, points, mask, flatness)
        for (layer, stage), points, mask, flatness in zip(places, folded, merged, flat, strict=True)
    ]


def _compiled_reports(
    places: Sequence[tuple[int, int]], folded: np.ndarray, merged: list[np.ndarray | None]
) -> list[FoldReport]:
    """:func:`fold_reports` of folds that zero, 2 wide, by :func:`nets.folds_kernel.fold_facts`."""
    flat, dead, zero_units, flatness = fold_facts(folded)
    return [
        FoldReport(
            layer=layer,
            stage=stage,
            flat=flat[i],
            dead=dead[i],
            dead_units=[u for u in range(2) if zero_units[i, u]],
            merged=merged[i],
            flatness=None if math.isnan(flatness[i]) else float(flatness[i]),
        )
        for i, (layer, stage) in enumerate(places)
    ]


def _report(
    layer: int,
    stage: int,
    activation: str,
    folded: np.ndarray,
    merged: np.ndarray | None,
    flatness: float | None,
) -> FoldReport:
    if activation not in FOLDS_TO_ZERO:
        return FoldReport(layer, stage, None, None, None, merged, flatness)
    zero = np.asarray(folded == 0)
    units = [int(u) for u in np.flatnonzero(zero.all(axis=0))] if len(zero) else []
    return FoldReport(
        layer=layer,
        stage=stage,
        flat=np.asarray(zero.any(axis=1)),
        dead=np.asarray(zero.all(axis=1)),
        dead_units=units,
        merged=merged,
        flatness=flatness,
    )
