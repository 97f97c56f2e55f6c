"""--device: what was asked for, or with auto the device measured faster; never a crash."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from nets.devices import Speed
from server.device import choose_device


def timed(
    speeds: dict[str, Speed | Exception],
) -> tuple[list[str], Callable[[torch.device], Speed]]:
    """A stand-in for nets.devices.measure, and the devices it was asked to time."""
    asked: list[str] = []

    def measure(device: torch.device) -> Speed:
        asked.append(device.type)
        speed = speeds[device.type]
        if isinstance(speed, Exception):
            raise speed
        return speed

    return asked, measure


def test_asked_for_devices_are_taken_without_timing() -> None:
    asked, measure = timed({})
    assert choose_device("cpu", cuda=True, measure=measure).device == torch.device("cpu")
    assert choose_device("cuda", cuda=True, measure=measure).device == torch.device("cuda")
    assert asked == []


def test_cuda_without_cuda_is_an_error() -> None:
    with pytest.raises(ValueError, match="no CUDA device"):
        choose_device("cuda", cuda=False)


def test_auto_without_cuda_is_the_cpu_without_timing() -> None:
    asked, measure = timed({})
    choice = choose_device("auto", cuda=False, measure=measure)
    assert (choice.device, choice.measured, asked) == (torch.device("cpu"), (), [])
    assert "no CUDA" in choice.why
    assert choice.as_dict() == {"why": choice.why, "measured": []}


def test_auto_takes_cuda_when_it_is_faster_at_both() -> None:
    cpu, gpu = Speed("cpu", 2000, 40000), Speed("cuda", 3000, 300000)
    asked, measure = timed({"cpu": cpu, "cuda": gpu})
    choice = choose_device("auto", cuda=True, measure=measure)
    assert choice.device == torch.device("cuda")
    assert asked == ["cpu", "cuda"]
    assert choice.measured == (cpu, gpu)
    line = choice.describe()
    assert "sessions train on cuda" in line and "300,000" in line and "2,000" in line


def test_auto_keeps_the_cpu_when_cuda_is_slower_for_one_session() -> None:
    _, measure = timed({"cpu": Speed("cpu", 2000, 40000), "cuda": Speed("cuda", 700, 90000)})
    choice = choose_device("auto", cuda=True, measure=measure)
    assert choice.device == torch.device("cpu")
    assert "not faster" in choice.why and len(choice.as_dict()["measured"]) == 2


def test_auto_keeps_the_cpu_when_cuda_fails(caplog: pytest.LogCaptureFixture) -> None:
    threads = torch.get_num_threads()
    _, measure = timed(
        {"cpu": Speed("cpu", 2000, 40000), "cuda": RuntimeError("CUDA error: out of memory")}
    )
    choice = choose_device("auto", cuda=True, measure=measure)
    assert choice.device == torch.device("cpu")
    assert "out of memory" in choice.why and "out of memory" in caplog.text
    assert torch.get_num_threads() == threads  # put back as it was
