"""Training a cohort as one batched computation gives what each trainer's own steps give."""

from __future__ import annotations

import copy

import pytest
import torch

from nets.cohort import Cohort, cohort_key, train_together
from nets.datasets import make_dataset
from nets.devices import CPU
from nets.model import FoldNet
from nets.optim import OPTIMIZERS
from nets.train import Recipe, Trainer


def trainers(
    recipes: list[Recipe],
    dataset: str = "moons",
    features: tuple[str, ...] = (),
    widths: tuple[int, ...] = (3, 2),
    classes: int = 2,
    device: torch.device = CPU,
) -> list[Trainer]:
    out = []
    for i, recipe in enumerate(recipes):
        data = make_dataset(dataset, 120, 0.1, i, classes, 0.5)
        kwargs = {"features": features} if features else {}
        net = FoldNet(list(widths), "relu", 1 if data.regression else classes, seed=i, **kwargs)  # type: ignore[arg-type]
        out.append(Trainer(net, data, recipe, seed=i, device=device))
    return out


def assert_same(solo: list[Trainer], together: list[Trainer]) -> None:
    for a, b in zip(solo, together, strict=True):
        assert a.step_count == b.step_count and a.examples_seen == b.examples_seen
        for p, q in zip(a.net.parameters(), b.net.parameters(), strict=True):
            torch.testing.assert_close(q, p, rtol=1e-4, atol=1e-5)
        assert a.stats is not None and b.stats is not None
        assert b.stats.grad_norm == pytest.approx(a.stats.grad_norm, rel=1e-3, abs=1e-6)
        assert b.stats.update_ratio == pytest.approx(a.stats.update_ratio, rel=1e-3, abs=1e-6)


def run_both(group: list[Trainer], steps: list[int]) -> None:
    solo = copy.deepcopy(group)
    for count in steps:
        for t in solo:
            t.step(count)
        assert train_together(group, count) == {}
    assert_same(solo, group)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_matches_its_own_steps(optimizer: str) -> None:
    # Not lr 0.1: Adam's first step moves every number by about lr, which takes the 0.1 initial
    # biases of ReLU layers onto the kink, where a last-bit difference decides the gradient.
    recipes = [Recipe(optimizer=optimizer, lr=lr) for lr in (0.01, 0.03, 0.07)]  # type: ignore[arg-type]
    group = trainers(recipes)
    assert len({cohort_key(t) for t in group}) == 1
    run_both(group, [7, 1, 12])


@pytest.mark.parametrize("loss", ["cross_entropy", "hinge", "squared"])
@pytest.mark.parametrize("penalty", ["none", "l1", "l2"])
def test_losses_and_penalties_match(loss: str, penalty: str) -> None:
    # Plain SGD: Adam would blow float noise in a gradient that is exactly zero (a hinge with
    # every margin met) up to a full step, in one path and not the other.
    recipes = [
        Recipe(
            optimizer="momentum",
            lr=0.05,
            loss=loss,  # type: ignore[arg-type]
            penalty=penalty,  # type: ignore[arg-type]
            rate=rate,
        )
        for rate in (0.001, 0.01)
    ]
    run_both(trainers(recipes, classes=3, dataset="spiral"), [10])


def test_batches_decay_features_and_regression_match() -> None:
    batches = [
        Recipe(batch_size=16, decay="exponential", decay_every=5, lr=lr) for lr in (0.05, 0.02)
    ]
    run_both(trainers(batches), [6, 6])
    run_both(trainers([Recipe(), Recipe(lr=0.1)], features=("x1", "x2", "x1*x2", "sin(x1)")), [8])
    run_both(
        trainers([Recipe(loss="squared"), Recipe(loss="squared", lr=0.1)], dataset="plane"), [8]
    )


def test_members_joining_at_different_steps_keep_their_own_optimizer_state() -> None:
    group = trainers([Recipe(), Recipe(lr=0.05)])
    group[1].step(20)  # Adam's bias correction depends on each member's own count
    run_both(group, [5])


def test_keys_split_what_cannot_share_a_computation() -> None:
    a, b = trainers([Recipe(), Recipe(lr=0.2)])
    assert cohort_key(a) == cohort_key(b)  # learning rates may differ
    (c,) = trainers([Recipe(optimizer="sgd")])
    (d,) = trainers([Recipe()], widths=(4, 2))
    assert cohort_key(c) != cohort_key(a) and cohort_key(d) != cohort_key(a)
    dropout = Trainer(FoldNet([3, 2], "relu", 2, dropout=0.2), a.data, Recipe())
    assert cohort_key(dropout) is None


def test_a_diverging_member_is_reported_and_the_others_go_on() -> None:
    group = trainers([Recipe(optimizer="sgd", lr=0.01), Recipe(optimizer="sgd", lr=0.01)])
    with torch.no_grad():
        group[1].net.linear(1).weight.fill_(float("nan"))
    diverged = train_together(group, 5)
    assert list(diverged) == [1]
    assert "at step" in str(diverged[1])
    assert all(bool(torch.isfinite(p).all()) for p in group[0].net.parameters())


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "rmsprop"])
def test_a_cohort_stays_bound_between_runs(optimizer: str) -> None:
    """Between two runs a member takes steps of its own and gets a weight set by hand: the
    cohort carries on from there, with no copying in or out."""
    group = trainers([Recipe(optimizer=optimizer), Recipe(optimizer=optimizer, lr=0.05)])  # type: ignore[arg-type]
    solo = copy.deepcopy(group)
    cohort = Cohort(group)
    assert cohort.train(5) == {}
    for t in solo:
        t.step(5)
    for t in (solo[0], group[0]):
        t.step(3)
    for t in (solo[1], group[1]):
        with torch.no_grad():
            t.net.linear(1).weight[0, 0] = 0.5
    assert cohort.fits(group)
    assert cohort.train(4) == {}
    for t in solo:
        t.step(4)
    assert_same(solo, group)
    group[0].set_recipe(Recipe(optimizer="sgd"))
    assert not cohort.fits(group)  # a new optimizer: bind again
