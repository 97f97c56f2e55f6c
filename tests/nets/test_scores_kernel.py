"""The compiled cross-entropy and accuracy (nets.scores_kernel) against torch's, bit for bit, and
the losses it leaves to torch."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nets.optim import LOSSES, Loss
from nets.scores_kernel import cross_entropy_scores
from nets.train import Unscored, scores, scores_by_torch


def by_torch(
    logits: torch.Tensor, y: torch.Tensor, n_train: int, loss: Loss = "cross_entropy"
) -> tuple[float, float, float, float]:
    """Each set's loss and accuracy, torch call by torch call: the oracle."""
    return scores_by_torch(logits, y, n_train, loss)


def same(a: tuple[float, ...] | list[float], b: tuple[float, ...] | list[float]) -> bool:
    return len(a) == len(b) and all(
        (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))
        for x, y in zip(a, b, strict=True)
    )


def odd_logits(rng: np.random.Generator, n: int, classes: int, dtype: type) -> np.ndarray:
    x = rng.normal(size=(n, classes)) * 10 ** rng.uniform(-3, 3)
    kind = rng.integers(0, 4)
    if kind == 1:
        x = np.round(x)  # ties: the first largest counts
    elif kind == 2 and n:
        odd = rng.choice([np.nan, np.inf, -np.inf])
        x[rng.integers(0, n, 3), rng.integers(0, classes, 3)] = odd
    elif kind == 3:
        x[: n // 2] = 0.0  # rows of equal outputs
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_same_numbers_as_torch(dtype: type) -> None:
    rng = np.random.default_rng(0)
    for trial in range(300):
        n, classes = int(rng.integers(1, 700)), int(rng.integers(2, 6))
        n_train = [0, n, int(rng.integers(0, n + 1))][trial % 3]
        x = torch.from_numpy(odd_logits(rng, n, classes, dtype))
        labels = rng.integers(0, classes, n).astype(np.uint8 if trial % 2 else np.int64)
        got = cross_entropy_scores(x, labels, n_train)
        assert got is not None
        assert same(got, by_torch(x, torch.from_numpy(labels).long(), n_train)), (n, n_train)


def test_many_points_sum_in_torch_order() -> None:
    """Past 16 and 256 points the partial sums cascade: float32 rounding shows the order."""
    rng = np.random.default_rng(1)
    for n in (17, 257, 4097, 70_000):
        x = torch.from_numpy((rng.normal(size=(n, 3)) * 30).astype(np.float32))
        labels = rng.integers(0, 3, n)
        got = cross_entropy_scores(x, labels, n // 3)
        want = by_torch(x, torch.from_numpy(labels), n // 3)
        assert got is not None and same(got, want), n


def test_routes_it_leaves_to_torch() -> None:
    x = torch.zeros(4, 2)
    assert cross_entropy_scores(torch.zeros(4, 1), np.zeros(4, np.uint8), 2) is None
    assert cross_entropy_scores(x, np.zeros(4, np.float32), 2) is None
    assert cross_entropy_scores(x, np.array([0, 1, 2, 0]), 2) is None  # not a class number
    assert cross_entropy_scores(x, np.array([0, 1, -1, 0]), 2) is None
    assert cross_entropy_scores(x.half(), np.zeros(4, np.uint8), 2) is None
    assert cross_entropy_scores(x, np.zeros(4, np.uint8), 5) is None
    with pytest.raises(IndexError):  # torch says why, as before
        Unscored(0, 0.0, "cross_entropy").score(x.numpy(), np.array([0, 1, 2, 0]), 2)


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_and_regression_as_torch_has_them(loss: Loss) -> None:
    rng = np.random.default_rng(2)
    for n, n_train in ((50, 30), (40, 40), (30, 0)):
        x = odd_logits(rng, n, 3, np.float32)
        labels = rng.integers(0, 3, n).astype(np.uint8)
        metrics = Unscored(7, 1.5, loss).score(x, labels, n_train)
        found = [metrics.train_loss, metrics.train_acc, metrics.test_loss, metrics.test_acc]
        y = torch.from_numpy(labels).long()
        assert same(found, by_torch(torch.from_numpy(x), y, n_train, loss))
        assert same(scores(torch.from_numpy(x), y, n_train, loss), found)
        values = rng.normal(size=n).astype(np.float32)  # a regression net's targets
        one = x[:, :1].copy()
        metrics = Unscored(7, 1.5, loss).score(one, values, n_train)
        found = [metrics.train_loss, metrics.train_acc, metrics.test_loss, metrics.test_acc]
        assert same(found, by_torch(torch.from_numpy(one), torch.from_numpy(values), n_train))
        assert math.isnan(found[1]) and math.isnan(found[3])


def test_the_cross_entropy_is_torch_s() -> None:
    """The direct form, for a reader: F.cross_entropy on each set."""
    x = torch.tensor([[2.0, -1.0], [0.5, 0.5], [-3.0, 4.0], [1.0, float("nan")]])
    y = np.array([0, 1, 0, 1], np.uint8)
    got = cross_entropy_scores(x, y, 3)
    t = torch.from_numpy(y).long()
    assert got is not None
    assert got[0] == float(F.cross_entropy(x[:3], t[:3])) and got[1] == pytest.approx(1 / 3)
    assert math.isnan(got[2]) and got[3] == 1.0  # NaN is the largest output, as torch's argmax


def test_outputs_column_by_column() -> None:
    """A trainer's outputs are a transposed view: the same numbers as a contiguous copy's."""
    rng = np.random.default_rng(4)
    x = torch.from_numpy(rng.normal(size=(3, 90)).astype(np.float32)).t()
    labels = rng.integers(0, 3, 90)
    assert not x.is_contiguous()
    got = cross_entropy_scores(x, labels, 60)
    assert got is not None and same(got, by_torch(x, torch.from_numpy(labels), 60))
