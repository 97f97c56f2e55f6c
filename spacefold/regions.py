"""The regions as the page paints them (``frontend/views/regions.js``), in the page's colours
(``engine/palette.py``), for figures and images."""

from __future__ import annotations

import numpy as np

from engine.palette import CLASS_COLORS, PAPER, RAMP_MIDDLE, REGION_PALE, class_color, rgb
from spacefold.frame import StageRegions


def region_rgb(regions: StageRegions, classes: int) -> np.ndarray:
    """(R, R, 3) uint8, row 0 the lowest y: each cell in its class's colour (paled), the
    stronger the surer the network is; a regression net's value on a two-colour ramp."""
    if regions.value is not None:
        v = regions.value.astype(np.float64)
        low, high = float(np.nanmin(v)), float(np.nanmax(v))
        t = (v - low) / (high - low) if high > low else np.full_like(v, 0.5)
        ends = np.where((t < 0.5)[..., None], rgb(CLASS_COLORS[0]), rgb(CLASS_COLORS[1]))
        amount = np.abs(t - 0.5)[..., None] * 2
        ramp: np.ndarray = np.rint(RAMP_MIDDLE + (ends - RAMP_MIDDLE) * amount).astype(np.uint8)
        return ramp
    assert regions.label is not None and regions.conf is not None
    strong = np.array([rgb(class_color(k)) for k in range(max(classes, 2))], np.float64)
    strong = strong + (255 - strong) * REGION_PALE
    floor = 1.0 / max(classes, 2)
    sure = np.clip((regions.conf.astype(np.float64) - floor) / (1 - floor), 0.0, 1.0)[..., None]
    side = strong[regions.label.astype(np.int64) % len(strong)]
    return np.rint(PAPER + (side - PAPER) * sure).astype(np.uint8)
