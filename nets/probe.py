"""Push data points, grid lines and a region grid through every stage of a FoldNet."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nets import probe_kernel
from nets.model import Fold, FoldNet
from nets.twowide import TwoWide, two_wide

Extent = tuple[float, float, float, float]  # xmin, xmax, ymin, ymax


def square_extent(x: np.ndarray, margin: float = 0.15) -> Extent:
    """A square view centred on 0 that holds every point of ``x`` with a margin."""
    half = float(np.abs(x).max()) if len(x) else 1.0
    half = max(half, 1.0) * (1.0 + margin)
    half = round(half, 2)
    return (-half, half, -half, half)


def grid_lines(extent: Extent, lines: int, samples: int) -> np.ndarray:
    """``lines`` horizontal then ``lines`` vertical lines over ``extent``: (2·lines, samples, 2).
    (Kept once made: a copy of the kept array is cheaper than making it again.)"""
    return _grid_lines(tuple(float(v) for v in extent), lines, samples).copy()


@functools.lru_cache(maxsize=64)
def _grid_lines(extent: Extent, lines: int, samples: int) -> np.ndarray:
    xmin, xmax, ymin, ymax = extent
    xs = np.linspace(xmin, xmax, lines)
    ys = np.linspace(ymin, ymax, lines)
    tx = np.linspace(xmin, xmax, samples)
    ty = np.linspace(ymin, ymax, samples)
    horizontal = np.stack(np.broadcast_arrays(tx[None, :], ys[:, None]), axis=-1)
    vertical = np.stack(np.broadcast_arrays(xs[:, None], ty[None, :]), axis=-1)
    out = np.concatenate([horizontal, vertical]).astype(np.float32)
    out.flags.writeable = False
    return out


def region_axes(extent: Extent, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres along x and along y of a ``resolution``² grid over ``extent``."""
    xmin, xmax, ymin, ymax = extent
    dx, dy = (xmax - xmin) / resolution, (ymax - ymin) / resolution
    xs = xmin + dx * (np.arange(resolution) + 0.5)
    ys = ymin + dy * (np.arange(resolution) + 0.5)
    return xs.astype(np.float32), ys.astype(np.float32)


def region_points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Row-major grid points: row i is y = ys[i], column j is x = xs[j]; (len(ys)·len(xs), 2)."""
    out = np.empty((len(ys), len(xs), 2), np.float32)
    out[..., 0] = xs[None, :]
    out[..., 1] = ys[:, None]
    return out.reshape(-1, 2)


def region_grids(
    extents: list[Extent], resolutions: list[int]
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """The cell centres (:func:`region_axes`) of several grids, and all their cells one grid
    after the other as columns, (2, Σ resolution²) float32: the rows of :func:`region_points`
    transposed (:func:`nets.probe_kernel.grids`)."""
    sides = np.array(resolutions, dtype=np.intp)
    centres, cells = probe_kernel.grids(np.array(extents, dtype=np.float64).reshape(-1, 4), sides)
    axes: list[tuple[np.ndarray, np.ndarray]] = []
    at = 0
    for side in resolutions:
        axes.append((centres[at : at + side], centres[at + side : at + 2 * side]))
        at += 2 * side
    return axes, cells


def as_columns(rows: np.ndarray, device: torch.device | str) -> torch.Tensor:
    """Points held as rows, (N, 2), as the columns :meth:`FoldNet.column_stages` takes:
    (2, N) on ``device``."""
    return torch.as_tensor(np.ascontiguousarray(rows.T), device=device)


@dataclass(frozen=True)
class Probe:
    """Every stage's image of the data points and of the grid lines."""

    points: list[np.ndarray]  # per stage: (N, width_k)
    grid: list[np.ndarray]  # per stage: (2·lines, samples, width_k)
    pred: np.ndarray  # (N,) predicted class of each point (uint8), or value (float32)


@torch.no_grad()
def probe(
    net: FoldNet,
    points: np.ndarray,
    grid: np.ndarray,
    device: torch.device | str = "cpu",
    compiled: TwoWide | None = None,
) -> Probe:
    """Run points and grid lines through every stage of ``net`` in one batched pass (compiled
    where :func:`nets.twowide.two_wide` says it can be: ``compiled``, or worked out here)."""
    n_points, grid_shape = len(points), grid.shape[:2]
    flat = np.concatenate([points, grid.reshape(-1, 2)], dtype=np.float32)
    compiled = compiled or two_wide(net, device)
    if compiled is not None:
        every = compiled.stages(np.ascontiguousarray(flat.T))
        widths = [2] * (len(every) - 1) + [net.classes]
        outs = [stage[:width].T for stage, width in zip(every, widths, strict=True)]
    else:
        columns = as_columns(flat, device)
        outs = [t.cpu().numpy().T for t in (columns, *net.column_stages(columns))]
    return Probe(
        points=[s[:n_points] for s in outs],
        grid=[s[n_points:].reshape(*grid_shape, -1) for s in outs],
        pred=_predictions(outs[-1][:n_points]),
    )


