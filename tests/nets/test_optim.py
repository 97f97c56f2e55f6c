import copy
import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from nets.datasets import make_dataset
from nets.model import INITS, Fold, FoldNet
from nets.optim import OPTIMIZERS, data_loss, decayed_lr, make_optimizer, penalty
from nets.train import Recipe, Trainer

DATA = make_dataset("moons", 80, 0.1, seed=0)


def reference_optimizer(name: str, p: list[nn.Parameter]) -> torch.optim.Optimizer:
    """torch.optim configured by hand, as the oracle for make_optimizer."""
    if name in ("sgd", "momentum", "nesterov"):
        momentum = 0.0 if name == "sgd" else 0.9
        return torch.optim.SGD(p, lr=0.05, momentum=momentum, nesterov=name == "nesterov")
    if name == "adagrad":
        return torch.optim.Adagrad(p, lr=0.05)
    if name == "rmsprop":
        return torch.optim.RMSprop(p, lr=0.05)
    return torch.optim.Adam(p, lr=0.05)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimizer_matches_torch_optim_step_for_step(name: str) -> None:
    net = FoldNet((4, 4), "tanh", 2, seed=1)
    twin = copy.deepcopy(net)
    trainer = Trainer(net, DATA, Recipe(name, 0.05))  # type: ignore[arg-type]
    reference = reference_optimizer(name, list(twin.parameters()))
    x, y = torch.from_numpy(DATA.x_train), torch.from_numpy(DATA.y_train)
    for _ in range(5):
        reference.zero_grad()
        torch.autograd.backward(F.cross_entropy(twin(x), y))
        reference.step()
    trainer.step(5)
    for mine, theirs in zip(net.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(mine, theirs)


def test_unknown_optimizer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        make_optimizer("lbfgs", [], 0.1)  # type: ignore[arg-type]


def test_learning_rate_decays() -> None:
    assert decayed_lr(0.1, "none", 100, 5000) == 0.1
    assert decayed_lr(0.1, "step", 100, 99) == 0.1
    assert decayed_lr(0.1, "step", 100, 250) == pytest.approx(0.025)
    assert decayed_lr(0.1, "exponential", 100, 50) == pytest.approx(0.1 * 0.5**0.5)
    assert decayed_lr(0.1, "inverse", 100, 300) == pytest.approx(0.025)


def test_the_trainer_applies_the_decayed_rate() -> None:
    trainer = Trainer(FoldNet((2,), seed=0), DATA, Recipe("sgd", 0.1, decay="step", decay_every=3))
    trainer.step(7)
    assert trainer.opt.param_groups[0]["lr"] == pytest.approx(0.025)  # step 6 -> 2 halvings
    assert trainer.lr == pytest.approx(0.025)


def test_losses() -> None:
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.5]])
    y = torch.tensor([0, 1])
    assert float(data_loss("cross_entropy", logits, y)) == pytest.approx(
        float(F.cross_entropy(logits, y))
    )
    hinge = (max(0, 1 - 2 - 1) + max(0, 1 - 0.5 + 0.5)) / 2 / 2  # summed margins / K, mean
    assert float(data_loss("hinge", logits, y)) == pytest.approx(hinge)
    p = torch.softmax(logits, 1)
    squared = float(((p - torch.tensor([[1.0, 0.0], [0.0, 1.0]])) ** 2).mean())
    assert float(data_loss("squared", logits, y)) == pytest.approx(squared)
    regression = data_loss("cross_entropy", torch.tensor([[1.0], [3.0]]), torch.tensor([0.0, 1.0]))
    assert float(regression) == pytest.approx((1 + 4) / 2)


def test_penalties_cover_weights_not_biases() -> None:
    net = FoldNet((2,), seed=0)
    weights = [m.weight.detach() for m in net.body if isinstance(m, nn.Linear)]
    l1 = sum(float(w.abs().sum()) for w in weights)
    l2 = sum(float((w * w).sum()) for w in weights)
    assert penalty("none", 1.0, net) is None and penalty("l2", 0.0, net) is None
    with torch.no_grad():
        l1_penalty, l2_penalty = penalty("l1", 0.3, net), penalty("l2", 0.3, net)
    assert l1_penalty is not None and l2_penalty is not None
    assert float(l1_penalty) == pytest.approx(0.3 * l1)
    assert float(l2_penalty) == pytest.approx(0.15 * l2)


def test_l2_shrinks_the_weights() -> None:
    plain = Trainer(FoldNet((8,), seed=0), DATA, Recipe("sgd", 0.1))
    shrunk = Trainer(FoldNet((8,), seed=0), DATA, Recipe("sgd", 0.1, penalty="l2", rate=1.0))
    plain.step(50)
    shrunk.step(50)

    def norm(t: Trainer) -> float:
        return sum(float(w.detach().norm()) for w in t.weights())

    assert norm(shrunk) < 0.8 * norm(plain)


def test_dropout_acts_only_while_training() -> None:
    net = FoldNet((32,), "relu", seed=0, dropout=0.5)
    x = torch.randn(20, 2)
    net.eval()
    stages = net.stages(x)
    torch.testing.assert_close(stages[2], torch.relu(stages[1]))
    net.train()
    fold = net[1:2][0]
    assert isinstance(fold, Fold)
    out = fold(torch.ones(1000, 32))
    assert 0.3 < float((out == 0).float().mean()) < 0.7


@pytest.mark.parametrize("init", INITS)
def test_initialisations_are_seeded_and_scaled(init: str) -> None:
    a = FoldNet((16, 16), seed=3, init=init)  # type: ignore[arg-type]
    b = FoldNet((16, 16), seed=3, init=init)  # type: ignore[arg-type]
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    w = a.linear(2).weight.detach()
    expected = {
        "auto": math.sqrt(2 / 16),
        "he": math.sqrt(2 / 16),
        "glorot": math.sqrt(2 / 32),
        "gaussian": 0.5,
        "uniform": 1 / math.sqrt(12),
        "zero": 0.0,
    }[init]
    assert float(w.std()) == pytest.approx(expected, rel=0.25, abs=1e-9)


def test_zero_initialisation_never_breaks_symmetry() -> None:
    trainer = Trainer(FoldNet((4, 4), "tanh", seed=0, init="zero"), DATA, Recipe("adam", 0.05))
    trainer.step(30)
    w = trainer.net.linear(2).weight.detach()
    assert torch.allclose(w, w[0].expand_as(w))  # every unit of layer 2 is the same unit


def test_minibatches_and_epochs_and_layer_stats() -> None:
    trainer = Trainer(FoldNet((3, 3), seed=0), DATA, Recipe("sgd", 0.1, batch_size=10))
    trainer.step(8)
    assert trainer.epoch == pytest.approx(80 / 40)
    assert trainer.stats is not None
    assert len(trainer.stats.grad_norm) == len(trainer.stats.update_ratio) == 3
    w = trainer.net.linear(1).weight
    assert trainer.stats.grad_norm[0] == pytest.approx(float(w.grad.norm()))  # type: ignore[union-attr]
    assert all(0 < r < 1 for r in trainer.stats.update_ratio)
