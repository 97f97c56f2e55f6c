import math

import pytest
import torch

from nets.datasets import make_dataset
from nets.model import FoldNet
from nets.train import MAX_STEP, Diverged, Recipe, StepLimit, Trainer


def test_the_default_experiment_learns_quickly() -> None:
    """The page's first impression: moons, 3 hidden layers of width 2, seed 4, Adam 0.03."""
    data = make_dataset("moons", 400, 0.0, seed=4)
    trainer = Trainer(FoldNet((2, 2, 2), "relu", 2, seed=4), data, Recipe("adam", 0.03), seed=4)
    reached = None
    for _ in range(60):
        trainer.step(10)
        if trainer.metrics().test_acc >= 0.95:
            reached = trainer.step_count
            break
    assert reached is not None and reached <= 600, "the default experiment no longer succeeds"


def test_metrics_agree_with_a_direct_computation() -> None:
    data = make_dataset("gaussians", 100, 0.0, seed=0)
    trainer = Trainer(FoldNet((4,), "tanh", 2, seed=0), data, Recipe("sgd", 0.1))
    trainer.step(5)
    m = trainer.metrics()
    with torch.no_grad():
        logits = trainer.net(torch.from_numpy(data.x_test))
        y = torch.from_numpy(data.y_test)
        loss = float(torch.nn.functional.cross_entropy(logits, y))
        acc = float((logits.argmax(1) == y).float().mean())
    assert m.step == 5
    assert math.isclose(m.test_loss, loss, rel_tol=1e-6) and m.test_acc == acc


def test_sgd_step_is_plain_gradient_descent() -> None:
    data = make_dataset("moons", 50, 0.0, seed=0)
    net = FoldNet((2,), "relu", 2, seed=0)
    before = [p.detach().clone() for p in net.parameters()]
    trainer = Trainer(net, data, Recipe("sgd", 0.5))
    loss = torch.nn.functional.cross_entropy(net(trainer.x_train), trainer.y_train)
    grads = torch.autograd.grad(loss, list(net.parameters()))
    trainer.step(1)
    for p, p0, g in zip(net.parameters(), before, grads, strict=True):
        torch.testing.assert_close(p.detach(), p0 - 0.5 * g)


def test_changing_the_optimizer_keeps_the_weights() -> None:
    data = make_dataset("moons", 50, 0.0, seed=0)
    trainer = Trainer(FoldNet((2,), seed=0), data, Recipe("sgd", 0.1))
    trainer.step(3)
    weights = [p.detach().clone() for p in trainer.net.parameters()]
    trainer.set_recipe(Recipe("adam", 0.01))
    assert isinstance(trainer.opt, torch.optim.Adam) and trainer.lr == 0.01
    for p, w in zip(trainer.net.parameters(), weights, strict=True):
        assert torch.equal(p, w)


def test_nan_weights_raise_diverged() -> None:
    data = make_dataset("moons", 50, 0.0, seed=0)
    trainer = Trainer(FoldNet((2,), seed=0), data, Recipe("sgd", 0.1))
    with torch.no_grad():
        next(trainer.net.parameters())[0, 0] = float("nan")
    with pytest.raises(Diverged, match="at step 1"):
        trainer.step(1)


def test_a_huge_learning_rate_diverges() -> None:
    data = make_dataset("spiral", 200, 0.0, seed=0)
    trainer = Trainer(FoldNet((16, 16), "linear", 2, seed=0), data, Recipe("sgd", 1e6))
    with pytest.raises(Diverged):
        trainer.step(50)


def test_minibatches_sample_the_training_set() -> None:
    data = make_dataset("moons", 200, 0.0, seed=0)
    trainer = Trainer(FoldNet((2,), seed=0), data, Recipe("adam", 0.01, batch_size=10))
    x, y = trainer.next_batch()
    assert x.shape == (10, 2) and y.shape == (10,)


def test_a_trainer_never_counts_past_max_step() -> None:
    """Steps past 2**53 would not count exactly: refused whole, before any weight moves."""
    data = make_dataset("xor", 40, 0.0, 0)
    trainer = Trainer(FoldNet([2], "relu", 2), data)
    trainer.step_count = MAX_STEP - 2
    before = [p.detach().clone() for p in trainer.net.parameters()]
    with pytest.raises(StepLimit, match="2\\*\\*53"):
        trainer.step(3)
    assert trainer.step_count == MAX_STEP - 2
    for p, q in zip(trainer.net.parameters(), before, strict=True):
        assert torch.equal(p, q)
    trainer.step(2)
    assert trainer.step_count == MAX_STEP
