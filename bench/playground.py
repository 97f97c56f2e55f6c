"""Examples trained per second: TensorFlow Playground's engine against spacefold's trainer.

The Playground's side is ``bench/playground_engine.mjs``, a plain-JavaScript model of its
engine (node and link objects, one example at a time, an update every ``batch`` examples), run
in node. spacefold's side is ``nets.train.Trainer`` with SGD and with Adam. Both train the same
network shapes on the same points (spacefold's spiral, 500 points: the Playground's side gets
them scaled to its [-5, 5] and labelled -1 / 1), interleaved in one run, each for ``--seconds``.

``--solve`` instead times each side to ``--goal`` test accuracy on both spirals (ours and the
Playground's), five seeds each, the 6 × 8 ReLU net: the Playground's engine at its best settings
found by hand (batch 10, learning rates 0.03 and 0.1; it checks after every pass over the
points), spacefold on its fused path with the recipe that choosing a spiral sets
(``engine.presets.DATASET_RECIPES``) and, for contrast, with the trainer's default (Adam 0.03,
full batch). spacefold checks every :data:`CHECK_EXAMPLES` examples trained (see
:func:`spacefold_solve`). The speed-up is the median of the Playground's best column (the one
that solves the most runs, of those the faster) over the spiral recipe's.

Run: python -m bench.playground [--seconds 1] [--batches 10 30 250] [--dataset spiral]
     python -m bench.playground --solve [--goal 0.95] [--limit 10]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.presets import DATASET_RECIPES
from engine.schemas import ExperimentConfig, merge_config
from engine.session import recipe_of
from nets.datasets import Dataset, make_dataset
from nets.devices import steps_per_second
from nets.fused import ensure_compiled, macs
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


#: Steps a call of spacefold's trainer at most (the gym asks for all the steps a session is
#: owed in one call; the Playground's loop trains a whole pass over the points a frame).
STEPS_A_CALL = 1024


def spacefold(
    net: Net, data: Dataset, batch: int, optimizer: str, seconds: float, fused: bool
) -> float:
    """Examples a second of spacefold's trainer (steps a second times the batch), on the fused
    path or through torch."""
    model = FoldNet(list(net.hidden), net.activation, 2, seed=0)
    recipe = Recipe(optimizer=optimizer, lr=0.03, batch_size=batch)  # type: ignore[arg-type]
    trainer = Trainer(model, data, recipe, fused=fused)
    if fused and trainer.path is not None:
        raise SystemExit(f"{net.name} cannot take the fused path: {trainer.path}")
    rate = steps_per_second(trainer.step, seconds, most=STEPS_A_CALL if fused else 64)
    return rate * min(batch, len(data.y_train))


def flops_per_example(net: Net) -> int:
    """Arithmetic one example costs a step: a multiply and an add per weight forward, twice
    that backward (the weight's gradient and the error sent back)."""
    return 6 * macs(FoldNet(list(net.hidden), net.activation, 2))


def machine_gflops(seconds: float = 0.5) -> float:
    """What one core does at its best: a large float32 matrix product, one thread."""
    a = torch.randn(512, 512)
    b = torch.randn(512, 512)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        a @ b
        done += 1
    return 2 * 512**3 * done / (time.perf_counter() - started) / 1e9


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


#: spacefold checks the test accuracy every this many examples trained (steps × batch): on the
#: fused path some 2.5 ms of training at any batch of 10 or more, where a check (every point
#: through the net once, in torch) costs some 0.2 ms; so checking takes under a tenth of the time
#: and a solve is seen at most some 2.5 ms late. The Playground's engine checks after every pass
#: over its 250 training points.
CHECK_EXAMPLES = 5000


def check_every(recipe: Recipe, n_train: int) -> int:
    """Steps between two checks of the test accuracy: :data:`CHECK_EXAMPLES` examples."""
    batch = min(recipe.batch_size or n_train, n_train)
    return max(1, math.ceil(CHECK_EXAMPLES / max(1, batch)))


def spacefold_solve(
    data: Dataset, recipe: Recipe, seed: int, goal: float, limit: float
) -> float | None:
    """Seconds spacefold's trainer takes to ``goal`` test accuracy on the fused path (None: not
    in time). It trains :func:`check_every` steps a call and checks after each; the checks are
    in the time. The kernel is compiled before (the server compiles it at start-up)."""
    ensure_compiled()
    net = FoldNet(list(SOLVER.hidden), SOLVER.activation, 2, seed=seed)
    trainer = Trainer(net, data, recipe)
    if trainer.path is not None:
        raise SystemExit(f"{SOLVER.name} cannot take the fused path: {trainer.path}")
    every = check_every(recipe, len(data.y_train))
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        trainer.step(every)
        if trainer.metrics().test_acc >= goal:
            return time.perf_counter() - started
    return None


def spiral_recipe() -> Recipe:
    """The recipe that choosing a spiral from the menu sets (the same for both spirals)."""
    changes = DATASET_RECIPES["spiral"]
    assert changes == DATASET_RECIPES["playground_spiral"], "one recipe for every spiral"
    return recipe_of(merge_config(ExperimentConfig(), changes).train)


def describe(recipe: Recipe) -> str:
    """A recipe as a column's title: optimizer, learning rate and batch."""
    batch = "full batch" if recipe.batch_size is None else f"batch {recipe.batch_size}"
    return f"{recipe.optimizer} {recipe.lr:g} {batch}"


@dataclass(frozen=True)
class Solved:
    """One column's runs on one spiral: seconds to the goal, None where not in time."""

    times: list[float | None]

    @property
    def done(self) -> list[float]:
        return [t for t in self.times if t is not None]

    @property
    def median(self) -> float:
        return statistics.median(self.done) if self.done else math.inf

    def cell(self) -> str:
        shown = f"{self.median:.3f} s" if self.done else "–"
        return f"{shown} ({len(self.done)} of {len(self.times)})"


def solve_table(goal: float, limit: float) -> None:
    """Print the --solve table: per spiral, every column's median time to ``goal`` and the
    spiral recipe's speed-up."""
    recipe, default = spiral_recipe(), Recipe()
    print(
        f"time to {goal:.0%} test accuracy, 6x8 ReLU, 500 points (half for testing), seeds "
        f"0-4, at most {limit:g} s each: median of the solved runs (solved of 5); spacefold "
        f"checks every {CHECK_EXAMPLES} examples trained"
    )
    print(
        f"| spiral | Playground lr 0.03 | Playground lr 0.1 | spacefold {describe(recipe)} "
        f"| spacefold {describe(default)} | speed-up |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    sides: list[Callable[[Dataset, int], float | None]] = [
        lambda d, s: playground_solve(d, 0.03, s, goal, limit),
        lambda d, s: playground_solve(d, 0.1, s, goal, limit),
        lambda d, s: spacefold_solve(d, recipe, s, goal, limit),
        lambda d, s: spacefold_solve(d, default, s, goal, limit),
    ]
    for name in ("spiral", "playground_spiral"):
        data = [make_dataset(name, 500, 0.0, seed=seed, test_ratio=0.5) for seed in range(5)]
        columns = [Solved([solve(d, seed) for seed, d in enumerate(data)]) for solve in sides]
        theirs = min(columns[:2], key=lambda c: (-len(c.done), c.median))
        ours = columns[2]
        speedup = f"{theirs.median / ours.median:.1f}×" if ours.done and theirs.done else "–"
        cells = [c.cell() for c in columns]
        print(f"| {name} | " + " | ".join(cells) + f" | {speedup} |", flush=True)


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
    print(
        "| net | batch | Playground's engine | spacefold SGD | spacefold Adam "
        "| torch path SGD | torch path Adam |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for net in NETS:
        for batch in args.batches:
            theirs = playground(net, data, batch, args.seconds)
            cells = []
            for fused in (True, False):
                for optimizer in ("sgd", "adam"):
                    ours = spacefold(net, data, batch, optimizer, args.seconds, fused)
                    cells.append(f"{ours / 1e3:,.0f} k ({ours / theirs:.2f}×)")
            print(
                f"| {net.name} | {batch} | {theirs / 1e3:,.0f} k | " + " | ".join(cells) + " |",
                flush=True,
            )
    peak = machine_gflops()
    print(
        f"\nspacefold's fused path takes up to {STEPS_A_CALL} steps a call. The arithmetic a "
        f"point costs a step (forward and backward): "
        + ", ".join(f"{net.name} {flops_per_example(net)} flops" for net in NETS)
        + f"; one core's best (a 512x512 float32 matrix product, one thread): {peak:.1f} GFLOP/s."
        " GFLOP/s of a figure: examples/s x flops a point / 1e9."
    )


if __name__ == "__main__":
    main()
