"""Training on a GPU gives what training on the CPU gives, alone and as a cohort (skipped
without one: see tests/device.py)."""

from __future__ import annotations

import pytest
import torch

from nets.datasets import make_dataset
from nets.devices import CPU, measure, pick
from nets.model import FoldNet
from nets.optim import OPTIMIZERS
from nets.train import Recipe, Trainer
from tests.device import DEVICE, on_device
from tests.nets.test_cohort import run_both, trainers

pytestmark = on_device


@pytest.mark.parametrize("batch", [None, 16])
def test_a_trainer_on_the_device_follows_the_cpu(batch: int | None) -> None:
    data = make_dataset("spiral", 200, 0.1, 0, 2, 0.5)
    here, there = (
        Trainer(
            FoldNet([8, 8, 8], "relu", 2, seed=1),
            data,
            Recipe(batch_size=batch),
            seed=1,
            device=device,
        )
        for device in (CPU, DEVICE)
    )
    here.step(10)
    there.step(10)
    assert {p.device.type for p in there.net.parameters()} == {DEVICE.type}
    for p, q in zip(here.net.parameters(), there.net.parameters(), strict=True):
        torch.testing.assert_close(q.detach().cpu(), p.detach(), rtol=1e-3, atol=1e-4)
    assert there.metrics().train_loss == pytest.approx(here.metrics().train_loss, abs=1e-4)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_a_cohort_on_the_device_matches_its_own_steps(optimizer: str) -> None:
    recipes = [Recipe(optimizer=optimizer, lr=lr) for lr in (0.01, 0.03)]  # type: ignore[arg-type]
    run_both(trainers(recipes, device=DEVICE), [7, 1, 12])


def test_a_cohort_on_the_device_with_batches_and_features() -> None:
    run_both(
        trainers(
            [Recipe(batch_size=16), Recipe(batch_size=16, lr=0.1)],
            device=DEVICE,
            features=("x1", "x2", "x1*x2"),
        ),
        [6, 6],
    )


def test_the_device_is_measured_and_a_choice_made() -> None:
    speed = measure(DEVICE, seconds=0.05)
    assert speed.device == str(DEVICE) and speed.session > 0 and speed.cohort > 0
    assert pick(measure(CPU, seconds=0.05), speed).device in {"cpu", str(DEVICE)}
