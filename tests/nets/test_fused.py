"""The fused path (nets/fused.py) takes the steps the torch path takes, step by step.

Two trainers start from the same weights, points and generator seed, one on each path; after
every call of ``step`` their objective, weights, gradients, optimizer state, counts and layer
statistics agree to float32 rounding (the fused kernel works in float64 between the float32
values it keeps, torch in float32: a few ulps a step)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import pytest
import torch

from nets import fused, fused_kernel
from nets.cohort import Cohort
from nets.datasets import Dataset, make_dataset
from nets.model import ACTIVATIONS, FoldNet
from nets.optim import LOSSES, OPTIMIZERS, PENALTIES, Loss, Optimizer, Penalty
from nets.train import Diverged, Recipe, Trainer

CALLS = (1, 3, 2, 4)  # steps a call: the kernel's start and end of a run, and runs of several


def data(classes: int = 3) -> Dataset:
    return make_dataset("spiral", 120, 0.1, seed=1, classes=classes)


def pair(net: Mapping[str, object], dataset: Dataset, recipe: Recipe) -> tuple[Trainer, Trainer]:
    """The same trainer twice: on the fused path, and through torch."""
    fast = Trainer(FoldNet(seed=3, **net), dataset, recipe, seed=5)  # type: ignore[arg-type]
    slow = Trainer(FoldNet(seed=3, **net), dataset, recipe, seed=5, fused=False)  # type: ignore[arg-type]
    assert fast.path is None, fast.path
    assert slow.path == "the fused path is turned off"
    return fast, slow


def close(a: torch.Tensor, b: torch.Tensor, what: str) -> None:
    """Equal to float32 rounding, relative to the tensor's scale."""
    scale = float(b.detach().abs().max()) if b.numel() else 0.0
    gap = float((a.detach() - b.detach()).abs().max()) if b.numel() else 0.0
    assert gap <= 1e-3 * scale + 1e-6, f"{what}: {gap} apart (scale {scale})"


def assert_same(fast: Trainer, slow: Trainer, losses: Sequence[float]) -> None:
    assert math.isclose(losses[0], losses[1], rel_tol=1e-4, abs_tol=1e-6), losses
    assert (fast.step_count, fast.examples_seen) == (slow.step_count, slow.examples_seen)
    pairs = zip(fast.net.parameters(), slow.net.parameters(), strict=True)
    for i, (p, q) in enumerate(pairs):
        close(p, q, f"parameter {i}")
        assert p.grad is not None and q.grad is not None
        close(p.grad, q.grad, f"gradient of parameter {i}")
        mine, theirs = fast.opt.state.get(p, {}), slow.opt.state.get(q, {})
        assert set(mine) == set(theirs), (set(mine), set(theirs))
        for name in theirs:
            close(mine[name].float(), theirs[name].float(), f"{name} of parameter {i}")
    assert fast.stats is not None and slow.stats is not None
    for a, b in zip(fast.stats.grad_norm, slow.stats.grad_norm, strict=True):
        assert math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-6)
    for a, b in zip(fast.stats.update_ratio, slow.stats.update_ratio, strict=True):
        assert math.isclose(a, b, rel_tol=1e-2, abs_tol=1e-6)


def train_both(fast: Trainer, slow: Trainer) -> None:
    for count in CALLS:
        assert_same(fast, slow, (fast.step(count), slow.step(count)))


#: Adagrad, RMSprop and Adam divide a gradient by its own size, so a gradient that is zero in
#: exact arithmetic comes out of either path's rounding as a step of ±lr or of 0. The hinge
#: loss makes such zeros (its gradients are sums of ±1/(classes·points) that can cancel), so
#: with these optimizers its steps are compared through their gradients only (below).
SCALE_FREE = ("adagrad", "rmsprop", "adam")
CASES = [
    case
    for case in itertools.product(OPTIMIZERS, LOSSES, PENALTIES)
    if not (case[0] in SCALE_FREE and case[1] == "hinge")
]


