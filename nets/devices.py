"""Which device trains spacefold's networks faster: measured on the machine, not assumed.

A GPU runs each operation on a few numbers no faster than a CPU, and launching it costs more,
so for networks this small it wins only where there is enough work in one operation: many
sessions trained as one cohort, wide layers, big batches. :func:`measure` times the work a
server does (one session on its own, and a class of sessions of the default network trained
together) and :func:`pick` keeps the GPU only where it is faster at both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from nets.cohort import Cohort
from nets.datasets import make_dataset
from nets.model import FoldNet
from nets.train import Recipe, Trainer

CPU = torch.device("cpu")
CLASS_SIZE = 30  # sessions in the measured cohort
MARGIN = 1.1  # the GPU must be this much faster, at both, to be picked


def synchronize(device: torch.device) -> None:
    """Wait until ``device`` has done what it was given (a CPU always has)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def steps_per_second(
    run: Callable[[int], object],
    seconds: float,
    device: torch.device = CPU,
    clock: Callable[[], float] = time.perf_counter,
    most: int = 64,
) -> float:
    """Calls of ``run(n)`` (n steps each, n doubling to ``most``) for about ``seconds`` of
    ``clock``, waiting for ``device`` to finish: steps a second."""
    run(2)  # warm up
    synchronize(device)
    steps, n = 0, 1
    started = clock()
    while (elapsed := clock() - started) < seconds:
        run(n)
        synchronize(device)
        steps += n
        n = min(n * 2, most)
    return steps / elapsed


def default_trainers(size: int, device: torch.device) -> list[Trainer]:
    """``size`` sessions of the default experiment (moons, 3 hidden layers of 2, Adam)."""
    data = make_dataset("moons", 400, 0.0, 4, 2, 0.5)
    return [
        Trainer(FoldNet([2, 2, 2], "relu", 2, seed=i), data, Recipe(), seed=i, device=device)
        for i in range(size)
    ]


@dataclass(frozen=True)
class Speed:
    """Steps a second of one session on its own, and session-steps a second of a class."""

    device: str
    session: float
    cohort: float

    def as_dict(self) -> dict[str, float | str]:
        return {
            "device": self.device,
            "session_steps_per_s": round(self.session),
            "class_session_steps_per_s": round(self.cohort),
        }


def measure(
    device: torch.device, seconds: float = 0.2, clock: Callable[[], float] = time.perf_counter
) -> Speed:
    """How fast ``device`` trains one default session, and a class of them together."""
    one = default_trainers(1, device)[0]
    session = steps_per_second(one.step, seconds, device, clock)
    cohort = Cohort(default_trainers(CLASS_SIZE, device))  # bound once, as the server keeps it
    rate = steps_per_second(cohort.train, seconds, device, clock)
    return Speed(str(device), session, rate * CLASS_SIZE)


def pick(cpu: Speed, gpu: Speed) -> Speed:
    """The GPU if it is faster (by ``MARGIN``) both for one session and for a class; else the
    CPU: one device serves every session, and none should train slower for it."""
    wins = gpu.session >= MARGIN * cpu.session and gpu.cohort >= MARGIN * cpu.cohort
    return gpu if wins else cpu
