"""Examples trained per second: TensorFlow Playground's engine against spacefold's trainer.

The Playground's side is ``bench/playground_engine.mjs``, a plain-JavaScript model of its
engine (node and link objects, one example at a time, an update every ``batch`` examples), run
in node. spacefold's side is ``nets.train.Trainer`` with SGD and with Adam. Both train the same
network shapes on the same points (spacefold's spiral, 500 points: the Playground's side gets
them scaled to its [-5, 5] and labelled -1 / 1), interleaved in one run, each for ``--seconds``.

Run: python -m bench.playground [--seconds 1] [--batches 10 30 250] [--dataset spiral]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

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


def playground(net: Net, data: Dataset, batch: int, seconds: float) -> float:
    """Examples a second of the Playground's engine on the training points."""
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed: the Playground's engine runs in node")
    points = [
        [5 * float(x), 5 * float(y), 1 if label else -1]
        for (x, y), label in zip(data.x_train, data.y_train, strict=True)
    ]
    job = {
        "hidden": list(net.hidden),
        "activation": net.activation,
        "batch": batch,
        "seconds": seconds,
        "points": points,
    }
    done = subprocess.run(
        [node, str(ENGINE), json.dumps(job)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60 + 2 * seconds,
    )
    return float(json.loads(done.stdout)["per_second"])


def spacefold(net: Net, data: Dataset, batch: int, optimizer: str, seconds: float) -> float:
    """Examples a second of spacefold's trainer (steps a second times the batch)."""
    model = FoldNet(list(net.hidden), net.activation, 2, seed=0)
    recipe = Recipe(optimizer=optimizer, lr=0.03, batch_size=batch)  # type: ignore[arg-type]
    trainer = Trainer(model, data, recipe)
    return steps_per_second(trainer.step, seconds) * min(batch, len(data.y_train))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="measured per figure")
    parser.add_argument("--batches", type=int, nargs="+", default=[10, 30, 250])
    parser.add_argument("--dataset", default="spiral", help="spiral or playground_spiral")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the server trains: threads only add contention at this size
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