@pytest.mark.parametrize(("optimizer", "loss", "penalty"), CASES)
def test_every_optimizer_loss_and_penalty(
    optimizer: Optimizer, loss: Loss, penalty: Penalty
) -> None:
    # Activations take turns across the cases; mini-batches and the whole set, and a decaying
    # learning rate, in each.
    k = CASES.index((optimizer, loss, penalty))
    activation = ACTIVATIONS[k % len(ACTIVATIONS)]
    recipe = Recipe(
        optimizer=optimizer,
        lr=0.05,
        batch_size=10 if k % 2 else None,
        loss=loss,
        penalty=penalty,
        rate=0.01 if penalty != "none" else 0.0,
        decay=("step", "exponential", "inverse")[k % 3],
        decay_every=3,
    )
    net = {"widths": (4, 3), "activation": activation, "classes": 3}
    train_both(*pair(net, data(), recipe))


@pytest.mark.parametrize("optimizer", SCALE_FREE)
def test_the_hinge_losss_gradients_under_a_scale_free_optimizer(optimizer: Optimizer) -> None:
    net = {"widths": (4, 3), "activation": "relu", "classes": 3}
    fast, slow = pair(net, data(), Recipe(optimizer=optimizer, loss="hinge", batch_size=10))
    for t in (fast, slow):
        t.step(1)
    for i, (p, q) in enumerate(zip(fast.net.parameters(), slow.net.parameters(), strict=True)):
        assert p.grad is not None and q.grad is not None
        close(p.grad, q.grad, f"gradient of parameter {i}")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_with_features_and_two_classes(activation: str) -> None:
    net = {
        "widths": (5, 3, 4),
        "activation": activation,
        "classes": 2,
        "features": ("x1", "x2", "x1^2", "sin(x2)"),
    }
    train_both(*pair(net, data(2), Recipe(batch_size=16)))


def test_a_regression_net() -> None:
    points = make_dataset("bumps", 150, 0.05, seed=2)
    net = {"widths": (6, 6), "activation": "tanh", "classes": 1}
    train_both(*pair(net, points, Recipe(optimizer="rmsprop", lr=0.01, batch_size=20)))


def test_either_path_carries_on_from_the_other() -> None:
    """Weights and optimizer state are the torch model's own: a trainer may change path."""
    net = {"widths": (4, 4), "activation": "relu", "classes": 3}
    fast, slow = pair(net, data(), Recipe(optimizer="adam", batch_size=10))
    for turn in range(4):
        fast.fused = turn % 2 == 0
        assert_same(fast, slow, (fast.step(3), slow.step(3)))
    fast.set_recipe(Recipe(optimizer="momentum", batch_size=10))  # a new optimizer: bound anew
    slow.set_recipe(Recipe(optimizer="momentum", batch_size=10))
    fast.fused = True
    train_both(fast, slow)


def test_a_step_that_is_not_finite_stops_both_paths_alike() -> None:
    net = {"widths": (3,), "activation": "relu", "classes": 2}
    fast, slow = pair(net, data(2), Recipe())
    messages = []
    for t in (fast, slow):
        t.step(2)
        with torch.no_grad():
            t.net.linear(1).weight[0, 0] = float("nan")
        with pytest.raises(Diverged) as raised:
            t.step(5)
        messages.append(str(raised.value))
        assert t.step_count == 3  # the step that went wrong counts, and nothing after it
    assert messages[0] == messages[1] == "loss became nan at step 3"


def test_what_the_fused_path_leaves_to_torch() -> None:
    dropout = Trainer(FoldNet([4, 4], "relu", 2, dropout=0.2), data(2), Recipe())
    assert dropout.path is not None and "dropout" in dropout.path
    wide = Trainer(FoldNet([64, 64], "relu", 2), make_dataset("moons", 1000, 0.1), Recipe())
    assert wide.path is not None and "torch is faster" in wide.path
    assert Trainer(FoldNet([64, 64], "relu", 2), data(2), Recipe(batch_size=10)).path is None
    assert Trainer(FoldNet([16] * 6, "relu", 2), data(2), Recipe()).path is None
    assert fused.ensure_compiled()


