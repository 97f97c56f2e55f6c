"""ConvTrainer: it learns, it is deterministic by seed, a new recipe keeps the weights, and a
runaway loss stops with Diverged."""

from __future__ import annotations

import pytest
import torch

from nets.conv import ConvNet, ConvSpec, LayerSpec
from nets.convtrain import ConvTrainer
from nets.model import Activation
from nets.optim import Optimizer
from nets.signals import MOTIFS, motif_signals
from nets.train import Diverged, StepLimit

LENGTH = 48


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def trainer(
    seed: int = 0,
    *,
    layers: tuple[LayerSpec, ...] = (LayerSpec(4),),
    activation: Activation = "relu",
    optimizer: Optimizer = "adam",
    lr: float = 0.01,
) -> ConvTrainer:
    """A net that tells a bump from a step in noisy signals (the conv mode's default motifs)."""
    motifs = [MOTIFS["bump"], MOTIFS["step"]]
    train, test = motif_signals(400, LENGTH, motifs, 0.1, seed).split(0.5)
    spec = ConvSpec((LENGTH,), layers, activation=activation)
    return ConvTrainer(ConvNet(spec, seed=seed), train, test, optimizer, lr, 32, seed)


def weights(t: ConvTrainer) -> list[torch.Tensor]:
    return [p.detach().clone() for p in t.net.parameters()]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_training_finds_the_motif(seed: int) -> None:
    """Measured after 200 steps over seeds 0-2: training loss 0.003-0.023 (from 0.49-1.24 at
    step 0), test accuracy 1.00 for each."""
    t = trainer(seed)
    before = t.metrics()
    assert before.step == 0 and before.test_acc < 0.8
    last = t.step(200)
    after = t.metrics()
    assert after.step == t.step_count == 200
    assert after.train_loss < 0.1 and after.train_loss < before.train_loss / 4
    assert after.test_acc >= 0.95 and after.train_acc >= 0.95
    assert last < 0.3  # the last batch's loss, as step returns it


def test_training_is_deterministic_by_seed() -> None:
    a, b, other = trainer(3), trainer(3), trainer(4)
    for t in (a, b, other):
        t.step(15)
    for wa, wb in zip(weights(a), weights(b), strict=True):
        assert torch.equal(wa, wb)
    assert a.metrics() == b.metrics()
    assert any(not torch.equal(wa, wo) for wa, wo in zip(weights(a), weights(other), strict=True))


def test_a_new_recipe_keeps_the_weights_and_trains_with_it() -> None:
    t = trainer()
    t.step(5)
    kept = weights(t)
    t.set_recipe("sgd", 0.5, 0)
    assert t.step_count == 5
    for old, now in zip(kept, weights(t), strict=True):
        assert torch.equal(old, now)
    assert isinstance(t.opt, torch.optim.SGD)
    assert [group["lr"] for group in t.opt.param_groups] == [0.5]
    _, y = t.next_batch()
    assert len(y) == len(t.y_train)  # batch size 0: the whole training set
    t.step(1)
    assert any(not torch.equal(old, now) for old, now in zip(kept, weights(t), strict=True))


def test_the_same_optimizer_keeps_its_state_under_a_new_learning_rate() -> None:
    t = trainer()
    t.step(3)
    opt = t.opt
    t.set_recipe("adam", 0.002, 16)
    assert t.opt is opt and opt.param_groups[0]["lr"] == 0.002
    assert len(t.next_batch()[1]) == 16


def test_a_runaway_loss_raises_diverged() -> None:
    """Three linear layers under SGD at lr 10 overflow within a few steps (measured: step 5)."""
    t = trainer(layers=(LayerSpec(8),) * 3, activation="linear", optimizer="sgd", lr=10.0)
    with pytest.raises(Diverged, match="loss became"):
        t.step(200)
    assert t.step_count < 200


def test_steps_past_the_cap_are_refused_before_training() -> None:
    t = trainer()
    kept = weights(t)
    t.step_count = 2**53 - 1
    with pytest.raises(StepLimit):
        t.step(2)
    assert t.step_count == 2**53 - 1
    for old, now in zip(kept, weights(t), strict=True):
        assert torch.equal(old, now)
