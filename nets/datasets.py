"""Toy 2D classification datasets, deterministic by seed and scaled to about [-1, 1]."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

FloatArray = np.ndarray
#: (rng, points, classes, turns) -> (x, labels); a generator ignores what it does not take.
Generator = Callable[[np.random.Generator, int, int, float], tuple[FloatArray, FloatArray]]


@dataclass(frozen=True)
class Dataset:
    """Points and labels, split into a train part and a test part."""

    x_train: FloatArray  # (n_train, 2) float32
    y_train: FloatArray  # (n_train,) int64
    x_test: FloatArray
    y_test: FloatArray
    n_classes: int  # 1 for a regression set, whose y are real numbers

    @property
    def regression(self) -> bool:
        return self.n_classes == 1

    @property
    def x(self) -> FloatArray:
        """All points, train first then test."""
        return np.concatenate([self.x_train, self.x_test])

    @property
    def y(self) -> FloatArray:
        return np.concatenate([self.y_train, self.y_test])

    def __repr__(self) -> str:
        return (
            f"Dataset(train={len(self.y_train)}, test={len(self.y_test)}, classes={self.n_classes})"
        )


#: Turns of every spiral arm unless told otherwise.
SPIRAL_TURNS = 1.75


def _spiral(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    labels = rng.integers(0, arms, n)
    t = np.sqrt(rng.uniform(0.0, 1.0, n))  # even density along the arm
    angle = turns * 2 * np.pi * t + 2 * np.pi * labels / arms
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    return x, labels


def _playground_spiral(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    """TensorFlow Playground's spiral: two arms half a turn apart, exactly half the points on
    each, and the radius growing evenly with a point's place along its arm, so the centre is
    dense (ours spaces points evenly along the arm instead)."""
    labels = np.arange(n) % 2
    place = (np.arange(n) // 2) / max(1, (n + 1) // 2)  # 0 at the centre, up to 1 outside
    angle = turns * 2 * np.pi * place + np.pi * labels
    x = np.stack([place * np.sin(angle), place * np.cos(angle)], axis=1)
    return x, labels


def _circles(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    labels = rng.integers(0, arms, n)
    radius = (labels + rng.uniform(0.15, 0.85, n)) / arms
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x, labels


def _moons(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    labels = rng.integers(0, 2, n)
    angle = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    x = np.where(labels[:, None] == 0, upper, lower)
    return (x - [0.5, 0.25]) / 1.25, labels


def _xor(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    x = rng.uniform(-1, 1, (n, 2))
    x += np.sign(x) * 0.05  # a small gap along the axes, as in the Playground
    labels = (x[:, 0] * x[:, 1] < 0).astype(np.int64)
    return x, labels


def _gaussians(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    labels = rng.integers(0, arms, n)
    angle = 2 * np.pi * labels / arms + np.pi / 4
    centres = 0.55 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + rng.normal(0, 0.18, (n, 2)), labels


def _checkerboard(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    x = rng.uniform(-1, 1, (n, 2))
    cells = np.floor((x + 1) * 2).astype(np.int64)  # 4 x 4 board
    return x, (cells.sum(axis=1) % 2)


def _plane(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    x = rng.uniform(-1, 1, (n, 2))
    return x, (x[:, 0] + x[:, 1]) / 2


def _bumps(
    rng: np.random.Generator, n: int, arms: int, turns: float
) -> tuple[FloatArray, FloatArray]:
    """A mixture of Gaussian bumps, up and down, on a 3 x 3 lattice (fixed, not by seed)."""
    x = rng.uniform(-1, 1, (n, 2))
    centres = [(cx, cy) for cx in (-0.6, 0.0, 0.6) for cy in (-0.6, 0.0, 0.6)]
    signs = [1, -1, 1, -1, 1, -1, 1, -1, 1]
    target = np.zeros(n)
    for (cx, cy), sign in zip(centres, signs, strict=True):
        target += sign * np.exp(-((x[:, 0] - cx) ** 2 + (x[:, 1] - cy) ** 2) / (2 * 0.2**2))
    return x, target


@dataclass(frozen=True)
class Kind:
    """A dataset's generator, and which arguments it takes: what the page's controls offer."""

    generate: Generator
    classes: bool = False  # the number of classes is the ``classes`` argument; else two
    turns: bool = False  # its arms wind ``turns`` times
    regression: bool = False  # real-valued targets: a regression net has one linear output

    def facts(self) -> dict[str, bool]:
        """What a client needs to know of the dataset, as plain JSON."""
        return {"classes": self.classes, "turns": self.turns, "regression": self.regression}


#: Every dataset by name. Adding one here is all it takes: the config, the schema the page
#: reads (GET /api/schema) and the page's controls follow.
KINDS: dict[str, Kind] = {
    "spiral": Kind(_spiral, classes=True, turns=True),
    "playground_spiral": Kind(_playground_spiral, turns=True),
    "circles": Kind(_circles, classes=True),
    "moons": Kind(_moons),
    "xor": Kind(_xor),
    "gaussians": Kind(_gaussians, classes=True),
    "checkerboard": Kind(_checkerboard),
    "plane": Kind(_plane, regression=True),
    "bumps": Kind(_bumps, regression=True),
}

GENERATORS: dict[str, Generator] = {name: kind.generate for name, kind in KINDS.items()}

#: Datasets whose targets are real numbers: a regression net has one linear output.
REGRESSION = frozenset(name for name, kind in KINDS.items() if kind.regression)


def n_classes_of(name: str, classes: int) -> int:
    """The number of network outputs the dataset needs: classes, or 1 for regression."""
    kind = KINDS[name]
    if kind.regression:
        return 1
    return classes if kind.classes else 2


def make_dataset(
    name: str,
    points: int = 400,
    noise: float = 0.0,
    seed: int = 0,
    classes: int = 2,
    test_ratio: float = 0.5,
    turns: float = SPIRAL_TURNS,
) -> Dataset:
    """Generate ``points`` labelled points of dataset ``name``.

    ``noise`` is the standard deviation of Gaussian jitter, as a fraction of the data's
    half-width (the data lie in about [-1, 1]). ``classes`` is the number of spiral arms,
    rings or blobs for the datasets that take one; ``turns`` how far each spiral arm winds.
    The same arguments give the same data.
    """
    if name not in KINDS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(KINDS)}")
    if points < 2:
        raise ValueError("a dataset needs at least 2 points")
    if not 0.0 < test_ratio < 1.0:
        raise ValueError("test_ratio must lie strictly between 0 and 1")
    rng = np.random.default_rng(seed)
    kind = KINDS[name]
    x, labels = kind.generate(rng, points, classes, turns)
    x = x + rng.normal(0.0, noise, x.shape)
    order = rng.permutation(points)
    target_type = np.float32 if kind.regression else np.int64
    x, labels = x[order].astype(np.float32), labels[order].astype(target_type)
    n_test = min(points - 1, max(1, round(points * test_ratio)))
    n_train = points - n_test
    return Dataset(
        x_train=x[:n_train],
        y_train=labels[:n_train],
        x_test=x[n_train:],
        y_test=labels[n_train:],
        n_classes=n_classes_of(name, classes),
    )
