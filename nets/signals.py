"""Signals and images for convolution: a pattern that can sit anywhere, deterministic by seed.

A convolution layer is built on one assumption: *what* a pattern is does not depend on *where*
it is. These datasets make that assumption true and visible. A 1-D signal carries a short motif
at a random position (:func:`motif_signals`); a small image shows a glyph ("C", "D", ...)
drawn at a random place with small deformations (:func:`glyph_images`). Every sample keeps
where its pattern was planted, so a view or a test can ask whether a network found it there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nets.datasets import Dataset

FloatArray = np.ndarray
IntArray = np.ndarray
MotifMode = Literal["present", "which"]

#: The shortest and longest 1-D signals, and the smallest and largest square images.
MIN_LENGTH, MAX_LENGTH = 16, 128
MIN_SIZE, MAX_SIZE = 12, 28

#: Short fixed patterns to plant, 3 to 7 samples long, each distinct in shape from the others.
MOTIFS: dict[str, FloatArray] = {
    "bump": np.array([0.5, 1.0, 0.5], dtype=np.float32),
    "step": np.array([-1.0, -1.0, 1.0, 1.0], dtype=np.float32),
    "zigzag": np.array([1.0, -1.0, 1.0, -1.0, 1.0], dtype=np.float32),
    "ramp": np.array([-1.0, -0.6, -0.2, 0.2, 0.6, 1.0], dtype=np.float32),
    "chirp": np.array([1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0], dtype=np.float32),
}


@dataclass(frozen=True)
class Signals:
    """Samples with the place their pattern was planted.

    ``x`` is (n, channels, length) for signals or (n, channels, height, width) for images;
    ``positions`` is (n,) for signals (the motif's first sample, -1 where none was planted) or
    (n, 2) for images (the glyph box's top-left corner, row then column).
    """

    x: FloatArray  # float32
    labels: IntArray  # (n,) int64
    positions: IntArray  # int64
    n_classes: int

    def __len__(self) -> int:
        return len(self.labels)

    def split(self, test_ratio: float = 0.5) -> tuple[Signals, Signals]:
        """The first part for training, the rest for testing (the samples come shuffled)."""
        n_train = _train_count(len(self), test_ratio)
        return self._part(slice(0, n_train)), self._part(slice(n_train, None))

    def dataset(self, test_ratio: float = 0.5) -> Dataset:
        """The same split as :meth:`split`, as the project's :class:`~nets.datasets.Dataset`."""
        train, test = self.split(test_ratio)
        return Dataset(train.x, train.labels, test.x, test.labels, self.n_classes)

    def _part(self, part: slice) -> Signals:
        return Signals(self.x[part], self.labels[part], self.positions[part], self.n_classes)


def _train_count(n: int, test_ratio: float) -> int:
    if not 0.0 < test_ratio < 1.0:
        raise ValueError("test_ratio must lie strictly between 0 and 1")
    if n < 2:
        raise ValueError("a split needs at least 2 samples")
    return n - min(n - 1, max(1, round(n * test_ratio)))


def _check_motifs(motifs: Sequence[FloatArray], length: int) -> list[FloatArray]:
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"length must lie in [{MIN_LENGTH}, {MAX_LENGTH}]")
    out = [np.asarray(m, dtype=np.float32).ravel() for m in motifs]
    if not out or any(not 1 <= len(m) <= length for m in out):
        raise ValueError("give at least one motif, each between 1 sample and the signal's length")
    return out


def _start_range(where: tuple[int, int] | None, length: int, longest: int) -> tuple[int, int]:
    """The allowed first samples [lo, hi) of a motif: ``where``, or anywhere it fits."""
    lo, hi = where if where is not None else (0, length - longest + 1)
    if not 0 <= lo < hi <= length - longest + 1:
        raise ValueError(f"motif starts {lo}..{hi} do not fit a signal of length {length}")
    return lo, hi


def motif_signals(
    n: int,
    length: int = 32,
    motifs: Sequence[FloatArray] = (MOTIFS["bump"],),
    noise: float = 0.2,
    seed: int = 0,
    mode: MotifMode = "present",
    where: tuple[int, int] | None = None,
) -> Signals:
    """``n`` signals of ``length`` samples of Gaussian noise (std ``noise``) with a motif added.

    ``mode="present"``: label 1 when ``motifs[0]`` is planted, 0 when it is not; a negative
    sample carries ``motifs[1]`` instead if there is one (a distractor: the net must learn the
    motif's shape, not merely that something stands out of the noise), else nothing.
    ``mode="which"``: label ``k`` when ``motifs[k]`` is planted; every sample carries one.
    ``where=(lo, hi)`` limits the motif's first sample to ``lo <= start < hi``: train on the
    left half and test on the right to see whether a net generalises across positions.
    """
    patterns = _check_motifs(motifs, length)
    if n < 1 or noise < 0:
        raise ValueError("need n >= 1 and noise >= 0")
    lo, hi = _start_range(where, length, max(len(m) for m in patterns))
    rng = np.random.default_rng(seed)
    classes = len(patterns) if mode == "which" else 2
    labels = rng.integers(0, classes, n)
    starts = rng.integers(lo, hi, n)
    x = rng.normal(0.0, noise, (n, 1, length)).astype(np.float32)
    positions = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        k = _planted(mode, int(labels[i]), len(patterns))
        if k is None:
            continue
        x[i, 0, starts[i] : starts[i] + len(patterns[k])] += patterns[k]
        positions[i] = starts[i]
    return Signals(x, labels.astype(np.int64), positions, classes)


def _planted(mode: MotifMode, label: int, count: int) -> int | None:
    """Which motif a sample of ``label`` carries (None: only noise)."""
    if mode == "which":
        return label
    if mode != "present":
        raise ValueError(f"unknown mode {mode!r}; choose 'present' or 'which'")
    if label == 1:
        return 0
    return 1 if count > 1 else None


# ----------------------------------------------------------------------------- glyphs


@dataclass(frozen=True)
class Glyph:
    """A letter drawn as strokes: polylines in the unit square (x right, y down)."""

    strokes: tuple[FloatArray, ...]


def _arc(
    cx: float, cy: float, rx: float, ry: float, start: float, stop: float, points: int = 17
) -> FloatArray:
    """Points along an ellipse from angle ``start`` to ``stop`` (degrees; y points down)."""
    angle = np.radians(np.linspace(start, stop, points))
    return np.stack([cx + rx * np.cos(angle), cy + ry * np.sin(angle)], axis=1)


def _line(*points: tuple[float, float]) -> FloatArray:
    return np.array(points, dtype=np.float64)


#: The glyphs. A "C" is one smooth arc: two endpoints, no corners. A "D" is a bar closed by an
#: arc: two corners where they meet, no endpoints. So a detector of stroke ends and one of
#: corners tell them apart, whatever their place in the image: the lecture's example of a
#: feature worth detecting everywhere with the same weights.
GLYPHS: dict[str, Glyph] = {
    "C": Glyph((_arc(0.5, 0.5, 0.5, 0.5, 45.0, 315.0),)),
    "D": Glyph((np.concatenate([_arc(0.1, 0.5, 0.8, 0.5, -90.0, 90.0), _line((0.1, 0.0))]),)),
    "L": Glyph((_line((0.15, 0.0), (0.15, 1.0), (0.9, 1.0)),)),
    "T": Glyph((_line((0.0, 0.05), (1.0, 0.05)), _line((0.5, 0.05), (0.5, 1.0)))),
    "O": Glyph((_arc(0.5, 0.5, 0.45, 0.5, 0.0, 360.0, 25),)),
}


def _segment_distance(points: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """Distance of every point (m, 2) to every segment a[s]-b[s]: (m, s)."""
    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    t = ((points[:, None, :] - a[None]) * ab[None]).sum(axis=2) / length2
    nearest = a[None] + np.clip(t, 0.0, 1.0)[..., None] * ab[None]
    distance: FloatArray = np.sqrt(((points[:, None, :] - nearest) ** 2).sum(axis=2))
    return distance


def keypoints(glyph: Glyph, turn_degrees: float = 45.0) -> tuple[int, int]:
    """(endpoints, corners) of a glyph: where a stroke stops, and where it turns sharply.

    An endpoint is a free end of an open stroke (an end lying on another stroke is a junction,
    as the top of a "T"'s stem). A corner is a vertex where the stroke turns by more than
    ``turn_degrees``; sampled arcs turn by much less at each vertex.
    """
    ends, corners = 0, 0
    for i, stroke in enumerate(glyph.strokes):
        closed = bool(np.allclose(stroke[0], stroke[-1]))
        others = [s for j, s in enumerate(glyph.strokes) if j != i]
        if not closed:
            ends += sum(not _on_any(p, others) for p in (stroke[0], stroke[-1]))
        path = np.concatenate([stroke, stroke[1:2]]) if closed else stroke
        step = np.diff(path, axis=0)
        heading = np.degrees(np.arctan2(step[:, 1], step[:, 0]))
        turn = np.abs((np.diff(heading) + 180.0) % 360.0 - 180.0)
        corners += int((turn > turn_degrees).sum())
    return ends, corners


def _on_any(point: FloatArray, strokes: Sequence[FloatArray]) -> bool:
    return any(_segment_distance(point[None], s[:-1], s[1:]).min() < 1e-6 for s in strokes)


def render(strokes: Sequence[FloatArray], size: int, width: float) -> FloatArray:
    """Strokes (pixel coordinates, x then y) drawn ``width`` pixels wide on a ``size`` square:
    ink 1 on the stroke, fading to 0 over one pixel at its edge (anti-aliased)."""
    centres = np.arange(size) + 0.5
    grid = np.stack(np.meshgrid(centres, centres, indexing="xy"), axis=-1).reshape(-1, 2)
    a = np.concatenate([s[:-1] for s in strokes])
    b = np.concatenate([s[1:] for s in strokes])
    distance = _segment_distance(grid, a, b).min(axis=1)
    ink = np.clip(width / 2 + 0.5 - distance, 0.0, 1.0)
    image: FloatArray = ink.reshape(size, size).astype(np.float32)
    return image


@dataclass(frozen=True)
class Jitter:
    """How much each drawing varies: the box's size (fraction of the image) and its scale
    jitter, the strokes' vertices' jitter (fraction of the box), and the stroke width range."""

    box: float = 0.6
    scale: float = 0.15
    stroke: float = 0.02
    width: tuple[float, float] = (1.3, 2.0)


def _draw(
    rng: np.random.Generator,
    glyph: Glyph,
    size: int,
    jitter: Jitter,
    columns: tuple[float, float] | None = None,
) -> tuple[FloatArray, IntArray]:
    """One glyph at a random place and scale: the image and its box's top-left (row, col).
    ``columns`` (left, right) keeps the box between those columns (the whole width if None)."""
    left, right = columns if columns is not None else (1.0, size - 1.0)
    box = size * jitter.box * rng.uniform(1 - jitter.scale, 1 + jitter.scale, 2)
    box = np.minimum(box, [right - left, size - 2.0])
    low = np.array([left, 1.0])
    corner = rng.uniform(low, np.array([right, size - 1.0]) - box)  # x, y of the top-left
    strokes = [corner + box * _wobble(rng, s, jitter.stroke) for s in glyph.strokes]
    width = rng.uniform(*jitter.width)
    image = render(strokes, size, width)
    return image, np.array([int(corner[1]), int(corner[0])], dtype=np.int64)


def _wobble(rng: np.random.Generator, stroke: FloatArray, scale: float) -> FloatArray:
    """The stroke with every vertex moved a little; a closed stroke stays closed."""
    moved = stroke + rng.normal(0.0, scale, stroke.shape)
    if np.allclose(stroke[0], stroke[-1]):
        moved[-1] = moved[0]
    return moved


def glyph_images(
    n: int,
    size: int = 20,
    names: Sequence[str] = ("C", "D"),
    noise: float = 0.1,
    seed: int = 0,
    jitter: Jitter | None = None,
    glyphs: Mapping[str, Glyph] = GLYPHS,
    columns: tuple[float, float] | None = None,
) -> Signals:
    """``n`` images (n, 1, size, size) of the glyphs ``names``; label ``k`` is ``names[k]``.

    Each is drawn at a random place with a jittered scale, wobbly strokes and a random stroke
    width, then Gaussian noise of std ``noise`` is added. Ink is about 1, paper 0.
    ``columns`` (left, right) keeps every glyph between those columns: train on one half of
    the image and test on the other to see whether a net recognises a glyph where it never saw
    one.
    """
    if columns is not None and not 0.0 <= columns[0] < columns[1] <= size:
        raise ValueError(f"columns must lie within the image's {size}, left before right")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"size must lie in [{MIN_SIZE}, {MAX_SIZE}]")
    unknown = [name for name in names if name not in glyphs]
    if unknown or len(names) < 2 or n < 1 or noise < 0:
        raise ValueError(f"need n >= 1, noise >= 0 and two or more of {sorted(glyphs)}")
    jitter = jitter or Jitter()
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(names), n)
    x = np.empty((n, 1, size, size), dtype=np.float32)
    positions = np.empty((n, 2), dtype=np.int64)
    for i in range(n):
        x[i, 0], positions[i] = _draw(rng, glyphs[names[labels[i]]], size, jitter, columns)
    x += rng.normal(0.0, noise, x.shape).astype(np.float32)
    return Signals(x, labels.astype(np.int64), positions, len(names))
