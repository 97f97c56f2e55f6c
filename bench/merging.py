"""How long the merged mask (nets/merging.py) takes on the stages a frame computes it for.

Times, best of several repeats: every fold stage of the default preset trained 300 steps (the
default frame), a network of three layers of 32 on 5,000 points, a random ReLU-like cloud of
that size, one with half its points folded onto one spot and one with half of them in a cluster
far smaller than the tolerance.

Run: python -m bench.merging
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable

import numpy as np
import torch

from engine.presets import PRESETS
from engine.session import Session
from nets.merging import merged_points
from nets.model import FoldNet


def best_ms(work: Callable[[], object], number: int) -> float:
    """Milliseconds of this process's CPU time a call, best of 7: time spent waiting for a core
    that other programs hold does not count."""
    runs = timeit.repeat(work, number=number, repeat=7, timer=time.process_time)
    return min(runs) / number * 1e3


def report(name: str, points: np.ndarray, labels: np.ndarray, number: int) -> None:
    took = best_ms(lambda: merged_points(points, labels), number)
    share = float(merged_points(points, labels).mean())
    print(
        f"{name:<40} {points.shape[0]:>5} x {points.shape[1]:<3} {took:8.3f} ms"
        f"   merged {share:.3f}"
    )


def fold_stages(net: FoldNet, x: np.ndarray) -> list[np.ndarray]:
    with torch.no_grad():
        stages = [s.numpy() for s in net.stages(torch.from_numpy(x))]
    return [stages[s.index] for s in net.stage_info() if s.kind == "fold"]


def main() -> None:
    session = Session(PRESETS["default"], torch.device("cpu"))
    session.train(300)
    labels = session.data.y
    folds = fold_stages(session.net, session.data.x)
    for layer, folded in enumerate(folds, start=1):
        report(f"default preset, fold {layer}", folded, labels, 50)
    every = best_ms(lambda: [merged_points(f, labels) for f in folds], 50)
    print(f"{'default preset, every fold of a frame':<40} {every:25.3f} ms")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5000, 2)).astype(np.float32)
    wide_labels = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    wide = FoldNet((32, 32, 32), "relu", 2, seed=0)
    for layer, folded in enumerate(fold_stages(wide, x), start=1):
        report(f"3 x 32 ReLU net, fold {layer}", folded, wide_labels, 10)
    cloud = np.maximum(rng.normal(size=(5000, 32)), 0).astype(np.float32)
    report("random ReLU-like cloud", cloud, wide_labels, 10)
    cloud[:2500] = 0.0
    report("half of it on one spot", cloud, wide_labels, 10)
    cloud[:2500] = rng.normal(size=(2500, 32)) * 1e-7  # distinct, all within the tolerance
    report("half of it in one tiny cluster", cloud, wide_labels, 10)


if __name__ == "__main__":
    main()