def _predictions(out: np.ndarray) -> np.ndarray:
    if out.shape[1] == 1:
        values: np.ndarray = out[:, 0].astype(np.float32)
        return values
    labels: np.ndarray = out.argmax(axis=1).astype(np.uint8)
    return labels


def fit_extent(points: np.ndarray, margin: float = 0.1) -> Extent:
    """A square box around the 2D ``points`` (their first two columns), with a margin."""
    if len(points) == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    low, high = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
    if not (np.isfinite(low).all() and np.isfinite(high).all()):  # a NaN or an infinity
        return (-1.0, 1.0, -1.0, 1.0)
    centre = (low + high) / 2
    half = max(float((high - low).max()) / 2 * (1 + margin), 1e-3)
    return (
        float(centre[0] - half),
        float(centre[0] + half),
        float(centre[1] - half),
        float(centre[1] + half),
    )


def fit_extents(clouds: list[np.ndarray], margin: float = 0.1) -> list[Extent]:
    """:func:`fit_extent` of every cloud, the same numbers; float32 clouds of one length (a
    frame's stages) in one compiled call (:func:`nets.probe_kernel.boxes`)."""
    if not clouds:
        return []
    kinds = {
        (len(points), points.dtype, points.ndim, min(np.shape(points)[-1], 2)) for points in clouds
    }
    if kinds != {(len(clouds[0]), np.dtype(np.float32), 2, 2)} or len(clouds[0]) == 0:
        return [fit_extent(points, margin) for points in clouds]
    stack = np.ascontiguousarray(np.stack([points[:, :2] for points in clouds]))
    return [(b[0], b[1], b[2], b[3]) for b in probe_kernel.boxes(stack, margin).tolist()]


@dataclass(frozen=True)
class Regions:
    """What the rest of the network gives each cell of a grid over one stage: a class and its
    probability, or (a regression net) a value."""

    xs: np.ndarray  # (R,) cell centres
    ys: np.ndarray
    label: np.ndarray | None  # (R, R) uint8, row i is y = ys[i]
    conf: np.ndarray | None  # (R, R) float32
    value: np.ndarray | None = None  # (R, R) float32, regression only


def stage_regions(
    net: FoldNet, k: int, extent: Extent, resolution: int, device: torch.device | str = "cpu"
) -> Regions:
    """Decision regions in stage ``k`` (a 2-wide stage): ``net[k:]`` applied to a grid over it."""
    return all_stage_regions(net, {k: extent}, {k: resolution}, device)[k]


@torch.no_grad()
def all_stage_regions(
    net: FoldNet,
    extents: dict[int, Extent],
    resolutions: dict[int, int],
    device: torch.device | str = "cpu",
    compiled: TwoWide | None = None,
) -> dict[int, Regions]:
    """The regions of several 2-wide stages in one pass: each stage's grid (``resolutions[k]``
    cells a side) joins the batch at its stage and rides through the rest of the network with
    the grids that joined earlier (compiled as :func:`probe` is)."""
    order = sorted(extents)
    if not order:
        return {}
    if order[-1] == net.n_stages - 1 and net.classes != 2:
        raise ValueError(f"regions lie in 2-wide stages; the output stage is {net.classes} wide")
    starts = np.cumsum([0] + [resolutions[k] ** 2 for k in order])
    # Every grid is made at once; a stage's layers run on the rows that have joined by then
    # (the grids are stacked in stage order, so those are a prefix of the batch).
    axes, cells = region_grids([extents[k] for k in order], [resolutions[k] for k in order])
    compiled = compiled or two_wide(net, device)
    if compiled is not None:
        return _compiled_regions(compiled, cells, axes, order, resolutions, starts)
    modules = list(net.body)
    batch = torch.as_tensor(cells, device=device)
    if _two_wide(modules, order[0]):
        batch = _ride_in_place(modules, batch, order, [int(v) for v in starts])
    else:
        for i, k in enumerate(order):
            upto = int(starts[i + 1])
            stop = order[i + 1] if i + 1 < len(order) else net.n_stages - 1
            if stop > k:
                part = net.column_stages(batch[:, :upto], k, stop)[-1]
                rest = batch[:, upto:]
                batch = torch.cat([part, rest], dim=1) if upto < cells.shape[1] else part
    out: dict[int, Regions] = {}
    if batch.shape[0] == 1:
        values = batch[0].cpu().numpy().astype(np.float32)
        for i, k in enumerate(order):
            side = resolutions[k]
            value = values[starts[i] : starts[i + 1]].reshape(side, side)
            out[k] = Regions(xs=axes[i][0], ys=axes[i][1], label=None, conf=None, value=value)
        return out
    return _class_regions(*winners(batch), axes, order, resolutions, starts)


