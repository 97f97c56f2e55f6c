"""Pictures of the convolution mode without a browser: the input and every stage's feature maps
drawn with Pillow in the page's colours (``frontend/conv/heat.js``: blue below 0, white at 0,
red above), and an animated GIF of the input moving with the maps moving along."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageDraw

from engine import palette
from engine.palette import AXIS, FRAME, INK, LAYER_COLORS, MUTED, rgb
from spacefold.raster import TITLE, Size, captioned, font

if TYPE_CHECKING:
    from spacefold.conv import ConvExperiment, ConvFrame

#: The ends of the maps' diverging ramp (the page's ``heat.js``); 0 is white.
NEGATIVE, POSITIVE = rgb(palette.NEGATIVE), rgb(palette.POSITIVE)
LABEL_WIDTH = 118  # px: the stage names left of the maps
GAP = 4  # px between tiles
SMALLEST = (160, 120)
BAR_WIDTH = 64  # px: the widest bar of the readout and the scores


def heat_rgb(values: np.ndarray, scale: float) -> np.ndarray:
    """``values`` (any shape) as uint8 RGB on the ramp from -scale (blue) to +scale (red)."""
    s = scale if scale > 0 else 1.0
    u = np.clip(np.nan_to_num(np.asarray(values, np.float64) / s), -1.0, 1.0)[..., None]
    end = np.where(u < 0, np.array(NEGATIVE, np.float64), np.array(POSITIVE, np.float64))
    out: np.ndarray = np.rint(255 + (end - 255) * np.abs(u)).astype(np.uint8)
    return out


def abs_max(values: np.ndarray) -> float:
    """The largest |value| (1 for an all-zero array, so zeros draw white)."""
    finite = np.abs(values[np.isfinite(values)]) if values.size else np.zeros(0)
    top = float(finite.max()) if finite.size else 0.0
    return top if top > 0 else 1.0


def stage_name(fact: dict[str, Any], activation: str | None = None) -> str:
    """A stage's caption: "input", "conv 1", "relu 1", "pool 1", "readout", "scores"."""
    kind, layer = fact["kind"], fact.get("layer")
    number = "" if layer is None else f" {layer + 1}"
    if kind == "conv":
        return f"conv{number}"
    if kind == "activation":
        return f"{activation or 'activation'}{number}"
    if kind == "pool":
        return f"pool{number}"
    if kind == "logits":
        return "scores"
    return str(kind)


def spatial_stages(header: dict[str, Any]) -> list[int]:
    """The stages that are maps (the input, conv, activation and pool stages)."""
    return [k for k, fact in enumerate(header["stages"]) if "stride" in fact]


