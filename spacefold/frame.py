"""One frame of an experiment: the arrays the browser draws, by stage, with exact values.

A :class:`Frame` is the engine's frame (``engine/arrays.py``) before it is packed for the
wire: every stage's points and warped grid, its decision regions, the dead and merged points
and the layer maps. The morph positions
between stages mirror the page's ``frontend/morphpath.js``, with ``nets.linalg.affine_path`` as the
lecture's path for a 2×2 affine step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nets.linalg import Decomposition, affine_path
from spacefold.captions import STAGE_KINDS, Lang, say

Map = tuple[np.ndarray, np.ndarray]  # x -> m @ x + c


@dataclass(frozen=True)
class StageRegions:
    """What the rest of the network decides over a grid of one stage (row i is y = ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    label: np.ndarray | None  # (R, R) class per cell
    conf: np.ndarray | None  # (R, R) its probability
    value: np.ndarray | None  # (R, R) regression output


@dataclass(frozen=True)
class Frame:
    """A frame: its JSON ``header`` and its named ``arrays`` (exact values)."""

    header: dict[str, Any]
    arrays: dict[str, np.ndarray]

    @property
    def step(self) -> int:
        return int(self.header["step"])

    @property
    def stages(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = self.header["stages"]
        return out

    @property
    def n_stages(self) -> int:
        return len(self.stages)

    @property
    def n_train(self) -> int:
        return int(self.header["n_train"])

    @property
    def classes(self) -> int:
        return int(self.header["classes"])

    @property
    def regression(self) -> bool:
        return bool(self.header["task"] == "regression")

    @property
    def labels(self) -> np.ndarray:
        """Each point's class (or, for regression, its target): train points first."""
        return self.arrays["targets" if self.regression else "labels"]

    def _check(self, k: int) -> dict[str, Any]:
        if not 0 <= k < self.n_stages:
            raise IndexError(f"stage {k} does not exist (0 to {self.n_stages - 1})")
        return self.stages[k]

    def dims(self, k: int) -> int:
        return 3 if self._check(k)["projection"] == "3d" else 2

    def points(self, k: int) -> np.ndarray:
        """The data points at stage ``k`` as drawn: (N, 2), or (N, 3) for a 3D view."""
        self._check(k)
        return self.arrays[f"stage{k}/points"]

    def grid(self, k: int) -> np.ndarray:
        """The grid lines of the input plane at stage ``k``: (lines, samples, dims)."""
        self._check(k)
        return self.arrays[f"stage{k}/grid"]

    def extent(self, k: int) -> tuple[float, float, float, float]:
        x0, x1, y0, y1 = self._check(k)["extent"]
        return float(x0), float(x1), float(y0), float(y1)

    def dead(self, k: int) -> np.ndarray | None:
        """1 where stage ``k`` (a ReLU fold) sent a point to zero in every unit."""
        self._check(k)
        return self.arrays.get(f"stage{k}/dead")

    def merged(self, k: int) -> np.ndarray | None:
        """1 where fold stage ``k`` put a point on a point of another class (classification)."""
        self._check(k)
        return self.arrays.get(f"stage{k}/merged")

    @property
    def folds(self) -> list[dict[str, Any]]:
        """Per hidden layer, what its fold does: the shares of flat, dead and merged points,
        the dead units and the flatness (``folds`` in docs/protocol.md)."""
        folds: list[dict[str, Any]] = self.header["folds"]
        return folds

    def boundary(self, k: int) -> list[float] | None:
        """The classifier's line a·z1 + b·z2 + c = 0 in the stage that feeds it (2 classes)."""
        line = self._check(k).get("boundary")
        if line is None or any(v is None for v in line):
            return None
        return [float(v) for v in line]

    def regions(self, k: int) -> StageRegions | None:
        """The decision regions of stage ``k``, if the frame carries them."""
        if not self._check(k)["regions"]:
            return None
        prefix = "region" if k == 0 else f"stage{k}/region"
        a = self.arrays
        return StageRegions(
            a[f"{prefix}/x"],
            a[f"{prefix}/y"],
            a.get(f"{prefix}/label"),
            a.get(f"{prefix}/conf"),
            a.get(f"{prefix}/value"),
        )

    def layer(self, layer: int) -> dict[str, Any]:
        """The map of hidden layer ``layer`` (1-based; depth + 1 is the classifier)."""
        layers: list[dict[str, Any]] = self.header["layers"]
        if not 1 <= layer <= len(layers):
            raise IndexError(f"layer {layer} does not exist (1 to {len(layers)})")
        return layers[layer - 1]

    def decomposition(self, layer: int) -> Decomposition:
        """Rotation · scaling · (reflection) · rotation of a 2×2 layer's weight."""
        entry = self.layer(layer)
        if "decomposition" not in entry:
            raise ValueError(
                f"layer {layer} is {entry['shape'][0]}x{entry['shape'][1]}: only "
                "a 2x2 map has a rotation-scaling-rotation decomposition"
            )
        d = entry["decomposition"]
        return Decomposition(
            d["angle_in"], d["reflect"], (d["scales"][0], d["scales"][1]), d["angle_out"]
        )

    # -- the morph ------------------------------------------------------------------------
    def affine_step(self, k: int) -> dict[str, Any] | None:
        """The 2×2 layer map for the step from stage ``k`` to ``k + 1``, where the lecture's
        path applies (both ends drawn as 2-wide planes); else None."""
        if not 0 <= k < self.n_stages - 1:
            return None
        a, b = self.stages[k], self.stages[k + 1]
        if b["kind"] not in ("affine", "output"):
            return None
        if a["projection"] != "plane" or b["projection"] != "plane":
            return None
        if a["width"] != 2 or b["width"] != 2:
            return None
        entry = self.layer(int(b["layer"]))
        return entry if "decomposition" in entry else None

    def _split(self, s: float) -> tuple[int, float]:
        last = self.n_stages - 1
        pos = min(max(s, 0.0), float(last))
        k = min(int(np.floor(pos)), max(last - 1, 0))
        return k, (0.0 if last == 0 else pos - k)

    def morph_map(self, s: float) -> Map | None:
        """The affine map that carries stage ``floor(s)`` to position ``s``, when the step is a
        2×2 affine one (the regions can ride along it); else None."""
        k, t = self._split(s)
        entry = self.affine_step(k)
        if entry is None:
            return None
        return affine_path(self.decomposition(int(entry["layer"])), np.array(entry["bias"]), t)

    def morph_at(self, s: float, family: str = "points") -> np.ndarray:
        """Drawn (x, y) of ``family`` ("points" or "grid") at position ``s`` along the network:
        ``s = k`` is stage k exactly; in between, the lecture's path for a 2×2 affine step and
        the straight interpolation otherwise. Shape (..., 2)."""
        if family not in ("points", "grid"):
            raise ValueError(f"family is 'points' or 'grid', not {family!r}")
        k, t = self._split(s)
        a = self.arrays[f"stage{k}/{family}"][..., :2].astype(np.float64)
        if t == 0.0:
            return a.astype(np.float32)
        move = self.morph_map(s)
        if move is not None:
            m, c = move
            return (a @ m.T + c).astype(np.float32)
        b = self.arrays[f"stage{k + 1}/{family}"][..., :2].astype(np.float64)
        return ((1 - t) * a + t * b).astype(np.float32)


def stage_title(stage: dict[str, Any], lang: Lang = "en") -> str:
    """A panel's caption: "input", "affine 2", "fold 2", "output", with its projection."""
    kind, layer = stage["kind"], stage["layer"]
    title = say(kind, lang, layer=layer) if kind in STAGE_KINDS else str(kind)
    if stage["projection"] == "pair":
        u = stage["units"]
        title += say("units", lang, a=u[0], b=u[1])
    elif stage["projection"] == "pca":
        title += say("pca", lang)
    return title
