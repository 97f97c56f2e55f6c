"""How each stage is drawn: its own plane, a pair of its units, its PCA plane, or 3D.

A stage of width 2 is drawn as it is. A wider stage is projected as the view config asks. The
affine and the fold stage of one layer share one projection, so the morph between them (a
straight interpolation, exact for a linear projection) shows the fold itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from nets.model import Stage
from nets.projection import project, stable_pca

Projection = Literal["plane", "pair", "pca", "3d"]


@dataclass
class StageView:
    projection: Projection
    units: list[int | None]  # the units drawn ("plane", "pair", "3d"); empty for "pca"
    mean: np.ndarray | None = None
    basis: np.ndarray | None = None  # (2, width) rows, for "pca"

    @property
    def dims(self) -> int:
        return 3 if self.projection == "3d" else 2

    def apply(self, x: np.ndarray) -> np.ndarray:
        """The drawn coordinates of stage values ``x`` (..., width): (..., dims) float32."""
        if self.basis is not None and self.mean is not None:
            return project(x, self.mean, self.basis)
        if self.units == [0, 1] and x.shape[-1] == 2:  # a plane drawn as it is
            return np.asarray(x, dtype=np.float32)
        columns = [x[..., u] if u is not None else np.zeros(x.shape[:-1]) for u in self.units]
        return np.stack(columns, axis=-1).astype(np.float32)

    @property
    def is_plane(self) -> bool:
        """True when the drawn coordinates are the stage's own (decision regions make sense)."""
        return self.projection == "plane" and None not in self.units

    def describe(self) -> dict[str, object]:
        out: dict[str, object] = {"projection": self.projection, "units": self.units}
        if self.basis is not None and self.mean is not None:  # cut to 7 digits as it is sent
            out["mean"] = self.mean.tolist()
            out["basis"] = self.basis.tolist()
        return out


@dataclass
class ViewMemory:
    """PCA bases of the previous frame, by layer, so the next basis can follow them."""

    generation: int = -1
    bases: dict[int, np.ndarray] = field(default_factory=dict)


def choose_views(
    stages: list[Stage],
    values: list[np.ndarray],
    projection: Projection,
    pair: tuple[int, int],
    memory: ViewMemory,
) -> list[StageView]:
    """One view per stage; ``values[k]`` are the data points at stage k (N, width_k)."""
    by_layer: dict[int, StageView] = {}
    # Folds first: a layer's PCA basis comes from its fold, and its affine stage reuses it.
    order = sorted(range(len(stages)), key=lambda k: stages[k].kind != "fold")
    chosen: dict[int, StageView] = {}
    for k in order:
        stage = stages[k]
        shared = by_layer.get(stage.layer) if stage.kind == "affine" else None
        view = shared or _view_for(stage, values[k], projection, pair, memory)
        if stage.kind == "fold":
            by_layer[stage.layer] = view
        chosen[k] = view
    return [chosen[k] for k in range(len(stages))]


def _view_for(
    stage: Stage, x: np.ndarray, projection: Projection, pair: tuple[int, int], memory: ViewMemory
) -> StageView:
    width = stage.width
    if width == 1:
        return StageView("plane", [0, None])
    if width == 2:
        return StageView("plane", [0, 1])
    if projection == "3d" and width == 3:
        return StageView("3d", [0, 1, 2])
    if projection == "pca":
        key = stage.layer if stage.kind != "output" else -1
        mean, basis = stable_pca(x.astype(np.float64), memory.bases.get(key))
        memory.bases[key] = basis
        return StageView("pca", [], mean, basis)
    first = min(pair[0], width - 1)
    second = min(pair[1], width - 1)
    if second == first:
        second = (first + 1) % width
    return StageView("pair", [first, second])
