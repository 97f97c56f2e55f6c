import numpy as np
import pytest
import torch

from nets.datasets import make_dataset
from nets.diagnostics import flatness, flatness_each, fold_report
from nets.model import FoldNet
from nets.train import Recipe, Trainer
from tests.oracle import flatness_by_svd, merged_by_pairs


def test_flat_and_dead_points_are_zero_in_some_and_in_every_unit() -> None:
    folded = np.array([[0.0, 0.0], [0.5, 0.0], [0.0, 0.0], [1.0, 1.0]])
    report = fold_report(2, 4, "relu", folded, np.array([0, 1, 0, 1]))
    assert report.flat is not None and report.flat.tolist() == [True, True, True, False]
    assert report.dead is not None and report.dead.tolist() == [True, False, True, False]
    assert report.dead_units == []
    summary = report.summary()
    assert summary == {
        "layer": 2,
        "stage": 4,
        "flat_share": 0.75,
        "dead_share": 0.5,
        "dead_units": [],
        "merged_share": 0.0,
        "flatness": pytest.approx(flatness_by_svd(folded)),
    }
    units = fold_report(1, 2, "relu", np.array([[1.0, 0.0], [2.0, 0.0]]), None)
    assert units.dead_units == [1] and units.merged is None


def test_the_report_agrees_with_the_folded_stages() -> None:
    net = FoldNet((2, 2, 2), "relu", seed=3)
    x = torch.randn(300, 2) * 2
    labels = (x[:, 0] > 0).numpy().astype(np.int64)
    with torch.no_grad():
        stages = [s.numpy() for s in net.stages(x)]
    for k in (2, 4, 6):
        report = fold_report(k // 2, k, "relu", stages[k], labels)
        np.testing.assert_array_equal(report.dead, np.all(stages[k] == 0, axis=1))
        np.testing.assert_array_equal(report.merged, merged_by_pairs(stages[k], labels))
        assert report.flatness == pytest.approx(flatness_by_svd(stages[k]), rel=1e-9)


def test_activations_that_never_zero_report_merges_but_no_deaths() -> None:
    folded = np.tanh(np.array([[30.0, 30.0], [31.0, 30.0], [0.0, 1.0]]))  # saturated: merged
    report = fold_report(1, 2, "tanh", folded, np.array([0, 1, 1]))
    assert report.flat is None and report.dead is None and report.dead_units is None
    assert report.merged is not None and report.merged.tolist() == [True, True, False]
    assert fold_report(1, 2, "leaky_relu", np.zeros((3, 2)), None).summary()["dead_share"] is None


def test_flatness_is_none_where_there_is_no_plane() -> None:
    assert flatness(np.ones((5, 1))) is None
    assert flatness(np.zeros((0, 3))) is None
    assert flatness(np.ones((4, 2))) is None
    assert flatness(np.array([[0.0, 0.0], [np.nan, 1.0]])) is None
    line = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]])
    assert flatness(line) == pytest.approx(0.0, abs=1e-12)
    rng = np.random.default_rng(1)
    cloud = rng.normal(size=(500, 6)) * [3, 1, 0.5, 0.1, 0.1, 0.1]
    assert flatness(cloud) == pytest.approx(flatness_by_svd(cloud), rel=1e-12)


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
        shares = [
            fold_report(k // 2, k, "relu", stages[k], None).summary()["dead_share"]
            for k in range(2, len(stages) - 1, 2)
        ]
        dead.append(max(shares))
    return accuracy, dead


def test_width_two_gets_stuck_with_points_killed_while_width_eight_learns() -> None:
    """The lecture's argument, at a fixed seed: 4 hidden layers on the 2-arm spiral."""
    narrow_acc, narrow_dead = curves(2, 3000)
    assert max(narrow_acc) < 0.75, f"width 2 learned the spiral: {narrow_acc}"
    assert min(narrow_dead[-10:]) >= 0.05, f"width 2 kept every point alive: {narrow_dead}"
    wide_acc, wide_dead = curves(8, 1000)
    assert wide_acc[5] >= 0.95 and min(wide_acc[5:]) >= 0.95, f"width 8 did not learn: {wide_acc}"
    assert max(wide_dead) < 0.02


def test_flatness_of_many_clouds_at_once_is_each_ones_own() -> None:
    rng = np.random.default_rng(5)
    line = np.outer(rng.normal(size=50), [1.0, 2.0])
    clouds: list[np.ndarray] = [
        rng.normal(size=(50, 2)),
        np.maximum(rng.normal(size=(50, 2)), 0).astype(np.float32),
        line,
        rng.normal(size=(30, 3)),
        np.ones((50, 2)),  # one spot: None
        rng.normal(size=(50, 1)),  # width 1: None
        np.full((50, 2), np.nan),  # diverged: None
    ]
    got = flatness_each(clouds)
    assert got == [flatness(cloud) for cloud in clouds]
    assert got[4:] == [None, None, None] and got[2] == pytest.approx(0.0, abs=1e-12)
    for cloud, value in zip(clouds[:4], got[:4], strict=True):
        assert value == pytest.approx(flatness_by_svd(cloud), rel=1e-12)
