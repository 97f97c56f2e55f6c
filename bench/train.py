"""Training throughput of one session, and of a cohort trained as one batched computation.

For widths 2, 8, 32 and depths 2, 4, 6, 10 and batch sizes 10, 100 and the whole training set
(the 2-arm spiral, 500 points, 400 of them for training, Adam), prints steps/s and examples/s of
one trainer on its own (`Trainer.step`), then session-steps/s of S trainers of the default
network trained together (a `nets.cohort.Cohort`, bound once as the server keeps it) against
the same S trained one by one.

Each table is printed for every device: the CPU, and CUDA too when torch sees a GPU.

Run: python -m bench.train [--seconds 0.5] [--widths 2 8 32] [--depths 2 4 6 10]
     [--cohorts 1 10 30 60 100] [--devices cpu cuda]
"""

from __future__ import annotations

import argparse

import torch

from nets.cohort import Cohort
from nets.datasets import make_dataset
from nets.devices import default_trainers, steps_per_second
from nets.model import FoldNet
from nets.train import Recipe, Trainer

DATA = make_dataset("spiral", 500, 0.0, 0, 2, 0.2)


def solo(widths: list[int], batch: int | None, seconds: float, device: torch.device) -> float:
    trainer = Trainer(
        FoldNet(widths, "relu", 2, seed=0), DATA, Recipe(batch_size=batch), device=device
    )
    return steps_per_second(trainer.step, seconds, device)


def cohort(size: int, seconds: float, device: torch.device) -> tuple[float, float]:
    """Session-steps/s of ``size`` default networks (moons, 3 × 2): together, one by one."""
    trainers = default_trainers(size, device)
    bound = Cohort(trainers)  # bound once, as the server's gym keeps a cohort between runs
    together = steps_per_second(bound.train, seconds, device) * size

    def one_by_one(n: int) -> None:
        for t in trainers:
            t.step(n)

    return together, steps_per_second(one_by_one, seconds, device) * size


def devices(names: list[str] | None) -> list[torch.device]:
    """The devices asked for; by default the CPU, and CUDA too when torch sees it."""
    if names is None:
        names = ["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]
    if "cuda" in names and not torch.cuda.is_available():
        raise SystemExit("--devices cuda: torch sees no CUDA device here")
    return [torch.device(name) for name in names]


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} thread)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="measured per setting")
    parser.add_argument("--widths", type=int, nargs="*", default=[2, 8, 32])
    parser.add_argument("--depths", type=int, nargs="*", default=[2, 4, 6, 10])
    parser.add_argument(
        "--batches",
        type=int,
        nargs="*",
        default=[10, 100, 0],
        help="batch sizes; 0 is the whole training set",
    )
    parser.add_argument("--cohorts", type=int, nargs="*", default=[1, 10, 30, 60, 100])
    parser.add_argument(
        "--devices",
        nargs="*",
        choices=["cpu", "cuda"],
        help="default: cpu, and cuda when there is one",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the server runs
    n_train = len(DATA.y_train)
    for device in devices(args.devices):
        print(f"== {describe(device)}, torch {torch.__version__}")
        print(f"one session: spiral, {n_train} training points, Adam, relu")
        print(f"{'width':>5} {'depth':>5} {'batch':>5} {'steps/s':>9} {'examples/s':>11}")
        for width in args.widths:
            for depth in args.depths:
                for batch in args.batches:
                    size = batch or n_train
                    steps = solo([width] * depth, batch or None, args.seconds, device)
                    print(f"{width:>5} {depth:>5} {size:>5} {steps:>9,.0f} {steps * size:>11,.0f}")
        print(
            "\ncohorts of the default network (moons, 200 training points, 3 hidden layers of 2):"
        )
        print(f"{'sessions':>8} {'together':>10} {'one by one':>11}  (session-steps/s)")
        for size in args.cohorts:
            together, alone = cohort(size, args.seconds, device)
            print(f"{size:>8} {together:>10,.0f} {alone:>11,.0f}")
        print()


if __name__ == "__main__":
    main()
