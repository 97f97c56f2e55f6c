"""Dead points and dead units: what a ReLU fold sends to zero and never gives back.

A point is *dead* after layer k when the fold sets every unit of that layer to zero for it: all
it carried about the input is gone, and no later layer can tell it from any other dead point. A
unit is *dead* when it is zero for every data point: its weights no longer get any gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Activations that send negative inputs to exactly zero.
FOLDS_TO_ZERO = frozenset({"relu"})


@dataclass(frozen=True)
class LayerDeath:
    layer: int  # 1-based hidden layer
    dead_points: np.ndarray  # (N,) bool: zero in every unit after this fold
    dead_units: list[int]  # units zero for every point

    @property
    def dead_share(self) -> float:
        return float(self.dead_points.mean()) if len(self.dead_points) else 0.0


def layer_death(layer: int, affine: np.ndarray) -> LayerDeath:
    """Deadness of a ReLU layer from its pre-activations ``affine`` (N, width)."""
    off = np.asarray(affine <= 0.0)
    return LayerDeath(
        layer=layer,
        dead_points=np.asarray(off.all(axis=1)),
        dead_units=[int(u) for u in np.flatnonzero(off.all(axis=0))] if len(affine) else [],
    )


def network_death(activation: str, affine_stages: list[np.ndarray]) -> list[LayerDeath] | None:
    """Per hidden layer, for nets whose fold zeroes; ``None`` for activations that never do."""
    if activation not in FOLDS_TO_ZERO:
        return None
    return [layer_death(i + 1, a) for i, a in enumerate(affine_stages)]
