"""The device sessions train on: the one asked for, or with ``auto`` the one measured faster."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from nets.devices import CLASS_SIZE, CPU, Speed, measure, pick

log = logging.getLogger("spacefold.device")


@dataclass(frozen=True)
class DeviceChoice:
    device: torch.device
    why: str
    measured: tuple[Speed, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"why": self.why, "measured": [speed.as_dict() for speed in self.measured]}

    def describe(self) -> str:
        """One line for the console: the device, why, and what was measured."""
        speeds = "; ".join(
            f"{s.device}: {s.session:,.0f} steps/s alone, {s.cohort:,.0f} for "
            f"a class of {CLASS_SIZE}"
            for s in self.measured
        )
        return f"sessions train on {self.device} ({self.why}{'; ' if speeds else ''}{speeds})"


def choose_device(
    name: str, cuda: bool | None = None, measure: Callable[[torch.device], Speed] = measure
) -> DeviceChoice:
    """``cpu`` or ``cuda`` as asked (``cuda`` without CUDA is an error). ``auto``: the CPU, or
    CUDA when torch sees it and it trains both one session and a class faster
    (:func:`nets.devices.pick`); if CUDA fails while measured, the CPU."""
    cuda = torch.cuda.is_available() if cuda is None else cuda
    if name == "cuda" and not cuda:
        raise ValueError("--device cuda was asked for, but torch sees no CUDA device")
    if name != "auto":
        return DeviceChoice(torch.device(name), "asked for")
    if not cuda:
        return DeviceChoice(CPU, "auto: torch sees no CUDA device")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as sessions train
    try:
        on_cpu = measure(CPU)
    finally:
        torch.set_num_threads(threads)
    try:
        on_gpu = measure(torch.device("cuda"))
    except Exception as error:  # a broken driver, no memory left: train on the CPU
        log.warning("auto: CUDA failed to train a network, so sessions train on the CPU: %s", error)
        return DeviceChoice(CPU, f"auto: CUDA failed to train a network ({error})")
    best = pick(on_cpu, on_gpu)
    why = (
        "auto: CUDA trains one session and a class faster"
        if best is on_gpu
        else "auto: CUDA is not faster here for both one session and a class"
    )
    return DeviceChoice(torch.device(best.device), why, (on_cpu, on_gpu))