def _tile(values: np.ndarray, scale: float, side: int) -> Image.Image:
    """One 2-D map as a square-ish tile, each value a block of pixels (no smoothing)."""
    h, w = values.shape
    image = Image.fromarray(np.ascontiguousarray(heat_rgb(values, scale)))
    cell = max(1, side // max(h, w))
    tile = image.resize((w * cell, h * cell), Image.Resampling.NEAREST)
    ImageDraw.Draw(tile).rectangle([0, 0, tile.width - 1, tile.height - 1], outline=rgb(FRAME))
    return tile


def _lines(values: np.ndarray, size: Size, scale: float) -> Image.Image:
    """1-D maps (C, L) as one line per channel, 0 drawn as a faint axis."""
    w, h = size
    image = Image.new("RGB", (max(w, 2), max(h, 2)), "white")
    draw = ImageDraw.Draw(image)
    mid = (h - 1) / 2
    draw.line([(0, mid), (w, mid)], fill=rgb(AXIS))
    length = values.shape[-1]
    xs = np.linspace(2, w - 3, length) if length > 1 else np.array([w / 2])
    for c, row in enumerate(values):
        ys = mid - np.clip(np.nan_to_num(row / scale), -1, 1) * (mid - 2)
        color = rgb(LAYER_COLORS[c % len(LAYER_COLORS)])
        points = list(zip(xs.tolist(), ys.tolist(), strict=True))
        if len(points) > 1:
            draw.line(points, fill=color, width=2)
        else:
            draw.ellipse([xs[0] - 2, ys[0] - 2, xs[0] + 2, ys[0] + 2], fill=color)
    draw.rectangle([0, 0, w - 1, h - 1], outline=rgb(FRAME))
    return image


def _bars(
    values: np.ndarray, names: Sequence[str], size: Size, title: str, pick: int | None = None
) -> Image.Image:
    """Values as vertical bars about 0, each named underneath (a name too wide for its bar
    loses its last word, else is left out); bar ``pick`` drawn darker."""
    w, h = size
    image = Image.new("RGB", (max(w, 2), max(h, 2)), "white")
    draw = ImageDraw.Draw(image)
    draw.text((2, 0), title, fill=rgb(MUTED), font=font(13, title))
    top, bottom = 18, h - 16
    scale = abs_max(values)
    signed = bool((values < 0).any())
    base = (top + bottom) / 2 if signed else bottom
    reach = (bottom - top) / 2 if signed else bottom - top
    n = max(len(values), 1)
    width = max(1.0, min(BAR_WIDTH, (w - 4) / n))
    draw.line([(0, base), (w, base)], fill=rgb(AXIS))
    for i, v in enumerate(values.tolist()):
        x0 = 2 + i * width
        y = base - max(-1.0, min(1.0, v / scale)) * reach
        color = rgb(INK) if i == pick else tuple(int(c) for c in heat_rgb(np.array(v), scale))
        right = max(x0 + 1, x0 + width - 2)
        outline = rgb(AXIS) if width >= 4 else None  # thin bars: colour only
        draw.rectangle([x0 + 1, min(y, base), right, max(y, base)], fill=color, outline=outline)
        name = names[i] if i < len(names) else str(i)
        for text in (name, name.rsplit(" ", 1)[0]):  # with its number, else without
            label = font(12, text)
            if draw.textlength(text, font=label) <= width:
                draw.text((x0 + 1, h - 14), text, fill=rgb(INK), font=label)
                break
    return image


def frame_caption(header: dict[str, Any], note: str = "") -> str:
    """One line: the step, the test accuracy, the sample shown, the answer and ``note``."""
    example, classes = header["example"], header["classes"]
    shown = (
        "drawn input"
        if example["drawn"]
        else f"test sample {example['index']} ({classes[example['label']]})"
    )
    acc = header["metrics"]["test_acc"]
    parts = [f"step {header['step']}", shown, f"predicted {classes[example['predicted']]}"]
    if acc is not None:
        parts.insert(1, f"test accuracy {100 * acc:.0f}%")
    return " · ".join([*parts, note] if note else parts)


def maps(
    frame: ConvFrame, size: Size, activation: str | None = None, note: str = ""
) -> Image.Image:
    """The input and every stage's maps, one row a stage (2-D: a tile per channel; 1-D: a line
    per channel), then the readout and the class scores, in one ``size`` image under a caption
    (the step, the accuracy, the sample shown and ``note``). Each stage is coloured on its own
    scale, the largest |value| of its maps."""
    header, arrays = frame
    w, h = size
    if w < SMALLEST[0] or h < SMALLEST[1]:
        raise ValueError(f"size: at least {SMALLEST[0]} x {SMALLEST[1]} pixels, not {w} x {h}")
    body_h = h - TITLE
    out = Image.new("RGB", (w, body_h), "white")
    draw = ImageDraw.Draw(out)
    facts = header["stages"]
    spatial = spatial_stages(header)
    row_h = body_h // (len(spatial) + 1)
    room = w - LABEL_WIDTH
    for row, k in enumerate(spatial):
        values = np.asarray(arrays[f"stage/{k}"], np.float64)
        y = row * row_h
        name = stage_name(facts[k], activation)
        shape = " x ".join(str(n) for n in values.shape)
        draw.text((4, y + 4), name, fill=rgb(INK), font=font(14, name))
        draw.text((4, y + 22), shape, fill=rgb(MUTED), font=font(12, shape))
        scale = abs_max(values)
        if values.ndim == 3:
            channels = values.shape[0]
            side = max(1, min(row_h - GAP, room // channels - GAP))
            for c in range(channels):
                tile = _tile(values[c], scale, side)
                out.paste(tile, (LABEL_WIDTH + c * (side + GAP), y + (row_h - tile.height) // 2))
        else:
            out.paste(_lines(values, (room - GAP, row_h - GAP), scale), (LABEL_WIDTH, y + GAP // 2))
    y = len(spatial) * row_h
    names = [str(n) for n in header["classes"]]
    readout = next(k for k, fact in enumerate(facts) if fact["kind"] == "readout")
    pooled = np.asarray(arrays[f"stage/{readout}"], np.float64).reshape(-1)
    scores = np.asarray(header["example"]["scores"], np.float64)
    half = (w - GAP) // 2
    channel_names = [f"c{c}" for c in range(len(pooled))]
    out.paste(_bars(pooled, channel_names, (half, row_h - GAP), "readout"), (0, y))
    predicted = int(header["example"]["predicted"])
    told = [f"{name} {100 * s:.0f}%" for name, s in zip(names, scores.tolist(), strict=False)]
    out.paste(_bars(scores, told, (half, row_h - GAP), "scores", predicted), (half + GAP, y))
    return captioned(out, frame_caption(header, note))


def shift_frames(
    exp: ConvExperiment, shifts: Sequence[int | Sequence[int]], size: Size
) -> list[Image.Image]:
    """:func:`maps` with the input moved by each of ``shifts`` (an int a shift for a signal,
    a pair for an image), the readout's change from the unmoved input in the caption. The
    experiment's own shift stays as it was."""
    images = []
    activation = exp.config.model.activation
    for by in shifts:
        offsets = [by] if isinstance(by, int) else list(by)
        header, arrays = exp.shifted(offsets)
        report = header["shift"]
        note = "shift " + ", ".join(str(s) for s in offsets)
        if report is not None and report["invariance"] is not None:
            note += f" · readout moved {100 * report['invariance']:.1f}%"
        images.append(maps((header, arrays), size, activation, note))
    return images


def shift_gif(
    exp: ConvExperiment,
    shifts: Sequence[int | Sequence[int]],
    path: str | Path,
    size: Size = (720, 560),
    fps: int = 4,
) -> Path:
    """An animated GIF, one frame per shift in ``shifts``: the input moving and the maps
    moving with it while the readout stays (see :func:`shift_frames`)."""
    if not shifts:
        raise ValueError("shifts: give at least one shift")
    if not 1 <= fps <= 60:
        raise ValueError("fps: 1 to 60 frames a second")
    from spacefold.render import write  # late: so that the command may import this module

    images = shift_frames(exp, shifts, size)
    write(images, Path(path), ".gif", fps)
    return Path(path)
