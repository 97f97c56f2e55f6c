"""Compute one frame: every stage's points, grid and regions, what each fold does, layer maps.

The first step of the frame pipeline: compute the exact arrays here (:func:`compute_frame`),
pack and encode them (``engine/encoding.py``), send them (``server/outbox.py``). The notebook
stops after the first step and reads the exact arrays (:meth:`FrameArrays.exact`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from engine.encoding import (
    PROTOCOL,
    Coords,
    Packable,
    RegionCode,
    encode_frame,
    region_names,
)
from engine.projections import ViewMemory, choose_views
from engine.schemas import ViewConfig
from nets.diagnostics import fold_reports
from nets.linalg import forms_each
from nets.model import FoldNet
from nets.probe import Extent, all_stage_regions, fit_extents, grid_lines, probe, unit_maps
from nets.train import LayerStats, Metrics, Unscored
from nets.twowide import two_wide


def finite(value: float) -> float | None:
    """JSON has no NaN or infinity: a diverged number travels as null."""
    return value if math.isfinite(value) else None


#: Layers with at most this many weights always carry them (the inspector shows and edits them).
SMALL_LAYER = 64


def layer_maps(net: FoldNet, every_weight: bool = False) -> list[dict[str, Any]]:
    """Every Linear layer's shape; for small ones (or all, with ``every_weight``) its weight and
    bias, and for 2×2 ones its decomposition and shear form (the morph, the inspector)."""
    out: list[dict[str, Any]] = []
    sent: list[tuple[dict[str, Any], int, int]] = []  # each layer sent: its entry and shape
    pieces: list[np.ndarray] = []
    linears = [m for m in net.body if isinstance(m, nn.Linear)]
    for i, linear in enumerate(linears, start=1):
        weight = linear.weight
        rows, columns = weight.shape
        entry: dict[str, Any] = {"layer": i, "shape": [rows, columns], "output": i == len(linears)}
        out.append(entry)
        if every_weight or rows * columns <= SMALL_LAYER:  # else only the shape is sent
            sent.append((entry, rows, columns))
            pieces += (weight.numpy(force=True).reshape(-1), linear.bias.numpy(force=True))
    if not sent:
        return out
    # The weights and biases sent, copied out in one piece (float64, as they are sent).
    flat = np.concatenate(pieces, dtype=np.float64)
    values = flat.tolist()
    # A finite sum says every value is (cheaply); else each layer is asked (a layer with a NaN
    # or an infinity sends no weights).
    finite = None if math.isfinite(sum(values)) else np.isfinite(flat)
    square: list[dict[str, Any]] = []
    at = 0
    for entry, rows, columns in sent:
        size = rows * columns
        start, at = at, at + size + rows
        if finite is not None and not finite[start:at].all():
            continue
        entry["weight"] = [values[r : r + columns] for r in range(start, start + size, columns)]
        entry["bias"] = values[start + size : at]
        if rows == columns == 2:
            square.append(entry)
    # One SVD call and one compiled pass for every 2×2 layer.
    if square:
        stack = np.array([entry["weight"] for entry in square])
        for entry, (decomposition, shear) in zip(square, forms_each(stack), strict=True):
            entry["decomposition"] = decomposition
            entry["shear"] = shear
    return out


@dataclass(frozen=True)
class FrameArrays:
    """One frame before it is packed: its header and its arrays, exact."""

    header: dict[str, Any]
    arrays: dict[str, Packable]

    def exact(self) -> dict[str, np.ndarray]:
        """Every array under the name a decoded frame gives it, with exact values: coordinates
        unquantised, a region code as its ``label`` and ``conf``."""
        out: dict[str, np.ndarray] = {}
        for name, value in self.arrays.items():
            if isinstance(value, Coords):
                out[name] = value.values
            elif isinstance(value, RegionCode):
                label_name, conf_name = region_names(name)
                out[label_name] = value.label
                out[conf_name] = value.conf
            else:
                out[name] = value
        return out

    def encode(self) -> bytes:
        """The binary frame (docs/protocol.md)."""
        return encode_frame(self.header, self.arrays)


def compute_frame(
    *,
    net: FoldNet,
    x: np.ndarray,
    labels: np.ndarray,
    n_train: int,
    extent: Extent,
    view: ViewConfig,
    memory: ViewMemory,
    metrics: Metrics | Unscored,
    stats: LayerStats | None,
    generation: int,
    device: torch.device,
) -> FrameArrays:
    lines = grid_lines(extent, view.grid_lines, view.grid_samples)
    compiled = two_wide(net, device)  # the weights of this frame, for the probe and the regions
    result = probe(net, x, lines, device, compiled)
    if isinstance(metrics, Unscored):
        metrics = metrics.score(result.points[-1], labels, n_train)
    info = net.stage_info()
    views = choose_views(info, result.points, view.projection, view.pair, memory)
    regression = net.classes == 1
    fold_stages = [s for s in info if s.kind == "fold"]
    folds = fold_reports(
        [(s.layer, s.index) for s in fold_stages],
        net.activation,
        [result.points[s.index] for s in fold_stages],
        None if regression else labels,
    )
    arrays: dict[str, Packable] = {
        "targets" if regression else "labels": labels,
        "pred": result.pred,
    }
    stages: list[dict[str, Any]] = []
    boxes: dict[int, Extent] = {}
    sizes: dict[int, int] = {}
    seen = [seen_as.apply(result.points[s.index]) for s, seen_as in zip(info, views, strict=True)]
    fitted = [extent, *fit_extents(seen[1:])]
    for stage, stage_view, points, box in zip(info, views, seen, fitted, strict=True):
        k = stage.index
        arrays[f"stage{k}/points"] = Coords(points)
        arrays[f"stage{k}/grid"] = Coords(stage_view.apply(result.grid[k]))
        if stage_view.is_plane and (k == 0 or view.regions):
            boxes[k] = box
            sizes[k] = view.region_resolution if k == 0 else view.stage_region_resolution
        stages.append(
            {
                "index": k,
                "kind": stage.kind,
                "layer": stage.layer,
                "width": stage.width,
                **stage_view.describe(),
                "extent": list(box),
                "regions": k in boxes,
            }
        )
    for k, regions in all_stage_regions(net, boxes, sizes, device, compiled).items():
        prefix = "region" if k == 0 else f"stage{k}/region"
        if regions.label is not None and regions.conf is not None:
            arrays[f"{prefix}/code"] = RegionCode(regions.label, regions.conf, net.classes)
        if regions.value is not None:
            arrays[f"{prefix}/value"] = regions.value
        arrays[f"{prefix}/x"], arrays[f"{prefix}/y"] = regions.xs, regions.ys
    feeds_classifier = len(net) - 1
    for stage, stage_view, entry in zip(info, views, stages, strict=True):
        k = stage.index
        if stage.kind == "fold":
            fold = folds[stage.layer - 1]
            if fold.dead is not None:
                arrays[f"stage{k}/dead"] = fold.dead.astype(np.uint8)
            if fold.merged is not None:
                arrays[f"stage{k}/merged"] = fold.merged.astype(np.uint8)
        if k == feeds_classifier and stage_view.is_plane and net.classes == 2:
            entry["boundary"] = classifier_line(net)
    if view.units:
        arrays.update(unit_arrays(net, extent, view.unit_resolution, device))
    header = {
        "type": "frame",
        "protocol": PROTOCOL,
        "generation": generation,
        "step": metrics.step,
        "epoch": round(metrics.epoch, 3),
        "layer_stats": None
        if stats is None
        else {
            "grad_norm": [finite(v) for v in stats.grad_norm],
            "update_ratio": [finite(v) for v in stats.update_ratio],
        },
        "metrics": {
            key: finite(getattr(metrics, key))
            for key in ("train_loss", "train_acc", "test_loss", "test_acc")
        },
        "task": "regression" if regression else "classification",
        "classes": net.classes,
        "activation": net.activation,
        "n_train": n_train,
        "n_test": len(labels) - n_train,
        "extent": list(extent),
        "grid": {"lines": view.grid_lines, "samples": view.grid_samples},
        "region": {"resolution": view.region_resolution},
        "stages": stages,
        "layers": layer_maps(net, every_weight=view.units),
        "folds": [fold.summary() for fold in folds],
    }
    return FrameArrays(header, arrays)


def unit_arrays(
    net: FoldNet, extent: Extent, resolution: int, device: torch.device
) -> dict[str, np.ndarray]:
    """``units/layer{l}``: every unit's output over the input plane, scaled per unit to 0–255
    between ``units/layer{l}/range`` (float32 (width, 2): each unit's min and max)."""
    out: dict[str, np.ndarray] = {}
    for layer, maps in enumerate(unit_maps(net, extent, resolution, device), start=1):
        flat = maps.reshape(len(maps), -1)
        low, high = flat.min(axis=1), flat.max(axis=1)
        span = np.where(high > low, high - low, 1.0)
        scaled = np.rint((maps - low[:, None, None]) / span[:, None, None] * 255)
        out[f"units/layer{layer}"] = np.nan_to_num(scaled).astype(np.uint8)
        out[f"units/layer{layer}/range"] = np.stack([low, high], axis=1).astype(np.float32)
    return out


def classifier_line(net: FoldNet) -> list[float | None]:
    """For two classes, the classifier's boundary in its input plane: a·z1 + b·z2 + c = 0."""
    last = net.body[len(net) - 1]
    assert isinstance(last, nn.Linear)
    (w00, w01, *_), (w10, w11, *_) = last.weight.numpy(force=True).astype(np.float64).tolist()
    b0, b1 = last.bias.numpy(force=True).astype(np.float64).tolist()
    return [finite(v) for v in (w10 - w00, w11 - w01, b1 - b0)]
