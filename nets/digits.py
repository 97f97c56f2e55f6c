"""Real handwriting for convolution: the 8×8 digits that ship inside scikit-learn.

1,797 handwritten digits, 0 to 9 (about 180 of each), scanned to 8×8 pixels of ink 0..16. They
come as a data file inside the scikit-learn package, so loading them reads that file and never
the network: an experiment on real images works offline and starts at once. They are small
enough to train on live, yet real enough that no template written by hand classifies them.

:func:`digit_images` returns them as :class:`~nets.signals.Signals`, like the glyphs: shuffled
by a seed, optionally placed at random in a larger canvas (to train where a digit sits in one
place and test it in another) and with Gaussian noise added.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nets.signals import MAX_SIZE, FloatArray, IntArray, Signals

#: A digit's side in pixels, and the ink of its darkest pixel in the raw data.
DIGIT_SIZE = 8
INK_LEVELS = 16


class DigitsUnavailable(RuntimeError):
    """scikit-learn, which carries the digits, is not installed."""


def _loader() -> Callable[[], Any]:
    """scikit-learn's reader of the bundled digits; ImportError without scikit-learn."""
    from sklearn.datasets import load_digits  # type: ignore[import-untyped]  # no stubs

    loader: Callable[[], Any] = load_digits
    return loader


@functools.cache
def digits_available() -> bool:
    """Whether the digits can be loaded (scikit-learn imports)."""
    try:
        _loader()
    except ImportError:
        return False
    return True


@functools.cache
def _all_digits() -> tuple[FloatArray, IntArray]:
    """Every digit (1797, 8, 8) float32 in [0, 1] and its label (1797,) int64, read-only."""
    try:
        load_digits = _loader()
    except ImportError as error:
        raise DigitsUnavailable("the digits need scikit-learn: pip install scikit-learn") from error
    bunch = load_digits()  # reads the file bundled in the package; no download
    images = np.asarray(bunch.images, dtype=np.float32) / np.float32(INK_LEVELS)
    labels = np.asarray(bunch.target, dtype=np.int64)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def _integer(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    return int(value)


def _check_digits(digits: Sequence[int]) -> list[int]:
    chosen = [_integer("digits", d) for d in digits]
    if len(chosen) < 2 or len(set(chosen)) != len(chosen) or not all(0 <= d <= 9 for d in chosen):
        raise ValueError(f"digits must be two or more distinct digits 0..9, not {chosen}")
    return chosen


def digit_count(digits: Sequence[int] = range(10)) -> int:
    """How many images there are of ``digits``: the most :func:`digit_images` can return."""
    _, labels = _all_digits()
    return int(np.isin(labels, _check_digits(digits)).sum())


def digit_images(
    n: int | None = None,
    size: int = DIGIT_SIZE,
    seed: int = 0,
    noise: float = 0.0,
    digits: Sequence[int] = range(10),
) -> Signals:
    """``n`` images (n, 1, size, size) of ``digits``, in an order shuffled by ``seed``.

    Label ``k`` is ``digits[k]`` (``digits=(3, 8)``: 0 for a 3, 1 for an 8). Ink runs from 0
    (paper) to 1, plus Gaussian noise of std ``noise``. With ``size`` above 8 each digit sits
    at a random place on a zero canvas; ``positions`` holds its top-left corner (row, column),
    all zeros at size 8. ``n=None`` takes every image of the chosen digits.
    """
    chosen = _check_digits(digits)
    size = _integer("size", size)
    if not DIGIT_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must lie in [{DIGIT_SIZE}, {MAX_SIZE}], not {size}")
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, not {noise}")
    images, labels = _all_digits()
    pool = np.flatnonzero(np.isin(labels, chosen))
    count = len(pool) if n is None else _integer("n", n)
    if not 1 <= count <= len(pool):
        raise ValueError(f"n must lie in [1, {len(pool)}] (the images of digits {chosen})")
    rng = np.random.default_rng(_integer("seed", seed))
    picked = rng.permutation(pool)[:count]
    relabel = np.full(10, -1, dtype=np.int64)
    relabel[chosen] = np.arange(len(chosen))
    corners = rng.integers(0, size - DIGIT_SIZE + 1, (count, 2)).astype(np.int64)
    x = np.zeros((count, 1, size, size), dtype=np.float32)
    for i, (row, col) in enumerate(corners):
        x[i, 0, row : row + DIGIT_SIZE, col : col + DIGIT_SIZE] = images[picked[i]]
    if noise > 0:
        x += rng.normal(0.0, noise, x.shape).astype(np.float32)
    return Signals(x, relabel[labels[picked]], corners, len(chosen))