def test_a_network_without_hidden_layers() -> None:
    """Depth 0 (the settings allow it): the classifier alone, on the fused path."""
    train_both(*pair({"widths": (), "classes": 3}, data(), Recipe(batch_size=10)))


def test_a_loaded_optimizer_state_is_the_one_trained() -> None:
    """Loading a state dict replaces the optimizer's whole state: the fused path must carry
    on from the loaded state, and leave its steps there, as torch does."""
    net = {"widths": (4, 3), "activation": "relu", "classes": 3}
    fast, slow = pair(net, data(), Recipe(optimizer="adam", batch_size=10))
    other = Trainer(FoldNet(seed=7, **net), data(), Recipe(optimizer="adam"), seed=1)  # type: ignore[arg-type]
    other.step(4)
    assert_same(fast, slow, (fast.step(3), slow.step(3)))
    for t in (fast, slow):
        t.opt.load_state_dict(other.opt.state_dict())
    train_both(fast, slow)


def test_adams_step_count_stops_where_a_float32_stops() -> None:
    """torch keeps Adam's count as a float32 tensor, which stops counting at 2**24."""
    net = {"widths": (3,), "activation": "relu", "classes": 3}
    fast, slow = pair(net, data(), Recipe(optimizer="adam", batch_size=10))
    for t in (fast, slow):
        t.step(1)
        for p in t.net.parameters():
            t.opt.state[p]["step"].fill_(2.0**24 - 2)
    assert_same(fast, slow, (fast.step(5), slow.step(5)))
    for p in fast.net.parameters():
        assert float(fast.opt.state[p]["step"]) == 2.0**24


@pytest.mark.parametrize("activation", ["leaky_relu", "elu", "gelu", "linear"])
def test_a_weight_too_large_for_float32_diverges_as_in_torch(activation: str) -> None:
    """Torch's layer values are float32: one that overflows there must overflow here too
    (the fused path's sums run in float64), for the same step and message."""
    net = {"widths": (3, 3), "activation": activation, "classes": 3}
    fast, slow = pair(net, data(), Recipe(optimizer="sgd"))
    messages = []
    for t in (fast, slow):
        t.step(1)
        with torch.no_grad():
            t.net.linear(1).weight[0, 0] = 1e30
        with pytest.raises(Diverged) as raised:
            t.step(3)
        messages.append((str(raised.value), t.step_count))
    assert messages[0] == messages[1]


def test_the_kernel_lets_other_threads_run() -> None:
    """A run of the gym's holds the compiled call for up to its slice: without the GIL, so
    that frames and the server's loop go on meanwhile (every caller holds the session lock)."""
    assert fused_kernel.train_steps.targetoptions.get("nogil") is True


def test_a_member_let_go_by_its_cohort_trains_bound_again() -> None:
    """While a cohort holds a trainer's tensors the fused path copies them in and out; once the
    cohort lets them go (Cohort.release), the trainer is bound again, its numbers unchanged."""
    net = {"widths": (3, 3), "activation": "relu", "classes": 2}
    group = [pair(net, data(2), Recipe())[0] for _ in range(2)]
    alone = [pair(net, data(2), Recipe())[0] for _ in range(2)]
    cohort = Cohort(group)
    assert cohort.train(3) == {}
    for t in alone:
        t.step(3)
    assert_same(group[0], alone[0], (group[0].step(2), alone[0].step(2)))
    assert fused._plan(group[0])[1]  # borrowed: the cohort holds the tensors
    cohort.release()
    assert_same(group[0], alone[0], (group[0].step(2), alone[0].step(2)))
    assert not fused._plan(group[0])[1]  # bound again
    assert_same(group[1], alone[1], (group[1].step(4), alone[1].step(4)))