def _two_wide(modules: list[nn.Module], first: int) -> bool:
    """Whether every module from stage ``first`` up to the classifier keeps 2 units (2 × 2
    layers and their folds): then the grids ride through them in place."""
    for module in modules[first:-1]:
        if isinstance(module, nn.Linear):
            if tuple(module.weight.shape) != (2, 2):
                return False
        elif not isinstance(module, Fold):
            return False
    return True


def _compiled_regions(
    compiled: TwoWide,
    cells: np.ndarray,
    axes: list[tuple[np.ndarray, np.ndarray]],
    order: list[int],
    resolutions: dict[int, int],
    starts: np.ndarray,
) -> dict[int, Regions]:
    """:func:`all_stage_regions` by :func:`nets.probe_kernel.ride`."""
    labels, less = compiled.regions(cells, starts, order)
    return _class_regions(
        labels, softmax_top(torch.from_numpy(less)), axes, order, resolutions, starts
    )


def _class_regions(
    labels: np.ndarray,
    confs: np.ndarray,
    axes: list[tuple[np.ndarray, np.ndarray]],
    order: list[int],
    resolutions: dict[int, int],
    starts: np.ndarray,
) -> dict[int, Regions]:
    """Each stage's :class:`Regions` from every grid's cells' winners and confidences, the
    grids one after the other."""
    out: dict[int, Regions] = {}
    for i, k in enumerate(order):
        side, cells_of = resolutions[k], slice(starts[i], starts[i + 1])
        out[k] = Regions(
            xs=axes[i][0],
            ys=axes[i][1],
            label=labels[cells_of].reshape(side, side),
            conf=confs[cells_of].reshape(side, side),
        )
    return out


def _ride_in_place(
    modules: list[nn.Module], batch: torch.Tensor, order: list[int], starts: list[int]
) -> torch.Tensor:
    """:func:`all_stage_regions`'s pass, for 2-wide stages (see :func:`_two_wide`): the rows
    that have joined are mapped in place, a layer from one buffer into the prefix of another
    (whose later rows still hold the grids to come), a fold where they are; only the classifier
    makes a new tensor. The same numbers as :meth:`FoldNet.column_stages`, operation by
    operation."""
    total = batch.shape[1]
    spare = batch.clone()
    for i, k in enumerate(order):
        upto = starts[i + 1]
        stop = order[i + 1] if i + 1 < len(order) else len(modules)
        for j in range(k, stop):
            module, rows = modules[j], batch[:, :upto]
            if j == len(modules) - 1:  # the classifier: as many rows as classes
                assert isinstance(module, nn.Linear)
                part = torch.addmm(module.bias[:, None], module.weight, rows)
                batch = torch.cat([part, batch[:, upto:]], dim=1) if upto < total else part
            elif isinstance(module, nn.Linear):
                torch.addmm(module.bias[:, None], module.weight, rows, out=spare[:, :upto])
                batch, spare = spare, batch
            elif isinstance(module, Fold) and isinstance(module.act, nn.ReLU):
                torch.relu_(rows)
            elif isinstance(module, Fold):
                rows.copy_(module.act(rows))
    return batch


def winners(columns: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """For logits held as columns, (classes, N): each point's winning class (uint8) and its
    softmax probability (float32)."""
    if columns.shape[0] == 2:  # two classes: the same numbers row by row, without a reduction
        first, second = columns[0], columns[1]
        top = torch.maximum(first, second)
        # max's index: the first of equal values, and a NaN's place (the first NaN) wins
        pick = (second > first) | (second.isnan() & ~first.isnan())
        conf = softmax_top(torch.stack([first - top, second - top]))
        return pick.to(torch.uint8).cpu().numpy(), conf
    top, label = columns.max(dim=0)
    return label.to(torch.uint8).cpu().numpy(), softmax_top(columns - top)


def softmax_top(less: torch.Tensor) -> np.ndarray:
    """The winner's softmax probability from the logits less the winner's, (classes, N) (which
    it overwrites): 1 over the sum of their exponentials, (N,) float32."""
    shifted = less.exp_()
    total = shifted[0] + shifted[1] if len(less) == 2 else shifted.sum(dim=0)
    return total.reciprocal_().cpu().numpy().astype(np.float32, copy=False)


@torch.no_grad()
def unit_maps(
    net: FoldNet, extent: Extent, resolution: int, device: torch.device | str = "cpu"
) -> list[np.ndarray]:
    """Each hidden layer's fold over a grid of the input plane: (width, R, R) per layer, row i
    of a map being y = ys[i] of ``region_axes(extent, resolution)``."""
    xs, ys = region_axes(extent, resolution)
    columns = as_columns(region_points(xs, ys), device)
    stages = [columns, *net.column_stages(columns)]
    folds = [k for k, s in enumerate(net.stage_info()) if s.kind == "fold"]
    return [
        stages[k].cpu().numpy().reshape(-1, resolution, resolution).astype(np.float32)
        for k in folds
    ]
