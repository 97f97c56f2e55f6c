"""The device choice is measured: a device is timed on the work a server does, and the GPU is
kept only where it is faster at all of it."""

from __future__ import annotations

import torch

from nets.devices import (
    CLASS_SIZE,
    MARGIN,
    Speed,
    default_trainers,
    measure,
    pick,
    steps_per_second,
)

TICK = 1 / 64  # a power of two: sums of ticks are exact


class Ticks:
    """A clock that moves on by ``TICK`` each time it is read, however long the work took: the
    timing logic is tested without depending on how busy the machine is."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += TICK
        return self.now


def test_steps_per_second_counts_the_steps_run_over_the_time_taken() -> None:
    calls: list[int] = []
    rate = steps_per_second(calls.append, 10 * TICK, clock=Ticks())
    assert calls[0] == 2  # the warm-up, not counted
    assert calls[1:] == [1, 2, 4, 8, 16, 32, 64, 64, 64]  # doubling up to 64, for 10 ticks
    assert rate == sum(calls[1:]) / (10 * TICK)


def test_measure_times_one_session_and_a_class_on_the_cpu() -> None:
    speed = measure(torch.device("cpu"), seconds=4 * TICK, clock=Ticks())
    steps = 1 + 2 + 4  # run while under 4 ticks have passed
    assert speed == Speed("cpu", steps / (4 * TICK), CLASS_SIZE * steps / (4 * TICK))
    assert set(speed.as_dict()) == {"device", "session_steps_per_s", "class_session_steps_per_s"}


def test_the_default_trainers_are_the_default_experiment_on_the_device() -> None:
    trainers = default_trainers(3, torch.device("cpu"))
    assert [t.net.widths for t in trainers] == [(2, 2, 2)] * 3
    assert len({float(next(t.net.parameters()).detach().sum()) for t in trainers}) == 3  # own seeds
    assert all(t.device == torch.device("cpu") for t in trainers)


def test_the_gpu_is_picked_only_when_faster_for_one_session_and_for_a_class() -> None:
    cpu = Speed("cpu", 2000, 40000)
    assert pick(cpu, Speed("cuda", 2000 * MARGIN, 40000 * MARGIN)).device == "cuda"
    assert pick(cpu, Speed("cuda", 900, 400000)).device == "cpu"  # one session slower
    assert pick(cpu, Speed("cuda", 9000, 40000)).device == "cpu"  # a class no faster
    assert pick(cpu, Speed("cuda", 2100, 41000)).device == "cpu"  # within the margin
