"""The page's colours (``frontend/views/palette.js``, ``regions.js``) for figures and images."""

from __future__ import annotations

import numpy as np

from nets.notebook.snapshot import StageRegions

CLASS_COLORS = ("#e8772e", "#2e75b6", "#2f9e5a", "#c2408f", "#7757c9", "#8a6a2f")
INK = "#1f2933"
MUTED = "#6b7280"
GRID_LINE = (71, 85, 105)  # drawn at 42 % opacity
DEAD_MARK = "#111827"
LOSS_COLOR = "#b4532a"
ACC_COLOR = "#2563a6"
PAPER = 250  # a region cell the network is unsure about is this near-white


def rgb(hex_color: str) -> tuple[int, int, int]:
    n = int(hex_color[1:], 16)
    return (n >> 16) & 255, (n >> 8) & 255, n & 255


def class_color(k: int) -> str:
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def region_rgb(regions: StageRegions, classes: int) -> np.ndarray:
    """(R, R, 3) uint8, row 0 the lowest y: each cell in its class's colour (paled), the
    stronger the surer the network is; a regression net's value on a two-colour ramp."""
    if regions.value is not None:
        v = regions.value.astype(np.float64)
        low, high = float(np.nanmin(v)), float(np.nanmax(v))
        t = (v - low) / (high - low) if high > low else np.full_like(v, 0.5)
        ends = np.where((t < 0.5)[..., None], rgb(CLASS_COLORS[0]), rgb(CLASS_COLORS[1]))
        amount = np.abs(t - 0.5)[..., None] * 2
        ramp: np.ndarray = np.rint(245 + (ends - 245) * amount).astype(np.uint8)
        return ramp
    assert regions.label is not None and regions.conf is not None
    strong = np.array([rgb(class_color(k)) for k in range(max(classes, 2))], np.float64)
    strong = strong + (255 - strong) * 0.45
    floor = 1.0 / max(classes, 2)
    sure = np.clip((regions.conf.astype(np.float64) - floor) / (1 - floor), 0.0, 1.0)[..., None]
    side = strong[regions.label.astype(np.int64) % len(strong)]
    return np.rint(PAPER + (side - PAPER) * sure).astype(np.uint8)
