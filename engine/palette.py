"""The colours of the page and of the notebook's figures, written once: GET /api/schema serves
them to the page (``palette``), and the figures and images import them."""

from __future__ import annotations

from typing import Any

#: One colour per class, from the first again after the last.
CLASS_COLORS = ("#e8772e", "#2e75b6", "#2f9e5a", "#c2408f", "#7757c9", "#8a6a2f")
#: One colour per hidden layer in the charts over time.
LAYER_COLORS = (
    "#2e75b6",
    "#e8772e",
    "#2f9e5a",
    "#c2408f",
    "#7757c9",
    "#8a6a2f",
    "#0f8b8d",
    "#b4532a",
    "#5b6b7a",
    "#9c2f2f",
)
INK = "#1f2933"
MUTED = "#6b7280"
AXIS = "#9aa5b1"  # the axes through zero
FRAME = "#d5dbe1"  # the border round a plot
DEAD_MARK = "#111827"  # a dead point's mark
MERGED_RING = "#111827"  # the ring round points of two classes sent to one place
WRONG_RING = (17, 24, 39, 0.6)  # the ring round a misclassified point: RGB and opacity
GRID_LINE = (71, 85, 105, 0.42)  # the grid lines: RGB and opacity
#: A feature map's values: blue below 0, white at 0, red above (the convolution mode's ramp).
NEGATIVE = "#2166ac"
POSITIVE = "#b2182b"
#: What the convolution mode lights up: a unit's receptive field, the kernel's window.
HIGHLIGHT = "#d97706"
LOSS_COLOR = "#b4532a"
ACC_COLOR = "#2563a6"
#: A region cell the network is unsure about is this near-white (0-255 on every channel).
PAPER = 250
#: The middle of a regression net's ramp from class 1's colour to class 2's.
RAMP_MIDDLE = 245
#: How far a class's colour is mixed with white where the regions are sure.
REGION_PALE = 0.45


def rgb(hex_color: str) -> tuple[int, int, int]:
    n = int(hex_color[1:], 16)
    return (n >> 16) & 255, (n >> 8) & 255, n & 255


def rgba(color: tuple[int, int, int, float]) -> str:
    """A CSS colour: ``rgba(71, 85, 105, 0.42)``."""
    r, g, b, alpha = color
    return f"rgba({r}, {g}, {b}, {alpha})"


def class_color(k: int) -> str:
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def served() -> dict[str, Any]:
    """The palette as GET /api/schema gives it to the page: CSS colours and 0-255 levels."""
    return {
        "classes": list(CLASS_COLORS),
        "layers": list(LAYER_COLORS),
        "ink": INK,
        "muted": MUTED,
        "axis": AXIS,
        "frame": FRAME,
        "dead": DEAD_MARK,
        "merged": MERGED_RING,
        "wrong": rgba(WRONG_RING),
        "grid": rgba(GRID_LINE),
        "loss": LOSS_COLOR,
        "accuracy": ACC_COLOR,
        "paper": PAPER,
        "ramp_middle": RAMP_MIDDLE,
        "region_pale": REGION_PALE,
        "negative": NEGATIVE,
        "positive": POSITIVE,
        "highlight": HIGHLIGHT,
    }
