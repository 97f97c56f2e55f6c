"""The lecture's hand-built detector for C versus D, set up in a conv session by hand.

A "C" is one arc: two stroke ends and no corners. A "D" is a bar closed by an arc: two
corners where they meet and no ends. So one conv layer of small drawings tells them apart
wherever the letter is: an *endpoint* template and two *corner* templates are slid over the
image (3 channels, 7×7, ReLU after, each with a bias that sets how good a match must be), every
map is averaged over the image (global average pooling: the sum, divided by the positions),
and the classifier is set by hand, C's score = endpoints - corners, D's = corners - endpoints.

Every template is a little picture on a 7×7 grid: ``INK`` where its feature has a stroke,
``PAPER`` where it has none, and ``MARGIN`` (nothing either way) beside every inked pixel, since
a glyph's strokes are 1.3 to 2 pixels wide and wobble. The letters stand upright, so the
templates are oriented the way a C's ends and a D's corners are.

Measured (seeds 0..2, 200 test images each): 100 % test accuracy on the default glyphs (size
16, noise 0.1) and without noise, 99.5 % to 100 % at size 20. Training on from here ("let it
learn") keeps it there; at noise 0.3 it starts near 89 % and reaches 95 % in 20 to 30 steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.conv.schemas import ConvConfig, SetKernel, SetReadout
from engine.conv.session import ConvSession
from engine.schemas import merge_config

KERNEL = 7
INK, PAPER, MARGIN = 1.0, -0.5, 0.0
#: How much of a template must be matched before its channel fires (the bias, negated): an
#: endpoint's drawing has 4 inked pixels, a corner's 7 (a corner also half-matches the curves
#: of a C, so its bar is set higher).
ENDPOINT_BIAS, CORNER_BIAS = -1.0, -4.0
#: The classifier's weights are ± this. Average pooling divides each map's sum by the 256
#: positions of a 16×16 image, so ±1 would give scores near 50 %; the signs are the lecture's.
READOUT_WEIGHT = 10.0

#: The channels of the layer, in order, and the group each belongs to.
CHANNELS: dict[str, str] = {
    "endpoint": "endpoint",
    "top corner": "corner",
    "bottom corner": "corner",
}
CLASSES = ("C", "D")

#: The ConvConfig changes that make a session the hand-built net.
DETECTOR_CONFIG: dict[str, dict[str, Any]] = {
    "data": {"kind": "glyphs", "glyphs": list(CLASSES)},
    "model": {
        "layers": [
            {
                "channels": len(CHANNELS),
                "kernel": KERNEL,
                "stride": 1,
                "padding": "same",
                "dilation": 1,
            }
        ],
        "activation": "relu",
        "pool": "none",
        "readout": "avg",
        "unshared": False,
    },
    "view": {"speed": 1},
}

_STEPS = {"left": (0, -1), "right": (0, 1), "up": (-1, 0), "down": (1, 0)}


def drawing(arms: tuple[str, ...], size: int = KERNEL) -> np.ndarray:
    """Strokes from the centre pixel out to the border, one per arm ("left", "right", "up",
    "down"), inked; the pixels beside the ink a margin; the rest paper."""
    middle = size // 2
    ink = np.zeros((size, size), dtype=bool)
    ink[middle, middle] = True
    for arm in arms:
        di, dj = _STEPS[arm]
        for k in range(1, middle + 1):
            ink[middle + di * k, middle + dj * k] = True
    beside = np.zeros_like(ink)
    beside[1:] |= ink[:-1]
    beside[:-1] |= ink[1:]
    beside[:, 1:] |= ink[:, :-1]
    beside[:, :-1] |= ink[:, 1:]
    template = np.full((size, size), PAPER, dtype=np.float32)
    template[beside] = MARGIN
    template[ink] = INK
    return template


def templates() -> dict[str, np.ndarray]:
    """The three 7×7 kernels, by channel name (see :data:`CHANNELS`).

    - ``endpoint``: a stroke that arrives from the left and stops at the centre. Ink on one
      side only is what an end is; the middle of a stroke also has ink on the other side, and
      a D's arc, where it runs upright, has ink above and below: both fall on paper. Both of a
      C's ends are reached from the left (its opening faces right).
    - ``top corner`` (┌) and ``bottom corner`` (└): two perpendicular strokes meeting at the
      centre, one going right and one going down (up). That is where a D's bar meets its arc.
      A straight stroke or a gentle curve crosses only one arm and the paper, so it scores low.
    """
    top = drawing(("right", "down"))
    return {"endpoint": drawing(("left",)), "top corner": top, "bottom corner": top[::-1].copy()}


def biases() -> dict[str, float]:
    """Each channel's bias: minus how much of its template must be matched to fire."""
    return {
        name: ENDPOINT_BIAS if group == "endpoint" else CORNER_BIAS
        for name, group in CHANNELS.items()
    }


def readout_weights() -> list[list[float]]:
    """The classifier by hand (classes × channels): C = endpoints - corners, D = the reverse.
    Each group's channels are summed: every corner counts, whichever way it turns."""
    sign = {"endpoint": 1.0, "corner": -1.0}
    c_row = [READOUT_WEIGHT * sign[group] for group in CHANNELS.values()]
    return [c_row, [-w for w in c_row]]


def detector_config(config: ConvConfig) -> ConvConfig:
    """``config`` with :data:`DETECTOR_CONFIG` merged in (the data's size, noise, samples and
    seed, and the training recipe, stay as they were)."""
    return merge_config(config, DETECTOR_CONFIG)


def build_detector(session: ConvSession) -> None:
    """Make ``session`` the hand-built net: its config, a fresh net at step 0, the templates
    as the layer's kernels and the lecture's classifier. Hold the session's lock."""
    session.configure(detector_config(session.config))
    session.reset()
    bias = biases()
    for channel, (name, kernel) in enumerate(templates().items()):
        weights = [float(v) for v in kernel.ravel()]
        session.set_kernel(
            SetKernel(type="set_kernel", layer=0, channel=channel, weights=weights, bias=bias[name])
        )
    session.set_readout(
        SetReadout(type="set_readout", weight=readout_weights(), bias=[0.0] * len(CLASSES))
    )
