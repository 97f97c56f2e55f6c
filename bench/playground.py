"""Examples trained per second: TensorFlow Playground's engine against spacefold's trainer.

The Playground's side is ``bench/playground_engine.mjs``, a plain-JavaScript model of its
engine (node and link objects, one example at a time, an update every ``batch`` examples), run
in node. spacefold's side is ``nets.train.Trainer`` with SGD and with Adam. Both train the same
network shapes on the same points (spacefold's spiral, 500 points: the Playground's side gets
them scaled to its [-5, 5] and labelled -1 / 1), interleaved in one run, each for ``--seconds``.

``--solve`` instead times each side to ``--goal`` test accuracy on both spirals (ours and the
Playground's), five seeds each: the Playground's engine at its best settings found by hand
(6 × 8 ReLU, batch 10, learning rates 0.03 and 0.1), spacefold at its default recipe for the
spiral (Adam 0.03, full batch) and with SGD at batch 10.

Run: python -m bench.playground [--seconds 1] [--batches 10 30 250] [--dataset spiral]
     python -m bench.playground --solve [--goal 0.95] [--limit 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nets.datasets import Dataset, make_dataset
from nets.devices import steps_per_second
from nets.model import Activation, FoldNet
from nets.train import Recipe, Trainer

ENGINE = Path(__file__).with_name("playground_engine.mjs")


@dataclass(frozen=True)
class Net:
    name: str
    hidden: tuple[int, ...]
    activation: Activation


NETS = (Net("2-4-2-1 tanh", (4, 2), "tanh"), Net("6x8 ReLU", (8,) * 6, "relu"))


def as_playground(x: np.ndarray, y: np.ndarray) -> list[list[float]]:
    """Points as the Playground's engine takes them: scaled to its [-5, 5], labels -1 and 1."""
    return [
        [5 * float(a), 5 * float(b), 1 if label else -1] for (a, b), label in zip(x, y, strict=True)
    ]


def run_engine(job: dict[str, Any]) -> dict[str, Any]:
    """One run of the Playground's engine in node: its JSON answer."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed: the Playground's engine runs in node")
    done = subprocess.run(
        [node, str(ENGINE), json.dumps(job)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60 + 2 * float(job["seconds"]),
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def playground(net: Net, data: Dataset, batch: int, seconds: float) -> float:
    """Examples a second of the Playground's engine on the training points."""
    job = {
        "hidden": list(net.hidden),
        "activation": net.activation,
        "batch": batch,
        "seconds": seconds,
        "points": as_playground(data.x_train, data.y_train),
    }
    return float(run_engine(job)["per_second"])


def spacefold(net: Net, data: Dataset, batch: int, optimizer: str, seconds: float) -> float:
    """Examples a second of spacefold's trainer (steps a second times the batch)."""
    model = FoldNet(list(net.hidden), net.activation, 2, seed=0)
    recipe = Recipe(optimizer=optimizer, lr=0.03, batch_size=batch)  # type: ignore[arg-type]
    trainer = Trainer(model, data, recipe)
    return steps_per_second(trainer.step, seconds) * min(batch, len(data.y_train))


SOLVER = NETS[1]  # 6 × 8 ReLU


def playground_solve(
    data: Dataset, lr: float, seed: int, goal: float, limit: float
) -> float | None:
    """Seconds the Playground's engine takes to ``goal`` test accuracy (None: not in time)."""
    job = {
        "hidden": list(SOLVER.hidden),
        "activation": SOLVER.activation,
        "batch": 10,
        "rate": lr,
        "seed": seed + 1,
        "seconds": limit,
        "goal": goal,
        "points": as_playground(data.x_train, data.y_train),
        "test": as_playground(data.x_test, data.y_test),
    }
    solved = run_engine(job)["solved"]
    return None if solved is None else float(solved)


def spacefold_solve(
    data: Dataset, recipe: Recipe, seed: int, goal: float, limit: float
) -> float | None:
    """Seconds spacefold's trainer takes to ``goal`` test accuracy, checked every 10 steps."""
    trainer = Trainer(FoldNet(list(SOLVER.hidden), SOLVER.activation, 2, seed=seed), data, recipe)
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        trainer.step(10)
        if trainer.metrics().test_acc >= goal:
            return time.perf_counter() - started
    return None


def solve_table(goal: float, limit: float) -> None:
    print(
        f"time to {goal:.0%} test accuracy, 6x8 ReLU, 500 points (half for testing), seeds "
        f"0-4, at most {limit:g} s each: median of the solved runs (solved of 5)"
    )
    print(
        "| spiral | Playground lr 0.03 | Playground lr 0.1 | spacefold Adam 0.03 full batch "
        "| spacefold SGD 0.03 batch 10 |"
    )
    print("| --- | --- | --- | --- | --- |")
    sides: list[tuple[str, Any]] = [
        ("pg 0.03", lambda d, s: playground_solve(d, 0.03, s, goal, limit)),
        ("pg 0.1", lambda d, s: playground_solve(d, 0.1, s, goal, limit)),
        ("adam", lambda d, s: spacefold_solve(d, Recipe("adam", 0.03), s, goal, limit)),
        (
            "sgd",
            lambda d, s: spacefold_solve(d, Recipe("sgd", 0.03, batch_size=10), s, goal, limit),
        ),
    ]
    for name in ("spiral", "playground_spiral"):
        cells = []
        for _, solve in sides:
            times = [
                solve(make_dataset(name, 500, 0.0, seed=seed, test_ratio=0.5), seed)
                for seed in range(5)
            ]
            done = [t for t in times if t is not None]
            median = f"{statistics.median(done):.2f} s" if done else "–"
            cells.append(f"{median} ({len(done)} of 5)")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="measured per figure")
    parser.add_argument("--batches", type=int, nargs="+", default=[10, 30, 250])
    parser.add_argument("--dataset", default="spiral", help="spiral or playground_spiral")
    parser.add_argument("--solve", action="store_true", help="instead: time to the goal")
    parser.add_argument("--goal", type=float, default=0.95, help="test accuracy (--solve)")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds a run (--solve)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the server trains: threads only add contention at this size
    if args.solve:
        solve_table(args.goal, args.limit)
        return
    data = make_dataset(args.dataset, 500, 0.0, seed=0, test_ratio=0.5)
    print(
        f"{args.dataset}, 500 points ({len(data.y_train)} trained on), {args.seconds:g} s a "
        "figure, interleaved; examples per second"
    )
    print("| net | batch | Playground's engine | spacefold SGD | spacefold Adam |")
    print("| --- | --- | --- | --- | --- |")
    for net in NETS:
        for batch in args.batches:
            theirs = playground(net, data, batch, args.seconds)
            sgd = spacefold(net, data, batch, "sgd", args.seconds)
            adam = spacefold(net, data, batch, "adam", args.seconds)
            print(
                f"| {net.name} | {batch} | {theirs / 1e3:,.0f} k | {sgd / 1e3:,.0f} k "
                f"({sgd / theirs:.2f}×) | {adam / 1e3:,.0f} k ({adam / theirs:.2f}×) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
