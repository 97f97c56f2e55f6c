"""Push data points, grid lines and a region grid through every stage of a FoldNet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from nets.model import FoldNet

Extent = tuple[float, float, float, float]  # xmin, xmax, ymin, ymax


def square_extent(x: np.ndarray, margin: float = 0.15) -> Extent:
    """A square view centred on 0 that holds every point of ``x`` with a margin."""
    half = float(np.abs(x).max()) if len(x) else 1.0
    half = max(half, 1.0) * (1.0 + margin)
    half = round(half, 2)
    return (-half, half, -half, half)


def grid_lines(extent: Extent, lines: int, samples: int) -> np.ndarray:
    """``lines`` horizontal then ``lines`` vertical lines over ``extent``: (2·lines, samples, 2)."""
    xmin, xmax, ymin, ymax = extent
    xs = np.linspace(xmin, xmax, lines)
    ys = np.linspace(ymin, ymax, lines)
    tx = np.linspace(xmin, xmax, samples)
    ty = np.linspace(ymin, ymax, samples)
    horizontal = np.stack(np.broadcast_arrays(tx[None, :], ys[:, None]), axis=-1)
    vertical = np.stack(np.broadcast_arrays(xs[:, None], ty[None, :]), axis=-1)
    return np.concatenate([horizontal, vertical]).astype(np.float32)


def region_axes(extent: Extent, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres along x and along y of a ``resolution``² grid over ``extent``."""
    xmin, xmax, ymin, ymax = extent
    dx, dy = (xmax - xmin) / resolution, (ymax - ymin) / resolution
    xs = xmin + dx * (np.arange(resolution) + 0.5)
    ys = ymin + dy * (np.arange(resolution) + 0.5)
    return xs.astype(np.float32), ys.astype(np.float32)


def region_points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Row-major grid points: row i is y = ys[i], column j is x = xs[j]; (len(ys)·len(xs), 2)."""
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)


@dataclass(frozen=True)
class Probe:
    """Every stage's image of the points and of the grid lines, and the input-plane regions."""

    points: list[np.ndarray]  # per stage: (N, width_k)
    grid: list[np.ndarray]  # per stage: (2·lines, samples, width_k)
    region_label: np.ndarray  # (R, R) predicted class
    region_conf: np.ndarray  # (R, R) probability of that class
    pred: np.ndarray  # (N,) predicted class of each point


@torch.no_grad()
def probe(
    net: FoldNet,
    points: np.ndarray,
    grid: np.ndarray,
    region: np.ndarray,
    device: torch.device | str = "cpu",
) -> Probe:
    """Run points, grid lines and region grid through ``net`` in one batched pass."""
    n_points, grid_shape, n_region = len(points), grid.shape[:2], len(region)
    flat = np.concatenate([points, grid.reshape(-1, 2), region]).astype(np.float32)
    was_training = net.training
    net.eval()
    try:
        outs = [t.cpu().numpy() for t in net.stages(torch.as_tensor(flat, device=device))]
    finally:
        net.train(was_training)
    n_grid = grid_shape[0] * grid_shape[1]
    point_stages = [s[:n_points] for s in outs]
    grid_stages = [s[n_points : n_points + n_grid].reshape(*grid_shape, -1) for s in outs]
    logits = outs[-1][n_points + n_grid :]
    probs = _softmax(logits)
    side = round(float(np.sqrt(n_region)))
    return Probe(
        points=point_stages,
        grid=grid_stages,
        region_label=probs.argmax(axis=1).reshape(side, side).astype(np.uint8),
        region_conf=probs.max(axis=1).reshape(side, side).astype(np.float32),
        pred=outs[-1][:n_points].argmax(axis=1).astype(np.uint8),
    )


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def on_units(stage: np.ndarray, units: tuple[int, int | None]) -> np.ndarray:
    """The two plotted coordinates of a stage: units ``units``; a missing unit reads as 0."""
    first = stage[..., units[0]]
    second = stage[..., units[1]] if units[1] is not None else np.zeros_like(first)
    return np.stack([first, second], axis=-1).astype(np.float32)


def default_units(width: int) -> tuple[int, int | None]:
    return (0, 1) if width >= 2 else (0, None)
