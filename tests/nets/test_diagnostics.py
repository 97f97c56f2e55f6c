import numpy as np
import torch

from nets.datasets import make_dataset
from nets.diagnostics import layer_death, network_death
from nets.model import FoldNet
from nets.train import Recipe, Trainer


def test_dead_points_are_zero_in_every_unit_after_the_fold() -> None:
    affine = np.array([[-1.0, -2.0], [0.5, -1.0], [-0.1, 0.0], [1.0, 1.0]])
    death = layer_death(2, affine)
    assert death.dead_points.tolist() == [True, False, True, False]
    assert death.dead_share == 0.5
    assert death.dead_units == []
    assert layer_death(1, np.array([[1.0, -1.0], [2.0, -3.0]])).dead_units == [1]


def test_network_death_agrees_with_the_folded_stages() -> None:
    net = FoldNet((2, 2, 2), "relu", seed=3)
    x = torch.randn(300, 2) * 2
    with torch.no_grad():
        stages = [s.numpy() for s in net.stages(x)]
    deaths = network_death("relu", [stages[1], stages[3], stages[5]])
    assert deaths is not None
    for death, folded in zip(deaths, [stages[2], stages[4], stages[6]], strict=True):
        np.testing.assert_array_equal(death.dead_points, np.all(folded == 0, axis=1))


def test_activations_that_never_zero_have_no_deaths() -> None:
    assert network_death("tanh", [np.zeros((3, 2))]) is None
    assert network_death("leaky_relu", [np.zeros((3, 2))]) is None


def curves(width: int, steps: int) -> tuple[list[float], list[float]]:
    """Test accuracy and the largest dead-point share, every 100 steps, for the lecture task."""
    data = make_dataset("spiral", 500, 0.0, seed=0)
    trainer = Trainer(FoldNet((width,) * 4, "relu", 2, seed=0), data, Recipe("adam", 0.01), seed=0)
    accuracy, dead = [], []
    x = torch.from_numpy(data.x)
    for _ in range(steps // 100):
        trainer.step(100)
        accuracy.append(trainer.metrics().test_acc)
        with torch.no_grad():
            stages = [s.numpy() for s in trainer.net.stages(x)]
        deaths = network_death("relu", stages[1:-1:2])
        assert deaths is not None
        dead.append(max(d.dead_share for d in deaths))
    return accuracy, dead


def test_width_two_gets_stuck_with_points_killed_while_width_eight_learns() -> None:
    """The lecture's argument, at a fixed seed: 4 hidden layers on the 2-arm spiral."""
    narrow_acc, narrow_dead = curves(2, 3000)
    assert max(narrow_acc) < 0.75, f"width 2 learned the spiral: {narrow_acc}"
    assert min(narrow_dead[-10:]) >= 0.05, f"width 2 kept every point alive: {narrow_dead}"
    wide_acc, wide_dead = curves(8, 1000)
    assert wide_acc[5] >= 0.95 and min(wide_acc[5:]) >= 0.95, f"width 8 did not learn: {wide_acc}"
    assert max(wide_dead) < 0.02
